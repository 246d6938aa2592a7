/**
 * Vector storage and similarity search: the {@link dev.keel.rag.store.VectorStore} contract, the embedded
 * {@link dev.keel.rag.store.InMemoryVectorStore} (exact SIMD search, int8 scanning, a checksummed file
 * format) and {@link dev.keel.rag.store.MetadataFilter}s.
 */
package dev.keel.rag.store;
