/**
 * Keel testing for agents: evaluations of agent teams ({@code dev.keel.testing.eval}), live or replayed from run
 * recordings, and safety assertions ({@code dev.keel.testing.safety}) over the model traffic of a run. Separate
 * from {@code dev.keel.testing} because it needs {@code dev.keel.agents}, whose own tests use
 * {@code dev.keel.testing}.
 */
module dev.keel.testing.agents {
    requires transitive dev.keel.testing;
    requires transitive dev.keel.agents;
    // the permission assertion (dev.keel.testing.safety.DocumentPermissions); sdk-authz is optional
    requires static dev.keel.authz;
    // the egress assertion (dev.keel.testing.safety.SandboxEgress); sdk-sandbox is optional
    requires static dev.keel.sandbox;

    exports dev.keel.testing.eval;
    exports dev.keel.testing.safety;
}
