package dev.keel.rag.internal.knowledge;

import dev.keel.rag.knowledge.KnowledgeHit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * docker-agent's exact-repeat query cache ({@code results.prefetch}): the fused, de-duplicated candidates
 * of a query, keyed by the query with whitespace collapsed and case folded, least recently used first out.
 * It holds candidates from before the per-request filter and reranking, so a permission filter still runs
 * on every request. Cleared whenever a new index generation goes live. Thread-safe.
 */
public final class QueryCache {
    private final int maxEntries;
    private final LinkedHashMap<String, CachedResult> entries;

    /** A cached candidate list and the generation it was computed on. */
    public record CachedResult(long generation, List<KnowledgeHit> candidates) {
    }

    public QueryCache(int maxEntries) {
        this.maxEntries = maxEntries;
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, CachedResult> eldest) {
                return size() > QueryCache.this.maxEntries;
            }
        };
    }

    /** The cache key of {@code query}. */
    public static String key(String query) {
        return String.join(" ", query.strip().toLowerCase(Locale.ROOT).split("\\s+"));
    }

    public synchronized CachedResult get(String key, long generation) {
        CachedResult cached = entries.get(key);
        return cached != null && cached.generation() == generation ? cached : null;
    }

    public synchronized void put(String key, CachedResult result) {
        entries.put(key, result);
    }

    public synchronized void clear() {
        entries.clear();
    }

    public synchronized int size() {
        return entries.size();
    }
}
