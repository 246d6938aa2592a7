package dev.keel.rag.internal.knowledge;

import dev.keel.rag.internal.keyword.Analyzer;
import dev.keel.rag.internal.keyword.Bm25Index;
import dev.keel.rag.knowledge.Strategy;
import dev.keel.rag.store.Hit;
import dev.keel.rag.store.InMemoryVectorStore;
import dev.keel.rag.store.MetadataFilter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One strategy's part of a live index generation: its chunks, and either a BM25 index over them or their
 * vectors (chunk embeddings, or summary embeddings for semantic strategies). Immutable once built; searched
 * concurrently.
 */
public final class StrategyIndex {
    private final Strategy strategy;
    private final String fingerprint;
    private final Map<String, String> documents;
    private final List<IndexedChunk> chunks;
    private final Map<String, IndexedChunk> byId;
    private final Map<String, List<IndexedChunk>> bySource;
    private final Bm25Index bm25;
    private final InMemoryVectorStore vectors;
    private final Map<String, String> summaries;

    public StrategyIndex(Strategy strategy, String fingerprint, Map<String, String> documents, List<IndexedChunk> chunks,
                         InMemoryVectorStore vectors, Map<String, String> summaries) {
        this.strategy = strategy;
        this.fingerprint = fingerprint;
        this.documents = Map.copyOf(documents);
        this.chunks = List.copyOf(chunks);
        this.byId = new HashMap<>(chunks.size() * 4 / 3 + 16);
        this.bySource = new HashMap<>();
        for (IndexedChunk c : this.chunks) {
            byId.put(c.id(), c);
            bySource.computeIfAbsent(c.source(), s -> new ArrayList<>()).add(c);
        }
        this.vectors = vectors;
        this.summaries = Map.copyOf(summaries);
        if (strategy instanceof Strategy.Bm25 b) {
            List<String> texts = new ArrayList<>(this.chunks.size());
            for (IndexedChunk c : this.chunks) {
                texts.add(c.headingPath().isEmpty() ? c.text() : c.headingPath() + "\n" + c.text());
            }
            this.bm25 = Bm25Index.build(texts, b.codeAware() ? Analyzer.code() : Analyzer.standard(), b.k1(), b.b());
        } else {
            this.bm25 = null;
        }
    }

    /** An index with no chunks. */
    public static StrategyIndex empty(Strategy strategy, String fingerprint) {
        return new StrategyIndex(strategy, fingerprint, Map.of(), List.of(), null, Map.of());
    }

    public Strategy strategy() {
        return strategy;
    }

    public String fingerprint() {
        return fingerprint;
    }

    /** The documents (id → content hash) this index was made from. */
    public Map<String, String> documents() {
        return documents;
    }

    public List<IndexedChunk> chunks() {
        return chunks;
    }

    /** This strategy's chunks of one source, in order (empty when none). */
    public List<IndexedChunk> chunksOf(String source) {
        return bySource.getOrDefault(source, List.of());
    }

    public InMemoryVectorStore vectors() {
        return vectors;
    }

    public Map<String, String> summaries() {
        return summaries;
    }

    public Bm25Index bm25() {
        return bm25;
    }

    /** Candidates for a question; {@code queryVector} is the question embedded with this strategy's model. */
    public List<Fuser.Candidate> search(String question, float[] queryVector) {
        int limit = strategy.common().limit();
        double threshold = strategy.common().threshold();
        List<Fuser.Candidate> found = new ArrayList<>();
        if (bm25 != null) {
            Bm25Index.Result result = bm25.search(question, limit, threshold);
            for (int i = 0; i < result.docs().length; i++) {
                found.add(new Fuser.Candidate(chunks.get(result.docs()[i]), result.scores()[i]));
            }
        } else if (vectors != null && vectors.size() > 0) {
            for (Hit hit : vectors.search(queryVector, limit, threshold, MetadataFilter.all())) {
                IndexedChunk chunk = byId.get(hit.id());
                if (chunk != null) {
                    found.add(new Fuser.Candidate(chunk, hit.score()));
                }
            }
        }
        return found;
    }

    @Override
    public String toString() {
        return "StrategyIndex[" + strategy.name() + ", chunks=" + chunks.size() + (bm25 != null ? ", " + bm25 : "")
                + (vectors != null ? ", " + vectors : "") + "]";
    }
}
