package dev.keel.rag.internal.knowledge;

import dev.keel.core.EmbeddingModel;
import dev.keel.rag.knowledge.Fusion;
import dev.keel.rag.knowledge.KnowledgeBaseException;
import dev.keel.rag.knowledge.KnowledgeHit;
import dev.keel.rag.knowledge.Reranking;
import dev.keel.rag.knowledge.SearchOptions;
import dev.keel.rag.knowledge.Strategy;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * A search over one snapshot: each strategy's candidates → fusion → de-duplication → (query cache) →
 * per-request filter → reranking → limit. Stateless apart from its settings; thread-safe.
 */
public final class SearchPipeline {

    /** The knowledge base's result settings. */
    public record Settings(Fusion fusion, boolean deduplicate, int limit, Reranking reranking) {
    }

    private final Settings settings;
    private final QueryCache cache; // null when disabled

    public SearchPipeline(Settings settings, QueryCache cache) {
        this.settings = settings;
        this.cache = cache;
    }

    public List<KnowledgeHit> search(Snapshot snapshot, String query, SearchOptions options) {
        List<KnowledgeHit> candidates = null;
        String key = cache == null ? null : QueryCache.key(query);
        if (cache != null) {
            QueryCache.CachedResult cached = cache.get(key, snapshot.generation());
            candidates = cached == null ? null : cached.candidates();
        }
        if (candidates == null) {
            candidates = candidates(snapshot, query);
            if (cache != null) {
                cache.put(key, new QueryCache.CachedResult(snapshot.generation(), candidates));
            }
        }
        List<KnowledgeHit> kept = filter(options, candidates);
        int limit = options.limit() > 0 ? options.limit() : settings.limit();
        if (settings.reranking() != null) {
            kept = rerank(query, kept, limit);
        }
        return List.copyOf(kept.subList(0, Math.min(limit, kept.size())));
    }

    private List<KnowledgeHit> candidates(Snapshot snapshot, String query) {
        LinkedHashMap<String, List<Fuser.Candidate>> lists = new LinkedHashMap<>();
        Map<EmbeddingModel, float[]> queryVectors = new IdentityHashMap<>();
        for (StrategyIndex index : snapshot.strategies()) {
            float[] vector = null;
            Strategy strategy = index.strategy();
            EmbeddingModel model = strategy instanceof Strategy.ChunkedEmbeddings e ? e.model()
                    : strategy instanceof Strategy.SemanticEmbeddings s ? s.model() : null;
            if (model != null && index.vectors() != null && index.vectors().size() > 0) {
                vector = queryVectors.computeIfAbsent(model, m -> m.embed(query));
            }
            lists.put(strategy.name(), index.search(query, vector));
        }
        List<Fuser.Fused> fused;
        if (lists.size() == 1) {
            // one strategy: its own scores are the ranking (no fusion arithmetic to explain)
            fused = new ArrayList<>();
            String name = lists.keySet().iterator().next();
            List<Fuser.Candidate> only = lists.get(name);
            for (int i = 0; i < only.size(); i++) {
                Fuser.Candidate c = only.get(i);
                fused.add(new Fuser.Fused(c.chunk(), c.score(), Map.of(name, c.score()), i + 1));
            }
        } else {
            fused = Fuser.fuse(settings.fusion(), lists);
        }
        if (settings.deduplicate()) {
            fused = Fuser.deduplicate(fused);
        }
        List<KnowledgeHit> hits = new ArrayList<>(fused.size());
        for (Fuser.Fused f : fused) {
            IndexedChunk c = f.chunk();
            hits.add(new KnowledgeHit(c.id(), c.source(), c.start(), c.end(), c.headingPath(), c.text(), f.fused(),
                    f.fused(), f.scores(), OptionalDouble.empty(), c.metadata()));
        }
        return List.copyOf(hits);
    }

    private static List<KnowledgeHit> filter(SearchOptions options, List<KnowledgeHit> candidates) {
        List<KnowledgeHit> kept = options.filter().keep(candidates);
        if (kept == null) {
            throw new KnowledgeBaseException("the search filter returned null");
        }
        Map<KnowledgeHit, Boolean> given = new IdentityHashMap<>();
        candidates.forEach(h -> given.put(h, Boolean.TRUE));
        for (KnowledgeHit hit : kept) {
            if (!given.containsKey(hit) && !candidates.contains(hit)) {
                throw new KnowledgeBaseException("the search filter returned a passage it was not given: " + hit);
            }
        }
        return kept;
    }

    private List<KnowledgeHit> rerank(String query, List<KnowledgeHit> hits, int limit) {
        Reranking reranking = settings.reranking();
        int n = Math.min(hits.size(), reranking.topK() > 0 ? reranking.topK() : limit);
        if (n == 0) {
            return hits;
        }
        List<KnowledgeHit> head = hits.subList(0, n);
        List<Double> scores = reranking.reranker().score(query, head);
        if (scores == null || scores.size() != n) {
            throw new KnowledgeBaseException("reranker " + reranking.reranker() + " returned "
                    + (scores == null ? "null" : scores.size() + " scores") + " for " + n + " passages");
        }
        List<KnowledgeHit> reranked = new ArrayList<>(hits.size());
        for (int i = 0; i < n; i++) {
            double score = scores.get(i);
            if (score >= reranking.threshold()) {
                reranked.add(head.get(i).withRerankScore(score));
            }
        }
        // stable: equal reranked scores keep their fused order
        reranked.sort((a, b) -> Double.compare(b.score(), a.score()));
        reranked.addAll(hits.subList(n, hits.size()));
        return reranked;
    }
}
