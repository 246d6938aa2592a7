package dev.keel.rag.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.keel.rag.store.Entry;
import dev.keel.testing.postgres.PostgresCluster;
import dev.keel.rag.store.Hit;
import dev.keel.rag.store.InMemoryVectorStore;
import dev.keel.rag.store.MetadataFilter;
import dev.keel.rag.store.VectorStore;
import dev.langchain4j.store.embedding.pgvector.PgVectorEmbeddingStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The LangChain4j adapter over LangChain4j's own pgvector store, on a real PostgreSQL 17 + pgvector
 * started for this class: it must rank, filter, score, replace and delete exactly like Keel's in-memory
 * store given the same data.
 */
class PgVectorStoreTest {
    private static final int DIM = 32;
    private static final int COUNT = 400;
    private static final String TABLE = "keel_adapter_test";

    private static PostgresCluster cluster;

    private LangChain4jVectorStore pg;
    private InMemoryVectorStore keel;

    @BeforeAll
    static void startCluster() {
        cluster = PostgresCluster.start();
        assertThat(cluster.psql(PostgresCluster.DATABASE, "SELECT extversion FROM pg_extension WHERE extname = 'vector'"))
                .matches("0\\.\\d+\\.\\d+");
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (cluster == null) {
            return;
        }
        Path dir = cluster.directory();
        cluster.close();
        cluster.close(); // twice is harmless
        assertThat(dir).doesNotExist();
        // Nothing of the root may stay mounted on the host.
        String root = PostgresCluster.root().toRealPath().toString();
        assertThat(Files.readAllLines(Path.of("/proc/mounts")))
                .noneMatch(line -> line.split(" ")[1].startsWith(root));
    }

    @BeforeEach
    void freshStores() {
        PgVectorEmbeddingStore backend = PgVectorEmbeddingStore.builder()
                .host("127.0.0.1").port(cluster.port()).database(PostgresCluster.DATABASE)
                .user(PostgresCluster.USER).password("unused-trust-auth")
                .table(TABLE).dimension(DIM).createTable(true).dropTableFirst(true)
                .useIndex(false) // exact search, so the ranking must equal brute force
                .build();
        pg = LangChain4jVectorStore.of(backend, DIM);
        keel = VectorStore.inMemory(DIM);
    }

    @Test
    void searchRanksFiltersAndScoresLikeTheKeelStore() {
        Random rnd = new Random(11);
        List<Entry> entries = entries(rnd, COUNT);
        pg.upsertAll(entries);
        keel.upsertAll(entries);
        assertThat(rows()).isEqualTo(COUNT);

        List<MetadataFilter> filters = List.of(
                MetadataFilter.all(),
                MetadataFilter.eq("source", "s2"),
                MetadataFilter.in("source", Set.of("s1", "s3")).and(MetadataFilter.eq("lang", "java").negate()),
                MetadataFilter.eq("lang", "kotlin").or(MetadataFilter.eq("source", "s0")));
        int[] ks = {1, 3, 10, 25};
        double[] minScores = {Double.NEGATIVE_INFINITY, 0.0, 0.25};
        int compared = 0;
        for (int qi = 0; qi < 24; qi++) {
            float[] q = vector(rnd);
            MetadataFilter filter = filters.get(qi % filters.size());
            int k = ks[qi % ks.length];
            double minScore = minScores[qi % minScores.length];
            List<Hit> expected = keel.search(q, k, minScore, filter);
            List<Hit> actual = pg.search(q, k, minScore, filter);
            assertSameHits(actual, expected, "query " + qi + " k=" + k + " min=" + minScore + " " + filter);
            for (Hit hit : actual) {
                assertThat(filter.test(hit.metadata())).isTrue();
                assertThat(hit.score()).isGreaterThanOrEqualTo(minScore);
            }
            compared += expected.size();
        }
        assertThat(compared).as("the queries must return hits to compare").isGreaterThan(100);
    }

    @Test
    void upsertReplacesGetFindsAndDeleteRemoves() {
        Random rnd = new Random(12);
        List<Entry> entries = entries(rnd, 100);
        pg.upsertAll(entries);
        keel.upsertAll(entries);

        float[] v = vector(rnd);
        Entry replacement = new Entry("e7", v, "replaced text", Map.of("source", "new", "lang", "go"));
        pg.upsert(replacement);
        keel.upsert(replacement);
        assertThat(rows()).as("an upsert replaces rather than adds").isEqualTo(100);
        Entry got = pg.get("e7").orElseThrow();
        assertThat(got.text()).isEqualTo("replaced text");
        assertThat(got.metadata()).isEqualTo(Map.of("source", "new", "lang", "go"));
        assertThat(got.vector()).containsExactly(keel.get("e7").orElseThrow().vector(), within(1e-6f));
        Hit best = pg.search(v, 1).get(0);
        assertThat(best.id()).isEqualTo("e7");
        assertThat(best.score()).isCloseTo(1.0, within(1e-5));

        assertThat(pg.delete("e7")).isTrue();
        assertThat(keel.delete("e7")).isTrue();
        assertThat(pg.delete("e7")).isFalse();
        assertThat(pg.get("e7")).isEmpty();
        assertThat(pg.get("never-there")).isEmpty();
        assertThat(rows()).isEqualTo(99);
        for (int qi = 0; qi < 6; qi++) {
            float[] q = qi == 0 ? v : vector(rnd);
            assertSameHits(pg.search(q, 10, -1, MetadataFilter.all()), keel.search(q, 10, -1, MetadataFilter.all()),
                    "after delete, query " + qi);
        }
    }

    @Test
    void withAnHnswIndexTheAdapterStillFindsTheTrueNeighbours() {
        Random rnd = new Random(14);
        List<Entry> entries = entries(rnd, COUNT);
        pg.upsertAll(entries);
        keel.upsertAll(entries);
        cluster.psql(PostgresCluster.DATABASE, "CREATE INDEX keel_hnsw ON " + TABLE
                + " USING hnsw (embedding vector_cosine_ops)");
        float[] probe = vector(rnd);
        StringBuilder literal = new StringBuilder("[");
        for (int d = 0; d < DIM; d++) {
            literal.append(d == 0 ? "" : ",").append(probe[d]);
        }
        String plan = cluster.psql(PostgresCluster.DATABASE, "SET enable_seqscan = off; EXPLAIN SELECT embedding_id FROM "
                + TABLE + " ORDER BY embedding <=> '" + literal + "]' LIMIT 10");
        assertThat(plan).contains("keel_hnsw");
        int found = 0;
        int queries = 20;
        for (int qi = 0; qi < queries; qi++) {
            float[] q = qi == 0 ? probe : vector(rnd);
            Set<String> truth = new java.util.HashSet<>();
            keel.search(q, 10).forEach(h -> truth.add(h.id()));
            for (Hit hit : pg.search(q, 10)) {
                assertThat(hit.score()).isCloseTo(keel.get(hit.id()).map(e -> cosine(e.vector(), q)).orElseThrow(), within(1e-5));
                if (truth.contains(hit.id())) {
                    found++;
                }
            }
        }
        assertThat(found / (10.0 * queries)).as("recall@10 through pgvector").isGreaterThanOrEqualTo(0.9);
    }

    @Test
    void badInputWritesNothing() {
        List<Entry> batch = new ArrayList<>(entries(new Random(13), 5));
        float[] nan = new float[DIM];
        nan[3] = Float.NaN;
        batch.add(Entry.of("bad", nan));
        assertThatThrownBy(() -> pg.upsertAll(batch))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bad");
        assertThatThrownBy(() -> pg.upsert(Entry.of("short", new float[DIM - 1])))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(DIM - 1 + " dimensions");
        assertThat(rows()).isZero();
    }

    private static void assertSameHits(List<Hit> actual, List<Hit> expected, String what) {
        assertThat(actual).as(what).extracting(Hit::id).containsExactlyElementsOf(expected.stream().map(Hit::id).toList());
        for (int i = 0; i < actual.size(); i++) {
            assertThat(actual.get(i).score()).as(what).isCloseTo(expected.get(i).score(), within(1e-5));
            assertThat(actual.get(i).text()).as(what).isEqualTo(expected.get(i).text());
            assertThat(actual.get(i).metadata()).as(what).isEqualTo(expected.get(i).metadata());
        }
    }

    private static double cosine(float[] unit, float[] q) {
        double dot = 0;
        double norm = 0;
        for (int d = 0; d < q.length; d++) {
            dot += unit[d] * q[d];
            norm += q[d] * q[d];
        }
        return dot / Math.sqrt(norm);
    }

    private static int rows() {
        return Integer.parseInt(cluster.psql(PostgresCluster.DATABASE, "SELECT count(*) FROM " + TABLE));
    }

    private static List<Entry> entries(Random rnd, int n) {
        String[] langs = {"java", "kotlin", "go", "sql"};
        List<Entry> entries = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            entries.add(new Entry("e" + i, vector(rnd), "snippet " + i + " — ünïcödé",
                    Map.of("source", "s" + (i % 4), "lang", langs[(i / 4) % langs.length])));
        }
        return entries;
    }

    private static float[] vector(Random rnd) {
        float[] v = new float[DIM];
        for (int d = 0; d < DIM; d++) {
            v[d] = (float) rnd.nextGaussian();
        }
        return v;
    }
}
