/**
 * Keel testing: the cassette recorder (record HTTP once, replay deterministically), JUnit 5 extensions,
 * a scripted OpenAI-compatible model server, evaluations of agent teams and safety assertions.
 */
module dev.keel.testing {
    requires transitive dev.keel.core;
    requires org.slf4j;
    requires transitive org.junit.jupiter.api;
    requires mockwebserver3;
    requires okio;
    requires com.fasterxml.jackson.databind;
    requires com.fasterxml.jackson.dataformat.yaml;
    // the @EmbeddedSpiceDb extension; sdk-authz is optional
    requires static dev.keel.authz;
    // evaluations (dev.keel.testing.eval) and recording-based traffic; sdk-agents is optional
    requires static dev.keel.agents;
    // the egress assertion (dev.keel.testing.safety.SandboxEgress); sdk-sandbox is optional
    requires static dev.keel.sandbox;

    exports dev.keel.testing.model;
    exports dev.keel.testing.cassette;
    exports dev.keel.testing.spicedb;
    exports dev.keel.testing.eval;
    exports dev.keel.testing.safety;
}
