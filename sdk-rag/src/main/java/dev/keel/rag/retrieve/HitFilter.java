package dev.keel.rag.retrieve;

import dev.keel.rag.store.Hit;
import java.util.List;

/**
 * Post-filters ranked hits, for example to keep only what the asking user may read. It receives hits
 * best first and must return a subset in the same order; it may not add hits. A filter that throws fails
 * the retrieval (nothing is returned), so permission filters fail closed.
 *
 * <p>This is a plain function of {@code List<Hit>}, so a permission library plugs in with a lambda
 * (for example {@code hits -> postFilter.keep(hits, user)}) without either module depending on the other.
 */
@FunctionalInterface
public interface HitFilter {

    /**
     * Returns the hits to keep, best first.
     *
     * @param rankedHits the hits, best first
     * @return the hits to keep, best first
     */
    List<Hit> filter(List<Hit> rankedHits);

    /**
     * Keeps everything.
     *
     * @return the filter
     */
    static HitFilter none() {
        return hits -> hits;
    }

    /**
     * This filter, then {@code next}.
     *
     * @param next the filter applied after this one
     * @return this filter, then {@code next}
     */
    default HitFilter andThen(HitFilter next) {
        return hits -> next.filter(filter(hits));
    }
}
