/**
 * Keel RAG: chunkers, a fast vector store with persistence, a retriever with a hit-filter hook, and prompt assembly.
 */
package dev.keel.rag;
