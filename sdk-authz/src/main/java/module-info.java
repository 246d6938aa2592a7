/**
 * Keel authz: a ReBAC client with SpiceDB semantics (remote over gRPC or embedded), and fail-closed post-filtering of retrieved chunks.
 */
module dev.keel.authz {
    requires transitive dev.keel.core;
}
