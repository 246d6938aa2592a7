package dev.keel.rag.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

class VectorStorePropertiesTest {

    private static float[] random(Random rnd, int dim) {
        float[] v = new float[dim];
        for (int i = 0; i < dim; i++) {
            v[i] = (float) rnd.nextGaussian();
        }
        return v;
    }

    private static final String[] COLORS = {"red", "green", "blue"};

    /**
     * Random store contents (including replaced and deleted ids); every query's hits must equal the
     * brute-force answer: same scores in the same order, and ids matching wherever scores are not tied.
     */
    @Property(tries = 60)
    void searchEqualsBruteForce(@ForAll long seed, @ForAll @IntRange(min = 1, max = 70) int dim,
                                @ForAll @IntRange(min = 0, max = 400) int count,
                                @ForAll @IntRange(min = 1, max = 20) int k,
                                @ForAll @IntRange(min = 0, max = 2) int metricIndex,
                                @ForAll @IntRange(min = 0, max = 3) int filterKind,
                                @ForAll boolean withMinScore) {
        Random rnd = new Random(seed);
        Metric metric = Metric.values()[metricIndex];
        InMemoryVectorStore store = InMemoryVectorStore.builder(dim).metric(metric).build();
        Map<String, float[]> data = new LinkedHashMap<>();
        Map<String, Map<String, String>> meta = new HashMap<>();
        List<Entry> batch = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String id = "id" + rnd.nextInt(Math.max(1, count)); // duplicates exercise replacement
            float[] v = random(rnd, dim);
            Map<String, String> m = Map.of("color", COLORS[rnd.nextInt(3)]);
            batch.add(new Entry(id, v, "text " + id, m));
            data.put(id, v);
            meta.put(id, m);
            if (batch.size() == 37) {
                store.upsertAll(batch);
                batch.clear();
            }
        }
        store.upsertAll(batch);
        for (String id : new ArrayList<>(data.keySet())) {
            if (rnd.nextInt(5) == 0) {
                assertThat(store.delete(id)).isTrue();
                data.remove(id);
            }
        }
        assertThat(store.size()).isEqualTo(data.size());
        MetadataFilter filter = switch (filterKind) {
            case 0 -> MetadataFilter.all();
            case 1 -> MetadataFilter.eq("color", "red");
            case 2 -> MetadataFilter.eq("color", "red").or(MetadataFilter.eq("color", "blue")).negate();
            default -> MetadataFilter.in("color", java.util.Set.of("green", "blue"));
        };
        List<float[]> queries = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            queries.add(random(rnd, dim));
        }
        double minScore = withMinScore ? (metric == Metric.EUCLIDEAN ? 0.08 : 0.1) : Double.NEGATIVE_INFINITY;
        List<List<Hit>> batched = store.searchAll(queries, k, minScore, filter);
        for (int qi = 0; qi < queries.size(); qi++) {
            float[] q = queries.get(qi);
            List<Hit> hits = store.search(q, k, minScore, filter);
            // one more than k, so that a tie between the k-th hit and the first one left out is seen as a tie
            List<BruteForce.Scored> ranked = BruteForce.search(metric, data, meta, q, k + 1, minScore, filter);
            assertSame(hits, ranked, k, minScore);
            assertSame(batched.get(qi), ranked, k, minScore);
        }
    }

    private static void assertSame(List<Hit> hits, List<BruteForce.Scored> ranked, int k, double minScore) {
        List<BruteForce.Scored> expected = ranked.subList(0, Math.min(k, ranked.size()));
        // scores within float rounding of the exact ones; a tie at the boundary may change which ids appear
        assertThat(hits.size()).isBetween(expected.size() - (expected.isEmpty() ? 0 : 1), expected.size());
        for (int i = 0; i < hits.size(); i++) {
            double tolerance = 1e-4 * Math.max(1, Math.abs(expected.get(i).score()));
            assertThat(hits.get(i).score()).isCloseTo(expected.get(i).score(), within(tolerance));
            boolean tied = (i > 0 && Math.abs(expected.get(i - 1).score() - expected.get(i).score()) < 2 * tolerance)
                    || (i + 1 < ranked.size()
                    && Math.abs(ranked.get(i + 1).score() - expected.get(i).score()) < 2 * tolerance);
            if (!tied) {
                assertThat(hits.get(i).id()).isEqualTo(expected.get(i).id());
            }
        }
        if (hits.size() < expected.size()) {
            // only a hit scoring at the min-score boundary may be lost to float rounding
            BruteForce.Scored missing = expected.get(hits.size());
            assertThat(missing.score()).isCloseTo(minScore, within(1e-4));
        }
    }

    @Property(tries = 25)
    void saveLoadRoundTrip(@ForAll long seed, @ForAll @IntRange(min = 1, max = 40) int dim,
                           @ForAll @IntRange(min = 0, max = 300) int count,
                           @ForAll @IntRange(min = 0, max = 2) int metricIndex) throws IOException {
        Random rnd = new Random(seed);
        Metric metric = Metric.values()[metricIndex];
        InMemoryVectorStore store = InMemoryVectorStore.builder(dim).metric(metric).build();
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Map<String, String> m = rnd.nextBoolean() ? Map.of() : Map.of("k" + rnd.nextInt(3), "välue ✓ " + i);
            entries.add(new Entry("id-" + i + "-é", random(rnd, dim), rnd.nextBoolean() ? "" : "text ü " + i, m));
        }
        store.upsertAll(entries);
        Path dir = Files.createTempDirectory("keel-store");
        try {
            Path file = dir.resolve("store.kvec");
            store.save(file);
            try (InMemoryVectorStore loaded = InMemoryVectorStore.load(file)) {
                assertThat(loaded.size()).isEqualTo(count);
                assertThat(loaded.metric()).isEqualTo(metric);
                assertThat(loaded.dimension()).isEqualTo(dim);
                for (Entry e : entries) {
                    assertThat(loaded.get(e.id())).isEqualTo(store.get(e.id()));
                }
                float[] q = random(rnd, dim);
                assertThat(loaded.search(q, 5)).isEqualTo(store.search(q, 5));
            }
            try (var files = Files.list(dir)) {
                assertThat(files.map(p -> p.getFileName().toString())).containsExactly("store.kvec");
            }
        } finally {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.delete(p);
                }
            }
            Files.delete(dir);
        }
    }
}
