package dev.keel.rag.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AnnIndexTest {
    private static final int DIM = 32;

    private static float[] near(Random rnd, float[] center, double spread) {
        float[] v = new float[DIM];
        for (int d = 0; d < DIM; d++) {
            v[d] = (float) (center[d] + spread * rnd.nextGaussian());
        }
        return v;
    }

    private static float[] gaussian(Random rnd) {
        return near(rnd, new float[DIM], 1);
    }

    private static double recall(InMemoryVectorStore store, List<float[]> queries) {
        int found = 0;
        for (float[] q : queries) {
            List<String> truth = store.searchExact(q, 10, Double.NEGATIVE_INFINITY, MetadataFilter.all())
                    .stream().map(Hit::id).toList();
            found += (int) store.search(q, 10).stream().filter(h -> truth.contains(h.id())).count();
        }
        return found / (10.0 * queries.size());
    }

    @Test
    void clusteredDataGetsAnActiveIndexThatKeepsRecallThroughUpdates() {
        Random rnd = new Random(11);
        List<float[]> centers = new ArrayList<>();
        for (int c = 0; c < 60; c++) {
            centers.add(gaussian(rnd));
        }
        InMemoryVectorStore store = VectorStore.inMemory(DIM);
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < 12_000; i++) {
            entries.add(new Entry("e" + i, near(rnd, centers.get(i % 60), 0.15), "", Map.of("c", "" + (i % 60))));
        }
        store.upsertAll(entries);
        AnnStatus status = store.buildAnnIndex(AnnOptions.defaults());
        assertThat(status.active()).as(status.reason()).isTrue();
        assertThat(status.measuredRecall()).isGreaterThanOrEqualTo(0.95);
        assertThat(status.scanFraction()).isLessThan(0.2);
        assertThat(store.toString()).contains("ann=");

        List<float[]> queries = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            queries.add(near(rnd, centers.get(rnd.nextInt(60)), 0.15));
        }
        assertThat(recall(store, queries)).isGreaterThanOrEqualTo(0.93);

        // deletes (which move rows) and upserts keep the index in step with the store
        for (int i = 0; i < 3000; i++) {
            assertThat(store.delete("e" + rnd.nextInt(12_000) + "")).isIn(true, false);
        }
        float[] fresh = near(rnd, centers.get(5), 0.15);
        store.upsert(Entry.of("fresh", fresh));
        store.upsert(new Entry("e3", near(rnd, centers.get(7), 0.15), "", Map.of("c", "7")));
        assertThat(store.search(fresh, 1).get(0).id()).isEqualTo("fresh");
        for (float[] q : queries) {
            for (Hit h : store.search(q, 10)) {
                assertThat(store.get(h.id())).isPresent();
            }
        }
        assertThat(recall(store, queries)).isGreaterThanOrEqualTo(0.93);

        // a filter that leaves fewer than k in the probed lists falls back to exact search
        List<Hit> filtered = store.search(queries.get(0), 5, -1, MetadataFilter.eq("c", "59"));
        assertThat(filtered).hasSize(5).allSatisfy(h -> assertThat(h.metadata()).containsEntry("c", "59"));
        assertThat(filtered).isEqualTo(store.searchExact(queries.get(0), 5, -1, MetadataFilter.eq("c", "59")));
    }

    @Test
    void randomDataThatDefeatsTheIndexStaysExact() {
        Random rnd = new Random(5);
        InMemoryVectorStore store = VectorStore.inMemory(DIM);
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < 12_000; i++) {
            entries.add(Entry.of("e" + i, gaussian(rnd)));
        }
        store.upsertAll(entries);
        AnnStatus status = store.buildAnnIndex(AnnOptions.defaults().withTargetRecall(0.99).withGraphFallback(false));
        assertThat(status.active()).isFalse();
        assertThat(status.index()).isEqualTo(AnnStatus.Index.EXACT);
        assertThat(status.reason()).contains("not reached");
        float[] q = gaussian(rnd);
        assertThat(store.search(q, 10)).isEqualTo(store.searchExact(q, 10, Double.NEGATIVE_INFINITY,
                MetadataFilter.all()));
        assertThat(VectorStore.inMemory(DIM).buildAnnIndex(AnnOptions.defaults()).reason()).contains("under minSize");
    }

    @Test
    void whereTheIvfIsInactiveAGraphTakesOverWithTheRecallCheckAndAWriteDropsIt() {
        Random rnd = new Random(7);
        InMemoryVectorStore store = VectorStore.inMemory(DIM);
        List<float[]> centres = new ArrayList<>();
        for (int c = 0; c < 300; c++) {
            centres.add(gaussian(rnd));
        }
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < 12_000; i++) {
            // heavily overlapping clusters: the IVF needs most lists for the recall target
            entries.add(new Entry("e" + i, near(rnd, centres.get(i % 300), 1.2), "", Map.of("c", Integer.toString(i % 7))));
        }
        store.upsertAll(entries);
        AnnStatus ivfOnly = store.buildAnnIndex(AnnOptions.defaults().withGraphFallback(false));
        assertThat(ivfOnly.active()).as(ivfOnly.reason()).isFalse();

        AnnStatus status = store.buildAnnIndex(AnnOptions.defaults());
        assertThat(status.active()).as(status.reason()).isTrue();
        assertThat(status.index()).isEqualTo(AnnStatus.Index.GRAPH);
        assertThat(status.measuredRecall()).isGreaterThanOrEqualTo(0.95);
        assertThat(status.scanFraction()).isLessThanOrEqualTo(0.2);
        assertThat(status.reason()).contains("IVF: recall target").contains("HNSW graph");
        assertThat(store.toString()).contains("hnsw");
        List<float[]> queries = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            queries.add(near(rnd, centres.get(rnd.nextInt(300)), 1.2)); // fresh points, not calibration ones
        }
        assertThat(recall(store, queries)).isGreaterThanOrEqualTo(0.93);
        // a filter is applied inside the graph walk; results are exact where enough pass
        List<Hit> filtered = store.search(queries.get(0), 5, Double.NEGATIVE_INFINITY, MetadataFilter.eq("c", "3"));
        assertThat(filtered).hasSize(5).allSatisfy(h -> assertThat(h.metadata()).containsEntry("c", "3"));
        // a score limit that the graph's candidates cannot fill is answered exactly
        double third = store.searchExact(queries.get(1), 3, Double.NEGATIVE_INFINITY, MetadataFilter.all()).get(2).score();
        List<Hit> strict = store.searchExact(queries.get(1), 10, third, MetadataFilter.all());
        assertThat(strict).hasSize(3);
        assertThat(store.search(queries.get(1), 10, third, MetadataFilter.all())).isEqualTo(strict);

        // concurrent searches walk the shared graph through their own cursors: same answers as one at a time
        List<List<Hit>> sequential = queries.stream().map(q -> store.search(q, 10)).toList();
        List<List<Hit>> parallel = queries.parallelStream().map(q -> store.search(q, 10)).toList();
        assertThat(parallel).isEqualTo(sequential);

        store.upsert(Entry.of("fresh", queries.get(2)));
        assertThat(store.annStatus().active()).isFalse();
        assertThat(store.annStatus().reason()).contains("dropped by a write");
        assertThat(store.search(queries.get(2), 1).get(0).id()).isEqualTo("fresh");
        assertThat(store.search(queries.get(3), 10)).isEqualTo(store.searchExact(queries.get(3), 10,
                Double.NEGATIVE_INFINITY, MetadataFilter.all()));
    }
}
