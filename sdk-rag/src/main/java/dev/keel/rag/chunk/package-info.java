/**
 * Chunking: {@link dev.keel.rag.chunk.Chunkers} makes markdown-section, recursive and fixed-size
 * {@link dev.keel.rag.chunk.Chunker}s that turn a {@link dev.keel.rag.chunk.Source} into
 * {@link dev.keel.rag.chunk.Chunk}s with offsets, ordinals and metadata, sized by a
 * {@link dev.keel.rag.chunk.Tokenizer}.
 */
package dev.keel.rag.chunk;
