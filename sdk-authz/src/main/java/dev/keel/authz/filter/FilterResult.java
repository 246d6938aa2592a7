package dev.keel.authz.filter;

import java.util.List;

/**
 * What a {@link PostFilter} kept, in rank order, and what it dropped and why (ids and ranks only).
 * {@link #toString()} never shows hit content.
 *
 * @param kept     the readable hits, best first
 * @param dropped  the removed hits, in rank order
 * @param examined how many hits were looked at (including over-fetched ones)
 * @param strategy the strategy that decided (AUTO reports what it fell to)
 * @param <H> the hit type
 */
public record FilterResult<H>(List<H> kept, List<DroppedHit> dropped, int examined, FilterStrategy strategy) {
    /**
     * Copies the lists.
     *
     * @param dropped the removed hits, in rank order
     * @param examined how many hits were looked at (including over-fetched ones)
     * @param kept the readable hits, best first
     * @param strategy the strategy that decided (AUTO reports what it fell to)
     */
    public FilterResult {
        kept = List.copyOf(kept);
        dropped = List.copyOf(dropped);
    }

    /**
     * True when any hit was dropped for a reason other than a plain denial (the filter failed closed).
     *
     * @return true when any hit was dropped for a reason other than a plain denial
     */
    public boolean failedClosed() {
        return dropped.stream().anyMatch(d -> d.reason() != DropReason.DENIED);
    }

    @Override
    public String toString() {
        return "FilterResult[kept=" + kept.size() + ", examined=" + examined + ", strategy=" + strategy
                + ", dropped=" + dropped + "]";
    }
}
