package dev.keel.rag.store;

import dev.keel.rag.internal.store.Int8Codes;
import dev.keel.rag.internal.store.IvfIndex;
import dev.keel.rag.internal.store.Kernel;
import dev.keel.rag.internal.store.Kernels;
import dev.keel.rag.internal.store.StoreFile;
import dev.keel.rag.internal.store.TopK;
import dev.keel.rag.internal.store.VectorChecks;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
    private static final int BLOCK = 1024;
    /** Rows copied at a time out of a memory-mapped file: 256 rows of 384 floats stay in L2. */
    private static final int MAPPED_BLOCK = 256;

    private final int dimension;
    private final Metric metric;
    private final boolean int8;
    private final int oversample;
    private final Kernel kernel;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();

    private float[] data;          // row-major vectors on the heap, or null while mapped
    private FloatBuffer mapped;    // row-major vectors in a read-only file mapping (after load)
    private float[] squaredNorms; // EUCLIDEAN only
    private Int8Codes codes;      // int8 mode only
    private String[] ids;
    private String[] texts;
    private List<Map<String, String>> metadata;
    private Map<String, Integer> rowById = new HashMap<>();
    private int size;
    private IvfIndex ann;          // null unless an active approximate index was built
    private float[] annScratch;
    private AnnStatus annStatus = AnnStatus.exact("no index built");

    private InMemoryVectorStore(Builder builder, int initialCapacity) {
        this.dimension = builder.dimension;
        this.metric = builder.metric;
        this.int8 = builder.int8;
        this.oversample = builder.oversample;
        this.kernel = Kernels.best();
        int capacity = Math.max(16, initialCapacity);
        this.data = new float[Math.multiplyExact(capacity, dimension)];
        this.squaredNorms = metric == Metric.EUCLIDEAN ? new float[capacity] : null;
        this.codes = int8 ? new Int8Codes(dimension, capacity) : null;
        this.ids = new String[capacity];
        this.texts = new String[capacity];
        this.metadata = new ArrayList<>(capacity);
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
        return int8;
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
            return size;
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
            materialize();
            for (int i = 0; i < list.size(); i++) {
                Entry entry = list.get(i);
                Integer existing = rowById.get(entry.id());
                int row;
                if (existing != null) {
                    row = existing;
                } else {
                    ensureCapacity(size + 1);
                    row = size++;
                    rowById.put(entry.id(), row);
                    metadata.add(null);
                }
                writeRow(row, entry.id(), prepared[i], entry.text(), entry.metadata());
                if (ann != null) {
                    if (existing != null) {
                        ann.remove(row);
                    }
                    ann.add(row, data, row * dimension, kernel, annScratch);
                }
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    private void writeRow(int row, String id, float[] v, String text, Map<String, String> meta) {
        System.arraycopy(v, 0, data, row * dimension, dimension);
        if (squaredNorms != null) {
            squaredNorms[row] = VectorChecks.squaredNorm(v, 0, dimension);
        }
        if (codes != null) {
            codes.encode(row, v, 0);
        }
        ids[row] = id;
        texts[row] = text;
        metadata.set(row, meta);
    }

    private void ensureCapacity(int rows) {
        int capacity = ids.length;
        if (rows <= capacity) {
            return;
        }
        int newCapacity = (int) Math.min(Integer.MAX_VALUE / dimension, Math.max(rows, capacity * 2L));
        if (newCapacity < rows) {
            throw new VectorStoreException("store is full: at most " + Integer.MAX_VALUE / dimension + " vectors of "
                    + dimension + " dimensions fit in one in-memory store");
        }
        data = Arrays.copyOf(data, newCapacity * dimension);
        ids = Arrays.copyOf(ids, newCapacity);
        texts = Arrays.copyOf(texts, newCapacity);
        if (squaredNorms != null) {
            squaredNorms = Arrays.copyOf(squaredNorms, newCapacity);
        }
        if (codes != null) {
            codes = codes.grow(newCapacity);
        }
    }

    @Override
    public boolean delete(String id) {
        Objects.requireNonNull(id, "id");
        lock.writeLock().lock();
        try {
            if (!rowById.containsKey(id)) {
                return false;
            }
            materialize();
            int row = rowById.remove(id);
            int last = size - 1;
            if (ann != null) {
                ann.remove(row);
            }
            if (row != last) {
                // keep storage contiguous: move the last row into the hole
                float[] v = row(last);
                writeRow(row, ids[last], v, texts[last], metadata.get(last));
                rowById.put(ids[row], row);
                if (ann != null) {
                    ann.moved(last, row);
                }
            }
            ids[last] = null;
            texts[last] = null;
            metadata.remove(last);
            size--;
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
            Integer row = rowById.get(id);
            if (row == null) {
                return Optional.empty();
            }
            return Optional.of(entryAt(row));
        } finally {
            lock.readLock().unlock();
        }
    }

    private Entry entryAt(int row) {
        return new Entry(ids[row], row(row), texts[row], metadata.get(row));
    }

    /** A copy of row {@code row}'s vector, from the heap or the mapping. */
    private float[] row(int row) {
        float[] v = new float[dimension];
        if (mapped == null) {
            System.arraycopy(data, row * dimension, v, 0, dimension);
        } else {
            mapped.get(row * dimension, v, 0, dimension); // absolute get: no shared position is touched
        }
        return v;
    }

    /**
     * Moves vectors out of a file mapping into the heap before the first change (caller holds the write
     * lock). Searches on a loaded store run in place on the mapping until then.
     */
    private void materialize() {
        if (mapped == null) {
            return;
        }
        float[] heap = new float[Math.multiplyExact(Math.max(16, size), dimension)];
        mapped.get(0, heap, 0, size * dimension);
        data = heap;
        mapped = null;
    }

    /**
     * True while the vectors are searched in place in the memory-mapped file they were loaded from.
     *
     * @return true while the vectors are searched in place in the memory-mapped file they were loaded from
     */
    public boolean isMapped() {
        lock.readLock().lock();
        try {
            return mapped != null;
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
            return List.of(Arrays.copyOf(ids, size));
        } finally {
            lock.readLock().unlock();
        }
    }

    // ---- search ----

    /** A prepared query: unit length for cosine, its squared norm for euclidean. */
    private float[] prepareQuery(float[] query) {
        VectorChecks.check(query, dimension, "query");
        return metric == Metric.COSINE ? VectorChecks.normalized(query, "query") : query.clone();
    }

    /** The smallest ranking key that can still reach {@code minScore}. */
    private float minKey(float[] q, double minScore) {
        if (Double.isInfinite(minScore) && minScore < 0) {
            return Float.NEGATIVE_INFINITY;
        }
        if (metric != Metric.EUCLIDEAN) {
            return (float) (minScore - 1e-5 * Math.max(1, Math.abs(minScore)));
        }
        if (minScore <= 0) {
            return Float.NEGATIVE_INFINITY;
        }
        if (minScore > 1) {
            return Float.POSITIVE_INFINITY;
        }
        double maxDistance = 1 / minScore - 1;
        double qn = VectorChecks.squaredNorm(q, 0, dimension);
        return (float) (qn - maxDistance * maxDistance - 1e-4 * Math.max(1, qn));
    }

    /** Ranking key from a dot product: monotone in the score. */
    private float key(float dot, int row) {
        return metric == Metric.EUCLIDEAN ? 2 * dot - squaredNorms[row] : dot;
    }

    private double score(float[] q, int row) {
        float[] x = mapped == null ? data : row(row);
        int off = mapped == null ? row * dimension : 0;
        if (metric == Metric.EUCLIDEAN) {
            double s = 0;
            for (int i = 0; i < dimension; i++) {
                double d = (double) q[i] - x[off + i];
                s += d * d;
            }
            return 1 / (1 + Math.sqrt(s));
        }
        return kernel.dot(q, 0, x, off, dimension);
    }

    @Override
    public List<Hit> search(float[] query, int k, double minScore, MetadataFilter filter) {
        checkK(k);
        Objects.requireNonNull(filter, "filter");
        float[] q = prepareQuery(query);
        lock.readLock().lock();
        try {
            if (int8) {
                return searchInt8(q, k, minScore, filter);
            }
            if (ann != null) {
                List<Hit> approximate = searchAnn(q, k, minScore, filter);
                if (approximate != null) {
                    return approximate;
                }
            }
            TopK top = new TopK(k);
            scan(q, top, minKey(q, minScore), filter);
            return hits(q, top, minScore);
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
        float[] q = prepareQuery(query);
        lock.readLock().lock();
        try {
            TopK top = new TopK(k);
            scan(q, top, minKey(q, minScore), filter);
            return hits(q, top, minScore);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** ANN answer, or null when it found fewer than k hits (the caller then searches exactly). */
    private List<Hit> searchAnn(float[] q, int k, double minScore, MetadataFilter filter) {
        TopK top = new TopK(k);
        float minKey = minKey(q, minScore);
        boolean filtering = filter != MetadataFilter.all();
        ann.search(q, data, kernel, ann.probes(), (row, dot) -> {
            if (dot >= minKey && top.accepts(dot) && (!filtering || filter.test(metadata.get(row)))) {
                top.offer(dot, row);
            }
        });
        return top.size() < Math.min(k, size) ? null : hits(q, top, minScore);
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
     * @param options recall target, list count and limits
     * @return what was built, or why searches stay exact
     */
    public AnnStatus buildAnnIndex(AnnOptions options) {
        Objects.requireNonNull(options, "options");
        lock.writeLock().lock();
        try {
            ann = null;
            materialize();
            if (metric != Metric.COSINE) {
                annStatus = AnnStatus.exact("approximate index needs a cosine store, this one is " + metric);
            } else if (size < options.minSize()) {
                annStatus = AnnStatus.exact("collection of " + size + " is under minSize " + options.minSize()
                        + "; exact search");
            } else {
                annStatus = calibrate(options);
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

    private AnnStatus calibrate(AnnOptions options) {
        int lists = options.lists() > 0 ? Math.min(options.lists(), size)
                : (int) Math.max(1, Math.min(4096, Math.round(Math.sqrt(size))));
        IvfIndex index = IvfIndex.train(data, size, dimension, lists, options.seed(), kernel);
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(options.seed() + 1);
        int queries = Math.min(100, size);
        int k = Math.min(10, size);
        float[][] qs = new float[queries][];
        int[][] truth = new int[queries][];
        double noise = calibrationNoise(rnd);
        for (int i = 0; i < queries; i++) {
            int row = rnd.nextInt(size);
            float[] q = new float[dimension];
            for (int d = 0; d < dimension; d++) {
                q[d] = (float) (data[row * dimension + d] + noise * gaussian(rnd));
            }
            qs[i] = VectorChecks.normalized(q, "calibration query");
            TopK top = new TopK(k);
            scan(qs[i], top, Float.NEGATIVE_INFINITY, MetadataFilter.all());
            truth[i] = top.sortedRows(new float[top.size()]);
        }
        double recall = 0;
        double scanned = 0;
        int probes = 1;
        for (; probes <= lists; probes = probes < 4 ? probes + 1 : (int) Math.ceil(probes * 1.5)) {
            int found = 0;
            long scannedRows = 0;
            for (int i = 0; i < queries; i++) {
                TopK top = new TopK(k);
                scannedRows += index.search(qs[i], data, kernel, probes, (row, dot) -> top.offer(dot, row));
                int[] got = top.sortedRows(new float[top.size()]);
                for (int t : truth[i]) {
                    for (int g : got) {
                        if (g == t) {
                            found++;
                            break;
                        }
                    }
                }
            }
            recall = found / (double) (queries * k);
            scanned = (scannedRows / (double) queries + lists) / size;
            if (recall >= options.targetRecall() || scanned > options.maxScanFraction()) {
                break;
            }
        }
        if (recall < options.targetRecall() || scanned > options.maxScanFraction()) {
            return new AnnStatus(false, lists, Math.min(probes, lists), recall, scanned,
                    String.format(java.util.Locale.ROOT, "recall target %.2f not reached within %.0f%% of the "
                                    + "data (recall %.3f scanning %.1f%%); exact search", options.targetRecall(),
                            options.maxScanFraction() * 100, recall, scanned * 100));
        }
        index.probes(probes);
        ann = index;
        annScratch = new float[lists];
        return new AnnStatus(true, lists, probes, recall, scanned, String.format(java.util.Locale.ROOT,
                "recall@%d %.3f scanning %.1f%% of the vectors", k, recall, scanned * 100));
    }

    /**
     * Per-coordinate noise for calibration queries. A question is rarely a near copy of a stored vector: it
     * sits about as far from the data as stored vectors sit from their nearest neighbour. Queries made
     * that far from a stored row (the median over a sample) keep calibration from being easier than real
     * searches; a near-copy calibration measured recall 0.999 where fresh queries got 0.90.
     */
    private double calibrationNoise(java.util.SplittableRandom rnd) {
        int samples = Math.min(16, size);
        double[] distances = new double[samples];
        float[] row = new float[dimension];
        for (int i = 0; i < samples; i++) {
            int r = rnd.nextInt(size);
            System.arraycopy(data, r * dimension, row, 0, dimension);
            TopK top = new TopK(2);
            scan(VectorChecks.normalized(row, "calibration row"), top, Float.NEGATIVE_INFINITY, MetadataFilter.all());
            float[] scores = new float[top.size()];
            int[] rows = top.sortedRows(scores);
            double best = -1;
            for (int j = 0; j < rows.length; j++) {
                if (rows[j] != r) {
                    best = Math.max(best, scores[j]);
                }
            }
            distances[i] = Math.sqrt(Math.max(0, 2 - 2 * best)); // unit vectors: |a - b|² = 2 - 2 a·b
        }
        java.util.Arrays.sort(distances);
        return Math.max(0.05, distances[samples / 2]) / Math.sqrt(dimension);
    }

    private static double gaussian(java.util.SplittableRandom rnd) {
        double u = Math.max(1e-12, rnd.nextDouble());
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd.nextDouble());
    }

    private static void checkK(int k) {
        if (k < 1) {
            throw new IllegalArgumentException("k must be at least 1, got " + k);
        }
    }

    private void scan(float[] q, TopK top, float minKey, MetadataFilter filter) {
        boolean filtering = filter != MetadataFilter.all();
        float[] dots = new float[BLOCK];
        if (mapped == null) {
            for (int from = 0; from < size; from += BLOCK) {
                int to = Math.min(size, from + BLOCK);
                kernel.dots(q, data, dimension, from, to, dots);
                collect(dots, from, to, top, minKey, filtering ? filter : null);
            }
            return;
        }
        // in place on the mapping: copy a cache-sized block of rows, score it with the same kernel
        float[] block = new float[MAPPED_BLOCK * dimension];
        for (int from = 0; from < size; from += MAPPED_BLOCK) {
            int to = Math.min(size, from + MAPPED_BLOCK);
            mapped.get(from * dimension, block, 0, (to - from) * dimension);
            kernel.dots(q, block, dimension, 0, to - from, dots);
            collect(dots, from, to, top, minKey, filtering ? filter : null);
        }
    }

    private void collect(float[] dots, int from, int to, TopK top, float minKey, MetadataFilter filter) {
        float threshold = Math.max(minKey, top.threshold());
        for (int r = from; r < to; r++) {
            float key = key(dots[r - from], r);
            if (key >= threshold && top.accepts(key) && (filter == null || filter.test(metadata.get(r)))) {
                top.offer(key, r);
                threshold = Math.max(minKey, top.threshold());
            }
        }
    }

    private List<Hit> hits(float[] q, TopK top, double minScore) {
        float[] keys = new float[top.size()];
        int[] rows = top.sortedRows(keys);
        List<Hit> hits = new ArrayList<>(rows.length);
        for (int row : rows) {
            double score = score(q, row);
            if (score >= minScore) {
                hits.add(new Hit(ids[row], score, texts[row], metadata.get(row)));
            }
        }
        // exact rescoring can reorder near-ties; keep "best first" exact
        hits.sort((a, b) -> Double.compare(b.score(), a.score()));
        return List.copyOf(hits);
    }

    private List<Hit> searchInt8(float[] q, int k, double minScore, MetadataFilter filter) {
        int candidates = (int) Math.min(size == 0 ? 1 : size, (long) k * oversample);
        TopK approximate = new TopK(Math.max(1, candidates));
        MetadataFilter rowFilter = filter != MetadataFilter.all() ? filter : null;
        float[] dots = new float[BLOCK];
        for (int from = 0; from < size; from += BLOCK) {
            int to = Math.min(size, from + BLOCK);
            codes.dots(kernel, q, from, to, dots);
            collect(dots, from, to, approximate, Float.NEGATIVE_INFINITY, rowFilter);
        }
        float[] keys = new float[approximate.size()];
        int[] rows = approximate.sortedRows(keys);
        TopK top = new TopK(k);
        float minKey = minKey(q, minScore);
        for (int row : rows) {
            float key = key(kernel.dot(q, 0, data, row * dimension, dimension), row);
            if (key >= minKey && top.accepts(key)) {
                top.offer(key, row);
            }
        }
        return hits(q, top, minScore);
    }

    @Override
    public List<List<Hit>> searchAll(List<float[]> queries, int k, double minScore, MetadataFilter filter) {
        Objects.requireNonNull(queries, "queries");
        checkK(k);
        Objects.requireNonNull(filter, "filter");
        if (int8) {
            return VectorStore.super.searchAll(queries, k, minScore, filter);
        }
        float[][] qs = new float[queries.size()][];
        for (int i = 0; i < qs.length; i++) {
            qs[i] = prepareQuery(queries.get(i));
        }
        List<List<Hit>> results = new ArrayList<>(qs.length);
        lock.readLock().lock();
        try {
            boolean filtering = filter != MetadataFilter.all();
            float[][] dots = new float[4][BLOCK];
            for (int g = 0; g < qs.length; g += 4) {
                int n = Math.min(4, qs.length - g);
                float[][] group = new float[4][];
                TopK[] tops = new TopK[n];
                float[] minKeys = new float[n];
                for (int j = 0; j < 4; j++) {
                    group[j] = qs[g + Math.min(j, n - 1)]; // pad with the last query; its extra results are unused
                }
                for (int j = 0; j < n; j++) {
                    tops[j] = new TopK(k);
                    minKeys[j] = minKey(group[j], minScore);
                }
                int step = mapped == null ? BLOCK : MAPPED_BLOCK;
                float[] block = mapped == null ? data : new float[MAPPED_BLOCK * dimension];
                for (int from = 0; from < size; from += step) {
                    int to = Math.min(size, from + step);
                    int blockFrom = from;
                    if (mapped != null) {
                        mapped.get(from * dimension, block, 0, (to - from) * dimension);
                        blockFrom = 0;
                    }
                    kernel.dots4(group[0], group[1], group[2], group[3], block, dimension, blockFrom,
                            blockFrom + to - from, dots);
                    for (int j = 0; j < n; j++) {
                        collect(dots[j], from, to, tops[j], minKeys[j], filtering ? filter : null);
                    }
                }
                for (int j = 0; j < n; j++) {
                    results.add(hits(group[j], tops[j], minScore));
                }
            }
        } finally {
            lock.readLock().unlock();
        }
        return List.copyOf(results);
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
            FloatBuffer vectors = mapped != null ? mapped.duplicate() : FloatBuffer.wrap(data);
            StoreFile.write(file, new StoreFile.Contents(metric, dimension, size, vectors,
                    Arrays.asList(ids).subList(0, size), Arrays.asList(texts).subList(0, size),
                    metadata.subList(0, size)));
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
        store.adopt(contents, file);
        return store;
    }

    private void adopt(StoreFile.Contents contents, Path file) {
        int n = contents.count();
        int capacity = Math.max(16, n);
        data = null;
        mapped = contents.vectors();
        size = n;
        ids = Arrays.copyOf(contents.ids().toArray(new String[0]), capacity);
        texts = Arrays.copyOf(contents.texts().toArray(new String[0]), capacity);
        metadata = new ArrayList<>(contents.metadata());
        rowById = new HashMap<>(n + n / 3 + 16);
        for (int row = 0; row < n; row++) {
            if (rowById.put(ids[row], row) != null) {
                throw new CorruptStoreFileException(file, "duplicate id '" + ids[row] + "'");
            }
        }
        if (metric == Metric.EUCLIDEAN) {
            squaredNorms = new float[capacity];
            for (int row = 0; row < n; row++) {
                squaredNorms[row] = VectorChecks.squaredNorm(row(row), 0, dimension);
            }
        }
        if (int8) {
            materialize();
            codes = new Int8Codes(dimension, capacity);
            for (int row = 0; row < n; row++) {
                codes.encode(row, data, row * dimension);
            }
        }
        size = n;
    }

    @Override
    public String toString() {
        return "InMemoryVectorStore[size=" + size() + ", dimension=" + dimension + ", metric=" + metric
                + (int8 ? ", int8 x" + oversample : "") + (mapped != null ? ", mapped" : "") + ", kernel=" + kernel.name()
                + (ann != null ? ", ann=" + ann.lists() + " lists/" + ann.probes() + " probes" : "") + "]";
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
