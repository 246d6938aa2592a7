/**
 * LangChain4j adapters (optional dependency): any LangChain4j {@code EmbeddingStore<TextSegment>} as a
 * Keel {@link dev.keel.rag.store.VectorStore} and any LangChain4j embedding model as a Keel
 * {@link dev.keel.core.EmbeddingModel}.
 */
package dev.keel.rag.langchain4j;
