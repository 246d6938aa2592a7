package dev.keel.authz.filter;

import java.util.List;

/**
 * Where a {@link PostFilter} fetches more ranked hits when some were denied ("over-fetch"). A
 * retriever implements it by running the same query with a larger limit and returning the slice.
 * Keeping this a tiny functional interface lets any retriever (Keel's sdk-rag or another) plug in
 * without either module depending on the other.
 *
 * @param <H> the hit type
 */
@FunctionalInterface
public interface HitSource<H> {

    /**
     * Returns the hits ranked {@code offset} to {@code offset + limit - 1} (0 = best), in rank order.
     * Fewer than {@code limit} hits means there are no more.
     *
     * @param offset the rank of the first hit to return
     * @param limit how many hits to return at most
     * @return the hits ranked {@code offset} to {@code offset + limit - 1} (0 = best), in rank order
     */
    List<H> fetch(int offset, int limit);

    /**
     * A source over an already ranked list.
     *
     * @param <H> the hit type
     * @param ranked the hits, best first
     * @return a source over an already ranked list
     */
    static <H> HitSource<H> of(List<H> ranked) {
        List<H> copy = List.copyOf(ranked);
        return (offset, limit) -> offset >= copy.size()
                ? List.of()
                : copy.subList(offset, Math.min(copy.size(), offset + limit));
    }
}
