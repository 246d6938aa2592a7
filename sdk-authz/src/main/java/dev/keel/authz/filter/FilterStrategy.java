package dev.keel.authz.filter;

/** How a {@link PostFilter} decides which hits a subject may read. */
public enum FilterStrategy {
    /** Bulk-check the hits' resources (cost grows with the number of hits). The default. */
    POST_FILTER,
    /**
     * List every resource the subject may read with LookupResources, then keep hits in that set (cost
     * grows with what the subject can read: good for users who can read few documents).
     */
    PRE_FILTER,
    /**
     * Look up what the subject may read, but stop after the builder's pre-filter limit; if the subject
     * can read fewer resources than that, use the set, otherwise fall back to bulk checks.
     */
    AUTO
}
