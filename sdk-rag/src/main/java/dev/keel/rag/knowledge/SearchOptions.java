package dev.keel.rag.knowledge;

import java.util.Objects;

/**
 * Per-request options of {@link KnowledgeBase#search(String, SearchOptions)}.
 *
 * @param limit  at most this many passages; 0 means the knowledge base's {@code results.limit}
 * @param filter applied to the candidates before reranking and the limit, so a permission filter still
 *               leaves up to {@code limit} passages when it removes some
 */
public record SearchOptions(int limit, KnowledgeFilter filter) {
    /**
     * Validates the limit.
     *
     * @param filter applied to the candidates before reranking and the limit, so a permission filter still leaves
     *     up to {@code limit} passages when it removes some
     * @param limit at most this many passages; 0 means the knowledge base's {@code results.limit}
     */
    public SearchOptions {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must not be negative, got " + limit);
        }
        Objects.requireNonNull(filter, "filter");
    }

    /**
     * The knowledge base's limit, no filter.
     *
     * @return the knowledge base's limit
     */
    public static SearchOptions defaults() {
        return new SearchOptions(0, KnowledgeFilter.none());
    }

    /**
     * A copy with another limit.
     *
     * @param limit the most passages
     * @return a copy with another limit
     */
    public SearchOptions withLimit(int limit) {
        return new SearchOptions(limit, filter);
    }

    /**
     * A copy with another filter.
     *
     * @param filter the filter
     * @return a copy with another filter
     */
    public SearchOptions withFilter(KnowledgeFilter filter) {
        return new SearchOptions(limit, filter);
    }
}
