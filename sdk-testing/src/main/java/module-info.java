/**
 * Keel testing: the cassette recorder (record HTTP once, replay deterministically), JUnit 5 extensions
 * and a scripted OpenAI-compatible model server. Evaluations of agent teams and safety assertions are in
 * {@code dev.keel.testing.agents} (artifact sdk-testing-agents): this module stays below {@code dev.keel.agents},
 * whose own tests use it.
 */
module dev.keel.testing {
    requires transitive dev.keel.core;
    requires org.slf4j;
    // PostgresCluster.dataSource()
    requires transitive java.sql;
    requires transitive org.junit.jupiter.api;
    requires mockwebserver3;
    requires okio;
    requires com.fasterxml.jackson.databind;
    requires com.fasterxml.jackson.dataformat.yaml;
    // the @EmbeddedSpiceDb extension; sdk-authz is optional
    requires static dev.keel.authz;

    exports dev.keel.testing.model;
    exports dev.keel.testing.cassette;
    exports dev.keel.testing.spicedb;
    exports dev.keel.testing.postgres;
}
