package dev.keel.rag.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.keel.rag.store.Entry;
import dev.keel.rag.store.Hit;
import dev.keel.rag.store.InMemoryVectorStore;
import dev.keel.rag.store.MetadataFilter;
import dev.keel.rag.store.VectorStore;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.store.embedding.inmemory.InMemoryEmbeddingStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The adapter over LangChain4j's real InMemoryEmbeddingStore must answer like Keel's own store. */
class LangChain4jVectorStoreTest {

    @Test
    void behavesLikeTheKeelStore() {
        Random rnd = new Random(3);
        int dim = 24;
        LangChain4jVectorStore adapter = LangChain4jVectorStore.of(new InMemoryEmbeddingStore<TextSegment>(), dim);
        InMemoryVectorStore keel = VectorStore.inMemory(dim);
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            float[] v = new float[dim];
            for (int d = 0; d < dim; d++) {
                v[d] = (float) rnd.nextGaussian();
            }
            entries.add(new Entry("e" + i, v, "text " + i, Map.of("source", "s" + (i % 4), "n", "" + i)));
        }
        adapter.upsertAll(entries);
        keel.upsertAll(entries);
        for (int qi = 0; qi < 10; qi++) {
            float[] q = new float[dim];
            for (int d = 0; d < dim; d++) {
                q[d] = (float) rnd.nextGaussian();
            }
            MetadataFilter filter = qi % 2 == 0 ? MetadataFilter.all()
                    : MetadataFilter.in("source", java.util.Set.of("s1", "s2")).and(MetadataFilter.eq("n", "7").negate());
            List<Hit> expected = keel.search(q, 5, 0.1, filter);
            List<Hit> actual = adapter.search(q, 5, 0.1, filter);
            assertThat(actual).extracting(Hit::id).containsExactlyElementsOf(expected.stream().map(Hit::id).toList());
            for (int i = 0; i < actual.size(); i++) {
                assertThat(actual.get(i).score()).isCloseTo(expected.get(i).score(), within(1e-5));
                assertThat(actual.get(i).metadata()).isEqualTo(expected.get(i).metadata());
                assertThat(actual.get(i).text()).isEqualTo(expected.get(i).text());
            }
        }
        // upsert replaces, get finds, delete removes
        float[] v = new float[dim];
        v[0] = 1;
        adapter.upsert(new Entry("e1", v, "replaced", Map.of("source", "new")));
        Entry got = adapter.get("e1").orElseThrow();
        assertThat(got.text()).isEqualTo("replaced");
        assertThat(got.metadata()).isEqualTo(Map.of("source", "new"));
        assertThat(adapter.search(v, 1).get(0).id()).isEqualTo("e1");
        assertThat(adapter.delete("e1")).isTrue();
        assertThat(adapter.delete("e1")).isFalse();
        assertThat(adapter.get("e1")).isEmpty();
        assertThatThrownBy(() -> adapter.upsert(Entry.of("bad", new float[3]))).hasMessageContaining("3 dimensions");
        assertThatThrownBy(adapter::size).isInstanceOf(UnsupportedOperationException.class);
    }
}
