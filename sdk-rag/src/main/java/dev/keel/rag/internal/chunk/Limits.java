package dev.keel.rag.internal.chunk;

import dev.keel.rag.chunk.Tokenizer;
import java.util.Objects;

/** Argument checks shared by the chunkers. */
final class Limits {
    private Limits() {
    }

    static int positive(int maxSize, Tokenizer tokenizer) {
        Objects.requireNonNull(tokenizer, "tokenizer");
        if (maxSize < 1) {
            throw new IllegalArgumentException("maxSize must be at least 1 " + tokenizer.unit() + ", got " + maxSize);
        }
        return maxSize;
    }
}
