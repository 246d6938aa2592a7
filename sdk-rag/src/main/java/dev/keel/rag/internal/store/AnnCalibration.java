package dev.keel.rag.internal.store;

import dev.keel.rag.store.AnnOptions;
import dev.keel.rag.store.AnnStatus;
import dev.keel.rag.store.MetadataFilter;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Builds an IVF index over a cosine store's heap rows and calibrates it: recall@10 against exact search on
 * queries as far from the data as real questions, raising the probed lists until the recall target is
 * reached or the scan budget is spent. Callers hold the store's write lock.
 */
public final class AnnCalibration {
    private AnnCalibration() {
    }

    /** The outcome: the status and, when active, the calibrated IVF or graph (at most one of them). */
    public record Result(AnnStatus status, IvfIndex index, GraphIndex graph) {
    }

    /** Search beam widths tried for the graph, smallest first. */
    private static final int[] EF = {10, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512};

    /** The calibration set: queries with their exact top-k rows. */
    public record Queries(float[][] queries, int[][] truth, int k) {
    }

    /** Trains and calibrates an IVF over {@code rows} (on the heap, unit vectors). */
    public static Result calibrate(RowStorage rows, ExactScan exact, AnnOptions options) {
        int size = rows.size();
        int dimension = rows.dimension();
        float[] data = rows.data();
        int lists = options.lists() > 0 ? Math.min(options.lists(), size)
                : (int) Math.max(1, Math.min(4096, Math.round(Math.sqrt(size))));
        IvfIndex index = IvfIndex.train(data, size, dimension, lists, options.seed(), exact.kernel());
        Queries calibration = queries(rows, exact, options.seed());
        float[][] qs = calibration.queries();
        int[][] truth = calibration.truth();
        int k = calibration.k();
        int queries = qs.length;
        double recall = 0;
        double scanned = 0;
        int probes = 1;
        for (; probes <= lists; probes = probes < 4 ? probes + 1 : (int) Math.ceil(probes * 1.5)) {
            int found = 0;
            long scannedRows = 0;
            for (int i = 0; i < queries; i++) {
                TopK top = new TopK(k);
                scannedRows += index.search(qs[i], data, exact.kernel(), probes, (row, dot) -> top.offer(dot, row));
                found += overlap(truth[i], top.sortedRows(new float[top.size()]));
            }
            recall = found / (double) (queries * k);
            scanned = (scannedRows / (double) queries + lists) / size;
            if (recall >= options.targetRecall() || scanned > options.maxScanFraction()) {
                break;
            }
        }
        if (recall < options.targetRecall() || scanned > options.maxScanFraction()) {
            String ivf = String.format(Locale.ROOT, "IVF: recall target %.2f not reached within %.0f%% of the data "
                            + "(recall %.3f scanning %.1f%%)", options.targetRecall(), options.maxScanFraction() * 100,
                    recall, scanned * 100);
            if (options.graphFallback()) {
                return calibrateGraph(rows, exact, options, calibration, ivf);
            }
            return new Result(new AnnStatus(false, lists, Math.min(probes, lists), recall, scanned, ivf
                    + "; exact search"), null, null);
        }
        index.probes(probes);
        return new Result(new AnnStatus(true, lists, probes, recall, scanned, String.format(Locale.ROOT,
                "recall@%d %.3f scanning %.1f%% of the vectors", k, recall, scanned * 100)), index, null);
    }

    /**
     * The fallback where the IVF cannot reach the target: an HNSW graph, calibrated on the same queries — the
     * smallest beam width {@code ef} reaching the recall target while scoring at most the scan budget.
     * Without Lucene on the path, searches stay exact and the status says so.
     */
    private static Result calibrateGraph(RowStorage rows, ExactScan exact, AnnOptions options, Queries calibration,
                                         String ivf) {
        GraphIndex graph;
        try {
            graph = GraphIndex.build(rows.data(), rows.size(), rows.dimension(), options.seed());
        } catch (NoClassDefFoundError e) {
            return new Result(AnnStatus.exact(ivf + "; graph fallback needs org.apache.lucene:lucene-core on the "
                    + "class or module path; exact search"), null, null);
        }
        int k = calibration.k();
        int queries = calibration.queries().length;
        double recall = 0;
        double scanned = 1;
        for (int ef : EF) {
            int found = 0;
            long visited = 0;
            for (int i = 0; i < queries; i++) {
                TopK top = new TopK(k);
                visited += graph.search(calibration.queries()[i], Math.max(ef, k), null, top);
                found += overlap(calibration.truth()[i], top.sortedRows(new float[top.size()]));
            }
            recall = found / (double) (queries * k);
            scanned = visited / (double) queries / rows.size();
            if (scanned > options.maxScanFraction()) {
                break;
            }
            if (recall >= options.targetRecall()) {
                graph.ef(Math.max(ef, k));
                return new Result(new AnnStatus(true, 0, graph.ef(), recall, scanned, String.format(Locale.ROOT,
                        "%s; HNSW graph: recall@%d %.3f with ef %d scoring %.1f%% of the vectors", ivf, k, recall,
                        graph.ef(), scanned * 100), AnnStatus.Index.GRAPH), null, graph);
            }
        }
        return new Result(AnnStatus.exact(String.format(Locale.ROOT, "%s; HNSW graph: recall %.3f scoring %.1f%% "
                + "of the vectors; exact search", ivf, recall, scanned * 100)), null, null);
    }

    /** How many of {@code truth} are in {@code got}. */
    public static int overlap(int[] truth, int[] got) {
        int found = 0;
        for (int t : truth) {
            for (int g : got) {
                if (g == t) {
                    found++;
                    break;
                }
            }
        }
        return found;
    }

    /**
     * 100 calibration queries (fewer for small stores) around random stored rows, each with its exact
     * top-10. The same seed gives the same queries.
     */
    public static Queries queries(RowStorage rows, ExactScan exact, long seed) {
        int size = rows.size();
        int dimension = rows.dimension();
        float[] data = rows.data();
        SplittableRandom rnd = new SplittableRandom(seed + 1);
        int queries = Math.min(100, size);
        int k = Math.min(10, size);
        float[][] qs = new float[queries][];
        int[][] truth = new int[queries][];
        double noise = calibrationNoise(rows, exact, rnd);
        for (int i = 0; i < queries; i++) {
            int row = rnd.nextInt(size);
            float[] q = new float[dimension];
            for (int d = 0; d < dimension; d++) {
                q[d] = (float) (data[row * dimension + d] + noise * gaussian(rnd));
            }
            qs[i] = VectorChecks.normalized(q, "calibration query");
            TopK top = new TopK(k);
            exact.scan(qs[i], top, Float.NEGATIVE_INFINITY, MetadataFilter.all());
            truth[i] = top.sortedRows(new float[top.size()]);
        }
        return new Queries(qs, truth, k);
    }

    /**
     * Per-coordinate noise for calibration queries. A question is rarely a near copy of a stored vector: it
     * sits about as far from the data as stored vectors sit from their nearest neighbour. Queries made
     * that far from a stored row (the median over a sample) keep calibration from being easier than real
     * searches; a near-copy calibration measured recall 0.999 where fresh queries got 0.90.
     */
    private static double calibrationNoise(RowStorage rows, ExactScan exact, SplittableRandom rnd) {
        int size = rows.size();
        int dimension = rows.dimension();
        int samples = Math.min(16, size);
        double[] distances = new double[samples];
        float[] row = new float[dimension];
        for (int i = 0; i < samples; i++) {
            int r = rnd.nextInt(size);
            System.arraycopy(rows.data(), r * dimension, row, 0, dimension);
            TopK top = new TopK(2);
            exact.scan(VectorChecks.normalized(row, "calibration row"), top, Float.NEGATIVE_INFINITY,
                    MetadataFilter.all());
            float[] scores = new float[top.size()];
            int[] found = top.sortedRows(scores);
            double best = -1;
            for (int j = 0; j < found.length; j++) {
                if (found[j] != r) {
                    best = Math.max(best, scores[j]);
                }
            }
            distances[i] = Math.sqrt(Math.max(0, 2 - 2 * best)); // unit vectors: |a - b|² = 2 - 2 a·b
        }
        Arrays.sort(distances);
        return Math.max(0.05, distances[samples / 2]) / Math.sqrt(dimension);
    }

    private static double gaussian(SplittableRandom rnd) {
        double u = Math.max(1e-12, rnd.nextDouble());
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd.nextDouble());
    }
}
