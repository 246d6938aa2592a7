package dev.keel.core;

/**
 * Token usage of one call, or a sum over several, with what providers report beyond plain input and output
 * because cost depends on it. The cache and reasoning counts are parts of the totals, not additions to them:
 * {@code inputTokens} counts every prompt token (cached or not), {@code outputTokens} every generated token
 * (reasoning included).
 *
 * <table>
 *   <caption>Where the numbers come from</caption>
 *   <tr><th>field</th><th>OpenAI Chat Completions</th><th>Anthropic Messages</th></tr>
 *   <tr><td>inputTokens</td><td>{@code prompt_tokens}</td>
 *       <td>{@code input_tokens + cache_read_input_tokens + cache_creation_input_tokens}</td></tr>
 *   <tr><td>outputTokens</td><td>{@code completion_tokens}</td><td>{@code output_tokens}</td></tr>
 *   <tr><td>cacheReadTokens</td><td>{@code prompt_tokens_details.cached_tokens}</td>
 *       <td>{@code cache_read_input_tokens}</td></tr>
 *   <tr><td>cacheWriteTokens</td><td>0 (caching is automatic)</td><td>{@code cache_creation_input_tokens}</td></tr>
 *   <tr><td>reasoningTokens</td><td>{@code completion_tokens_details.reasoning_tokens}</td><td>0 (not reported)</td></tr>
 * </table>
 *
 * @param inputTokens      prompt tokens, cached or not
 * @param outputTokens     generated tokens, reasoning included
 * @param cacheReadTokens  prompt tokens served from the provider's prompt cache (part of {@code inputTokens})
 * @param cacheWriteTokens prompt tokens written to the prompt cache (part of {@code inputTokens})
 * @param reasoningTokens  generated tokens spent on hidden reasoning (part of {@code outputTokens})
 */
public record Usage(long inputTokens, long outputTokens, long cacheReadTokens, long cacheWriteTokens,
                    long reasoningTokens) {
    /** No tokens. */
    public static final Usage ZERO = new Usage(0, 0, 0, 0, 0);

    /**
     * Validates the counts.
     *
     * @param inputTokens prompt tokens, cached or not
     * @param outputTokens generated tokens, reasoning included
     * @param cacheReadTokens prompt tokens served from the provider's prompt cache (part of {@code inputTokens})
     * @param cacheWriteTokens prompt tokens written to the prompt cache (part of {@code inputTokens})
     * @param reasoningTokens generated tokens spent on hidden reasoning (part of {@code outputTokens})
     * @throws IllegalArgumentException when a count is negative or a part exceeds its total
     */
    public Usage {
        if (inputTokens < 0 || outputTokens < 0 || cacheReadTokens < 0 || cacheWriteTokens < 0 || reasoningTokens < 0) {
            throw new IllegalArgumentException("token counts cannot be negative");
        }
        if (cacheReadTokens + cacheWriteTokens > inputTokens) {
            throw new IllegalArgumentException("cache reads (" + cacheReadTokens + ") and writes (" + cacheWriteTokens
                    + ") are part of the input tokens (" + inputTokens + ")");
        }
        if (reasoningTokens > outputTokens) {
            throw new IllegalArgumentException("reasoning tokens (" + reasoningTokens + ") are part of the output tokens ("
                    + outputTokens + ")");
        }
    }

    /**
     * Plain input and output, nothing cached, no reasoning reported.
     *
     * @param inputTokens the input tokens
     * @param outputTokens the output tokens
     */
    public Usage(long inputTokens, long outputTokens) {
        this(inputTokens, outputTokens, 0, 0, 0);
    }

    /**
     * Input plus output.
     *
     * @return input plus output
     */
    public long totalTokens() {
        return inputTokens + outputTokens;
    }

    /**
     * Prompt tokens neither read from nor written to the cache: billed at the plain input price.
     *
     * @return prompt tokens neither read from nor written to the cache: billed at the plain input price
     */
    public long uncachedInputTokens() {
        return inputTokens - cacheReadTokens - cacheWriteTokens;
    }

    /**
     * The sum of this usage and {@code other}.
     *
     * @param other the other
     * @return the sum of this usage and {@code other}
     */
    public Usage plus(Usage other) {
        return new Usage(inputTokens + other.inputTokens, outputTokens + other.outputTokens,
                cacheReadTokens + other.cacheReadTokens, cacheWriteTokens + other.cacheWriteTokens,
                reasoningTokens + other.reasoningTokens);
    }

    /**
     * This usage less {@code earlier}, for the usage of a run out of a running total.
     *
     * @param earlier the earlier
     * @return this usage less {@code earlier}, for the usage of a run out of a running total
     * @throws IllegalArgumentException when {@code earlier} is not part of this usage
     */
    public Usage minus(Usage earlier) {
        return new Usage(inputTokens - earlier.inputTokens, outputTokens - earlier.outputTokens,
                cacheReadTokens - earlier.cacheReadTokens, cacheWriteTokens - earlier.cacheWriteTokens,
                reasoningTokens - earlier.reasoningTokens);
    }
}
