package dev.keel.rag.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InMemoryVectorStoreTest {

    @TempDir
    Path dir;

    private static float[] v(float... xs) {
        return xs;
    }

    @Test
    void cosineDotAndEuclideanRankAndScore() {
        InMemoryVectorStore cosine = VectorStore.inMemory(2);
        cosine.upsertAll(List.of(Entry.of("east", v(1, 0)), Entry.of("north", v(0, 5)), Entry.of("ne", v(3, 3))));
        List<Hit> hits = cosine.search(v(2, 0), 3);
        assertThat(hits).extracting(Hit::id).containsExactly("east", "ne", "north");
        assertThat(hits.get(0).score()).isCloseTo(1.0, within(1e-6));
        assertThat(hits.get(1).score()).isCloseTo(Math.sqrt(0.5), within(1e-6));
        assertThat(cosine.search(v(2, 0), 3, 0.5, MetadataFilter.all())).hasSize(2);

        InMemoryVectorStore dot = InMemoryVectorStore.builder(2).metric(Metric.DOT_PRODUCT).build();
        dot.upsertAll(List.of(Entry.of("east", v(1, 0)), Entry.of("far-east", v(10, 1))));
        assertThat(dot.search(v(1, 0), 1).get(0)).satisfies(h -> {
            assertThat(h.id()).isEqualTo("far-east");
            assertThat(h.score()).isCloseTo(10, within(1e-6));
        });

        InMemoryVectorStore l2 = InMemoryVectorStore.builder(2).metric(Metric.EUCLIDEAN).build();
        l2.upsertAll(List.of(Entry.of("origin", v(0, 0)), Entry.of("far", v(3, 4))));
        List<Hit> near = l2.search(v(0, 0), 2);
        assertThat(near).extracting(Hit::id).containsExactly("origin", "far");
        assertThat(near.get(1).score()).isCloseTo(1.0 / 6, within(1e-6));
        assertThat(l2.search(v(0, 0), 2, 0.5, MetadataFilter.all())).extracting(Hit::id).containsExactly("origin");
    }

    @Test
    void upsertReplacesGetReturnsDeleteRemoves() {
        InMemoryVectorStore store = VectorStore.inMemory(3);
        store.upsert(new Entry("a", v(1, 0, 0), "first", Map.of("source", "a.md")));
        store.upsert(new Entry("b", v(0, 1, 0), "second", Map.of()));
        store.upsert(new Entry("a", v(0, 0, 2), "replaced", Map.of("source", "a2.md")));
        assertThat(store.size()).isEqualTo(2);
        Entry a = store.get("a").orElseThrow();
        assertThat(a.text()).isEqualTo("replaced");
        assertThat(a.vector()).containsExactly(0, 0, 1); // cosine stores keep unit vectors
        Hit hit = store.search(v(0, 0, 1), 1).get(0);
        assertThat(hit.sourceId()).isEqualTo("a2.md");
        assertThat(hit.text()).isEqualTo("replaced");
        assertThat(store.delete("a")).isTrue();
        assertThat(store.delete("a")).isFalse();
        assertThat(store.get("a")).isEmpty();
        assertThat(store.search(v(0, 0, 1), 5)).extracting(Hit::id).containsExactly("b");
        assertThat(store.ids()).containsExactly("b");
    }

    @Test
    void badVectorsAreRejectedAndNothingIsStored() {
        InMemoryVectorStore store = VectorStore.inMemory(3);
        List<Entry> batch = List.of(Entry.of("ok", v(1, 2, 3)), Entry.of("bad", v(1, Float.NaN, 3)));
        assertThatThrownBy(() -> store.upsertAll(batch)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("entry 'bad' has NaN at index 1; only finite components are allowed");
        assertThat(store.size()).isZero();
        assertThatThrownBy(() -> store.upsert(Entry.of("inf", v(Float.POSITIVE_INFINITY, 0, 0))))
                .hasMessageContaining("Infinity at index 0");
        assertThatThrownBy(() -> store.upsert(Entry.of("short", v(1, 2))))
                .hasMessage("entry 'short' has 2 dimensions; this store holds 3-dimensional vectors");
        assertThatThrownBy(() -> store.upsert(Entry.of("zero", v(0, 0, 0))))
                .hasMessageContaining("zero vector");
        assertThatThrownBy(() -> store.search(v(1, 2), 3)).hasMessageContaining("query has 2 dimensions");
        assertThatThrownBy(() -> store.search(v(1, 2, 3), 0)).hasMessageContaining("k must be at least 1");
        assertThatThrownBy(() -> InMemoryVectorStore.builder(0)).isInstanceOf(IllegalArgumentException.class);
        assertThat(store.size()).isZero();
    }

    @Test
    void metadataFilterAppliesBeforeTopK() {
        InMemoryVectorStore store = VectorStore.inMemory(2);
        for (int i = 0; i < 50; i++) {
            store.upsert(new Entry("e" + i, v(1, i * 0.01f), "", Map.of("team", i % 10 == 0 ? "a" : "b")));
        }
        List<Hit> hits = store.search(v(1, 0), 3, -1, MetadataFilter.eq("team", "a"));
        assertThat(hits).extracting(Hit::id).containsExactly("e0", "e10", "e20");
    }

    @Test
    void int8ScanWithRerankKeepsRecallAndExactScores() {
        Random rnd = new Random(7);
        int dim = 64;
        InMemoryVectorStore exact = VectorStore.inMemory(dim);
        InMemoryVectorStore int8 = InMemoryVectorStore.builder(dim).int8(4).build();
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            float[] x = new float[dim];
            for (int d = 0; d < dim; d++) {
                x[d] = (float) rnd.nextGaussian();
            }
            entries.add(Entry.of("e" + i, x));
        }
        exact.upsertAll(entries);
        int8.upsertAll(entries);
        int found = 0;
        for (int qi = 0; qi < 50; qi++) {
            float[] q = new float[dim];
            for (int d = 0; d < dim; d++) {
                q[d] = (float) rnd.nextGaussian();
            }
            List<String> truth = exact.search(q, 10).stream().map(Hit::id).toList();
            List<Hit> approx = int8.search(q, 10);
            found += (int) approx.stream().filter(h -> truth.contains(h.id())).count();
            for (Hit h : approx) { // re-ranked scores are exact fp32 scores
                assertThat(h.score()).isCloseTo(exact.search(q, 3000).stream().filter(e -> e.id().equals(h.id()))
                        .findFirst().orElseThrow().score(), within(1e-5));
            }
        }
        assertThat(found / 500.0).isGreaterThanOrEqualTo(0.99);
        assertThat(int8.isInt8()).isTrue();
    }

    @Test
    void searchesDuringUpsertsSeeWholeBatches() throws Exception {
        int dim = 16;
        InMemoryVectorStore store = VectorStore.inMemory(dim);
        AtomicBoolean done = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            // batch b: 8 copies of basis vector b; a search for basis b must see 0 or 8 of them, never some
            Future<?> writer = pool.submit(() -> {
                for (int b = 0; b < dim; b++) {
                    List<Entry> batch = new ArrayList<>();
                    for (int c = 0; c < 8; c++) {
                        float[] x = new float[dim];
                        x[b] = 1;
                        batch.add(Entry.of("b" + b + "-" + c, x));
                    }
                    store.upsertAll(batch);
                }
                done.set(true);
            });
            List<Future<Integer>> readers = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                readers.add(pool.submit(() -> {
                    int checks = 0;
                    while (!done.get() || checks < 50) {
                        for (int b = 0; b < dim; b++) {
                            float[] q = new float[dim];
                            q[b] = 1;
                            long exact = store.search(q, 16, 0.99, MetadataFilter.all()).size();
                            assertThat(exact).isIn(0L, 8L);
                            checks++;
                        }
                    }
                    return checks;
                }));
            }
            writer.get(30, TimeUnit.SECONDS);
            for (Future<Integer> reader : readers) {
                assertThat(reader.get(30, TimeUnit.SECONDS)).isPositive();
            }
            assertThat(store.size()).isEqualTo(dim * 8);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void corruptOrTruncatedFilesAreRejected() throws IOException {
        InMemoryVectorStore store = VectorStore.inMemory(4);
        store.upsert(new Entry("a", v(1, 2, 3, 4), "text", Map.of("source", "s")));
        store.upsert(Entry.of("b", v(4, 3, 2, 1)));
        Path file = dir.resolve("s.kvec");
        store.save(file);
        byte[] good = Files.readAllBytes(file);
        assertThat(good.length).isEqualTo(64 + 2 * 4 * 4 + recordsLength(good) + 8);
        assertThat(recordsLength(good)).isEqualTo((1 + 1 + 1 + 4 + 1 + 1 + 6 + 1 + 1) + (1 + 1 + 1 + 1));

        Path flipped = dir.resolve("flipped.kvec");
        byte[] bad = good.clone();
        bad[70] ^= 1; // inside the vectors
        Files.write(flipped, bad);
        assertThatThrownBy(() -> InMemoryVectorStore.load(flipped)).isInstanceOf(CorruptStoreFileException.class)
                .hasMessageContaining("payload checksum mismatch");

        Path truncated = dir.resolve("truncated.kvec");
        Files.write(truncated, java.util.Arrays.copyOf(good, good.length - 3));
        assertThatThrownBy(() -> InMemoryVectorStore.load(truncated)).isInstanceOf(CorruptStoreFileException.class)
                .hasMessageContaining("truncated");

        Path header = dir.resolve("header.kvec");
        byte[] badHeader = good.clone();
        badHeader[20] = 9; // count
        Files.write(header, badHeader);
        assertThatThrownBy(() -> InMemoryVectorStore.load(header)).hasMessageContaining("header checksum mismatch");

        Path other = dir.resolve("other.kvec");
        Files.writeString(other, "definitely not a vector store file, but long enough to have a header......");
        assertThatThrownBy(() -> InMemoryVectorStore.load(other)).hasMessageContaining("bad magic");

        Path tiny = dir.resolve("tiny.kvec");
        Files.write(tiny, new byte[10]);
        assertThatThrownBy(() -> InMemoryVectorStore.load(tiny)).hasMessageContaining("truncated");

        assertThatThrownBy(() -> InMemoryVectorStore.load(dir.resolve("missing.kvec")))
                .isInstanceOf(VectorStoreException.class).hasMessageContaining("does not exist");

        // a well-formed file (valid checksums) that repeats an id is rejected too
        byte[] duplicate = good.clone();
        int records = 64 + 2 * 4 * 4;
        int secondId = records + 17 + 1; // entry "a" takes 17 bytes; then length 1, then the id byte
        assertThat((char) duplicate[secondId]).isEqualTo('b');
        duplicate[secondId] = 'a';
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(duplicate, 64, duplicate.length - 64 - 8);
        java.nio.ByteBuffer.wrap(duplicate).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .putInt(duplicate.length - 8, (int) crc.getValue());
        Path dup = dir.resolve("dup.kvec");
        Files.write(dup, duplicate);
        assertThatThrownBy(() -> InMemoryVectorStore.load(dup)).isInstanceOf(CorruptStoreFileException.class)
                .hasMessageContaining("duplicate id 'a'");

        assertThat(InMemoryVectorStore.load(file).get("a").orElseThrow().text()).isEqualTo("text");
    }

    @Test
    void saveReplacesAtomicallyAndLeavesNoTemporaryFiles() throws IOException {
        Path file = dir.resolve("s.kvec");
        InMemoryVectorStore first = VectorStore.inMemory(2);
        first.upsert(Entry.of("one", v(1, 0)));
        first.save(file);
        InMemoryVectorStore second = VectorStore.inMemory(2);
        second.upsert(Entry.of("two", v(0, 1)));
        second.save(file);
        assertThat(InMemoryVectorStore.load(file).ids()).containsExactly("two");
        try (var files = Files.list(dir)) {
            assertThat(files).hasSize(1);
        }
        // a directory in the way makes the save fail; the existing file stays intact
        Path blocked = dir.resolve("blocked");
        Files.createDirectories(blocked.resolve("child"));
        assertThatThrownBy(() -> second.save(blocked)).isInstanceOf(VectorStoreException.class)
                .hasMessageContaining("could not save");
        assertThat(InMemoryVectorStore.load(file).ids()).containsExactly("two");
    }

    @Test
    void loadedStoreSearchesInPlaceUntilTheFirstWrite() {
        Random rnd = new Random(1);
        InMemoryVectorStore store = VectorStore.inMemory(8);
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < 700; i++) { // more than one mapped block
            float[] x = new float[8];
            for (int d = 0; d < 8; d++) {
                x[d] = (float) rnd.nextGaussian();
            }
            entries.add(new Entry("e" + i, x, "t" + i, Map.of("n", "" + i % 3)));
        }
        store.upsertAll(entries);
        Path file = dir.resolve("m.kvec");
        store.save(file);
        InMemoryVectorStore loaded = InMemoryVectorStore.load(file);
        assertThat(loaded.isMapped()).isTrue();
        assertThat(loaded.toString()).contains("mapped");
        float[] q = entries.get(5).vector();
        assertThat(loaded.search(q, 7)).isEqualTo(store.search(q, 7));
        assertThat(loaded.searchAll(List.of(q, q, q, q, q), 7, 0.1, MetadataFilter.eq("n", "1")))
                .isEqualTo(store.searchAll(List.of(q, q, q, q, q), 7, 0.1, MetadataFilter.eq("n", "1")));
        // saving a mapped store over its own file works
        loaded.save(file);
        assertThat(InMemoryVectorStore.load(file).search(q, 3)).isEqualTo(store.search(q, 3));
        loaded.upsert(Entry.of("new", q));
        assertThat(loaded.isMapped()).isFalse();
        assertThat(loaded.size()).isEqualTo(701);
        assertThat(loaded.get("e699")).isEqualTo(store.get("e699"));
        assertThat(loaded.delete("e0")).isTrue();
        assertThat(loaded.search(q, 2)).extracting(Hit::id).containsExactlyInAnyOrder("new", "e5");
    }

    private static int recordsLength(byte[] file) {
        return (int) java.nio.ByteBuffer.wrap(file).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong(24);
    }

    @Test
    void toStringNamesKernelAndSize() {
        InMemoryVectorStore store = VectorStore.inMemory(2);
        store.upsert(Entry.of("x", v(1, 1)));
        assertThat(store.toString()).contains("size=1").contains("kernel=");
    }
}
