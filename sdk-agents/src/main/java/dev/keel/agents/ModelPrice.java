package dev.keel.agents;

import dev.keel.core.Usage;

/**
 * Price of a model in US dollars per million tokens, used to report a session's cost. Prompt tokens read from
 * or written to the provider's prompt cache are billed at their own prices (Anthropic: reads at a tenth of
 * the input price, 5-minute cache writes at 1.25 times; OpenAI: cached input at a discount).
 *
 * <pre>{@code
 * ModelPrice sonnet = ModelPrice.of(3.00, 15.00).withCacheReads(0.30).withCacheWrites(3.75);
 * }</pre>
 *
 * @param inputPerMillion      price of one million uncached prompt tokens
 * @param outputPerMillion     price of one million generated tokens (reasoning included)
 * @param cacheReadPerMillion  price of one million prompt tokens served from the cache
 * @param cacheWritePerMillion price of one million prompt tokens written to the cache
 */
public record ModelPrice(double inputPerMillion, double outputPerMillion, double cacheReadPerMillion,
                         double cacheWritePerMillion) {
    /**
     * Validates the prices.
     *
     * @param inputPerMillion price of one million uncached prompt tokens
     * @param outputPerMillion price of one million generated tokens (reasoning included)
     * @param cacheReadPerMillion price of one million prompt tokens served from the cache
     * @param cacheWritePerMillion price of one million prompt tokens written to the cache
     */
    public ModelPrice {
        for (double p : new double[] {inputPerMillion, outputPerMillion, cacheReadPerMillion, cacheWritePerMillion}) {
            if (p < 0 || Double.isNaN(p) || Double.isInfinite(p)) {
                throw new IllegalArgumentException("prices must be finite, non-negative numbers");
            }
        }
    }

    /**
     * Input and output prices; cached tokens are billed as plain input until said otherwise.
     *
     * @param inputPerMillion the input per million
     * @param outputPerMillion the output per million
     * @return input and output prices; cached tokens are billed as plain input until said otherwise
     */
    public static ModelPrice of(double inputPerMillion, double outputPerMillion) {
        return new ModelPrice(inputPerMillion, outputPerMillion, inputPerMillion, inputPerMillion);
    }

    /**
     * A copy with the price of cache reads.
     *
     * @param perMillion the per million
     * @return a copy with the price of cache reads
     */
    public ModelPrice withCacheReads(double perMillion) {
        return new ModelPrice(inputPerMillion, outputPerMillion, perMillion, cacheWritePerMillion);
    }

    /**
     * A copy with the price of cache writes.
     *
     * @param perMillion the per million
     * @return a copy with the price of cache writes
     */
    public ModelPrice withCacheWrites(double perMillion) {
        return new ModelPrice(inputPerMillion, outputPerMillion, cacheReadPerMillion, perMillion);
    }

    /**
     * Cost of {@code usage} in US dollars.
     *
     * @param usage the usage
     * @return cost of {@code usage} in US dollars
     */
    public double cost(Usage usage) {
        return (usage.uncachedInputTokens() * inputPerMillion + usage.cacheReadTokens() * cacheReadPerMillion
                + usage.cacheWriteTokens() * cacheWritePerMillion + usage.outputTokens() * outputPerMillion) / 1_000_000d;
    }
}
