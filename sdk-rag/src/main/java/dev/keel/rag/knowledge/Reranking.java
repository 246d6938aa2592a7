package dev.keel.rag.knowledge;

import java.util.Objects;

/**
 * docker-agent's {@code results.reranking}: which reranker, how many of the best fused passages it
 * rescores ({@code top_k}; 0 = all candidates up to the result limit) and the minimum reranked score kept
 * ({@code threshold}, default 0.5). Passages beyond {@code topK} keep their fused order after the reranked
 * ones. Immutable.
 *
 * @param reranker  the scorer
 * @param topK      passages rescored, 0 for the result limit
 * @param threshold reranked passages scoring under this are dropped
 */
public record Reranking(Reranker reranker, int topK, double threshold) {
    /**
     * Validates {@code topK} and {@code threshold}.
     *
     * @param reranker the scorer
     * @param threshold reranked passages scoring under this are dropped
     * @param topK passages rescored, 0 for the result limit
     */
    public Reranking {
        Objects.requireNonNull(reranker, "reranker");
        if (topK < 0) {
            throw new IllegalArgumentException("topK must not be negative, got " + topK);
        }
        if (!(threshold >= 0 && threshold <= 1)) {
            throw new IllegalArgumentException("threshold must be in [0, 1], got " + threshold);
        }
    }

    /**
     * Reranks up to the result limit with docker-agent's default threshold 0.5.
     *
     * @param reranker scores the passages
     * @return the reranking
     */
    public static Reranking of(Reranker reranker) {
        return new Reranking(reranker, 0, 0.5);
    }

    /**
     * A copy that rescores only the best {@code topK} passages.
     *
     * @param topK how many passages to rescore
     * @return a copy that rescores only the best {@code topK} passages
     */
    public Reranking topK(int topK) {
        return new Reranking(reranker, topK, threshold);
    }

    /**
     * A copy with another minimum score.
     *
     * @param threshold the lowest score kept
     * @return a copy with another minimum score
     */
    public Reranking threshold(double threshold) {
        return new Reranking(reranker, topK, threshold);
    }
}
