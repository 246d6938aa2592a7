package dev.keel.rag.internal.knowledge;

import java.util.List;
import java.util.Map;

/**
 * One immutable, searchable index generation: the documents it covers (id → content hash) and each
 * strategy's index, in the knowledge base's strategy order.
 */
public record Snapshot(long generation, Map<String, String> documents, List<StrategyIndex> strategies) {
    public Snapshot {
        documents = Map.copyOf(documents);
        strategies = List.copyOf(strategies);
    }

    /** The strategy index named {@code name} with {@code fingerprint}, or null. */
    public StrategyIndex reusable(String name, String fingerprint) {
        for (StrategyIndex index : strategies) {
            if (index.strategy().name().equals(name) && index.fingerprint().equals(fingerprint)) {
                return index;
            }
        }
        return null;
    }
}
