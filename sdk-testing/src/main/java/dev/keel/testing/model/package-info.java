/**
 * A scripted OpenAI-compatible model server for tests: {@link dev.keel.testing.model.ScriptedModelServer}
 * answers Chat Completions (plain and streamed) and Embeddings requests with
 * {@link dev.keel.testing.model.ScriptedReply scripted replies} and records what it received.
 */
package dev.keel.testing.model;
