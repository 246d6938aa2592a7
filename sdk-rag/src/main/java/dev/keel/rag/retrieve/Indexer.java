package dev.keel.rag.retrieve;

import dev.keel.core.EmbeddingModel;
import dev.keel.rag.chunk.Chunk;
import dev.keel.rag.store.Entry;
import dev.keel.rag.store.VectorStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Embeds chunks in batches and upserts them under their {@link Chunk#id()}, keeping text and metadata
 * (source, heading path, keywords, offsets) for citations. The text embedded is the chunk's heading path
 * and keywords followed by its text, so a snippet is found by what its heading and keywords say too.
 * Stateless and thread-safe.
 */
public final class Indexer {
    private final EmbeddingModel embedder;
    private final int batchSize;

    private Indexer(EmbeddingModel embedder, int batchSize) {
        this.embedder = Objects.requireNonNull(embedder, "embedder");
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be at least 1, got " + batchSize);
        }
        this.batchSize = batchSize;
    }

    /**
     * An indexer that embeds 32 chunks per model call.
     *
     * @param embedder embeds the chunks
     * @return an indexer that embeds 32 chunks per model call
     */
    public static Indexer of(EmbeddingModel embedder) {
        return new Indexer(embedder, 32);
    }

    /**
     * An indexer that embeds {@code batchSize} chunks per model call.
     *
     * @param embedder embeds the chunks
     * @param batchSize chunks per model call
     * @return an indexer that embeds {@code batchSize} chunks per model call
     */
    public static Indexer of(EmbeddingModel embedder, int batchSize) {
        return new Indexer(embedder, batchSize);
    }

    /**
     * The text that represents {@code chunk} for embedding.
     *
     * @param chunk the chunk
     * @return the text that represents {@code chunk} for embedding
     */
    public static String embeddingText(Chunk chunk) {
        StringBuilder text = new StringBuilder();
        String path = chunk.metadata().get(Chunk.HEADING_PATH);
        if (path != null && !chunk.text().stripLeading().startsWith("#")) {
            text.append(path).append('\n');
        }
        return text.append(chunk.text()).toString();
    }

    /**
     * Embeds and stores {@code chunks}; returns how many were stored.
     *
     * @param chunks the chunks
     * @param store where they are stored
     * @return how many were stored
     */
    public int index(List<Chunk> chunks, VectorStore store) {
        Objects.requireNonNull(store, "store");
        for (int from = 0; from < chunks.size(); from += batchSize) {
            List<Chunk> batch = chunks.subList(from, Math.min(chunks.size(), from + batchSize));
            List<String> texts = new ArrayList<>(batch.size());
            for (Chunk chunk : batch) {
                texts.add(embeddingText(chunk));
            }
            List<float[]> vectors = embedder.embedAll(texts);
            if (vectors.size() != batch.size()) {
                throw new IllegalStateException("embedding model " + embedder.id() + " returned " + vectors.size()
                        + " vectors for " + batch.size() + " texts");
            }
            List<Entry> entries = new ArrayList<>(batch.size());
            for (int i = 0; i < batch.size(); i++) {
                Chunk chunk = batch.get(i);
                java.util.Map<String, String> metadata = new java.util.HashMap<>(chunk.metadata());
                metadata.put("start", Integer.toString(chunk.start()));
                metadata.put("end", Integer.toString(chunk.end()));
                entries.add(new Entry(chunk.id(), vectors.get(i), chunk.text(), metadata));
            }
            store.upsertAll(entries);
        }
        return chunks.size();
    }

    @Override
    public String toString() {
        return "Indexer[embedder=" + embedder.id() + ", batchSize=" + batchSize + "]";
    }
}
