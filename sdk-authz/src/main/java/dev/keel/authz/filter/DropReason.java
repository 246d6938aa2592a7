package dev.keel.authz.filter;

/** Why a {@link PostFilter} dropped a hit. Every reason other than {@link #DENIED} is the filter failing closed. */
public enum DropReason {
    /** SpiceDB answered that the subject lacks the permission. */
    DENIED,
    /** SpiceDB answered "conditional" (a caveat needs context that was not given): treated as deny. */
    CONDITIONAL,
    /** The check failed (transport, server or per-item error): treated as deny. */
    ERROR,
    /** The check did not finish within the filter's time budget or the client's deadline: treated as deny. */
    TIMEOUT,
    /** The resource-id extractor failed or returned nothing for the hit: treated as deny. */
    INVALID_RESOURCE
}
