package dev.keel.rag.knowledge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.openai.OpenAiEmbeddings;
import dev.keel.rag.chunk.Chunk;
import dev.keel.rag.chunk.Chunker;
import dev.keel.rag.chunk.Source;
import dev.keel.testing.model.ScriptedModelServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The result options of docker-agent's rag block: query cache, full content, scores, chunking variants. */
class KnowledgeBaseOptionsTest {
    @TempDir
    Path tmp;
    private ScriptedModelServer server;
    private OpenAiEmbeddings words;

    @BeforeEach
    void start() {
        server = ScriptedModelServer.start();
        words = WordVectors.model(server);
    }

    @AfterEach
    void stop() {
        words.close();
        server.close();
    }

    @Test
    void theQueryCacheAnswersExactRepeatsWithoutSearchingAndStillFiltersAndForgetsOldGenerations() throws Exception {
        Path docs = Files.createDirectories(tmp.resolve("docs"));
        Files.writeString(docs.resolve("a.md"), "# A\nQuarterly reports are due on the fifth.\n");
        Files.writeString(docs.resolve("b.md"), "# B\nQuarterly reviews happen in the first week.\n");
        try (KnowledgeBase kb = KnowledgeBase.builder(tmp.resolve("index")).source(docs)
                .strategy(Strategies.embeddings(words).withThreshold(0.05)).queryCache(8).build()) {
            kb.sync();
            int before = server.embeddingRequests().size();
            List<KnowledgeHit> first = kb.search("quarterly reports");
            assertThat(server.embeddingRequests()).hasSize(before + 1);
            List<KnowledgeHit> again = kb.search("  Quarterly   REPORTS ");
            assertThat(server.embeddingRequests()).hasSize(before + 1); // answered from the cache
            assertThat(again).isEqualTo(first);
            // the per-request filter runs on cached candidates too
            assertThat(kb.search("quarterly reports", found -> found.stream()
                    .filter(h -> !h.source().endsWith("a.md")).toList()))
                    .extracting(KnowledgeHit::source).doesNotContain("docs/a.md").isNotEmpty();
            // a new generation empties the cache
            Files.writeString(docs.resolve("a.md"), "# A\nQuarterly reports are now due on the tenth.\n");
            kb.sync();
            assertThat(kb.search("quarterly reports")).anyMatch(h -> h.text().contains("tenth"));
            assertThat(server.embeddingRequests().size()).isGreaterThan(before + 2);
        }
    }

    @Test
    void toolAnswersCanCarryWholeDocumentsOncePerSource() throws Exception {
        Path docs = Files.createDirectories(tmp.resolve("docs"));
        String text = "# Guide\n\n## One\n" + "Alpha setup step. ".repeat(20) + "\n\n## Two\n" + "Alpha cleanup step. ".repeat(20)
                + "\n";
        Files.writeString(docs.resolve("guide.md"), text);
        try (KnowledgeBase kb = KnowledgeBase.builder(tmp.resolve("index")).source(docs)
                .strategy(Strategies.bm25().withChunking(Chunking.markdown(400))).returnFullContent(true).build()) {
            kb.sync();
            assertThat(kb.search("alpha step")).hasSizeGreaterThanOrEqualTo(2); // several passages of one file
            String answer = kb.toolAnswer("alpha step", KnowledgeFilter.none());
            assertThat(answer).containsOnlyOnce("\"source_path\":\"docs/guide.md\"")
                    .contains("## One\\n").contains("## Two\\n");
        }
    }

    @Test
    void fixedWindowsEndAtWordsAndCodeAwareChunkingCutsAtBlankLines() throws Exception {
        Path docs = Files.createDirectories(tmp.resolve("docs"));
        Files.writeString(docs.resolve("notes.txt"), "lorem ipsum dolor sit amet consectetur ".repeat(30));
        String code = "class A {\n    void a() {\n        run();\n    }\n}\n\nclass B {\n    void b() {\n        stop();\n    }\n}\n";
        Files.writeString(docs.resolve("Code.java"), code);
        try (KnowledgeBase kb = KnowledgeBase.builder(tmp.resolve("index")).source(docs)
                .strategy(Strategies.bm25().withChunking(Chunking.of(100, 20).respectWordBoundaries(true))
                        .withLimit(100).withName("words"))
                .strategy(Strategies.bm25().withChunking(Chunking.of(70, 0).codeAware(true)).withLimit(100)
                        .withName("code"))
                .limit(100).deduplicate(false).build()) {
            kb.sync();
            assertThat(kb.chunkCounts()).containsKeys("words", "code");
            List<KnowledgeHit> windows = kb.search("lorem ipsum", SearchOptions.defaults().withLimit(100)).stream()
                    .filter(h -> h.strategyScores().containsKey("words") && h.source().endsWith("notes.txt")).toList();
            assertThat(windows).hasSizeGreaterThan(5).allSatisfy(h -> {
                assertThat(h.text().length()).isLessThanOrEqualTo(100);
                if (h.end() < 30 * "lorem ipsum dolor sit amet consectetur ".length()) {
                    assertThat(h.text()).endsWith(" "); // never a word cut in two
                }
            });
            List<KnowledgeHit> classes = kb.search("run stop", SearchOptions.defaults().withLimit(100)).stream()
                    .filter(h -> h.strategyScores().containsKey("code")).toList();
            assertThat(classes).extracting(KnowledgeHit::text)
                    .anySatisfy(t -> assertThat(t).startsWith("class A").doesNotContain("class B"))
                    .anySatisfy(t -> assertThat(t).contains("class B").doesNotContain("class A"));
        }
    }

    @Test
    void aCustomChunkerAndWeightedFusionAtTheKnowledgeBaseLevel() {
        Chunker sentences = source -> {
            List<Chunk> chunks = new java.util.ArrayList<>();
            int start = 0;
            int ordinal = 0;
            String text = source.text();
            for (int i = 0; i < text.length(); i++) {
                if (text.charAt(i) == '.' || i == text.length() - 1) {
                    chunks.add(new Chunk(source.id(), ordinal++, start, i + 1, text.substring(start, i + 1),
                            Map.of(Chunk.SOURCE, source.id()), false));
                    start = i + 1;
                }
            }
            return chunks;
        };
        try (KnowledgeBase kb = KnowledgeBase.builder(tmp.resolve("index"))
                .document(Source.of("faq", "Invoices are emailed monthly. Receipts are emailed after each payment."))
                .strategy(Strategies.bm25().withChunking(Chunking.custom(sentences)))
                .strategy(Strategies.embeddings(words).withThreshold(0).withChunking(Chunking.custom(sentences)))
                .fusion(Fusion.weighted(Map.of("bm25", 1.0, "chunked-embeddings", 0.0))).build()) {
            kb.sync();
            List<KnowledgeHit> hits = kb.search("receipts payment");
            assertThat(hits.get(0).text()).contains("Receipts");
            // the embeddings weigh nothing: the fused score is the normalised BM25 score alone
            assertThat(hits.get(0).fusedScore()).isEqualTo(1.0);
        }
        assertThatThrownBy(() -> Chunking.of(100, 100)).hasMessageContaining("overlap");
    }
}
