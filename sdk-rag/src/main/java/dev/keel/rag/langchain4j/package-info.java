/**
 * LangChain4j adapters (optional dependency): any LangChain4j {@code EmbeddingStore<TextSegment>} as a
 * Keel {@link dev.keel.rag.store.VectorStore}. (LangChain4j embedding models are adapted by sdk-core's
 * {@code dev.keel.core.langchain4j.LangChain4j#embeddingModel}.)
 */
package dev.keel.rag.langchain4j;
