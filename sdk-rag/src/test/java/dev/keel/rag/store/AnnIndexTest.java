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
        AnnStatus status = store.buildAnnIndex(AnnOptions.defaults().withTargetRecall(0.99));
        assertThat(status.active()).isFalse();
        assertThat(status.reason()).contains("not reached");
        float[] q = gaussian(rnd);
        assertThat(store.search(q, 10)).isEqualTo(store.searchExact(q, 10, Double.NEGATIVE_INFINITY,
                MetadataFilter.all()));
        assertThat(VectorStore.inMemory(DIM).buildAnnIndex(AnnOptions.defaults()).reason()).contains("under minSize");
    }
}
