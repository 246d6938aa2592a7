package dev.keel.rag.internal.chunk;

import dev.keel.rag.chunk.Chunk;
import dev.keel.rag.chunk.Chunker;
import dev.keel.rag.chunk.Source;
import dev.keel.rag.chunk.Tokenizer;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Windows of at most {@code size} units, each starting {@code overlap} units (or as close as a
 * character boundary allows) before the previous one ended. Immutable, thread-safe.
 */
public final class FixedSizeChunker implements Chunker {
    private final int size;
    private final int overlap;
    private final Tokenizer tokenizer;
    private final boolean atWords;

    public FixedSizeChunker(int size, int overlap, Tokenizer tokenizer) {
        this(size, overlap, tokenizer, false);
    }

    /** With {@code atWords}, a window that would end inside a word ends after the last whitespace in its second half. */
    public FixedSizeChunker(int size, int overlap, Tokenizer tokenizer, boolean atWords) {
        this.size = Limits.positive(size, tokenizer);
        if (overlap < 0) {
            throw new IllegalArgumentException("overlap must not be negative, got " + overlap);
        }
        if (overlap >= size) {
            throw new IllegalArgumentException("overlap (" + overlap + ") must be smaller than the chunk size ("
                    + size + ")");
        }
        this.overlap = overlap;
        this.tokenizer = tokenizer;
        this.atWords = atWords;
    }

    @Override
    public List<Chunk> split(Source source) {
        Objects.requireNonNull(source, "source");
        String text = source.text();
        int n = text.length();
        SpanSplitter measure = new SpanSplitter(text, tokenizer, size, List.of());
        ChunkBuilder builder = new ChunkBuilder(source);
        Map<String, String> metadata = builder.metadata(Map.of());
        int start = 0;
        int lastEnd = 0;
        while (true) {
            int end = measure.maxEnd(start, n);
            boolean oversized = false;
            if (end <= start) {
                end = Math.min(n, start + Character.charCount(text.codePointAt(start)));
                oversized = true;
            } else if (atWords && end < n && !Character.isWhitespace(text.charAt(end))) {
                // a cut must still reach past the previous window, or the windows would stop advancing
                for (int i = end - 1; i > start + (end - start) / 2 && i >= lastEnd; i--) {
                    if (Character.isWhitespace(text.charAt(i))) {
                        end = i + 1;
                        break;
                    }
                }
            }
            builder.add(new Span(start, end, oversized), metadata);
            if (end == n) {
                break;
            }
            int previousEnd = end;
            lastEnd = end;
            start = Math.max(start + 1, overlapStart(text, measure, start, end));
            // step forward until the next window reaches past this one (surrogate pairs can shorten it)
            while (start < previousEnd && (isInsidePair(text, start) || measure.maxEnd(start, n) <= previousEnd)) {
                start++;
            }
        }
        return builder.build();
    }

    private static boolean isInsidePair(String text, int i) {
        return i > 0 && i < text.length() && Character.isLowSurrogate(text.charAt(i))
                && Character.isHighSurrogate(text.charAt(i - 1));
    }

    /** The smallest {@code s} in {@code (start, end]} whose tail {@code [s, end)} fits the overlap. */
    private int overlapStart(String text, SpanSplitter measure, int start, int end) {
        if (overlap == 0) {
            return end;
        }
        int lo = start + 1;
        int hi = end;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (measure.size(mid, end) <= overlap) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    @Override
    public String toString() {
        return "FixedSizeChunker[size=" + size + ", overlap=" + overlap + " " + tokenizer.unit()
                + (atWords ? ", at words" : "") + "]";
    }
}
