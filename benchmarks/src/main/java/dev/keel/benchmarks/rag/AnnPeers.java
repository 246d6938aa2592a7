package dev.keel.benchmarks.rag;

import dev.keel.rag.store.AnnOptions;
import dev.keel.rag.store.AnnStatus;
import dev.keel.rag.store.Entry;
import dev.keel.rag.store.Hit;
import dev.keel.rag.store.InMemoryVectorStore;
import dev.keel.rag.store.MetadataFilter;
import io.github.jbellis.jvector.graph.GraphIndexBuilder;
import io.github.jbellis.jvector.graph.GraphSearcher;
import io.github.jbellis.jvector.graph.ImmutableGraphIndex;
import io.github.jbellis.jvector.graph.ListRandomAccessVectorValues;
import io.github.jbellis.jvector.graph.SearchResult;
import io.github.jbellis.jvector.graph.similarity.BuildScoreProvider;
import io.github.jbellis.jvector.graph.similarity.DefaultSearchScoreProvider;
import io.github.jbellis.jvector.util.Bits;
import io.github.jbellis.jvector.vector.VectorizationProvider;
import io.github.jbellis.jvector.vector.types.VectorFloat;
import io.github.jbellis.jvector.vector.types.VectorTypeSupport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ForkJoinPool;
import java.util.function.IntConsumer;
import org.apache.lucene.codecs.hnsw.DefaultFlatVectorScorer;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopKnnCollector;
import org.apache.lucene.util.hnsw.HnswGraphBuilder;
import org.apache.lucene.util.hnsw.HnswGraphSearcher;
import org.apache.lucene.util.hnsw.OnHeapHnswGraph;
import org.apache.lucene.util.hnsw.RandomAccessVectorValues;

/**
 * The rag suite's {@code ann-peers} case: Keel's IVF index against two HNSW graph indexes built over the
 * same clustered vectors in the same JVM — jvector's {@code GraphIndexBuilder} and Lucene's
 * {@code HnswGraphBuilder} (the graph Lucene's codec writes for {@code KnnFloatVectorField}).
 *
 * <p>Every index is built on one thread (jvector is given one-thread pools) so build times compare. Both
 * graphs use M=16 (Lucene's default) and build beam width 64 (both default to 100) over unit vectors with dot-product similarity
 * (cosine, as Keel's store uses). A graph's recall is set by its search beam (ef): the case picks, for
 * each graph, the smallest ef on a ladder that reaches recall@10 ≥ 0.95 on 100 calibration queries,
 * then reports recall and queries/s on 100 other queries — as Keel's IVF calibrates its probe count.
 * When Keel's default options leave the IVF inactive (it would scan more than 20% of the data), it is
 * also built without the scan cap, to show what the IVF itself would cost at that recall.
 * Not thread-safe; one instance per run.
 */
final class AnnPeers {
    private static final int K = 10;
    private static final int M = 16;
    private static final int BEAM = 64; // below both libraries' default of 100: keeps the two 100k builds within ~3 minutes
    private static final int[] EF_LADDER = {10, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512};
    private static final double TARGET_RECALL = 0.95;

    private final int dim;
    private final int n;
    private final double noise;
    private final double seconds;

    AnnPeers(int dim, int n, double noise, double seconds) {
        this.dim = dim;
        this.n = n;
        this.noise = noise;
        this.seconds = seconds;
    }

    void run() {
        // The same data as the ann case: 1000 unit cluster centres, noise of the given norm around them.
        int clusters = 1000;
        float[][] centers = RagSuite.randomUnit(clusters, 5);
        SplittableRandom rnd = new SplittableRandom(6);
        float[][] data = new float[n][];
        for (int i = 0; i < n; i++) {
            data[i] = RagSuite.jitter(centers[rnd.nextInt(clusters)], noise, rnd);
        }
        List<float[]> queries = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            queries.add(RagSuite.jitter(centers[rnd.nextInt(clusters)], noise, rnd));
        }
        List<float[]> measured = queries.subList(0, 100);
        List<float[]> calibration = queries.subList(100, 200);

        InMemoryVectorStore keel = InMemoryVectorStore.builder(dim).initialCapacity(n).build();
        List<Entry> batch = new ArrayList<>(10_000);
        for (int i = 0; i < n; i++) {
            batch.add(Entry.of(Integer.toString(i), data[i]));
            if (batch.size() == 10_000) {
                keel.upsertAll(batch);
                batch.clear();
            }
        }
        keel.upsertAll(batch);
        int[][] truth = new int[queries.size()][];
        for (int q = 0; q < queries.size(); q++) {
            truth[q] = ids(keel.searchExact(queries.get(q), K, Double.NEGATIVE_INFINITY, MetadataFilter.all()));
        }
        int[][] truthMeasured = java.util.Arrays.copyOfRange(truth, 0, 100);
        int[][] truthCalibration = java.util.Arrays.copyOfRange(truth, 100, 200);

        // Peers get unit vectors (their dot product is then the cosine); the arrays are shared by both.
        List<float[]> unit = new ArrayList<>(n);
        for (float[] v : data) {
            unit.add(normalized(v));
        }
        data = null;
        List<float[]> unitMeasured = measured.stream().map(AnnPeers::normalized).toList();
        List<float[]> unitCalibration = calibration.stream().map(AnnPeers::normalized).toList();

        // Keel IVF, default options.
        long t0 = System.nanoTime();
        AnnStatus status = keel.buildAnnIndex(AnnOptions.defaults());
        double keelBuild = (System.nanoTime() - t0) / 1e9;
        IntConsumer keelSearch = i -> keel.search(measured.get(i % measured.size()), K);
        double keelRecall = recall(truthMeasured, q -> ids(keel.search(measured.get(q), K)));

        // Keel IVF without the 20% scan cap: only when the default left it inactive.
        InMemoryVectorStore uncapped = null;
        AnnStatus uncappedStatus = null;
        double uncappedBuild = 0;
        if (!status.active()) {
            uncapped = InMemoryVectorStore.builder(dim).initialCapacity(n).build();
            List<Entry> all = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                all.add(Entry.of(Integer.toString(i), unit.get(i)));
            }
            uncapped.upsertAll(all);
            t0 = System.nanoTime();
            uncappedStatus = uncapped.buildAnnIndex(new AnnOptions(TARGET_RECALL, 0, 1.0, 10_000, 42));
            uncappedBuild = (System.nanoTime() - t0) / 1e9;
        }

        // jvector: one-thread pools so the build time compares with the single-threaded Keel and Lucene builds.
        VectorTypeSupport vts = VectorizationProvider.getInstance().getVectorTypeSupport();
        List<VectorFloat<?>> jvVectors = new ArrayList<>(n);
        for (float[] v : unit) {
            jvVectors.add(vts.createFloatVector(v));
        }
        var jvValues = new ListRandomAccessVectorValues(jvVectors, dim);
        var jvSimilarity = io.github.jbellis.jvector.vector.VectorSimilarityFunction.DOT_PRODUCT;
        ImmutableGraphIndex jvGraph;
        double jvBuild;
        ForkJoinPool one = new ForkJoinPool(1);
        try (GraphIndexBuilder builder = new GraphIndexBuilder(
                BuildScoreProvider.randomAccessScoreProvider(jvValues, jvSimilarity), dim, M, BEAM, 1.2f, 1.2f,
                true, true, one, one)) {
            t0 = System.nanoTime();
            jvGraph = builder.build(jvValues);
            jvBuild = (System.nanoTime() - t0) / 1e9;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            one.shutdown();
        }
        GraphSearcher jvSearcher = new GraphSearcher(jvGraph);
        List<VectorFloat<?>> jvMeasured = unitMeasured.stream().<VectorFloat<?>>map(vts::createFloatVector).toList();
        List<VectorFloat<?>> jvCalibration = unitCalibration.stream().<VectorFloat<?>>map(vts::createFloatVector)
                .toList();
        Searcher jv = (calibrating, q, ef) -> {
            VectorFloat<?> query = (calibrating ? jvCalibration : jvMeasured).get(q);
            SearchResult r = jvSearcher.search(DefaultSearchScoreProvider.exact(query, jvSimilarity,
                    jvValues), K, ef, 0f, 0f, Bits.ALL);
            int[] out = new int[r.getNodes().length];
            for (int i = 0; i < out.length; i++) {
                out[i] = r.getNodes()[i].node;
            }
            return out;
        };
        int jvEf = calibrate((q, ef) -> jv.search(true, q, ef), truthCalibration);
        double jvRecall = recall(truthMeasured, q -> jv.search(false, q, jvEf));

        // Lucene: the HNSW graph its codec builds for KnnFloatVectorField, built and searched directly.
        RandomAccessVectorValues.Floats luValues = RandomAccessVectorValues.fromFloats(unit, dim);
        var luSimilarity = VectorSimilarityFunction.DOT_PRODUCT;
        OnHeapHnswGraph luGraph;
        double luBuild;
        try {
            t0 = System.nanoTime();
            luGraph = HnswGraphBuilder.create(DefaultFlatVectorScorer.INSTANCE.getRandomVectorScorerSupplier(
                    luSimilarity, luValues), M, BEAM, 42).build(n);
            luBuild = (System.nanoTime() - t0) / 1e9;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Searcher lu = (calibrating, q, ef) -> {
            try {
                TopKnnCollector collector = new TopKnnCollector(ef, Integer.MAX_VALUE);
                HnswGraphSearcher.search(DefaultFlatVectorScorer.INSTANCE.getRandomVectorScorer(luSimilarity,
                        luValues, (calibrating ? unitCalibration : unitMeasured).get(q)), collector, luGraph, null);
                ScoreDoc[] docs = collector.topDocs().scoreDocs; // best first
                int[] out = new int[Math.min(K, docs.length)];
                for (int i = 0; i < out.length; i++) {
                    out[i] = docs[i].doc;
                }
                return out;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
        int luEf = calibrate((q, ef) -> lu.search(true, q, ef), truthCalibration);
        double luRecall = recall(truthMeasured, q -> lu.search(false, q, luEf));

        // Exact search as the common yardstick; all measured round-robin in the same rounds.
        InMemoryVectorStore uncappedStore = uncapped;
        List<IntConsumer> ops = new ArrayList<>(List.of(keelSearch,
                i -> jv.search(false, i % 100, jvEf),
                i -> lu.search(false, i % 100, luEf),
                i -> keel.searchExact(measured.get(i % 100), K, Double.NEGATIVE_INFINITY, MetadataFilter.all())));
        if (uncappedStore != null) {
            ops.add(i -> uncappedStore.search(unitMeasured.get(i % 100), K));
        }
        double[] qps = RagSuite.interleaved(seconds, ops.toArray(IntConsumer[]::new));
        double keelQps = qps[0];
        double jvQps = qps[1];
        double luQps = qps[2];
        double exactQps = qps[3];

        String label = "noise=" + noise + " n=" + RagSuite.size(n);
        RagSuite.line("ann-peers keel-ivf", label, "active=" + status.active(), "lists=" + status.lists(),
                "probes=" + status.probes(), "build_s=" + RagSuite.f(keelBuild), "recall=" + RagSuite.f3(keelRecall),
                "qps=" + RagSuite.f(keelQps), "exact_qps=" + RagSuite.f(exactQps),
                "vs_exact=" + RagSuite.f(keelQps / exactQps));
        if (uncappedStore != null) {
            double uncappedRecall = recall(truthMeasured, q -> ids(uncappedStore.search(unitMeasured.get(q), K)));
            double uncappedQps = qps[4];
            RagSuite.line("ann-peers keel-ivf-uncapped", label, "active=" + uncappedStatus.active(),
                    "lists=" + uncappedStatus.lists(), "probes=" + uncappedStatus.probes(),
                    "scan=" + RagSuite.f3(uncappedStatus.scanFraction()), "build_s=" + RagSuite.f(uncappedBuild),
                    "recall=" + RagSuite.f3(uncappedRecall), "qps=" + RagSuite.f(uncappedQps),
                    "vs_exact=" + RagSuite.f(uncappedQps / exactQps), "speedup_vs_jvector=" + RagSuite.f(uncappedQps / jvQps),
                    "speedup_vs_lucene=" + RagSuite.f(uncappedQps / luQps));
        }
        RagSuite.line("ann-peers jvector", label, "version=4.0.2", "simd=" + VectorizationProvider.getInstance()
                        .getClass().getSimpleName(), "M=" + M, "beam=" + BEAM, "ef=" + jvEf,
                "build_s=" + RagSuite.f(jvBuild), "recall=" + RagSuite.f3(jvRecall), "qps=" + RagSuite.f(jvQps),
                "vs_exact=" + RagSuite.f(jvQps / exactQps), "keel_qps=" + RagSuite.f(keelQps),
                "speedup=" + RagSuite.f(keelQps / jvQps), "build_speedup=" + RagSuite.f(jvBuild / keelBuild));
        RagSuite.line("ann-peers lucene-hnsw", label, "version=" + org.apache.lucene.util.Version.LATEST,
                "M=" + M, "beam=" + BEAM, "ef=" + luEf, "build_s=" + RagSuite.f(luBuild),
                "recall=" + RagSuite.f3(luRecall), "qps=" + RagSuite.f(luQps), "vs_exact=" + RagSuite.f(luQps / exactQps),
                "keel_qps=" + RagSuite.f(keelQps), "speedup=" + RagSuite.f(keelQps / luQps),
                "build_speedup=" + RagSuite.f(luBuild / keelBuild));
    }

    /** A graph search: the top-{@value K} node ordinals of calibration or measured query {@code q}, beam {@code ef}. */
    @FunctionalInterface
    private interface Searcher {
        int[] search(boolean calibrating, int q, int ef);
    }

    @FunctionalInterface
    private interface EfSearch {
        int[] search(int q, int ef);
    }

    @FunctionalInterface
    private interface QuerySearch {
        int[] search(int q);
    }

    /** The smallest ef on the ladder whose recall on the calibration queries reaches the target. */
    private static int calibrate(EfSearch search, int[][] truth) {
        for (int ef : EF_LADDER) {
            if (recall(truth, q -> search.search(q, ef)) >= TARGET_RECALL) {
                return ef;
            }
        }
        return EF_LADDER[EF_LADDER.length - 1];
    }

    private static double recall(int[][] truth, QuerySearch search) {
        int found = 0;
        for (int q = 0; q < truth.length; q++) {
            int[] got = search.search(q);
            for (int id : got) {
                for (int t : truth[q]) {
                    if (t == id) {
                        found++;
                        break;
                    }
                }
            }
        }
        return found / (double) (K * truth.length);
    }

    private static int[] ids(List<Hit> hits) {
        int[] out = new int[hits.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = Integer.parseInt(hits.get(i).id());
        }
        return out;
    }

    private static float[] normalized(float[] v) {
        double norm = 0;
        for (float x : v) {
            norm += x * x;
        }
        float scale = (float) (1 / Math.sqrt(norm));
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i] * scale;
        }
        return out;
    }
}
