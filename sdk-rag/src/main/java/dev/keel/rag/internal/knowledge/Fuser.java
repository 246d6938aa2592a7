package dev.keel.rag.internal.knowledge;

import dev.keel.rag.knowledge.Fusion;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fusion and de-duplication arithmetic documented on {@link Fusion}. Stateless.
 */
public final class Fuser {
    private Fuser() {
    }

    /** A strategy's candidate: the chunk and the strategy's score. */
    public record Candidate(IndexedChunk chunk, double score) {
    }

    /** A fused passage: the chunk, the fused score, each strategy's score and its best rank in any list. */
    public record Fused(IndexedChunk chunk, double fused, Map<String, Double> scores, int bestRank) {
    }

    /**
     * Fuses ranked candidate lists (best first), keyed by strategy name in a stable order, into one list,
     * best first.
     */
    public static List<Fused> fuse(Fusion fusion, LinkedHashMap<String, List<Candidate>> lists) {
        Map<String, Double> fused = new HashMap<>();
        Map<String, Map<String, Double>> scores = new HashMap<>();
        Map<String, Integer> bestRank = new HashMap<>();
        Map<String, IndexedChunk> chunks = new LinkedHashMap<>();
        for (Map.Entry<String, List<Candidate>> list : lists.entrySet()) {
            String strategy = list.getKey();
            List<Candidate> candidates = list.getValue();
            double min = Double.POSITIVE_INFINITY;
            double max = Double.NEGATIVE_INFINITY;
            for (Candidate c : candidates) {
                min = Math.min(min, c.score());
                max = Math.max(max, c.score());
            }
            for (int i = 0; i < candidates.size(); i++) {
                Candidate c = candidates.get(i);
                String key = c.chunk().key();
                if (scores.containsKey(key) && scores.get(key).containsKey(strategy)) {
                    continue; // a strategy lists a passage once; keep its best rank
                }
                chunks.putIfAbsent(key, c.chunk());
                scores.computeIfAbsent(key, k -> new LinkedHashMap<>()).put(strategy, c.score());
                bestRank.merge(key, i + 1, Math::min);
                double contribution;
                if (fusion instanceof Fusion.Rrf rrf) {
                    contribution = 1.0 / (rrf.k() + i + 1);
                    fused.merge(key, contribution, Double::sum);
                } else if (fusion instanceof Fusion.Weighted weighted) {
                    double normalised = max > min ? (c.score() - min) / (max - min) : 1;
                    fused.merge(key, weighted.weight(strategy) * normalised, Double::sum);
                } else {
                    fused.merge(key, c.score(), Math::max);
                }
            }
        }
        List<Fused> result = new ArrayList<>(chunks.size());
        chunks.forEach((key, chunk) -> result.add(new Fused(chunk, fused.get(key), Map.copyOf(scores.get(key)),
                bestRank.get(key))));
        result.sort(Comparator.comparingDouble(Fused::fused).reversed()
                .thenComparingInt(Fused::bestRank)
                .thenComparing(f -> f.chunk().source())
                .thenComparingInt(f -> f.chunk().start())
                .thenComparingInt(f -> f.chunk().end()));
        return result;
    }

    /**
     * Drops, best first, every passage that duplicates a better one: the same text (ignoring surrounding
     * whitespace) from any source, or the same source with ranges overlapping by at least half of the
     * shorter passage (overlapping windows, or two chunkings of one section).
     */
    public static List<Fused> deduplicate(List<Fused> ranked) {
        List<Fused> kept = new ArrayList<>(ranked.size());
        Map<String, Boolean> texts = new HashMap<>();
        Map<String, List<IndexedChunk>> bySource = new HashMap<>();
        for (Fused f : ranked) {
            IndexedChunk c = f.chunk();
            String text = c.text().strip();
            if (texts.containsKey(text)) {
                continue;
            }
            boolean overlaps = false;
            for (IndexedChunk other : bySource.getOrDefault(c.source(), List.of())) {
                int overlap = Math.min(c.end(), other.end()) - Math.max(c.start(), other.start());
                int shorter = Math.min(c.end() - c.start(), other.end() - other.start());
                if (overlap > 0 && overlap * 2 >= shorter) {
                    overlaps = true;
                    break;
                }
            }
            if (overlaps) {
                continue;
            }
            texts.put(text, Boolean.TRUE);
            bySource.computeIfAbsent(c.source(), s -> new ArrayList<>()).add(c);
            kept.add(f);
        }
        return kept;
    }
}
