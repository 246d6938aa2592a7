package dev.keel.rag.internal.knowledge;

import dev.keel.rag.knowledge.KnowledgeBaseException;
import dev.keel.rag.knowledge.Strategy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The index directories of one knowledge base: each strategy keeps its index in one of them (strategies that name
 * the same directory share it: one generation there holds all their tables). Each directory is its own
 * all-or-nothing unit ({@link IndexDirectory}); a directory whose manifest names another knowledge base as its
 * owner is refused, never overwritten or mixed. Immutable; the directories it names are written under their locks.
 */
public final class IndexLocations {
    private static final Logger LOG = LoggerFactory.getLogger(IndexLocations.class);

    private final String owner;
    private final List<Strategy> strategies;
    private final List<Path> byStrategy;
    private final Map<Path, IndexDirectory> directories = new LinkedHashMap<>();
    private final Map<Path, List<String>> names = new HashMap<>();

    /**
     * The directories of {@code strategies}, strategy by strategy.
     *
     * @param owner      the knowledge base's name, written into every manifest
     * @param strategies the strategies, in order
     * @param locations  each strategy's index directory, in the same order
     */
    public IndexLocations(String owner, List<Strategy> strategies, List<Path> locations) {
        this.owner = owner;
        this.strategies = List.copyOf(strategies);
        List<Path> normal = new ArrayList<>();
        for (int i = 0; i < strategies.size(); i++) {
            Path p = locations.get(i).toAbsolutePath().normalize();
            normal.add(p);
            directories.computeIfAbsent(p, IndexDirectory::new);
            names.computeIfAbsent(p, k -> new ArrayList<>()).add(strategies.get(i).name());
        }
        this.byStrategy = List.copyOf(normal);
    }

    /** Every index directory, in the order strategies first name them. */
    public Collection<Path> paths() {
        return directories.keySet();
    }

    /** The index directory of strategy {@code i}. */
    public Path of(int i) {
        return byStrategy.get(i);
    }

    public IndexDirectory directory(Path path) {
        return directories.get(path);
    }

    /** The knowledge base's name (the owner written into manifests). */
    public String owner() {
        return owner;
    }

    /** "strategy 'x' of knowledge base 'k' (index directory /p)", for messages. */
    public String describe(Path path) {
        List<String> n = names.get(path);
        return (n.size() == 1 ? "strategy '" + n.get(0) + "'" : "strategies '" + String.join("', '", n) + "'")
                + " of knowledge base '" + owner + "' (index directory " + path + ")";
    }

    /**
     * Checks that every directory can hold this knowledge base's index.
     *
     * @throws KnowledgeBaseException naming the strategy and the directory when one cannot
     */
    public void check() {
        for (Map.Entry<Path, IndexDirectory> e : directories.entrySet()) {
            String why = e.getValue().unusable();
            if (why != null) {
                throw new KnowledgeBaseException(describe(e.getKey()) + " cannot be used: " + why);
            }
        }
    }

    /** The highest generation number present in any directory (complete or not), or 0. */
    public long highestGeneration() {
        long max = 0;
        for (IndexDirectory d : directories.values()) {
            max = Math.max(max, d.highestGeneration());
        }
        return max;
    }

    /** Whether another writer made a generation live in any directory since {@code snapshot} was taken. */
    public boolean movedOn(Snapshot snapshot) {
        for (Map.Entry<Path, IndexDirectory> e : directories.entrySet()) {
            Snapshot.Location seen = snapshot.locations().get(e.getKey());
            if (e.getValue().currentGeneration() != (seen == null ? 0 : seen.generation())) {
                return true;
            }
        }
        return false;
    }

    /**
     * The live generation of every directory, as one snapshot: each strategy's table from its own directory, else
     * (its directory moved) from another of this knowledge base's directories, else empty until the next sync.
     *
     * @throws KnowledgeBaseException when a directory is damaged beyond its fallback, or holds another knowledge
     *                                base's index
     */
    public Snapshot open() {
        check();
        Map<Path, IndexDirectory.Loaded> loaded = new LinkedHashMap<>();
        Map<Path, Snapshot.Location> states = new LinkedHashMap<>();
        Map<String, String> documents = new LinkedHashMap<>();
        long generation = 0;
        for (Map.Entry<Path, IndexDirectory> e : directories.entrySet()) {
            Optional<IndexDirectory.Loaded> l;
            try {
                l = e.getValue().load();
            } catch (KnowledgeBaseException ex) {
                throw new KnowledgeBaseException(describe(e.getKey()) + ": " + ex.getMessage(), ex);
            }
            if (l.isEmpty()) {
                continue;
            }
            IndexDirectory.Manifest m = l.get().manifest();
            if (m.owner() != null && !m.owner().equals(owner)) {
                throw new KnowledgeBaseException(describe(e.getKey()) + " cannot be used: it holds the index of "
                        + "knowledge base '" + m.owner() + "', which is never overwritten or mixed with another; "
                        + "name another directory, or delete that one");
            }
            loaded.put(e.getKey(), l.get());
            List<String> tables = new ArrayList<>();
            m.strategies().forEach(t -> tables.add(t.name() + "|" + t.fingerprint()));
            states.put(e.getKey(), new Snapshot.Location(m.generation(), m.documents(), tables, m.owner()));
            documents.putAll(m.documents());
            generation = Math.max(generation, m.generation());
        }
        List<StrategyIndex> indexes = new ArrayList<>();
        for (int i = 0; i < strategies.size(); i++) {
            Strategy strategy = strategies.get(i);
            String fingerprint = Indexing.fingerprint(strategy);
            StrategyIndex index = find(loaded.get(byStrategy.get(i)), strategy, fingerprint);
            for (IndexDirectory.Loaded other : loaded.values()) {
                if (index == null) {
                    index = find(other, strategy, fingerprint);
                }
            }
            if (index == null) {
                if (!loaded.isEmpty()) {
                    LOG.info("knowledge base {}: strategy {} has no index for its settings in {}; it is indexed on the "
                            + "next sync", owner, strategy.name(), byStrategy.get(i));
                }
                index = StrategyIndex.empty(strategy, fingerprint);
            }
            indexes.add(index);
        }
        return new Snapshot(generation, documents, indexes, states);
    }

    private static StrategyIndex find(IndexDirectory.Loaded loaded, Strategy strategy, String fingerprint) {
        if (loaded == null) {
            return null;
        }
        List<IndexDirectory.StrategyTable> tables = loaded.manifest().strategies();
        for (int t = 0; t < tables.size(); t++) {
            IndexDirectory.StrategyTable table = tables.get(t);
            if (table.name().equals(strategy.name()) && table.fingerprint().equals(fingerprint)) {
                return new StrategyIndex(strategy, fingerprint, table.documents(), table.chunks(),
                        loaded.vectors().get(t), table.summaries());
            }
        }
        return null;
    }

    /**
     * Takes the write lock of every directory. When one cannot be taken (not writable, another writer), the locks
     * already taken are released and the directories taking them created are removed again: nothing is left
     * behind anywhere.
     *
     * @throws KnowledgeBaseException naming the strategy and directory that failed
     */
    public Locks lockAll() {
        List<IndexDirectory.WriteLock> taken = new ArrayList<>();
        for (Map.Entry<Path, IndexDirectory> e : directories.entrySet()) {
            try {
                String why = e.getValue().unusable();
                if (why != null) {
                    throw new KnowledgeBaseException("it cannot be used: " + why);
                }
                taken.add(e.getValue().lock());
            } catch (KnowledgeBaseException ex) {
                for (IndexDirectory.WriteLock lock : taken) {
                    lock.closeAndUndo();
                }
                throw new KnowledgeBaseException(describe(e.getKey()) + " cannot be written: " + ex.getMessage(), ex);
            }
        }
        return new Locks(taken);
    }

    /** The write locks of every directory; closing releases them all. */
    public static final class Locks implements AutoCloseable {
        private final List<IndexDirectory.WriteLock> locks;

        private Locks(List<IndexDirectory.WriteLock> locks) {
            this.locks = locks;
        }

        @Override
        public void close() {
            locks.forEach(IndexDirectory.WriteLock::close);
        }
    }

    @Override
    public String toString() {
        return "IndexLocations" + directories.keySet();
    }
}
