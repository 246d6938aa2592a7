package dev.keel.core;

/**
 * Token usage of one call, or a sum over several.
 *
 * @param inputTokens  prompt tokens
 * @param outputTokens generated tokens
 */
public record Usage(long inputTokens, long outputTokens) {
    /** No tokens. */
    public static final Usage ZERO = new Usage(0, 0);

    /**
     * Creates the value, checking its components.
     *
     * @param inputTokens prompt tokens
     * @param outputTokens generated tokens
     */
    public Usage {
        if (inputTokens < 0 || outputTokens < 0) {
            throw new IllegalArgumentException("token counts cannot be negative");
        }
    }

    /**
     * Input and output tokens together.
     *
     * @return the total
     */
    public long totalTokens() {
        return inputTokens + outputTokens;
    }

    /**
     * The sum of this usage and {@code other}.
     *
     * @param other the usage to add
     * @return the sum of this usage and {@code other}
     */
    public Usage plus(Usage other) {
        return new Usage(inputTokens + other.inputTokens, outputTokens + other.outputTokens);
    }
}
