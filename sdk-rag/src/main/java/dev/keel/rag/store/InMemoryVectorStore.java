package dev.keel.rag.store;

import dev.keel.rag.internal.store.AnnCalibration;
import dev.keel.rag.internal.store.ExactScan;
import dev.keel.rag.internal.store.GraphIndex;
import dev.keel.rag.internal.store.Int8Search;
import dev.keel.rag.internal.store.IvfIndex;
import dev.keel.rag.internal.store.Kernel;
import dev.keel.rag.internal.store.Kernels;
import dev.keel.rag.internal.store.RowStorage;
import dev.keel.rag.internal.store.StoreFile;
import dev.keel.rag.internal.store.TopK;
import dev.keel.rag.internal.store.VectorChecks;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The embedded {@link VectorStore}: exact search over one contiguous {@code float[]} (row-major), with
 * optional int8 compressed scanning plus fp32 re-ranking, and a documented file format
 * ({@link #save(Path)}, {@link #load(Path)}).
 *
 * <h2>Speed</h2>
 * Scoring runs on the JDK's Vector API when the JVM has the incubator module
 * ({@code --add-modules jdk.incubator.vector}, JDK 17 or newer) and on an unrolled scalar loop otherwise;
 * {@link #kernelName()} says which. {@link #searchAll} reads each stored vector once per four queries.
 *
 * <h2>Thread safety</h2>
 * Safe for concurrent use. Searches run in parallel with each other under a read lock; writes
 * (upsert, delete) take the write lock, so a search sees each {@link #upsertAll} call either entirely or
 * not at all, and never a half-written vector.
 */
public final class InMemoryVectorStore implements VectorStore {
    private final int dimension;
    private final Metric metric;
    private final Kernel kernel;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final RowStorage rows;
    private final ExactScan exact;
    private final Int8Search int8;  // null unless int8 scanning was configured
    private IvfIndex ann;           // null unless an active IVF was built
    private GraphIndex graph;       // null unless the graph fallback is active
    private float[] annScratch;
    private AnnStatus annStatus = AnnStatus.exact("no index built");

    private InMemoryVectorStore(Builder builder, int initialCapacity) {
        this.dimension = builder.dimension;
        this.metric = builder.metric;
        this.kernel = Kernels.best();
        this.rows = new RowStorage(dimension, metric == Metric.EUCLIDEAN, initialCapacity);
        this.exact = new ExactScan(rows, metric, kernel);
        this.int8 = builder.int8 ? new Int8Search(rows, exact, builder.oversample) : null;
    }

    /**
     * Starts a store for vectors of {@code dimension} components (cosine, fp32 unless configured).
     *
     * @param dimension the vectors' length
     * @return the builder
     */
    public static Builder builder(int dimension) {
        return new Builder(dimension);
    }

    @Override
    public int dimension() {
        return dimension;
    }

    @Override
    public Metric metric() {
        return metric;
    }

    /**
     * True when searches scan int8 codes and re-rank candidates in fp32.
     *
     * @return true when searches scan int8 codes and re-rank candidates in fp32
     */
    public boolean isInt8() {
        return int8 != null;
    }

    /**
     * The scoring kernel in use: {@code scalar} or {@code vector-api-<bits>}.
     *
     * @return the scoring kernel in use
     */
    public String kernelName() {
        return kernel.name();
    }

    @Override
    public int size() {
        lock.readLock().lock();
        try {
            return rows.size();
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public void upsertAll(Collection<Entry> entries) {
        Objects.requireNonNull(entries, "entries");
        // Validate and prepare everything first, so a bad entry leaves the store untouched.
        List<Entry> list = new ArrayList<>(entries);
        float[][] prepared = new float[list.size()][];
        for (int i = 0; i < list.size(); i++) {
            Entry entry = Objects.requireNonNull(list.get(i), "entry");
            float[] v = entry.vector();
            VectorChecks.check(v, dimension, "entry '" + entry.id() + "'");
            prepared[i] = metric == Metric.COSINE ? VectorChecks.normalized(v, "entry '" + entry.id() + "'") : v;
        }
        lock.writeLock().lock();
        try {
            rows.materialize();
            dropGraph();
            for (int i = 0; i < list.size(); i++) {
                Entry entry = list.get(i);
                Integer existing = rows.rowOf(entry.id());
                int row;
                if (existing != null) {
                    row = existing;
                } else {
                    int capacity = rows.capacity();
                    row = rows.append(entry.id());
                    if (int8 != null && rows.capacity() != capacity) {
                        int8.grow(rows.capacity());
                    }
                }
                writeRow(row, entry.id(), prepared[i], entry.text(), entry.metadata());
                if (ann != null) {
                    if (existing != null) {
                        ann.remove(row);
                    }
                    ann.add(row, rows.data(), row * dimension, kernel, annScratch);
                }
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** A graph is not kept current on writes (rows move on delete): searches go exact until rebuilt. */
    private void dropGraph() {
        if (graph != null) {
            graph = null;
            annStatus = AnnStatus.exact("the HNSW graph was dropped by a write; call buildAnnIndex to rebuild it");
        }
    }

    private void writeRow(int row, String id, float[] v, String text, java.util.Map<String, String> meta) {
        rows.write(row, id, v, text, meta);
        if (int8 != null) {
            int8.encode(row);
        }
    }

    @Override
    public boolean delete(String id) {
        Objects.requireNonNull(id, "id");
        lock.writeLock().lock();
        try {
            Integer row = rows.rowOf(id);
            if (row == null) {
                return false;
            }
            rows.materialize();
            dropGraph();
            if (ann != null) {
                ann.remove(row);
            }
            int[] movedFrom = new int[1];
            rows.remove(id, movedFrom);
            if (movedFrom[0] >= 0) {
                if (int8 != null) {
                    int8.encode(row);
                }
                if (ann != null) {
                    ann.moved(movedFrom[0], row);
                }
            }
            return true;
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public Optional<Entry> get(String id) {
        Objects.requireNonNull(id, "id");
        lock.readLock().lock();
        try {
            Integer row = rows.rowOf(id);
            return row == null ? Optional.empty() : Optional.of(rows.entryAt(row));
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * True while the vectors are searched in place in the memory-mapped file they were loaded from.
     *
     * @return true while the vectors are searched in place in the memory-mapped file they were loaded from
     */
    public boolean isMapped() {
        lock.readLock().lock();
        try {
            return rows.isMapped();
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Every id in the store, in storage order.
     *
     * @return every id in the store
     */
    public List<String> ids() {
        lock.readLock().lock();
        try {
            return rows.ids();
        } finally {
            lock.readLock().unlock();
        }
    }

    // ---- search ----

    @Override
    public List<Hit> search(float[] query, int k, double minScore, MetadataFilter filter) {
        checkK(k);
        Objects.requireNonNull(filter, "filter");
        float[] q = exact.prepareQuery(query);
        lock.readLock().lock();
        try {
            if (int8 != null) {
                return int8.search(q, k, minScore, filter);
            }
            if (ann != null) {
                List<Hit> approximate = searchAnn(q, k, minScore, filter);
                if (approximate != null) {
                    return approximate;
                }
            }
            if (graph != null) {
                List<Hit> approximate = searchGraph(q, k, minScore, filter);
                if (approximate != null) {
                    return approximate;
                }
            }
            return exact.search(q, k, minScore, filter);
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Like {@link #search(float[], int, double, MetadataFilter)} but always exact, ignoring any index.
     *
     * @param query the query vector
     * @param k the most hits
     * @param minScore the lowest score kept
     * @param filter the metadata condition
     * @return the hits, best first
     */
    public List<Hit> searchExact(float[] query, int k, double minScore, MetadataFilter filter) {
        checkK(k);
        Objects.requireNonNull(filter, "filter");
        float[] q = exact.prepareQuery(query);
        lock.readLock().lock();
        try {
            return exact.search(q, k, minScore, filter);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** ANN answer, or null when it found fewer than k hits (the caller then searches exactly). */
    private List<Hit> searchAnn(float[] q, int k, double minScore, MetadataFilter filter) {
        TopK top = new TopK(k);
        float minKey = exact.minKey(q, minScore);
        boolean filtering = filter != MetadataFilter.all();
        ann.search(q, rows.data(), kernel, ann.probes(), (row, dot) -> {
            if (dot >= minKey && top.accepts(dot) && (!filtering || filter.test(rows.metadata(row)))) {
                top.offer(dot, row);
            }
        });
        return top.size() < Math.min(k, rows.size()) ? null : exact.hits(q, top, minScore);
    }

    /** Graph answer, or null when it found fewer than k hits (the caller then searches exactly). */
    private List<Hit> searchGraph(float[] q, int k, double minScore, MetadataFilter filter) {
        TopK top = new TopK(k);
        boolean filtering = filter != MetadataFilter.all();
        graph.search(q, Math.max(graph.ef(), k), filtering ? row -> filter.test(rows.metadata(row)) : null, top);
        List<Hit> hits = exact.hits(q, top, minScore);
        return hits.size() < Math.min(k, rows.size()) ? null : hits;
    }

    /**
     * Builds an approximate (IVF, k-means) index for cosine stores and calibrates it: it measures
     * recall@10 against exact search on queries near stored vectors and picks the fewest probed lists
     * that reach {@link AnnOptions#targetRecall()}. When the target cannot be reached cheaply, or the
     * collection is small, no index is used and searches stay exact; the returned status says why.
     * Searches that find fewer than {@code k} hits through the index (strict filters or score limits)
     * are answered exactly. Later upserts and deletes keep the index current; rebuild after large
     * changes so the clusters still fit the data. Holds the write lock while building.
     *
     * <p>Where the IVF cannot reach the target within the scan budget and {@link AnnOptions#graphFallback()}
     * is set, an HNSW graph (Lucene's, single-threaded build: about a minute per 100k 384-d vectors) is
     * built and calibrated on the same queries instead; it is used when it reaches the target ({@link
     * AnnStatus#index()} is {@code GRAPH}). The graph is not kept current: the next upsert or delete drops it
     * and searches go exact until the index is rebuilt.
     *
     * @param options recall target, list count and limits
     * @return what was built, or why searches stay exact
     */
    public AnnStatus buildAnnIndex(AnnOptions options) {
        Objects.requireNonNull(options, "options");
        lock.writeLock().lock();
        try {
            ann = null;
            graph = null;
            rows.materialize();
            if (metric != Metric.COSINE) {
                annStatus = AnnStatus.exact("approximate index needs a cosine store, this one is " + metric);
            } else if (rows.size() < options.minSize()) {
                annStatus = AnnStatus.exact("collection of " + rows.size() + " is under minSize " + options.minSize()
                        + "; exact search");
            } else {
                AnnCalibration.Result result = AnnCalibration.calibrate(rows, exact, options);
                annStatus = result.status();
                if (result.index() != null) {
                    ann = result.index();
                    annScratch = new float[ann.lists()];
                }
                graph = result.graph();
            }
            return annStatus;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * The current approximate-index status.
     *
     * @return the current approximate-index status
     */
    public AnnStatus annStatus() {
        lock.readLock().lock();
        try {
            return annStatus;
        } finally {
            lock.readLock().unlock();
        }
    }

    private static void checkK(int k) {
        if (k < 1) {
            throw new IllegalArgumentException("k must be at least 1, got " + k);
        }
    }

    @Override
    public List<List<Hit>> searchAll(List<float[]> queries, int k, double minScore, MetadataFilter filter) {
        Objects.requireNonNull(queries, "queries");
        checkK(k);
        Objects.requireNonNull(filter, "filter");
        if (int8 != null) {
            return VectorStore.super.searchAll(queries, k, minScore, filter);
        }
        float[][] qs = new float[queries.size()][];
        for (int i = 0; i < qs.length; i++) {
            qs[i] = exact.prepareQuery(queries.get(i));
        }
        lock.readLock().lock();
        try {
            return exact.searchAll(qs, k, minScore, filter);
        } finally {
            lock.readLock().unlock();
        }
    }

    // ---- persistence ----

    /**
     * Writes the store to {@code file} atomically: a temporary file in the same directory is written,
     * flushed to disk and renamed over {@code file}, so readers see the old or the new file, never a
     * partial one. The format is described in {@code README.md} of this module (magic {@code KEELVEC1}).
     *
     * @param file the file
     * @throws VectorStoreException when writing fails (the target is left as it was)
     */
    public void save(Path file) {
        Objects.requireNonNull(file, "file");
        lock.readLock().lock();
        try {
            StoreFile.write(file, rows.contents(metric));
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Loads a store written by {@link #save(Path)}: the file is memory-mapped and its header and
     * checksums verified; the vectors stay in the mapping and are searched in place (nothing is copied
     * to the heap) until the first upsert, delete or index build, which copies them into the heap. The
     * mapping is released when the store is garbage-collected; the file may be replaced meanwhile.
     *
     * @param file the file
     * @return the store
     * @throws CorruptStoreFileException when the file is truncated, has a bad magic/version or checksum
     * @throws VectorStoreException      when the file cannot be read
     */
    public static InMemoryVectorStore load(Path file) {
        return load(file, false);
    }

    /**
     * Like {@link #load(Path)}, scanning int8 codes (rebuilt on load) when {@code int8} is true.
     *
     * @param file the file
     * @param int8 whether to scan int8 codes
     * @return the store
     */
    public static InMemoryVectorStore load(Path file, boolean int8) {
        StoreFile.Contents contents = StoreFile.read(file);
        Builder builder = builder(contents.dimension()).metric(contents.metric());
        if (int8) {
            builder.int8(4);
        }
        InMemoryVectorStore store = new InMemoryVectorStore(builder, 0);
        store.rows.adopt(contents, file);
        if (store.int8 != null) {
            store.rows.materialize();
            store.int8.encodeAll();
        }
        return store;
    }

    @Override
    public String toString() {
        return "InMemoryVectorStore[size=" + size() + ", dimension=" + dimension + ", metric=" + metric
                + (int8 != null ? ", int8 x" + int8.oversample() : "") + (isMapped() ? ", mapped" : "")
                + ", kernel=" + kernel.name()
                + (ann != null ? ", ann=" + ann.lists() + " lists/" + ann.probes() + " probes" : "")
                + (graph != null ? ", ann=hnsw ef " + graph.ef() : "") + "]";
    }

    /** Options of an {@link InMemoryVectorStore}. Not thread-safe; build once. */
    public static final class Builder {
        private final int dimension;
        private Metric metric = Metric.COSINE;
        private boolean int8;
        private int oversample = 4;
        private int initialCapacity = 16;

        private Builder(int dimension) {
            if (dimension < 1) {
                throw new IllegalArgumentException("dimension must be at least 1, got " + dimension);
            }
            this.dimension = dimension;
        }

        /**
         * The similarity metric (default cosine).
         *
         * @param metric the similarity metric (default cosine)
         * @return this builder
         */
        public Builder metric(Metric metric) {
            this.metric = Objects.requireNonNull(metric, "metric");
            return this;
        }

        /**
         * Scan int8 codes (a quarter of the memory traffic; the query stays fp32) and re-rank the best {@code k * oversample}
         * candidates with the exact fp32 vectors.
         *
         * @param oversample how many candidates per wanted hit are re-ranked in fp32
         * @return this builder
         */
        public Builder int8(int oversample) {
            if (oversample < 1) {
                throw new IllegalArgumentException("oversample must be at least 1, got " + oversample);
            }
            this.int8 = true;
            this.oversample = oversample;
            return this;
        }

        /**
         * Rows to allocate up front (saves regrowth when the final size is known).
         *
         * @param rows the expected number of entries
         * @return this builder
         */
        public Builder initialCapacity(int rows) {
            if (rows < 0) {
                throw new IllegalArgumentException("initialCapacity must not be negative");
            }
            this.initialCapacity = rows;
            return this;
        }

        /**
         * Builds the store.
         *
         * @return the empty store
         */
        public InMemoryVectorStore build() {
            return new InMemoryVectorStore(this, initialCapacity);
        }
    }
}
