/**
 * Keel testing: the cassette recorder (record HTTP once, replay deterministically), JUnit 5 extensions
 * and a scripted OpenAI-compatible model server.
 */
module dev.keel.testing {
    requires transitive dev.keel.core;
    requires okhttp3.mockwebserver;
    requires okio;
    requires com.fasterxml.jackson.dataformat.yaml;
    // the @EmbeddedSpiceDb extension: JUnit's API is part of its signature; sdk-authz is optional
    requires transitive org.junit.jupiter.api;
    requires static dev.keel.authz;

    exports dev.keel.testing.model;
    exports dev.keel.testing.cassette;
    exports dev.keel.testing.spicedb;
}
