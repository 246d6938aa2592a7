package dev.keel.benchmarks.rag;

import dev.keel.core.EmbeddingModel;
import dev.keel.rag.chunk.Source;
import dev.keel.rag.embed.EmbeddedModels;
import dev.keel.rag.internal.keyword.Analyzer;
import dev.keel.rag.internal.keyword.Bm25Index;
import dev.keel.rag.knowledge.Chunking;
import dev.keel.rag.knowledge.Fusion;
import dev.keel.rag.knowledge.KnowledgeBase;
import dev.keel.rag.knowledge.KnowledgeHit;
import dev.keel.rag.knowledge.Reranker;
import dev.keel.rag.knowledge.Reranking;
import dev.keel.rag.knowledge.SearchOptions;
import dev.keel.rag.knowledge.Strategies;
import dev.keel.rag.knowledge.SyncResult;
import dev.keel.rag.store.AnnOptions;
import dev.keel.rag.store.AnnStatus;
import dev.keel.rag.store.Entry;
import dev.keel.rag.store.Hit;
import dev.keel.rag.store.InMemoryVectorStore;
import dev.keel.rag.store.MetadataFilter;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.lucene.analysis.standard.StandardAnalyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.store.ByteBuffersDirectory;

/**
 * The knowledge-base cases of the rag suite: retrieval quality on a labelled set ({@code quality}), BM25
 * against Lucene ({@code bm25}), incremental sync ({@code sync}) and the HNSW graph fallback
 * ({@code graph}). Lines read {@code keel-bench rag <case> … speedup=<peer time / keel time>}.
 */
final class KnowledgeBench {
    private final boolean quick;
    private final double seconds;

    KnowledgeBench(boolean quick, double seconds) {
        this.quick = quick;
        this.seconds = seconds;
    }

    // ---- quality ----

    private record Question(String text, String source, String heading) {
    }

    /**
     * recall@5 and MRR (over the top 20) on 40 questions about a 35-section handbook written for this
     * benchmark ({@code rag-quality/*.md}), plus a glossary and release notes that mention the same terms
     * without answering; each question is labelled with the one section that answers it.
     */
    void quality() throws IOException {
        List<Source> docs = new ArrayList<>();
        for (String name : List.of("operations.md", "api.md", "config.md", "troubleshooting.md", "glossary.md",
                "release-notes.md")) {
            docs.add(Source.of(name, resource("/rag-quality/" + name)));
        }
        List<Question> questions = new ArrayList<>();
        for (String line : resource("/rag-quality/questions.tsv").split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                String[] parts = line.split("\t");
                String[] label = parts[1].split("\\|");
                questions.add(new Question(parts[0], label[0], label[1]));
            }
        }
        EmbeddingModel miniLm = EmbeddedModels.allMiniLmL6V2();
        Chunking chunking = Chunking.markdown(1000);
        var embeddings = Strategies.embeddings(miniLm).withThreshold(0).withLimit(20).withChunking(chunking);
        var bm25 = Strategies.bm25().withLimit(20).withChunking(chunking);
        Reranker sentences = new SentenceReranker(miniLm);
        double[] onlyEmbeddings = evaluate(docs, questions, b -> b.strategy(embeddings));
        double[] onlyBm25 = evaluate(docs, questions, b -> b.strategy(bm25));
        double[] hybrid = evaluate(docs, questions, b -> b.strategy(embeddings).strategy(bm25).fusion(Fusion.rrf()));
        double[] weighted = evaluate(docs, questions, b -> b.strategy(embeddings).strategy(bm25)
                .fusion(Fusion.weighted(java.util.Map.of("chunked-embeddings", 0.7, "bm25", 0.3))));
        double[] reranked = evaluate(docs, questions, b -> b.strategy(embeddings).strategy(bm25).fusion(Fusion.rrf())
                .reranking(Reranking.of(sentences).topK(10).threshold(0)));
        Reranker dense = new PassageReranker(miniLm);
        double[] denseReranked = evaluate(docs, questions, b -> b.strategy(embeddings).strategy(bm25)
                .fusion(Fusion.rrf()).reranking(Reranking.of(dense).topK(10).threshold(0)));
        String set = "questions=" + questions.size();
        RagSuite.line("quality embeddings-only", set, "recall@5=" + RagSuite.f3(onlyEmbeddings[0]),
                "mrr=" + RagSuite.f3(onlyEmbeddings[1]));
        RagSuite.line("quality bm25-only", set, "recall@5=" + RagSuite.f3(onlyBm25[0]), "mrr=" + RagSuite.f3(onlyBm25[1]));
        RagSuite.line("quality hybrid-rrf", set, "recall@5=" + RagSuite.f3(hybrid[0]), "mrr=" + RagSuite.f3(hybrid[1]),
                "recall_gain_vs_best_single=" + RagSuite.f3(hybrid[0] - Math.max(onlyEmbeddings[0], onlyBm25[0])),
                "target=hybrid>=best_single");
        RagSuite.line("quality hybrid-weighted-0.7-0.3", set, "recall@5=" + RagSuite.f3(weighted[0]),
                "mrr=" + RagSuite.f3(weighted[1]));
        RagSuite.line("quality hybrid-rrf+rerank", set, "reranker=minilm-passage-cosine",
                "recall@5=" + RagSuite.f3(denseReranked[0]), "mrr=" + RagSuite.f3(denseReranked[1]),
                "mrr_gain_vs_hybrid=" + RagSuite.f3(denseReranked[1] - hybrid[1]), "target=rerank_mrr>=hybrid_mrr");
        RagSuite.line("quality hybrid-rrf+rerank", set, "reranker=minilm-sentence-maxsim",
                "recall@5=" + RagSuite.f3(reranked[0]), "mrr=" + RagSuite.f3(reranked[1]),
                "mrr_gain_vs_hybrid=" + RagSuite.f3(reranked[1] - hybrid[1]), "target=rerank_mrr>=hybrid_mrr");
    }

    private static double[] evaluate(List<Source> docs, List<Question> questions,
                                     java.util.function.UnaryOperator<KnowledgeBase.Builder> strategies)
            throws IOException {
        Path dir = Files.createTempDirectory("keel-bench-quality");
        try {
            KnowledgeBase.Builder builder = KnowledgeBase.builder(dir).limit(20).deduplicate(false);
            docs.forEach(builder::document);
            try (KnowledgeBase kb = strategies.apply(builder).build()) {
                kb.sync();
                double recall = 0;
                double mrr = 0;
                for (Question q : questions) {
                    List<KnowledgeHit> hits = kb.search(q.text(), SearchOptions.defaults().withLimit(20));
                    if (Boolean.getBoolean("keel.bench.qualityMisses")) {
                        int rank = 0;
                        while (rank < hits.size() && !(hits.get(rank).source().equals(q.source())
                                && hits.get(rank).headingPath().endsWith("## " + q.heading()))) {
                            rank++;
                        }
                        if (rank > 0) {
                            System.err.println("  rank " + (rank + 1) + ": " + q.text() + " -> first: "
                                    + (hits.isEmpty() ? "-" : hits.get(0).source() + " " + hits.get(0).headingPath()));
                        }
                    }
                    for (int rank = 0; rank < hits.size(); rank++) {
                        KnowledgeHit hit = hits.get(rank);
                        if (hit.source().equals(q.source()) && hit.headingPath().endsWith("## " + q.heading())) {
                            mrr += 1.0 / (rank + 1);
                            recall += rank < 5 ? 1 : 0;
                            break;
                        }
                    }
                }
                return new double[] {recall / questions.size(), mrr / questions.size()};
            }
        } finally {
            delete(dir);
        }
    }

    /**
     * A reranker that runs in-process with the embedding model: a passage scores the best cosine between
     * the question and any one of its sentences (or its heading), mapped to [0, 1]. Sentences are embedded
     * per search; fine for the top 10.
     */
    private record SentenceReranker(EmbeddingModel model) implements Reranker {
        @Override
        public List<Double> score(String question, List<KnowledgeHit> passages) {
            float[] q = model.embed(question);
            List<Double> scores = new ArrayList<>();
            for (KnowledgeHit hit : passages) {
                List<String> parts = new ArrayList<>();
                parts.add(hit.headingPath());
                for (String sentence : hit.text().split("(?<=[.!?])\\s+|\n")) {
                    if (sentence.strip().length() > 3) {
                        parts.add(sentence.strip());
                    }
                }
                double best = -1;
                for (float[] v : model.embedAll(parts)) {
                    best = Math.max(best, cosine(q, v));
                }
                scores.add((best + 1) / 2);
            }
            return scores;
        }
    }

    /**
     * A reranker that runs in-process with the embedding model: the cosine between the question and the
     * whole passage (heading path and text), mapped to [0, 1] — the dense model ordering the hybrid
     * candidates. It embeds the top passages per search.
     */
    private record PassageReranker(EmbeddingModel model) implements Reranker {
        @Override
        public List<Double> score(String question, List<KnowledgeHit> passages) {
            float[] q = model.embed(question);
            List<String> texts = passages.stream().map(h -> h.headingPath() + "\n" + h.text()).toList();
            List<Double> scores = new ArrayList<>();
            for (float[] v : model.embedAll(texts)) {
                scores.add((cosine(q, v) + 1) / 2);
            }
            return scores;
        }
    }

    private static double cosine(float[] a, float[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }

    // ---- bm25 ----

    /** Keel's BM25 index against Lucene 9.12.3 (in-memory directory, StandardAnalyzer, BM25Similarity). */
    void bm25() throws IOException {
        int n = quick ? 20_000 : 100_000;
        SplittableRandom rnd = new SplittableRandom(9);
        String[] vocabulary = new String[20_000];
        for (int i = 0; i < vocabulary.length; i++) {
            vocabulary[i] = word(i);
        }
        double[] cumulative = zipf(vocabulary.length, 1.05);
        List<String> texts = new ArrayList<>(n);
        long bytes = 0;
        for (int d = 0; d < n; d++) {
            int words = 60 + rnd.nextInt(60);
            StringBuilder text = new StringBuilder(words * 7);
            for (int w = 0; w < words; w++) {
                text.append(vocabulary[draw(cumulative, rnd)]).append(w % 12 == 11 ? ". " : " ");
            }
            texts.add(text.toString());
            bytes += text.length();
        }
        List<String> queries = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            // two to four mid-frequency words, like a short keyword question
            int terms = 2 + rnd.nextInt(3);
            StringBuilder q = new StringBuilder();
            for (int t = 0; t < terms; t++) {
                q.append(vocabulary[50 + rnd.nextInt(5000)]).append(' ');
            }
            queries.add(q.toString().strip());
        }
        double mb = bytes / 1e6;
        // build: best of 3 each, interleaved
        double keelBuild = Double.MAX_VALUE;
        double luceneBuild = Double.MAX_VALUE;
        Bm25Index keel = null;
        ByteBuffersDirectory directory = null;
        for (int round = 0; round < 3; round++) {
            long t0 = System.nanoTime();
            keel = Bm25Index.build(texts, Analyzer.standard(), 1.2, 0.75);
            keelBuild = Math.min(keelBuild, (System.nanoTime() - t0) / 1e9);
            t0 = System.nanoTime();
            directory = lucene(texts);
            luceneBuild = Math.min(luceneBuild, (System.nanoTime() - t0) / 1e9);
        }
        RagSuite.line("bm25-build-" + RagSuite.size(n), "mb=" + RagSuite.f(mb), "keel_mb_s=" + RagSuite.f(mb / keelBuild),
                "lucene_mb_s=" + RagSuite.f(mb / luceneBuild), "speedup=" + RagSuite.f(luceneBuild / keelBuild),
                "target_keel_mb_s=20");
        // query latency: p50 and p99 over 1000 queries, top 10, each engine twice (keeping the better pass)
        IndexSearcher searcher = new IndexSearcher(DirectoryReader.open(directory));
        StandardAnalyzer analyzer = new StandardAnalyzer();
        Bm25Index index = keel;
        double[] keelLatency = null;
        double[] luceneLatency = null;
        for (int round = 0; round < 2; round++) {
            double[] k = latencies(queries, q -> index.search(q, 10, 0));
            double[] l = latencies(queries, q -> luceneSearch(searcher, analyzer, q));
            keelLatency = keelLatency == null || k[0] < keelLatency[0] ? k : keelLatency;
            luceneLatency = luceneLatency == null || l[0] < luceneLatency[0] ? l : luceneLatency;
        }
        // agreement: how much of Lucene's top 10 Keel also ranks in its top 10 (same formula, Lucene
        // stores document lengths in one byte, so near-ties can differ)
        double overlap = 0;
        for (String q : queries.subList(0, 200)) {
            Set<Integer> lu = new HashSet<>();
            for (ScoreDoc doc : luceneSearch(searcher, analyzer, q)) {
                lu.add(doc.doc);
            }
            int[] docs = index.search(q, 10, 0).docs();
            int common = 0;
            for (int d : docs) {
                common += lu.contains(d) ? 1 : 0;
            }
            overlap += lu.isEmpty() ? 1 : common / (double) Math.max(lu.size(), docs.length);
        }
        RagSuite.line("bm25-query-" + RagSuite.size(n), "keel_p50_ms=" + f4(keelLatency[0]),
                "keel_p99_ms=" + f4(keelLatency[1]), "lucene_p50_ms=" + f4(luceneLatency[0]),
                "lucene_p99_ms=" + f4(luceneLatency[1]), "speedup=" + RagSuite.f(luceneLatency[0] / keelLatency[0]),
                "top10_agreement=" + RagSuite.f3(overlap / 200), "target_keel_p50_ms=2");
    }

    private static ByteBuffersDirectory lucene(List<String> texts) throws IOException {
        ByteBuffersDirectory directory = new ByteBuffersDirectory();
        IndexWriterConfig config = new IndexWriterConfig(new StandardAnalyzer()).setRAMBufferSizeMB(256);
        try (IndexWriter writer = new IndexWriter(directory, config)) {
            for (String text : texts) {
                Document doc = new Document();
                doc.add(new TextField("body", text, Field.Store.NO));
                writer.addDocument(doc);
            }
            writer.forceMerge(1);
            writer.commit();
        }
        return directory;
    }

    private static ScoreDoc[] luceneSearch(IndexSearcher searcher, StandardAnalyzer analyzer, String query) {
        try {
            BooleanQuery.Builder builder = new BooleanQuery.Builder();
            try (var stream = analyzer.tokenStream("body", query)) {
                var term = stream.addAttribute(org.apache.lucene.analysis.tokenattributes.CharTermAttribute.class);
                stream.reset();
                while (stream.incrementToken()) {
                    builder.add(new TermQuery(new Term("body", term.toString())), BooleanClause.Occur.SHOULD);
                }
                stream.end();
            }
            return searcher.search(builder.build(), 10).scoreDocs;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static double[] latencies(List<String> queries, java.util.function.Consumer<String> search) {
        for (int i = 0; i < 200; i++) {
            search.accept(queries.get(i)); // warm-up
        }
        double[] ms = new double[queries.size()];
        for (int i = 0; i < queries.size(); i++) {
            long t0 = System.nanoTime();
            search.accept(queries.get(i));
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        return new double[] {ms[ms.length / 2], ms[(int) (ms.length * 0.99)]};
    }

    private static String word(int i) {
        StringBuilder w = new StringBuilder();
        String consonants = "bcdfghklmnprstvz";
        String vowels = "aeiou";
        int x = i + 7;
        do {
            w.append(consonants.charAt(x % 16)).append(vowels.charAt((x / 16) % 5));
            x /= 80;
        } while (x > 0);
        return w.append(i % 7 == 0 ? "n" : "").toString();
    }

    private static double[] zipf(int n, double s) {
        double[] c = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += 1 / Math.pow(i + 1, s);
            c[i] = sum;
        }
        for (int i = 0; i < n; i++) {
            c[i] /= sum;
        }
        return c;
    }

    private static int draw(double[] cumulative, SplittableRandom rnd) {
        int i = Arrays.binarySearch(cumulative, rnd.nextDouble());
        return Math.min(cumulative.length - 1, i < 0 ? -i - 1 : i);
    }

    // ---- sync ----

    /**
     * 1,000 files (three sections each), a full sync, then one file changed: how many chunks each sync
     * embeds. The embedding model is a counting in-process stand-in (the counts are the point, not the
     * vectors). Peer: LangChain4j's ingestion pattern ({@code EmbeddingStoreIngestor.ingest} of the
     * documents), which embeds every segment of every document it is given.
     */
    void sync() throws IOException {
        Path root = Files.createTempDirectory("keel-bench-sync");
        try {
            Path docs = Files.createDirectories(root.resolve("docs"));
            for (int f = 0; f < 1000; f++) {
                Files.writeString(docs.resolve("file-" + f + ".md"), fileText(f, 0));
            }
            AtomicInteger calls = new AtomicInteger();
            AtomicInteger texts = new AtomicInteger();
            EmbeddingModel counting = new EmbeddingModel() {
                @Override
                public List<float[]> embedAll(List<String> batch) {
                    calls.incrementAndGet();
                    texts.addAndGet(batch.size());
                    List<float[]> out = new ArrayList<>(batch.size());
                    for (String t : batch) {
                        float[] v = new float[64];
                        for (String w : t.split("\\W+")) {
                            v[Math.floorMod(w.hashCode(), 64)] += 1;
                        }
                        v[63] += 0.01f;
                        out.add(v);
                    }
                    return out;
                }

                @Override
                public int dimension() {
                    return 64;
                }
            };
            try (KnowledgeBase kb = KnowledgeBase.builder(root.resolve("index")).source(docs, "**/*.md")
                    .strategy(Strategies.embeddings(counting)).strategy(Strategies.bm25()).build()) {
                long t0 = System.nanoTime();
                SyncResult first = kb.sync();
                double firstMs = (System.nanoTime() - t0) / 1e6;
                int totalChunks = kb.chunkCounts().get("chunked-embeddings");
                Files.writeString(docs.resolve("file-500.md"), fileText(500, 1));
                int textsBefore = texts.get();
                t0 = System.nanoTime();
                SyncResult second = kb.sync();
                double secondMs = (System.nanoTime() - t0) / 1e6;
                int keelEmbedded = texts.get() - textsBefore;
                int changedFileChunks = (int) kb.search("section of file 500 revision 1",
                        SearchOptions.defaults().withLimit(15)).stream().filter(h -> h.source().endsWith("file-500.md"))
                        .count();
                RagSuite.line("sync-1000-files", "chunks=" + totalChunks, "first_sync_ms=" + RagSuite.f(firstMs),
                        "first_embedded=" + first.chunksEmbedded(), "one_changed_sync_ms=" + RagSuite.f(secondMs),
                        "keel_embedded=" + keelEmbedded, "keel_embedding_calls=" + second.embeddingCalls(),
                        "changed_file_chunks=" + changedFileChunks, "peer_embedded=" + totalChunks,
                        "speedup=" + RagSuite.f(totalChunks / (double) Math.max(1, keelEmbedded)),
                        "target=only_the_changed_file");
            }
        } finally {
            delete(root);
        }
    }

    private static String fileText(int f, int revision) {
        StringBuilder text = new StringBuilder("# File " + f + "\n\n");
        for (int s = 0; s < 3; s++) {
            text.append("## Part ").append(s).append('\n').append("This is section ").append(s).append(" of file ")
                    .append(f).append(s == 1 ? " revision " + revision : "").append(". ")
                    .append("It explains one topic in a few sentences so that the section has a body. ".repeat(3))
                    .append("\n\n");
        }
        return text.toString();
    }

    // ---- graph fallback ----

    /**
     * The noisy clustered set where the IVF is inactive (1000 clusters, noise 1.5, 384 dimensions): the HNSW
     * graph fallback's held-out recall@10 and speed against exact search in the same run.
     */
    void graph(int n) {
        int dim = 384;
        float[][] centers = RagSuite.randomUnit(1000, 5);
        SplittableRandom rnd = new SplittableRandom(6);
        InMemoryVectorStore store = InMemoryVectorStore.builder(dim).initialCapacity(n).build();
        List<Entry> entries = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            entries.add(Entry.of("v" + i, RagSuite.jitter(centers[rnd.nextInt(1000)], 1.5, rnd)));
        }
        store.upsertAll(entries);
        List<float[]> queries = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            queries.add(RagSuite.jitter(centers[rnd.nextInt(1000)], 1.5, rnd)); // fresh points, not calibration ones
        }
        long t0 = System.nanoTime();
        AnnStatus status = store.buildAnnIndex(AnnOptions.defaults());
        double build = (System.nanoTime() - t0) / 1e9;
        double[] qps = RagSuite.interleaved(seconds, i -> store.search(queries.get(i % queries.size()), 10),
                i -> store.searchExact(queries.get(i % queries.size()), 10, Double.NEGATIVE_INFINITY,
                        MetadataFilter.all()));
        int found = 0;
        for (float[] q : queries) {
            Set<String> truth = new HashSet<>();
            for (Hit h : store.searchExact(q, 10, Double.NEGATIVE_INFINITY, MetadataFilter.all())) {
                truth.add(h.id());
            }
            for (Hit h : store.search(q, 10)) {
                found += truth.contains(h.id()) ? 1 : 0;
            }
        }
        RagSuite.line("graph-fallback-noisy-" + RagSuite.size(n), "index=" + status.index(), "ef=" + status.probes(),
                "build_s=" + RagSuite.f(build), "calibration_recall=" + RagSuite.f3(status.measuredRecall()),
                "recall@10=" + RagSuite.f3(found / (10.0 * queries.size())), "graph_qps=" + RagSuite.f(qps[0]),
                "exact_qps=" + RagSuite.f(qps[1]), "speedup=" + RagSuite.f(qps[0] / qps[1]),
                "target_speedup=10", "target_recall=0.95");
    }

    // ---- helpers ----

    private static String resource(String name) throws IOException {
        try (InputStream in = KnowledgeBench.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("missing resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String f4(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }

    private static void delete(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
