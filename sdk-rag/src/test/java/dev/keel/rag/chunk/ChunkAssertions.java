package dev.keel.rag.chunk;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

/** Invariants every chunker promises. */
final class ChunkAssertions {
    private ChunkAssertions() {
    }

    /** Chunks in order, numbered, contiguous or overlapping, covering the text exactly. */
    static void assertCovers(String text, List<Chunk> chunks) {
        assertThat(chunks).isNotEmpty();
        StringBuilder rebuilt = new StringBuilder();
        int previousEnd = 0;
        for (int i = 0; i < chunks.size(); i++) {
            Chunk c = chunks.get(i);
            assertThat(c.ordinal()).isEqualTo(i);
            assertThat(c.text()).isEqualTo(text.substring(c.start(), c.end()));
            assertThat(c.length()).isPositive();
            if (i == 0) {
                assertThat(c.start()).isZero();
            } else {
                assertThat(c.start()).isLessThanOrEqualTo(previousEnd).isGreaterThan(chunks.get(i - 1).start());
                assertThat(c.end()).isGreaterThan(previousEnd);
            }
            rebuilt.append(c.text(), previousEnd - c.start(), c.length());
            previousEnd = c.end();
        }
        assertThat(previousEnd).isEqualTo(text.length());
        assertThat(rebuilt.toString()).isEqualTo(text);
    }

    /** No chunk over the limit unless flagged; no chunk boundary inside a surrogate pair. */
    static void assertWithinLimit(String text, List<Chunk> chunks, int limit, Tokenizer tokenizer) {
        for (Chunk c : chunks) {
            if (!c.oversized()) {
                assertThat(tokenizer.count(c.text())).as("size of %s", c).isLessThanOrEqualTo(limit);
            }
            assertNotInsidePair(text, c.start());
            assertNotInsidePair(text, c.end());
        }
    }

    private static void assertNotInsidePair(String text, int offset) {
        if (offset > 0 && offset < text.length()) {
            assertThat(Character.isHighSurrogate(text.charAt(offset - 1)) && Character.isLowSurrogate(text.charAt(offset)))
                    .as("boundary %d splits a surrogate pair", offset).isFalse();
        }
    }
}
