package dev.keel.benchmarks.rag;

import dev.keel.rag.store.Entry;
import dev.keel.rag.store.Hit;
import dev.keel.rag.store.InMemoryVectorStore;
import dev.keel.rag.store.MetadataFilter;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.store.embedding.EmbeddingMatch;
import dev.langchain4j.store.embedding.EmbeddingSearchRequest;
import dev.langchain4j.store.embedding.inmemory.InMemoryEmbeddingStore;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * JMH cross-check of the rag suite's headline case: exact top-10 cosine search over {@code n × 384}
 * random unit vectors, Keel's {@link InMemoryVectorStore} (single query and four queries per pass)
 * against LangChain4j's {@code InMemoryEmbeddingStore}, same data, same queries. Run through
 * {@code benchmarks/run rag --cases=jmh}, which forks with the Vector API module; scores are queries/s.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ExactSearchBenchmark {
    private static final int DIM = 384;

    @Param("100000")
    public int n;

    private InMemoryVectorStore keel;
    private InMemoryEmbeddingStore<TextSegment> peer;
    private float[][] queries;
    private List<float[]> batch;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        float[][] data = randomUnit(n, 1);
        queries = randomUnit(64, 2);
        keel = InMemoryVectorStore.builder(DIM).initialCapacity(n).build();
        List<Entry> entries = new ArrayList<>(n);
        List<Embedding> embeddings = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            entries.add(Entry.of(Integer.toString(i), data[i]));
            embeddings.add(Embedding.from(data[i]));
        }
        keel.upsertAll(entries);
        peer = new InMemoryEmbeddingStore<>();
        peer.addAll(embeddings);
        batch = List.of(queries[0], queries[1], queries[2], queries[3]);
    }

    @Benchmark
    public List<Hit> keel() {
        return keel.search(queries[next++ & 63], 10);
    }

    /** Four queries in one pass; JMH's score is passes/s, so queries/s is four times it. */
    @Benchmark
    public List<List<Hit>> keelFourPerPass() {
        return keel.searchAll(batch, 10, Double.NEGATIVE_INFINITY, MetadataFilter.all());
    }

    @Benchmark
    public List<EmbeddingMatch<TextSegment>> peer() {
        return peer.search(EmbeddingSearchRequest.builder()
                .queryEmbedding(Embedding.from(queries[next++ & 63])).maxResults(10).build()).matches();
    }

    private static float[][] randomUnit(int count, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[][] out = new float[count][DIM];
        for (float[] v : out) {
            double norm = 0;
            for (int d = 0; d < DIM; d++) {
                v[d] = (float) (rnd.nextDouble() * 2 - 1);
                norm += v[d] * v[d];
            }
            float scale = (float) (1 / Math.sqrt(norm));
            for (int d = 0; d < DIM; d++) {
                v[d] *= scale;
            }
        }
        return out;
    }
}
