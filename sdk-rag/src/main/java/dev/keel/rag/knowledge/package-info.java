/**
 * Knowledge bases as docker-agent declares them ({@code rag:}): sources, strategies (embeddings, BM25,
 * semantic embeddings), fusion, reranking, incremental and watched crash-safe indexing, and a per-request
 * filter for permissions. Entry point: {@link dev.keel.rag.knowledge.KnowledgeBase}.
 */
package dev.keel.rag.knowledge;
