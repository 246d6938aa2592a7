package dev.keel.rag.internal.chunk;

import dev.keel.rag.chunk.Chunk;
import dev.keel.rag.chunk.Chunker;
import dev.keel.rag.chunk.Source;
import dev.keel.rag.chunk.Tokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Splits by a hierarchy of boundaries (paragraph, line, sentence, word by default). Immutable, thread-safe. */
public final class RecursiveChunker implements Chunker {
    private final int maxSize;
    private final Tokenizer tokenizer;
    private final List<Boundaries> levels;
    private final String description;

    public RecursiveChunker(int maxSize, Tokenizer tokenizer, List<Boundaries> levels, String description) {
        this.maxSize = Limits.positive(maxSize, tokenizer);
        this.tokenizer = tokenizer;
        this.levels = List.copyOf(levels);
        this.description = description;
    }

    @Override
    public List<Chunk> split(Source source) {
        Objects.requireNonNull(source, "source");
        List<Span> spans = new ArrayList<>();
        new SpanSplitter(source.text(), tokenizer, maxSize, levels).split(0, source.text().length(), spans);
        ChunkBuilder builder = new ChunkBuilder(source);
        Map<String, String> metadata = builder.metadata(Map.of());
        for (Span span : spans) {
            builder.add(span, metadata);
        }
        return builder.build();
    }

    @Override
    public String toString() {
        return "RecursiveChunker[maxSize=" + maxSize + " " + tokenizer.unit() + ", " + description + "]";
    }
}
