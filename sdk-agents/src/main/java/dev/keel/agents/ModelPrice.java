package dev.keel.agents;

/**
 * Price of a model in US dollars per million tokens, used to report a session's cost.
 *
 * @param inputPerMillion  price of one million prompt tokens
 * @param outputPerMillion price of one million generated tokens
 */
public record ModelPrice(double inputPerMillion, double outputPerMillion) {
    /**
     * Creates the value, checking its components.
     *
     * @param inputPerMillion price of one million prompt tokens
     * @param outputPerMillion price of one million generated tokens
     */
    public ModelPrice {
        if (inputPerMillion < 0 || outputPerMillion < 0 || Double.isNaN(inputPerMillion) || Double.isNaN(outputPerMillion)) {
            throw new IllegalArgumentException("prices must be non-negative numbers");
        }
    }

    /**
     * Cost of {@code usage} in US dollars.
     *
     * @param usage the tokens used
     * @return the cost in US dollars
     */
    public double cost(dev.keel.core.Usage usage) {
        return usage.inputTokens() * inputPerMillion / 1_000_000d + usage.outputTokens() * outputPerMillion / 1_000_000d;
    }
}
