package dev.keel.rag.internal.chunk;

import dev.keel.rag.chunk.Tokenizer;
import java.util.List;

/**
 * Splits a span of text into contiguous pieces no larger than a limit, trying the boundary levels in
 * order (for example paragraph, then sentence, then word) and merging neighbouring pieces greedily
 * while they fit. As a last resort it cuts between characters, never inside a surrogate pair. Not
 * thread-safe; create one per split.
 */
public final class SpanSplitter {
    private final String text;
    private final Tokenizer tokenizer;
    private final int limit;
    private final List<Boundaries> levels;
    private final boolean characters;

    public SpanSplitter(String text, Tokenizer tokenizer, int limit, List<Boundaries> levels) {
        this.text = text;
        this.tokenizer = tokenizer;
        this.limit = limit;
        this.levels = levels;
        this.characters = tokenizer == dev.keel.rag.chunk.Tokenizers.characters();
    }

    /** Size of {@code [start, end)} in the tokenizer's unit. */
    public int size(int start, int end) {
        return characters ? end - start : tokenizer.count(text, start, end);
    }

    /**
     * Appends the pieces of {@code [start, end)} to {@code out}: the span is broken down level by level
     * until every piece fits (or is a lone oversized code point), then neighbouring pieces are merged
     * greedily while the merged span fits.
     */
    public void split(int start, int end, List<Span> out) {
        List<Span> pieces = new java.util.ArrayList<>();
        collect(start, end, 0, pieces);
        int currentStart = -1;
        int currentEnd = -1;
        for (Span piece : pieces) {
            if (currentStart >= 0 && !piece.oversized() && size(currentStart, piece.end()) <= limit) {
                currentEnd = piece.end();
                continue;
            }
            if (currentStart >= 0) {
                out.add(new Span(currentStart, currentEnd, false));
                currentStart = -1;
            }
            if (piece.oversized()) {
                out.add(piece);
            } else {
                currentStart = piece.start();
                currentEnd = piece.end();
            }
        }
        if (currentStart >= 0) {
            out.add(new Span(currentStart, currentEnd, false));
        }
    }

    private void collect(int start, int end, int level, List<Span> out) {
        if (size(start, end) <= limit) {
            out.add(new Span(start, end, false));
            return;
        }
        if (level == levels.size()) {
            hardCut(start, end, out);
            return;
        }
        IntList cuts = new IntList();
        levels.get(level).find(text, start, end, cuts);
        int pieceStart = start;
        for (int i = 0; i <= cuts.size(); i++) {
            int pieceEnd = i < cuts.size() ? cuts.get(i) : end;
            if (pieceEnd > pieceStart) {
                collect(pieceStart, pieceEnd, level + 1, out);
                pieceStart = pieceEnd;
            }
        }
    }

    private void hardCut(int start, int end, List<Span> out) {
        int s = start;
        while (s < end) {
            int e = maxEnd(s, end);
            if (e <= s) {
                int one = s + Character.charCount(text.codePointAt(s));
                out.add(new Span(s, Math.min(one, end), true));
                s = Math.min(one, end);
            } else {
                out.add(new Span(s, e, false));
                s = e;
            }
        }
    }

    /**
     * The largest {@code e <= end} such that {@code [start, e)} fits the limit and does not end inside
     * a surrogate pair; {@code start} when not even one code point fits.
     */
    public int maxEnd(int start, int end) {
        int e;
        if (characters) {
            e = (int) Math.min(end, (long) start + limit);
        } else {
            // Exponential then binary search: token counts grow with length.
            int lo = start;
            int step = Math.max(16, limit * 4);
            int hi = (int) Math.min(end, (long) start + step);
            while (hi < end && size(start, hi) <= limit) {
                lo = hi;
                step *= 2;
                hi = (int) Math.min(end, (long) start + step);
            }
            if (size(start, hi) <= limit) {
                lo = hi;
            } else {
                while (hi - lo > 1) {
                    int mid = (lo + hi) >>> 1;
                    if (size(start, mid) <= limit) {
                        lo = mid;
                    } else {
                        hi = mid;
                    }
                }
            }
            e = lo;
        }
        if (e > start && e < end && Character.isHighSurrogate(text.charAt(e - 1))
                && Character.isLowSurrogate(text.charAt(e))) {
            e--;
        }
        return e;
    }
}
