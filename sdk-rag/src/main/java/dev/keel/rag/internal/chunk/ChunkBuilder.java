package dev.keel.rag.internal.chunk;

import dev.keel.rag.chunk.Chunk;
import dev.keel.rag.chunk.Source;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Turns spans into numbered chunks that carry the source's id and metadata. Not thread-safe. */
final class ChunkBuilder {
    private final Source source;
    private final List<Chunk> chunks = new ArrayList<>();

    ChunkBuilder(Source source) {
        this.source = source;
    }

    /** Source metadata plus {@code extra} plus the source id; build once and reuse for many spans. */
    Map<String, String> metadata(Map<String, String> extra) {
        Map<String, String> metadata = new HashMap<>(source.metadata());
        metadata.putAll(extra);
        metadata.put(Chunk.SOURCE, source.id());
        return Map.copyOf(metadata);
    }

    void add(Span span, Map<String, String> metadata) {
        chunks.add(new Chunk(source.id(), chunks.size(), span.start(), span.end(),
                source.text().substring(span.start(), span.end()), metadata, span.oversized()));
    }

    List<Chunk> build() {
        return List.copyOf(chunks);
    }
}
