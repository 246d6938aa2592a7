/**
 * Keel testing: the cassette recorder (record HTTP once, replay deterministically), JUnit 5 extensions and a scripted OpenAI-compatible model server.
 */
package dev.keel.testing;
