/** Embedding models that run in-process: {@link dev.keel.rag.embed.EmbeddedModels}. */
package dev.keel.rag.embed;
