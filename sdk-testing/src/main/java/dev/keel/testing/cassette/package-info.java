/**
 * Cassettes: {@link dev.keel.testing.cassette.CassetteRecorder} records HTTP interactions made through
 * OkHttp into human-readable YAML and replays them, so tests of AI code run offline, without keys,
 * deterministically. The JUnit 5 extension in {@code dev.keel.testing.junit} wires it into tests.
 */
package dev.keel.testing.cassette;
