package dev.keel.rag.knowledge;

import dev.keel.core.observe.Observation;
import dev.keel.core.observe.ObservationContext;
import dev.keel.rag.chunk.Source;
import dev.keel.rag.internal.knowledge.IndexLocations;
import dev.keel.rag.internal.knowledge.Indexing;
import dev.keel.rag.internal.knowledge.QueryCache;
import dev.keel.rag.internal.knowledge.SearchPipeline;
import dev.keel.rag.internal.knowledge.Snapshot;
import dev.keel.rag.internal.knowledge.SourceFiles;
import dev.keel.rag.internal.knowledge.SourceWatcher;
import dev.keel.rag.internal.knowledge.StrategyIndex;
import dev.keel.rag.internal.knowledge.ToolAnswer;
import dev.keel.rag.store.AnnOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A searchable knowledge base over files and in-memory documents — docker-agent's {@code rag:} block as a
 * library (the mapping of every field is in this module's README).
 *
 * <pre>{@code
 * try (KnowledgeBase kb = KnowledgeBase.builder(Path.of(".keel/kb"))
 *         .source(Path.of("docs"), "**}{@code /*.md")
 *         .strategy(Strategies.embeddings(EmbeddedModels.allMiniLmL6V2()))
 *         .strategy(Strategies.bm25())
 *         .fusion(Fusion.rrf())
 *         .build()) {
 *     kb.sync();                                                   // or kb.watch(listener)
 *     List<KnowledgeHit> hits = kb.search(question, found -> readable.keep(found, user));
 * }
 * }</pre>
 *
 * <h2>Indexing</h2>
 * {@link #sync()} indexes what changed since the last generation: documents are compared by content hash,
 * unchanged ones keep their chunks and vectors, changed ones are re-chunked (chunks whose text did not
 * change keep their vectors), deleted ones leave the index. Each sync that changes anything writes a new
 * generation to the index directory and makes it live atomically: a crash or kill mid-index leaves the
 * previous generation live and searchable, and {@link Builder#build()} on the same directory opens it.
 * {@link #watch(ProgressListener)} re-indexes in the background after file changes, debounced.
 *
 * <h2>Index directories</h2>
 * Every strategy keeps its index in the builder's directory unless it names its own
 * ({@link Builder#strategy(Strategy, Path)}, docker-agent's per-strategy {@code database}); strategies naming the
 * same directory share it. A sync writes only the directories one of whose strategies changed, and writes each of
 * them completely before it makes any live, so a failure or crash leaves no directory half-written; a kill between
 * two directories' switches leaves each whole (one at the new generation, one at the previous), and the next
 * sync brings the other up to date. A directory that is a file, holds files that are not Keel's, or holds another
 * knowledge base's index (its manifest names its owner) is refused with a {@link KnowledgeBaseException}
 * naming the strategy and the directory, never overwritten or mixed.
 *
 * <h2>Search</h2>
 * Each strategy returns up to its {@code limit} candidates at or above its {@code threshold}; the lists are
 * fused ({@link Fusion}), overlapping passages de-duplicated, the per-request {@link KnowledgeFilter}
 * applied, the best {@link Reranking#topK()} reranked, and the result cut to the limit.
 *
 * <h2>Thread safety</h2>
 * Safe for concurrent use. Searches run on an immutable snapshot and never wait for indexing; syncs run
 * one at a time (per directory, across processes, through a file lock).
 */
public final class KnowledgeBase implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KnowledgeBase.class);

    private final String name;
    private final IndexLocations locations;
    private final Indexing.Config config;
    private final SearchPipeline pipeline;
    private final QueryCache cache;
    private final ToolDescription tool;
    private final boolean includeScore;
    private final boolean returnFullContent;
    private final Duration debounce;
    private final ReentrantLock syncLock = new ReentrantLock();
    private volatile Snapshot snapshot;
    private SourceWatcher watcher;
    private volatile boolean closed;

    private KnowledgeBase(Builder b) {
        this.name = b.name;
        List<Path> dirs = new ArrayList<>();
        b.strategies.forEach(s -> dirs.add(b.locations.getOrDefault(s, b.indexDir)));
        this.locations = new IndexLocations(b.name, b.strategies, dirs);
        this.config = new Indexing.Config(List.copyOf(b.sources), b.respectVcs, List.copyOf(b.strategies), b.ann);
        this.cache = b.queryCacheEntries > 0 ? new QueryCache(b.queryCacheEntries) : null;
        Fusion fusion = b.fusion != null ? b.fusion : Fusion.rrf();
        this.pipeline = new SearchPipeline(new SearchPipeline.Settings(fusion, b.deduplicate, b.limit, b.reranking),
                cache);
        this.tool = new ToolDescription(b.toolName != null ? b.toolName : name,
                b.toolDescription != null ? b.toolDescription : ToolDescription.defaults(name).description(),
                b.toolInstruction != null ? b.toolInstruction : ToolDescription.defaults(name).instruction());
        this.includeScore = b.includeScore;
        this.returnFullContent = b.returnFullContent;
        this.debounce = b.debounce;
        this.snapshot = locations.open();
    }

    /**
     * Starts a knowledge base whose index lives in {@code indexDir} (created when missing).
     *
     * @param indexDir the index directory
     * @return the builder
     */
    public static Builder builder(Path indexDir) {
        return new Builder(indexDir);
    }

    /**
     * The knowledge base's name (docker-agent's {@code rag:} key; the default tool name).
     *
     * @return the knowledge base's name
     */
    public String name() {
        return name;
    }

    /**
     * Indexes what changed since the last generation.
     *
     * @return what the run changed
     */
    public SyncResult sync() {
        return sync(ProgressListener.none());
    }

    /**
     * Indexes what changed since the last generation, reporting progress. Blocks while another sync of this
     * knowledge base runs.
     *
     * @param listener receives progress
     * @return what the run changed
     * @throws KnowledgeBaseException when a source cannot be read, a model fails or the index cannot be
     *                                written; the previous generation stays live
     */
    public SyncResult sync(ProgressListener listener) {
        Objects.requireNonNull(listener, "listener");
        checkOpen();
        syncLock.lock();
        try (IndexLocations.Locks ignored = locations.lockAll()) {
            if (locations.movedOn(snapshot)) {
                snapshot = locations.open(); // another writer (process or instance) moved the index on: start there
            }
            Indexing.Outcome outcome = new Indexing(config, snapshot, locations, listener).run();
            if (outcome.snapshot() != snapshot) {
                snapshot = outcome.snapshot();
                if (cache != null) {
                    cache.clear();
                }
            }
            LOG.debug("knowledge base {} synced: {}", name, outcome.result());
            return outcome.result();
        } finally {
            syncLock.unlock();
        }
    }

    /**
     * Indexes now and again whenever a source file changes, in the background: changes are debounced
     * ({@link Builder#debounce(Duration)}, default 500 ms), runs never overlap, a failed run is reported to
     * {@link ProgressListener#failed} and logged while the previous generation stays live. Stops on
     * {@link #close()} or {@link #stopWatching()}.
     *
     * @param listener receives progress and failures of the background runs
     * @throws IllegalStateException when already watching
     */
    public synchronized void watch(ProgressListener listener) {
        Objects.requireNonNull(listener, "listener");
        checkOpen();
        if (watcher != null) {
            throw new IllegalStateException("knowledge base " + name + " is already watching its sources");
        }
        List<SourceWatcher.Root> roots = new ArrayList<>();
        Set<Path> seen = new HashSet<>();
        List<SourceFiles.Spec> specs = new ArrayList<>(config.sources());
        for (Strategy strategy : config.strategies()) {
            strategy.common().docs().forEach(p -> specs.add(Files.isDirectory(p) ? SourceFiles.Spec.directory(p, List.of())
                    : SourceFiles.Spec.file(p)));
        }
        for (SourceFiles.Spec spec : specs) {
            Path root = spec.watchRoot();
            if (root != null && seen.add(root)) {
                roots.add(new SourceWatcher.Root(root, spec.document() == null && Files.isDirectory(spec.path())));
            }
        }
        try {
            watcher = new SourceWatcher(roots, locations.paths(), debounce, () -> {
                try {
                    sync(listener);
                } catch (KnowledgeBaseException e) {
                    LOG.warn("knowledge base {}: background indexing failed: {}", name, e.getMessage());
                    listener.failed(e);
                }
            });
        } catch (IOException e) {
            throw new KnowledgeBaseException("cannot watch the sources of " + name + ": " + e.getMessage(), e);
        }
        watcher.start();
    }

    /** Stops background indexing (a run in progress finishes first). Harmless when not watching. */
    public synchronized void stopWatching() {
        if (watcher != null) {
            watcher.close();
            watcher = null;
        }
    }

    /**
     * The best passages for {@code query}, at most the configured {@code results.limit}.
     *
     * @param query the question
     * @return the best passages for {@code query}
     */
    public List<KnowledgeHit> search(String query) {
        return search(query, SearchOptions.defaults());
    }

    /**
     * Like {@link #search(String)}, keeping only what {@code filter} keeps (e.g. what the asking user may read).
     *
     * @param query the question
     * @param filter keeps what the asker may see
     * @return the kept passages, best first
     */
    public List<KnowledgeHit> search(String query, KnowledgeFilter filter) {
        return search(query, SearchOptions.defaults().withFilter(filter));
    }

    /**
     * The best passages for {@code query}, best first.
     *
     * @param query the question
     * @param options limit and filter of this search
     * @return the best passages for {@code query}
     * @throws IllegalArgumentException when the query is blank
     * @throws KnowledgeBaseException   when a filter misbehaves or the reranker fails
     */
    public List<KnowledgeHit> search(String query, SearchOptions options) {
        Objects.requireNonNull(query, "query");
        Objects.requireNonNull(options, "options");
        if (query.isBlank()) {
            throw new IllegalArgumentException("query must not be blank");
        }
        checkOpen();
        ObservationContext observing = ObservationContext.current();
        if (observing.isEmpty()) {
            return pipeline.search(snapshot, query, options);
        }
        Instant started = Instant.now();
        List<KnowledgeHit> hits = pipeline.search(snapshot, query, options);
        observing.report(new Observation.Retrieval("knowledge_base", hits.size(),
                hits.stream().mapToDouble(KnowledgeHit::score).min(), started, Duration.between(started, Instant.now())));
        return hits;
    }

    /**
     * The search tool as docker-agent exposes it: name, description, instruction, one {@code query} parameter.
     *
     * @return the search tool as docker-agent exposes it
     */
    public ToolDescription tool() {
        return tool;
    }

    /**
     * Runs the search tool: the passages for {@code query} that {@code filter} keeps, as the JSON text
     * docker-agent's tool returns (an array of {@code source_path}, {@code content}, {@code similarity},
     * {@code chunk_index}; at most 10).
     *
     * @param query the question
     * @param filter keeps what the asker may see
     * @return the tool's JSON answer
     */
    public String toolAnswer(String query, KnowledgeFilter filter) {
        List<KnowledgeHit> hits = search(query, filter);
        return ToolAnswer.json(hits, includeScore, returnFullContent ? this::fullContent : null);
    }

    private String fullContent(String source) {
        for (SourceFiles.Document doc : SourceFiles.scan(config.sources(), config.respectVcs(), locations.paths())
                .values()) {
            if (doc.id().equals(source)) {
                if (doc.inMemory() != null) {
                    return doc.inMemory().text();
                }
                try {
                    return Files.readString(doc.file(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    return null;
                }
            }
        }
        return null;
    }

    /**
     * The live index generation (0 before the first sync).
     *
     * @return the live index generation
     */
    public long generation() {
        return snapshot.generation();
    }

    /**
     * Documents in the live generation.
     *
     * @return the number of documents
     */
    public int documentCount() {
        return snapshot.documents().size();
    }

    /**
     * Chunks per strategy name in the live generation.
     *
     * @return the chunk counts
     */
    public Map<String, Integer> chunkCounts() {
        Map<String, Integer> counts = new java.util.LinkedHashMap<>();
        for (StrategyIndex index : snapshot.strategies()) {
            counts.put(index.strategy().name(), index.chunks().size());
        }
        return counts;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("knowledge base " + name + " is closed");
        }
    }

    /** Stops background indexing. The index stays on disk. Closing twice is harmless. */
    @Override
    public void close() {
        closed = true;
        stopWatching();
    }

    @Override
    public String toString() {
        return "KnowledgeBase[" + name + ", " + locations.paths() + ", generation " + snapshot.generation() + ", "
                + snapshot.documents().size() + " documents, " + chunkCounts() + "]";
    }

    /**
     * Options of a {@link KnowledgeBase}; each maps to a field of docker-agent's {@code rag:} block (see the
     * module README). Not thread-safe; build once.
     */
    public static final class Builder {
        private final Path indexDir;
        private final List<SourceFiles.Spec> sources = new ArrayList<>();
        private final List<Strategy> strategies = new ArrayList<>();
        private final Map<Strategy, Path> locations = new java.util.IdentityHashMap<>();
        private String name = "rag";
        private boolean respectVcs = true;
        private Fusion fusion;
        private boolean deduplicate = true;
        private int limit = 15;
        private Reranking reranking;
        private int queryCacheEntries;
        private String toolName;
        private String toolDescription;
        private String toolInstruction;
        private boolean includeScore;
        private boolean returnFullContent;
        private Duration debounce = Duration.ofMillis(500);
        private AnnOptions ann = AnnOptions.defaults();

        private Builder(Path indexDir) {
            this.indexDir = Objects.requireNonNull(indexDir, "indexDir");
        }

        /**
         * The knowledge base's name: docker-agent's {@code rag:} key, the default tool name (default {@code rag}).
         *
         * @param name the knowledge base's name: docker-agent's {@code rag:} key, the default tool name (default
         *     {@code rag})
         * @return this builder
         */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * Adds a file, or a directory whose files matching any of {@code globs} (relative to it, e.g.
         * {@code **}{@code /*.md}; none: every file) are indexed — docker-agent's {@code docs} entries.
         *
         * @param fileOrDirectory a file, or a directory to search
         * @param globs globs of the files to take from a directory
         * @return this builder
         */
        public Builder source(Path fileOrDirectory, String... globs) {
            Objects.requireNonNull(fileOrDirectory, "fileOrDirectory");
            sources.add(globs.length > 0 || Files.isDirectory(fileOrDirectory)
                    ? SourceFiles.Spec.directory(fileOrDirectory, List.of(globs))
                    : SourceFiles.Spec.file(fileOrDirectory));
            return this;
        }

        /**
         * Adds an in-memory document (its id is its source in hits).
         *
         * @param document the document
         * @return this builder
         */
        public Builder document(Source document) {
            sources.add(SourceFiles.Spec.document(document));
            return this;
        }

        /**
         * Honour {@code .gitignore} files and skip {@code .git} (docker-agent's {@code respect_vcs}, default
         * true).
         *
         * @param respect whether to honour VCS ignores
         * @return this builder
         */
        public Builder respectVcs(boolean respect) {
            this.respectVcs = respect;
            return this;
        }

        /**
         * Adds a strategy (docker-agent's {@code strategies} entries); at least one is required.
         *
         * @param strategy the strategy
         * @return this builder
         */
        public Builder strategy(Strategy strategy) {
            strategies.add(Objects.requireNonNull(strategy, "strategy"));
            return this;
        }

        /**
         * Adds a strategy that keeps its index in {@code indexDir} instead of the knowledge base's directory
         * (docker-agent's per-strategy {@code database}). Strategies naming the same directory share it (one
         * generation there holds all their tables); a directory must not lie inside another of this knowledge
         * base's directories.
         *
         * @param strategy the strategy
         * @param indexDir the directory of its index (created when missing)
         * @return this builder
         */
        public Builder strategy(Strategy strategy, Path indexDir) {
            Objects.requireNonNull(indexDir, "indexDir");
            strategy(strategy);
            locations.put(strategy, indexDir);
            return this;
        }

        /**
         * How strategies' candidates are combined ({@code results.fusion}; default RRF with k = 60).
         *
         * @param fusion the fusion
         * @return this builder
         */
        public Builder fusion(Fusion fusion) {
            this.fusion = Objects.requireNonNull(fusion, "fusion");
            return this;
        }

        /**
         * Drop passages that duplicate a better one ({@code results.deduplicate}, default true).
         *
         * @param deduplicate whether to drop duplicate passages
         * @return this builder
         */
        public Builder deduplicate(boolean deduplicate) {
            this.deduplicate = deduplicate;
            return this;
        }

        /**
         * At most this many passages per search ({@code results.limit}, default 15).
         *
         * @param limit the most passages per search
         * @return this builder
         */
        public Builder limit(int limit) {
            if (limit < 1) {
                throw new IllegalArgumentException("limit must be at least 1, got " + limit);
            }
            this.limit = limit;
            return this;
        }

        /**
         * Rerank the best passages ({@code results.reranking}).
         *
         * @param reranking the reranking
         * @return this builder
         */
        public Builder reranking(Reranking reranking) {
            this.reranking = Objects.requireNonNull(reranking, "reranking");
            return this;
        }

        /**
         * Rerank with {@code reranker}, docker-agent's defaults (top_k = limit, threshold 0.5).
         *
         * @param reranker scores the best passages
         * @return this builder
         */
        public Builder reranker(Reranker reranker) {
            return reranking(Reranking.of(reranker));
        }

        /**
         * Cache exact repeated queries ({@code results.prefetch}: enabled, {@code max_entries}); 0 disables.
         *
         * @param maxEntries the most cached queries, 0 for none
         * @return this builder
         */
        public Builder queryCache(int maxEntries) {
            if (maxEntries < 0) {
                throw new IllegalArgumentException("maxEntries must not be negative, got " + maxEntries);
            }
            this.queryCacheEntries = maxEntries;
            return this;
        }

        /**
         * The search tool's name, description and instruction (docker-agent's {@code tool:}); null keeps a
         * default.
         *
         * @param name the tool's name, or null to keep the default
         * @param description the tool's description, or null to keep the default
         * @param instruction guidance for the agent, or null to keep the default
         * @return this builder
         */
        public Builder tool(String name, String description, String instruction) {
            this.toolName = name;
            this.toolDescription = description;
            this.toolInstruction = instruction;
            return this;
        }

        /**
         * Add per-strategy scores to the tool's answer ({@code results.include_score}).
         *
         * @param include whether to include the scores
         * @return this builder
         */
        public Builder includeScore(boolean include) {
            this.includeScore = include;
            return this;
        }

        /**
         * Answer the tool with whole documents instead of passages ({@code results.return_full_content}).
         *
         * @param full whether to answer with whole documents
         * @return this builder
         */
        public Builder returnFullContent(boolean full) {
            this.returnFullContent = full;
            return this;
        }

        /**
         * Quiet time after a file change before {@link #watch} re-indexes (default 500 ms).
         *
         * @param debounce the quiet time
         * @return this builder
         */
        public Builder debounce(Duration debounce) {
            if (debounce.isNegative()) {
                throw new IllegalArgumentException("debounce must not be negative");
            }
            this.debounce = debounce;
            return this;
        }

        /**
         * The approximate index built for embedding strategies of at least {@link AnnOptions#minSize()} chunks.
         *
         * @param ann the approximate index built for embedding strategies of at least {@link AnnOptions#minSize()}
         *     chunks
         * @return this builder
         */
        public Builder ann(AnnOptions ann) {
            this.ann = Objects.requireNonNull(ann, "ann");
            return this;
        }

        /**
         * Opens the knowledge base: the last complete index generation in the directory is loaded and
         * searchable at once (strategies whose settings changed start empty until the next sync).
         *
         * @return the knowledge base; close it to stop watching and release the index
         * @throws IllegalArgumentException when no strategy is set, two strategies share a name, or one index
         *                                  directory lies inside another
         * @throws KnowledgeBaseException   when an index directory is damaged beyond its fallback generation, is
         *                                  not a directory, holds files that are not Keel's, or holds another
         *                                  knowledge base's index (the message names the strategy and directory)
         */
        public KnowledgeBase build() {
            if (strategies.isEmpty()) {
                throw new IllegalArgumentException("a knowledge base needs at least one strategy");
            }
            Set<String> names = new HashSet<>();
            for (Strategy strategy : strategies) {
                if (!names.add(strategy.name())) {
                    throw new IllegalArgumentException("two strategies are named '" + strategy.name()
                            + "'; give one another name with withName(..)");
                }
            }
            List<Path> dirs = new ArrayList<>();
            for (Strategy strategy : strategies) {
                Path dir = locations.getOrDefault(strategy, indexDir).toAbsolutePath().normalize();
                for (Path other : dirs) {
                    if (!other.equals(dir) && (other.startsWith(dir) || dir.startsWith(other))) {
                        throw new IllegalArgumentException("index directory " + dir + " of strategy '"
                                + strategy.name() + "' and " + other + " lie one inside the other; give each "
                                + "strategy a directory of its own, or the same one");
                    }
                }
                dirs.add(dir);
            }
            if (fusion instanceof Fusion.Weighted weighted) {
                for (String strategy : weighted.weights().keySet()) {
                    if (!names.contains(strategy)) {
                        throw new IllegalArgumentException("fusion weight for unknown strategy '" + strategy
                                + "'; strategies are " + names);
                    }
                }
            }
            return new KnowledgeBase(this);
        }
    }
}
