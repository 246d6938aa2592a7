package dev.keel.rag.internal.knowledge;

import java.util.Map;

/**
 * A chunk as the knowledge base keeps it: id, source, offsets, text, heading path, metadata and the hash of
 * the text its strategy embeds (vectors and summaries are reused by this hash). Immutable.
 */
public record IndexedChunk(String id, String source, int ordinal, int start, int end, String text, String headingPath,
                           Map<String, String> metadata, String hash) {
    public IndexedChunk {
        metadata = Map.copyOf(metadata);
    }

    /** Identity across strategies: same source, same offsets. */
    public String key() {
        return source + '\u0000' + start + ':' + end;
    }
}
