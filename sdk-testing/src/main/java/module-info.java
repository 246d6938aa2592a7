/**
 * Keel testing: the cassette recorder (record HTTP once, replay deterministically), JUnit 5 extensions
 * and a scripted OpenAI-compatible model server.
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
    // evaluations and run-recording assertions; sdk-agents is optional
    requires static dev.keel.agents;

    exports dev.keel.testing.model;
    exports dev.keel.testing.cassette;
    exports dev.keel.testing.spicedb;
}
