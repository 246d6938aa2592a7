package dev.keel.rag.internal.store;

import dev.keel.rag.store.Hit;
import dev.keel.rag.store.MetadataFilter;
import dev.keel.rag.store.Metric;
import java.util.ArrayList;
import java.util.List;

/**
 * Exact search over {@link RowStorage}: scores every row with the kernel, keeps the best in a {@link TopK}
 * by a ranking key that is monotone in the score, and turns the winners into {@link Hit}s with exact
 * scores. Also holds the metric arithmetic (ranking key, minimum key for a score limit) that the int8 and
 * approximate searches share. Stateless apart from its settings; callers hold the store's read lock.
 */
public final class ExactScan {
    /** Rows scored per kernel call on the heap. */
    public static final int BLOCK = 1024;
    /** Rows copied at a time out of a memory-mapped file: 256 rows of 384 floats stay in L2. */
    private static final int MAPPED_BLOCK = 256;

    private final RowStorage rows;
    private final Metric metric;
    private final Kernel kernel;
    private final int dimension;

    public ExactScan(RowStorage rows, Metric metric, Kernel kernel) {
        this.rows = rows;
        this.metric = metric;
        this.kernel = kernel;
        this.dimension = rows.dimension();
    }

    public Kernel kernel() {
        return kernel;
    }

    /** A prepared query: unit length for cosine, a copy otherwise. */
    public float[] prepareQuery(float[] query) {
        VectorChecks.check(query, dimension, "query");
        return metric == Metric.COSINE ? VectorChecks.normalized(query, "query") : query.clone();
    }

    /** The smallest ranking key that can still reach {@code minScore}. */
    public float minKey(float[] q, double minScore) {
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
    public float key(float dot, int row) {
        return metric == Metric.EUCLIDEAN ? 2 * dot - rows.squaredNorm(row) : dot;
    }

    /** The exact score of {@code row} for the prepared query. */
    public double score(float[] q, int row) {
        float[] x = rows.isMapped() ? rows.row(row) : rows.data();
        int off = rows.isMapped() ? 0 : row * dimension;
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

    /** The exact top {@code k} for a prepared query. */
    public List<Hit> search(float[] q, int k, double minScore, MetadataFilter filter) {
        TopK top = new TopK(k);
        scan(q, top, minKey(q, minScore), filter);
        return hits(q, top, minScore);
    }

    /** Offers every row passing {@code filter} with a key of at least {@code minKey} to {@code top}. */
    public void scan(float[] q, TopK top, float minKey, MetadataFilter filter) {
        MetadataFilter rowFilter = filter != MetadataFilter.all() ? filter : null;
        int size = rows.size();
        float[] dots = new float[BLOCK];
        if (!rows.isMapped()) {
            float[] data = rows.data();
            for (int from = 0; from < size; from += BLOCK) {
                int to = Math.min(size, from + BLOCK);
                kernel.dots(q, data, dimension, from, to, dots);
                collect(dots, from, to, top, minKey, rowFilter);
            }
            return;
        }
        // in place on the mapping: copy a cache-sized block of rows, score it with the same kernel
        float[] block = new float[MAPPED_BLOCK * dimension];
        for (int from = 0; from < size; from += MAPPED_BLOCK) {
            int to = Math.min(size, from + MAPPED_BLOCK);
            rows.mapped().get(from * dimension, block, 0, (to - from) * dimension);
            kernel.dots(q, block, dimension, 0, to - from, dots);
            collect(dots, from, to, top, minKey, rowFilter);
        }
    }

    /** Offers rows {@code [from, to)} with dot products {@code dots[r - from]} to {@code top}. */
    public void collect(float[] dots, int from, int to, TopK top, float minKey, MetadataFilter filter) {
        float threshold = Math.max(minKey, top.threshold());
        for (int r = from; r < to; r++) {
            float key = key(dots[r - from], r);
            if (key >= threshold && top.accepts(key) && (filter == null || filter.test(rows.metadata(r)))) {
                top.offer(key, r);
                threshold = Math.max(minKey, top.threshold());
            }
        }
    }

    /** The rows in {@code top} as hits with exact scores of at least {@code minScore}, best first. */
    public List<Hit> hits(float[] q, TopK top, double minScore) {
        float[] keys = new float[top.size()];
        int[] winners = top.sortedRows(keys);
        List<Hit> hits = new ArrayList<>(winners.length);
        for (int row : winners) {
            double score = score(q, row);
            if (score >= minScore) {
                hits.add(new Hit(rows.id(row), score, rows.text(row), rows.metadata(row)));
            }
        }
        // exact rescoring can reorder near-ties; keep "best first" exact
        hits.sort((a, b) -> Double.compare(b.score(), a.score()));
        return List.copyOf(hits);
    }

    /** Answers prepared queries four per pass over the data; the i-th list belongs to the i-th query. */
    public List<List<Hit>> searchAll(float[][] qs, int k, double minScore, MetadataFilter filter) {
        MetadataFilter rowFilter = filter != MetadataFilter.all() ? filter : null;
        int size = rows.size();
        List<List<Hit>> results = new ArrayList<>(qs.length);
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
            boolean mapped = rows.isMapped();
            int step = mapped ? MAPPED_BLOCK : BLOCK;
            float[] block = mapped ? new float[MAPPED_BLOCK * dimension] : rows.data();
            for (int from = 0; from < size; from += step) {
                int to = Math.min(size, from + step);
                int blockFrom = from;
                if (mapped) {
                    rows.mapped().get(from * dimension, block, 0, (to - from) * dimension);
                    blockFrom = 0;
                }
                kernel.dots4(group[0], group[1], group[2], group[3], block, dimension, blockFrom,
                        blockFrom + to - from, dots);
                for (int j = 0; j < n; j++) {
                    collect(dots[j], from, to, tops[j], minKeys[j], rowFilter);
                }
            }
            for (int j = 0; j < n; j++) {
                results.add(hits(group[j], tops[j], minScore));
            }
        }
        return List.copyOf(results);
    }
}
