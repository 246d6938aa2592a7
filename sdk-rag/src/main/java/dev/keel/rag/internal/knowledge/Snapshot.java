package dev.keel.rag.internal.knowledge;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One immutable, searchable state of a knowledge base: the documents it covers (id → content hash), each
 * strategy's index in the knowledge base's strategy order, and what each index directory held when it was read
 * or written ({@code locations}; absent: nothing yet). {@code generation} is the newest generation among them.
 */
public record Snapshot(long generation, Map<String, String> documents, List<StrategyIndex> strategies,
                       Map<Path, Location> locations) {
    public Snapshot {
        documents = Map.copyOf(documents);
        strategies = List.copyOf(strategies);
        locations = Map.copyOf(locations);
    }

    /**
     * What one index directory's live generation holds: its number, its documents, its tables (name and
     * fingerprint, in order) and the knowledge base that wrote it (null: unknown).
     */
    public record Location(long generation, Map<String, String> documents, List<String> tables, String owner) {
        public Location {
            documents = Map.copyOf(documents);
            tables = List.copyOf(tables);
        }
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
