package dev.keel.rag.chunk;

import java.util.Map;
import java.util.Objects;

/**
 * One piece of a {@link Source}: the characters {@code [start, end)} of the source text.
 *
 * <p>Chunks of one source are numbered by {@code ordinal} from 0 and, in order, cover the whole text:
 * a chunk starts at or before the end of the previous one (it overlaps it only when the chunker was
 * configured with an overlap).
 *
 * @param sourceId  id of the source this chunk comes from
 * @param ordinal   position of this chunk among the source's chunks, from 0
 * @param start     offset of the first character in the source text (UTF-16 index, inclusive)
 * @param end       offset after the last character (exclusive)
 * @param text      the source text between {@code start} and {@code end}
 * @param metadata  source metadata plus what the chunker found (see {@link #HEADING_PATH}, {@link #KEYWORDS})
 * @param oversized true when the chunk exceeds the size limit because it is a single unit the chunker
 *                  may not split (a code fence, a table, or one character wider than the limit)
 */
public record Chunk(String sourceId, int ordinal, int start, int end, String text, Map<String, String> metadata,
                    boolean oversized) {
    /** Metadata key of the markdown heading path, for example {@code # Guide > ## Install}. */
    public static final String HEADING_PATH = "heading_path";
    /** Metadata key of the text of a markdown section's {@code KEYWORDS:} line. */
    public static final String KEYWORDS = "keywords";
    /**
     * Metadata key of the declarations that enclose the chunk in its file, for example {@code package a > class B >
     * void c()}; set by knowledge bases whose semantic-embeddings strategy asks for code context.
     */
    public static final String CODE_CONTEXT = "code_context";
    /** Metadata key of the source id (present in every chunk's metadata, for citations). */
    public static final String SOURCE = "source";

    /**
     * Creates the value, checking its components.
     *
     * @param sourceId id of the source this chunk comes from
     * @param ordinal position of this chunk among the source's chunks, from 0
     * @param start offset of the first character in the source text (UTF-16 index, inclusive)
     * @param end offset after the last character (exclusive)
     * @param text the source text between {@code start} and {@code end}
     * @param metadata source metadata plus what the chunker found (see {@link #HEADING_PATH}, {@link #KEYWORDS})
     * @param oversized true when the chunk exceeds the size limit because it is a single unit the chunker may not
     *     split (a code fence, a table, or one character wider than the limit)
     */
    public Chunk {
        Objects.requireNonNull(sourceId, "sourceId");
        Objects.requireNonNull(text, "text");
        if (ordinal < 0 || start < 0 || end < start || text.length() != end - start) {
            throw new IllegalArgumentException("inconsistent chunk offsets: ordinal=" + ordinal + " start=" + start
                    + " end=" + end + " textLength=" + text.length());
        }
        metadata = Map.copyOf(Objects.requireNonNull(metadata, "metadata"));
    }

    /**
     * A stable id for this chunk: {@code sourceId#ordinal}.
     *
     * @return a stable id for this chunk
     */
    public String id() {
        return sourceId + "#" + ordinal;
    }

    /**
     * Number of UTF-16 characters.
     *
     * @return number of UTF-16 characters
     */
    public int length() {
        return end - start;
    }

    @Override
    public String toString() {
        String preview = text.length() <= 40 ? text : text.substring(0, 40) + "…";
        return "Chunk[" + id() + " " + start + ".." + end + (oversized ? " oversized" : "") + " "
                + metadata + " \"" + preview.replace("\n", "\\n") + "\"]";
    }
}
