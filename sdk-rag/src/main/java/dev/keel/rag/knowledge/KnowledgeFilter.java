package dev.keel.rag.knowledge;

import java.util.List;

/**
 * A per-request filter over ranked passages, typically a permission check for the asking user
 * ({@code found -> postFilter.keep(found, user)} with sdk-authz's {@code PostFilter}). It gets the
 * candidates best first and returns the ones to keep, in the same order; it may not add passages. A
 * filter that throws fails the search (nothing is returned), so permission filters fail closed.
 */
@FunctionalInterface
public interface KnowledgeFilter {

    /**
     * The passages to keep, best first.
     *
     * @param rankedHits the passages, best first
     * @return the passages to keep
     */
    List<KnowledgeHit> keep(List<KnowledgeHit> rankedHits);

    /**
     * Keeps everything.
     *
     * @return the filter
     */
    static KnowledgeFilter none() {
        return hits -> hits;
    }
}
