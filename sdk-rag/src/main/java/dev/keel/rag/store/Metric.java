package dev.keel.rag.store;

/**
 * How similar two vectors are. Every metric yields a score where higher means closer, so
 * {@code minScore} limits and rankings mean the same thing for all of them.
 */
public enum Metric {
    /** Cosine similarity in [-1, 1]. Vectors are normalised on insert; the zero vector is rejected. */
    COSINE,
    /** Dot product, unbounded. Use with vectors that are already normalised or where magnitude matters. */
    DOT_PRODUCT,
    /** {@code 1 / (1 + d)} where {@code d} is the Euclidean distance: 1 for identical vectors, towards 0 far apart. */
    EUCLIDEAN
}
