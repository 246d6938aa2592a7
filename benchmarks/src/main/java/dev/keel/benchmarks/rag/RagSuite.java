package dev.keel.benchmarks.rag;

import dev.keel.core.EmbeddingModel;
import dev.keel.rag.chunk.Chunk;
import dev.keel.rag.chunk.Chunkers;
import dev.keel.rag.chunk.Source;
import dev.keel.rag.embed.EmbeddedModels;
import dev.keel.rag.store.AnnOptions;
import dev.keel.rag.store.AnnStatus;
import dev.keel.rag.store.Entry;
import dev.keel.rag.store.Hit;
import dev.keel.rag.store.InMemoryVectorStore;
import dev.keel.rag.store.MetadataFilter;
import dev.langchain4j.data.document.Document;
import dev.langchain4j.data.document.splitter.DocumentSplitters;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import dev.langchain4j.store.embedding.EmbeddingSearchRequest;
import dev.langchain4j.store.embedding.inmemory.InMemoryEmbeddingStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.IntConsumer;

/**
 * The rag suite: Keel's chunkers, vector store and embeddings against LangChain4j in the same run.
 * Prints {@code keel-bench rag <case> <metric>=<value> ...} lines. Against a peer, {@code speedup} is the
 * peer's time over Keel's (throughputs: Keel's over the peer's), so higher is better for Keel; against
 * another Keel configuration it is {@code speedup_vs_<baseline>}; {@code of_limit} is the fraction of
 * the measured memory-bandwidth limit reached; {@code size_vs_peer} is Keel's file size over the peer's.
 *
 * <p>Arguments: {@code --quick} (smaller data, shorter runs), {@code --cases=a,b} (subset: exact, batched,
 * million, int8, ann, persist, chunk, embed, and the knowledge-base cases quality, bm25, sync, graph of
 * {@link KnowledgeBench}; and {@code jmh}, not in the default run, which repeats the
 * exact-search comparison under JMH in a forked JVM as a cross-check of this harness, and {@code ann-peers},
 * not in the default run either, which measures Keel's IVF against jvector's and Lucene's HNSW graphs on
 * the ann case's data, see {@link AnnPeers}), {@code --no-fork}. Unless the JVM already has the Vector
 * API module, the suite re-runs itself with {@code --add-modules jdk.incubator.vector} so the SIMD path is
 * measured (the scalar path is measured too, as {@code exact-search-scalar}).
 */
public final class RagSuite {
    private static final int DIM = 384;
    /** Norm of the noise around unit cluster centres in the ANN case (1.0: clusters overlap). */
    private static final double NOISE = Double.parseDouble(System.getProperty("keel.bench.annNoise", "1.0"));

    private final boolean quick;
    private final Set<String> cases;
    private final int n;
    private final double seconds;

    private RagSuite(boolean quick, Set<String> cases) {
        this.quick = quick;
        this.cases = cases;
        this.n = quick ? 20_000 : 100_000;
        this.seconds = quick ? 1.0 : 3.0;
    }

    public static void main(String[] args) throws Exception {
        boolean quick = false;
        boolean fork = true;
        Set<String> cases = new HashSet<>(List.of("exact", "batched", "million", "int8", "ann", "persist", "chunk",
                "embed", "quality", "bm25", "sync", "graph"));
        for (String arg : args) {
            if (arg.equals("--quick")) {
                quick = true;
            } else if (arg.equals("--no-fork")) {
                fork = false;
            } else if (arg.startsWith("--cases=")) {
                cases = new HashSet<>(List.of(arg.substring(8).split(",")));
            } else {
                throw new IllegalArgumentException("unknown argument " + arg);
            }
        }
        if (fork && ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            relaunchWithVectorApi(args);
            return;
        }
        System.out.println("# java " + System.getProperty("java.version") + ", vector module "
                + ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent() + ", cpus "
                + Runtime.getRuntime().availableProcessors() + ", max heap "
                + Runtime.getRuntime().maxMemory() / (1 << 20) + " MB");
        new RagSuite(quick, cases).run();
    }

    private static void relaunchWithVectorApi(String[] args) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector"));
        command.addAll(jvmOptions()); // -X/-D options (e.g. -Dkeel.bench.annNoise) carry over to the fork
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), RagSuite.class.getName(), "--no-fork"));
        command.addAll(List.of(args));
        int exit = new ProcessBuilder(command).inheritIO().start().waitFor();
        if (exit != 0) {
            throw new IllegalStateException("benchmark run failed with exit code " + exit);
        }
    }

    private static List<String> jvmOptions() {
        List<String> options = new ArrayList<>();
        for (String a : java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("-X") || a.startsWith("-D")) {
                options.add(a);
            }
        }
        return options;
    }

    private void run() throws Exception {
        if (cases.contains("jmh")) {
            runJmh();
        }
        boolean needData = cases.contains("exact") || cases.contains("batched") || cases.contains("int8")
                || cases.contains("persist");
        float[][] data = needData ? randomUnit(n, 1) : null;
        final List<float[]> queries = needData ? List.of(randomUnit(256, 2)) : List.of();
        InMemoryVectorStore keel = null;
        if (data != null) {
            keel = store(data, false, -1);
        }
        double limitQps = 0;
        final InMemoryVectorStore heapStore = keel;
        IntConsumer keelSearch = i -> heapStore.search(queries.get(i % queries.size()), 10);
        double keelQps = 0;
        if (cases.contains("exact")) {
            InMemoryVectorStore scalar;
            System.setProperty("keel.rag.vectorApi", "false");
            try {
                scalar = store(data, false, -1);
            } finally {
                System.clearProperty("keel.rag.vectorApi");
            }
            InMemoryEmbeddingStore<TextSegment> peer = new InMemoryEmbeddingStore<>();
            List<Embedding> embeddings = new ArrayList<>(n);
            for (float[] v : data) {
                embeddings.add(Embedding.from(v));
            }
            peer.addAll(embeddings);
            final InMemoryVectorStore scalarStore = scalar;
            double[] qps = interleaved(seconds, keelSearch,
                    i -> scalarStore.search(queries.get(i % queries.size()), 10),
                    i -> peer.search(EmbeddingSearchRequest.builder()
                            .queryEmbedding(Embedding.from(queries.get(i % queries.size()))).maxResults(10).build()),
                    memoryRead((long) n * DIM * 4));
            keelQps = qps[0];
            double scalarQps = qps[1];
            double peerQps = qps[2];
            limitQps = qps[3];
            line("exact-search-" + size(n), "kernel=" + keel.kernelName(), "keel_qps=" + f(keelQps),
                    "peer_qps=" + f(peerQps), "speedup=" + f(keelQps / peerQps), "target_speedup=5(jdk25)/3(jdk17)");
            line("exact-search-scalar-" + size(n), "kernel=scalar", "keel_qps=" + f(scalarQps), "peer_qps=" + f(peerQps),
                    "speedup=" + f(scalarQps / peerQps));
            line("memory-read-limit-" + size(n), "qps=" + f(limitQps), "keel_qps=" + f(keelQps),
                    "of_limit=" + f(keelQps / limitQps));
            checkAgreement(keel, peer, queries.get(0));
        }
        if (cases.contains("batched")) {
            InMemoryVectorStore store = keel;
            double[] qps = interleaved(seconds, i -> store.searchAll(queries.subList((i * 16) % 240,
                    (i * 16) % 240 + 16), 10, Double.NEGATIVE_INFINITY, MetadataFilter.all()), keelSearch,
                    memoryRead((long) n * DIM * 4));
            double batchedQps = qps[0] * 16;
            keelQps = qps[1];
            limitQps = qps[2];
            line("batched-search-" + size(n), "queries_per_pass=4", "keel_qps=" + f(batchedQps),
                    "single_keel_qps=" + f(keelQps), "single_limit_qps=" + f(limitQps),
                    "of_limit=" + f(batchedQps / limitQps), "target_of_limit=1.5");
        }
        if (cases.contains("int8")) {
            InMemoryVectorStore int8 = store(data, true, -1);
            double[] qps = interleaved(seconds, i -> int8.search(queries.get(i % queries.size()), 10), keelSearch);
            double int8Qps = qps[0];
            keelQps = qps[1];
            double recall = recall(keel, int8, queries.subList(0, 100), false);
            line("int8-rerank-" + size(n), "kernel=" + int8.kernelName(), "keel_int8_qps=" + f(int8Qps),
                    "keel_fp32_qps=" + f(keelQps), "recall@10=" + f3(recall), "speedup_vs_fp32=" + f(int8Qps / keelQps),
                    "target_speedup_vs_fp32=2", "target_recall=0.99");
        }
        if (cases.contains("persist")) {
            persist(keel, data, queries);
        }
        keel = null;
        data = null;
        if (cases.contains("million") && !quick) {
            million();
        }
        if (cases.contains("ann")) {
            ann();
        }
        if (cases.contains("ann-peers")) {
            new AnnPeers(DIM, n, NOISE, seconds).run();
        }
        if (cases.contains("chunk")) {
            chunk();
        }
        if (cases.contains("embed")) {
            embed();
        }
        KnowledgeBench knowledge = new KnowledgeBench(quick, seconds);
        if (cases.contains("quality")) {
            knowledge.quality();
        }
        if (cases.contains("bm25")) {
            knowledge.bm25();
        }
        if (cases.contains("sync")) {
            knowledge.sync();
        }
        if (cases.contains("graph")) {
            knowledge.graph(n);
        }
    }

    // ---- cases ----

    private void million() {
        int m = 1_000_000;
        float[][] data = randomUnit(m, 3);
        InMemoryVectorStore store = store(data, false, m);
        data = null;
        List<float[]> queries = List.of(randomUnit(64, 4));
        double[] qps = interleaved(seconds * 2, i -> store.search(queries.get(i % queries.size()), 10),
                i -> store.searchAll(queries.subList((i * 8) % 56, (i * 8) % 56 + 8), 10,
                        Double.NEGATIVE_INFINITY, MetadataFilter.all()), memoryRead((long) m * DIM * 4));
        double q = qps[0];
        double batched = qps[1] * 8;
        double limit = qps[2];
        line("exact-search-1m", "kernel=" + store.kernelName(), "keel_qps=" + f(q), "limit_qps=" + f(limit),
                "of_limit=" + f(q / limit), "target_of_limit=0.75");
        line("batched-search-1m", "keel_qps=" + f(batched), "single_limit_qps=" + f(limit),
                "of_limit=" + f(batched / limit), "target_of_limit=1.5");
    }

    private void ann() {
        int clusters = 1000;
        float[][] centers = randomUnit(clusters, 5);
        SplittableRandom rnd = new SplittableRandom(6);
        float[][] data = new float[n][];
        for (int i = 0; i < n; i++) {
            data[i] = jitter(centers[rnd.nextInt(clusters)], NOISE, rnd);
        }
        List<float[]> queries = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            queries.add(jitter(centers[rnd.nextInt(clusters)], NOISE, rnd));
        }
        InMemoryVectorStore store = store(data, false, -1);
        long t0 = System.nanoTime();
        AnnStatus status = store.buildAnnIndex(AnnOptions.defaults());
        double buildSeconds = (System.nanoTime() - t0) / 1e9;
        double[] qps = interleaved(seconds, i -> store.search(queries.get(i % queries.size()), 10),
                i -> store.searchExact(queries.get(i % queries.size()), 10, Double.NEGATIVE_INFINITY,
                        MetadataFilter.all()));
        double annQps = qps[0];
        double exactQps = qps[1];
        double recall = recall(store, store, queries.subList(0, 100), true);
        line("ann-clustered-" + size(n), "active=" + status.active(), "lists=" + status.lists(),
                "probes=" + status.probes(), "build_s=" + f(buildSeconds), "recall@10=" + f3(recall),
                "ann_qps=" + f(annQps), "exact_qps=" + f(exactQps), "speedup_vs_exact=" + f(annQps / exactQps),
                "target_speedup_vs_exact=30", "target_recall=0.95");
    }

    private void persist(InMemoryVectorStore keel, float[][] data, List<float[]> queries) throws IOException {
        Path dir = Files.createTempDirectory("keel-bench-rag");
        try {
            Path file = dir.resolve("store.kvec");
            double save = Double.MAX_VALUE;
            double load = Double.MAX_VALUE;
            for (int i = 0; i < 3; i++) {
                long t0 = System.nanoTime();
                keel.save(file);
                save = Math.min(save, (System.nanoTime() - t0) / 1e6);
                t0 = System.nanoTime();
                InMemoryVectorStore loaded = InMemoryVectorStore.load(file);
                load = Math.min(load, (System.nanoTime() - t0) / 1e6);
                if (loaded.size() != keel.size()) {
                    throw new IllegalStateException("loaded " + loaded.size() + " of " + keel.size());
                }
            }
            long size = Files.size(file);
            double raw = (double) n * DIM * 4;
            InMemoryVectorStore mapped = InMemoryVectorStore.load(file);
            double[] qps = interleaved(seconds, i -> mapped.search(queries.get(i % queries.size()), 10),
                    i -> keel.search(queries.get(i % queries.size()), 10));
            double mappedQps = qps[0];
            double heapQps = qps[1];
            line("mapped-search-" + size(n), "mapped=" + mapped.isMapped(), "keel_mapped_qps=" + f(mappedQps),
                    "keel_heap_qps=" + f(heapQps), "speedup_vs_heap=" + f(mappedQps / heapQps));

            InMemoryEmbeddingStore<TextSegment> peer = new InMemoryEmbeddingStore<>();
            List<Embedding> embeddings = new ArrayList<>(n);
            for (float[] v : data) {
                embeddings.add(Embedding.from(v));
            }
            peer.addAll(embeddings);
            Path peerFile = dir.resolve("peer.json");
            long t0 = System.nanoTime();
            peer.serializeToFile(peerFile);
            double peerSave = (System.nanoTime() - t0) / 1e6;
            t0 = System.nanoTime();
            InMemoryEmbeddingStore<TextSegment> peerLoaded = InMemoryEmbeddingStore.fromFile(peerFile);
            double peerLoad = (System.nanoTime() - t0) / 1e6;
            long peerSize = Files.size(peerFile);
            if (peerLoaded == null) {
                throw new IllegalStateException("peer did not load");
            }
            line("save-" + size(n), "keel_ms=" + f(save), "peer_ms=" + f(peerSave), "speedup=" + f(peerSave / save),
                    "target_keel_ms=250");
            line("load-" + size(n), "keel_ms=" + f(load), "peer_ms=" + f(peerLoad), "speedup=" + f(peerLoad / load),
                    "target_keel_ms=50");
            line("file-size-" + size(n), "keel_mb=" + f(size / 1e6), "raw_mb=" + f(raw / 1e6),
                    "peer_mb=" + f(peerSize / 1e6), "keel_vs_raw=" + f3(size / raw), "size_vs_peer=" + f3((double) size / peerSize),
                    "target_keel_vs_raw=1.01");
        } finally {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    private void chunk() {
        String corpus = markdownCorpus(quick ? 2_000_000 : 8_000_000);
        double mb = corpus.getBytes(StandardCharsets.UTF_8).length / 1e6;
        var markdown = Chunkers.markdownSections(500);
        var recursive = Chunkers.recursive(500);
        Source source = Source.of("corpus.md", corpus);
        Document document = Document.from(corpus);
        var peer = DocumentSplitters.recursive(500, 50);
        double[] rates = interleaved(seconds * 2, i -> markdown.split(source), i -> recursive.split(source),
                i -> peer.split(document));
        double keelMd = rates[0] * mb;
        double keelRec = rates[1] * mb;
        double peerRec = rates[2] * mb;
        List<Chunk> keelChunks = markdown.split(source);
        List<TextSegment> peerChunks = peer.split(document);
        long keelBrokenFences = keelChunks.stream().filter(c -> countFences(c.text()) % 2 == 1).count();
        long peerBrokenFences = peerChunks.stream().filter(s -> countFences(s.text()) % 2 == 1).count();
        double keelAvg = keelChunks.stream().mapToInt(Chunk::length).average().orElse(0);
        double peerAvg = peerChunks.stream().mapToInt(s -> s.text().length()).average().orElse(0);
        line("chunk-markdown-500", "keel_mb_s=" + f(keelMd), "peer_mb_s=" + f(peerRec), "speedup=" + f(keelMd / peerRec),
                "keel_chunks=" + keelChunks.size(), "peer_chunks=" + peerChunks.size(), "keel_avg_chars=" + f(keelAvg),
                "peer_avg_chars=" + f(peerAvg), "keel_split_fences=" + keelBrokenFences,
                "peer_split_fences=" + peerBrokenFences, "target_mb_s=50", "target_speedup=3");
        line("chunk-recursive-500", "keel_mb_s=" + f(keelRec), "peer_mb_s=" + f(peerRec),
                "speedup=" + f(keelRec / peerRec));
    }

    private void embed() throws IOException {
        List<String> texts = new ArrayList<>();
        String corpus = markdownCorpus(200_000);
        for (Chunk c : Chunkers.markdownSections(400).split(Source.of("c", corpus))) {
            texts.add(c.text());
            if (texts.size() == (quick ? 64 : 256)) {
                break;
            }
        }
        long t0 = System.nanoTime();
        EmbeddingModel keel = EmbeddedModels.allMiniLmL6V2();
        double keelLoad = (System.nanoTime() - t0) / 1e6;
        t0 = System.nanoTime();
        AllMiniLmL6V2QuantizedEmbeddingModel peer = new AllMiniLmL6V2QuantizedEmbeddingModel();
        double peerLoad = (System.nanoTime() - t0) / 1e6;
        List<TextSegment> segments = texts.stream().map(TextSegment::from).toList();
        keel.embedAll(texts.subList(0, 16)); // warm-up
        peer.embedAll(segments.subList(0, 16));
        double peerRate = 0;
        double keelRate = 0;
        for (int round = 0; round < 2; round++) { // interleave to share the noise of a busy host
            t0 = System.nanoTime();
            peer.embedAll(segments);
            peerRate = Math.max(peerRate, texts.size() / ((System.nanoTime() - t0) / 1e9));
            t0 = System.nanoTime();
            keel.embedAll(texts);
            keelRate = Math.max(keelRate, texts.size() / ((System.nanoTime() - t0) / 1e9));
        }
        line("embed-minilm", "keel_chunks_s=" + f(keelRate), "peer_chunks_s=" + f(peerRate),
                "speedup=" + f(keelRate / peerRate), "keel_cold_load_ms=" + f(keelLoad),
                "peer_load_after_keel_ms=" + f(peerLoad),
                "target_speedup=1");
    }

    // ---- helpers ----

    private static int countFences(String text) {
        int count = 0;
        for (String line : text.split("\n", -1)) {
            if (line.startsWith("```")) {
                count++;
            }
        }
        return count;
    }

    /** Markdown with headings, KEYWORDS lines, paragraphs, code fences and tables. */
    static String markdownCorpus(int chars) {
        SplittableRandom rnd = new SplittableRandom(9);
        String[] words = ("the store search vector chunk embedding model query result index file read write "
                + "thread lock memory speed recall cluster token budget prompt history answer source").split(" ");
        StringBuilder out = new StringBuilder(chars + 4096);
        int section = 0;
        while (out.length() < chars) {
            out.append("# Part ").append(section / 10).append("\n\n");
            out.append("## Topic ").append(section++).append("\nKEYWORDS: ").append(words[rnd.nextInt(words.length)])
                    .append(", ").append(words[rnd.nextInt(words.length)]).append("\n\n");
            int paragraphs = 1 + rnd.nextInt(4);
            for (int p = 0; p < paragraphs; p++) {
                int sentences = 2 + rnd.nextInt(6);
                for (int s = 0; s < sentences; s++) {
                    int w = 6 + rnd.nextInt(14);
                    for (int i = 0; i < w; i++) {
                        String word = words[rnd.nextInt(words.length)];
                        out.append(i == 0 ? Character.toUpperCase(word.charAt(0)) + word.substring(1) : word);
                        out.append(i == w - 1 ? ". " : " ");
                    }
                }
                out.append("\n\n");
            }
            if (rnd.nextInt(2) == 0) {
                out.append("```java\n");
                int lines = 3 + rnd.nextInt(12);
                for (int l = 0; l < lines; l++) {
                    out.append("    var x").append(l).append(" = store.search(query, ").append(l).append(");\n");
                }
                out.append("```\n\n");
            }
            if (rnd.nextInt(4) == 0) {
                out.append("| name | value |\n|------|-------|\n");
                for (int r = 0; r < 4; r++) {
                    out.append("| ").append(words[rnd.nextInt(words.length)]).append(" | ").append(r).append(" |\n");
                }
                out.append('\n');
            }
        }
        return out.toString();
    }

    private void checkAgreement(InMemoryVectorStore keel, InMemoryEmbeddingStore<TextSegment> peer, float[] q) {
        List<Hit> ours = keel.search(q, 10);
        var theirs = peer.search(EmbeddingSearchRequest.builder().queryEmbedding(Embedding.from(q)).maxResults(10)
                .build()).matches();
        for (int i = 0; i < ours.size(); i++) {
            double peerCos = 2 * theirs.get(i).score() - 1;
            if (Math.abs(peerCos - ours.get(i).score()) > 1e-4) {
                throw new IllegalStateException("keel and peer disagree at rank " + i + ": " + ours.get(i).score()
                        + " vs " + peerCos);
            }
        }
    }

    /** {@link ExactSearchBenchmark} under JMH: one fork with the Vector API module, keel vs peer in the same fork. */
    private void runJmh() throws org.openjdk.jmh.runner.RunnerException {
        org.openjdk.jmh.runner.options.Options options = new org.openjdk.jmh.runner.options.OptionsBuilder()
                .include(ExactSearchBenchmark.class.getName() + "\\.")
                .param("n", Integer.toString(n))
                .forks(1)
                .jvmArgsAppend("--add-modules", "jdk.incubator.vector", "-Xmx4g")
                .warmupIterations(quick ? 1 : 2).warmupTime(org.openjdk.jmh.runner.options.TimeValue.seconds(2))
                .measurementIterations(quick ? 2 : 4).measurementTime(org.openjdk.jmh.runner.options.TimeValue.seconds(2))
                .verbosity(org.openjdk.jmh.runner.options.VerboseMode.SILENT)
                .build();
        java.util.Map<String, org.openjdk.jmh.results.RunResult> byMethod = new java.util.HashMap<>();
        for (org.openjdk.jmh.results.RunResult r : new org.openjdk.jmh.runner.Runner(options).run()) {
            String name = r.getParams().getBenchmark();
            byMethod.put(name.substring(name.lastIndexOf('.') + 1), r);
        }
        double keelQps = byMethod.get("keel").getPrimaryResult().getScore();
        double keelErr = byMethod.get("keel").getPrimaryResult().getScoreError();
        double batchedQps = 4 * byMethod.get("keelFourPerPass").getPrimaryResult().getScore();
        double peerQps = byMethod.get("peer").getPrimaryResult().getScore();
        double peerErr = byMethod.get("peer").getPrimaryResult().getScoreError();
        line("jmh-exact-search-" + size(n), "keel_qps=" + f(keelQps) + "±" + f(keelErr),
                "peer_qps=" + f(peerQps) + "±" + f(peerErr), "speedup=" + f(keelQps / peerQps),
                "target_speedup=5(jdk25)/3(jdk17)");
        line("jmh-batched-search-" + size(n), "queries_per_pass=4", "keel_qps=" + f(batchedQps),
                "single_keel_qps=" + f(keelQps), "speedup_vs_single=" + f(batchedQps / keelQps));
    }

    private InMemoryVectorStore store(float[][] data, boolean int8, int capacity) {
        InMemoryVectorStore.Builder builder = InMemoryVectorStore.builder(DIM)
                .initialCapacity(capacity > 0 ? capacity : data.length);
        if (int8) {
            builder.int8(4);
        }
        InMemoryVectorStore store = builder.build();
        List<Entry> batch = new ArrayList<>(10_000);
        for (int i = 0; i < data.length; i++) {
            batch.add(Entry.of(Integer.toString(i), data[i]));
            if (batch.size() == 10_000) {
                store.upsertAll(batch);
                batch.clear();
            }
        }
        store.upsertAll(batch);
        return store;
    }

    private static double recall(InMemoryVectorStore exact, InMemoryVectorStore approximate, List<float[]> queries,
                                 boolean sameStore) {
        int found = 0;
        for (float[] q : queries) {
            Set<String> truth = new HashSet<>();
            for (Hit h : exact.searchExact(q, 10, Double.NEGATIVE_INFINITY, MetadataFilter.all())) {
                truth.add(h.id());
            }
            for (Hit h : approximate.search(q, 10)) {
                if (truth.contains(h.id())) {
                    found++;
                }
            }
        }
        return found / (10.0 * queries.size());
    }

    /**
     * Operations per second of each op, measured round-robin in three rounds and taking each op's best
     * round, so that a burst of load on a shared host does not land on one side of a ratio only.
     */
    static double[] interleaved(double seconds, IntConsumer... ops) {
        double[] best = new double[ops.length];
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < ops.length; i++) {
                best[i] = Math.max(best[i], measure(seconds / 2, ops[i]));
            }
        }
        return best;
    }

    /** Operations per second of {@code op} after a warm-up, over at least {@code seconds} and 5 calls. */
    private static double measure(double seconds, IntConsumer op) {
        long warmEnd = System.nanoTime() + (long) (Math.min(1.0, seconds) * 1e9);
        int i = 0;
        while (System.nanoTime() < warmEnd || i < 3) {
            op.accept(i++);
        }
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        int count = 0;
        long now;
        do {
            op.accept(i++);
            count++;
            now = System.nanoTime();
        } while (now < end || count < 5);
        return count / ((now - start) / 1e9);
    }

    /**
     * Single-thread read bandwidth as an operation: one "query" reads {@code bytes} once, so no
     * single-query scan can beat its rate. It uses the JDK's vectorised {@code Arrays.mismatch} on the
     * two equal halves of an array of that size, which reads every byte once.
     */
    private static IntConsumer memoryRead(long bytes) {
        long[] words = new long[(int) (bytes / 8)];
        int half = words.length / 2;
        long[] sink = new long[1];
        return i -> sink[0] += java.util.Arrays.mismatch(words, 0, half, words, half, 2 * half);
    }

    static float[][] randomUnit(int count, long seed) {
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

    static float[] jitter(float[] center, double noiseNorm, SplittableRandom rnd) {
        float[] v = new float[DIM];
        double scale = noiseNorm * Math.sqrt(3.0 / DIM);
        for (int d = 0; d < DIM; d++) {
            v[d] = (float) (center[d] + scale * (rnd.nextDouble() * 2 - 1));
        }
        return v;
    }

    static String size(int count) {
        return count >= 1_000_000 ? count / 1_000_000 + "m" : count / 1000 + "k";
    }

    static void line(String name, String... metrics) {
        System.out.println("keel-bench rag " + name + " " + String.join(" ", metrics));
    }

    static String f(double v) {
        return String.format(Locale.ROOT, v >= 100 ? "%.0f" : v >= 10 ? "%.1f" : "%.2f", v);
    }

    static String f3(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }
}
