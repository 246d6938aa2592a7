package dev.keel.rag.knowledge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.EmbeddingModel;
import dev.keel.core.openai.OpenAiEmbeddings;
import dev.keel.testing.model.ScriptedModelServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Strategies keeping their indexes in directories of their own (docker-agent's per-strategy {@code database}):
 * each directory is reused on reopen, only changed directories are written, a directory that cannot be written
 * or belongs to someone else is refused before anything is written anywhere, and a failure mid-index leaves
 * every directory as it was.
 */
class KnowledgeBaseLocationsTest {
    @TempDir
    Path tmp;
    private ScriptedModelServer server;
    private OpenAiEmbeddings words;
    private final AtomicBoolean failing = new AtomicBoolean();
    private Path docs;

    @BeforeEach
    void start() throws IOException {
        server = ScriptedModelServer.start();
        words = WordVectors.model(server);
        docs = Files.createDirectories(tmp.resolve("docs"));
        Files.writeString(docs.resolve("guide.md"), "# Guide\n\n## Install\nRun the installer with brew install keel.\n");
        Files.writeString(docs.resolve("faq.md"), "# FAQ\n\n## Licence\nKeel is licensed under Apache 2.0.\n");
    }

    @AfterEach
    void stop() {
        words.close();
        server.close();
    }

    /** The word vectors, failing while {@link #failing} is set (a provider outage in the middle of a sync). */
    private EmbeddingModel flaky() {
        return new EmbeddingModel() {
            @Override
            public List<float[]> embedAll(List<String> texts) {
                if (failing.get()) {
                    throw new IllegalStateException("embedding provider is down");
                }
                return words.embedAll(texts);
            }

            @Override
            public int dimension() {
                return words.dimension();
            }

            @Override
            public String id() {
                return "flaky-words";
            }
        };
    }

    private KnowledgeBase.Builder kb(Path vectors, Path keywords, Path small) {
        return KnowledgeBase.builder(tmp.resolve("default")).name("docs").source(docs, "**/*.md")
                .strategy(Strategies.embeddings(words).withThreshold(0.1), vectors)
                .strategy(Strategies.bm25(), keywords)
                .strategy(Strategies.embeddings(flaky()).withName("small").withThreshold(0.1)
                        .withChunking(Chunking.of(40, 0)), small);
    }

    private int embeddedTexts() {
        return server.embeddingRequests().stream().mapToInt(r -> r.inputs().size()).sum();
    }

    private static String current(Path dir) throws IOException {
        return Files.readString(dir.resolve("CURRENT")).strip();
    }

    private static List<String> listing(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void eachStrategyKeepsItsIndexInItsOwnDirectoryAndReopeningReusesEveryOne() throws IOException {
        Path a = tmp.resolve("rag/docs.vectors.db");
        Path b = tmp.resolve("rag/docs.bm25.db");
        Path c = tmp.resolve("rag/docs.small.db");
        try (KnowledgeBase kb = kb(a, b, c).deduplicate(false).build()) {
            kb.sync();
            assertThat(kb.search("brew install keel").stream().flatMap(h -> h.strategyScores().keySet().stream()))
                    .as("results are fused from all three directories").contains("chunked-embeddings", "bm25", "small");
        }
        assertThat(Files.exists(tmp.resolve("default"))).as("no strategy uses the default directory").isFalse();
        for (Path dir : List.of(a, b, c)) {
            assertThat(current(dir)).isEqualTo("gen-0000000000000001");
        }
        int embedded = embeddedTexts();
        try (KnowledgeBase again = kb(a, b, c).build()) {
            assertThat(again.generation()).isEqualTo(1);
            assertThat(again.chunkCounts()).allSatisfy((name, count) -> assertThat(count).as(name).isPositive());
            SyncResult result = again.sync();
            assertThat(result.unchanged()).isTrue();
            assertThat(result.embeddingCalls()).isZero();
            assertThat(embeddedTexts()).as("nothing re-embedded on restart").isEqualTo(embedded);
            assertThat(again.search("licensed apache")).isNotEmpty();
        }
        embedded = embeddedTexts();

        // the 'small' strategy moves: it alone is indexed again; the others' directories are not touched
        Path moved = tmp.resolve("elsewhere/small");
        try (KnowledgeBase kb = kb(a, b, moved).build()) {
            SyncResult result = kb.sync();
            assertThat(result.generation()).isEqualTo(2);
            int smallChunks = kb.chunkCounts().get("small");
            assertThat(embeddedTexts() - embedded).isEqualTo(smallChunks);
        }
        assertThat(current(a)).isEqualTo("gen-0000000000000001");
        assertThat(current(b)).isEqualTo("gen-0000000000000001");
        assertThat(current(moved)).isEqualTo("gen-0000000000000002");

        // a changed document re-indexes every directory that covers it, each generation whole
        Files.writeString(docs.resolve("faq.md"), "# FAQ\n\n## Licence\nKeel is licensed under MIT.\n");
        try (KnowledgeBase kb = kb(a, b, moved).build()) {
            assertThat(kb.sync().filesChanged()).isEqualTo(1);
            assertThat(kb.search("licensed MIT").get(0).text()).contains("MIT");
        }
        for (Path dir : List.of(a, b, moved)) {
            assertThat(current(dir)).isEqualTo("gen-0000000000000003");
        }
        assertThat(listing(a)).contains("gen-0000000000000001", "gen-0000000000000003")
                .as("the generation live before stays as the fallback").doesNotContain("gen-0000000000000002");
    }

    @Test
    void strategiesNamingOneDirectoryShareItAsOneGeneration() throws IOException {
        Path shared = tmp.resolve("shared.db");
        Path c = tmp.resolve("small.db");
        try (KnowledgeBase kb = kb(shared, shared, c).build()) {
            kb.sync();
        }
        assertThat(listing(shared)).contains("CURRENT", "gen-0000000000000001");
        try (Stream<Path> files = Files.list(shared.resolve("gen-0000000000000001"))) {
            // the manifest and the vectors of the one embedding strategy there
            assertThat(files.map(p -> p.getFileName().toString()).sorted()).containsExactly("0.kvec", "manifest.kkb");
        }
        int embedded = embeddedTexts();
        try (KnowledgeBase again = kb(shared, shared, c).build()) {
            assertThat(again.chunkCounts().get("bm25")).isPositive();
            assertThat(again.chunkCounts().get("chunked-embeddings")).isPositive();
            assertThat(again.sync().embeddingCalls()).isZero();
        }
        assertThat(embeddedTexts()).isEqualTo(embedded);
    }

    @Test
    void anUnwritableDirectoryFailsTheSyncNamingTheStrategyAndNothingIsWrittenAnywhere() throws IOException {
        Path a = tmp.resolve("rag/vectors");
        Path blocker = Files.writeString(tmp.resolve("blocker"), "a file where a directory should be");
        Path b = blocker.resolve("bm25");
        Path c = tmp.resolve("fresh/small");
        try (KnowledgeBase kb = kb(a, b, c).build()) {
            assertThatThrownBy(kb::sync).isInstanceOf(KnowledgeBaseException.class)
                    .hasMessageContaining("strategy 'bm25' of knowledge base 'docs'")
                    .hasMessageContaining(b.toString()).hasMessageContaining("cannot be written");
            assertThat(kb.generation()).isZero();
        }
        assertThat(Files.exists(tmp.resolve("rag"))).as("nothing created for the other strategies").isFalse();
        assertThat(Files.exists(tmp.resolve("fresh"))).isFalse();
        assertThat(server.embeddingRequests()).isEmpty();
    }

    @Test
    void aFailureInTheMiddleOfIndexingLeavesEveryDirectoryAsItWas() throws IOException {
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        Path c = tmp.resolve("c");
        try (KnowledgeBase kb = kb(a, b, c).build()) {
            failing.set(true);
            assertThatThrownBy(kb::sync).isInstanceOf(KnowledgeBaseException.class)
                    .hasMessageContaining("embedding provider is down");
            for (Path dir : List.of(a, b, c)) {
                assertThat(listing(dir)).as("%s has no index after a failed first sync", dir)
                        .doesNotContain("CURRENT").noneMatch(n -> n.startsWith("gen-"));
            }
            failing.set(false);
            kb.sync();
            Files.writeString(docs.resolve("guide.md"), "# Guide\n\n## Install\nUse the tarball.\n");
            failing.set(true);
            assertThatThrownBy(kb::sync).isInstanceOf(KnowledgeBaseException.class);
            for (Path dir : List.of(a, b, c)) {
                assertThat(current(dir)).isEqualTo("gen-0000000000000001");
                assertThat(listing(dir)).noneMatch(n -> n.startsWith("gen-") && !n.endsWith("1"));
            }
            failing.set(false);
            assertThat(kb.search("brew install").get(0).text()).contains("brew"); // the old generation, whole
        }
        try (KnowledgeBase reopened = kb(a, b, c).build()) {
            assertThat(reopened.search("brew install").get(0).text()).contains("brew");
            assertThat(reopened.sync().filesChanged()).isEqualTo(1);
            assertThat(reopened.search("tarball").get(0).text()).contains("tarball");
        }
    }

    @Test
    void aDirectoryHoldingAnotherKnowledgeBasesIndexIsRefusedAndLeftAsItIs() throws IOException {
        Path theirs = tmp.resolve("theirs");
        try (KnowledgeBase other = KnowledgeBase.builder(theirs).name("handbook").source(docs)
                .strategy(Strategies.bm25()).build()) {
            other.sync();
        }
        List<String> before = listing(theirs);
        String manifest = current(theirs);
        KnowledgeBase.Builder mine = kb(tmp.resolve("a"), theirs, tmp.resolve("c"));
        assertThatThrownBy(mine::build).isInstanceOf(KnowledgeBaseException.class)
                .hasMessageContaining("strategy 'bm25' of knowledge base 'docs'").hasMessageContaining(theirs.toString())
                .hasMessageContaining("knowledge base 'handbook'");
        assertThat(listing(theirs)).isEqualTo(before);
        assertThat(current(theirs)).isEqualTo(manifest);
        try (KnowledgeBase other = KnowledgeBase.builder(theirs).name("handbook").source(docs)
                .strategy(Strategies.bm25()).build()) {
            assertThat(other.sync().unchanged()).as("the owner's index is intact").isTrue();
        }
    }

    @Test
    void aFileOrAForeignDirectoryAtALocationIsRefusedUntouched() throws IOException {
        Path sqlite = Files.writeString(tmp.resolve("docs.bm25.db"), "SQLite format 3\0");
        assertThatThrownBy(() -> kb(tmp.resolve("a"), sqlite, tmp.resolve("c")).build())
                .isInstanceOf(KnowledgeBaseException.class).hasMessageContaining("strategy 'bm25'")
                .hasMessageContaining("is a file");
        assertThat(Files.readString(sqlite)).isEqualTo("SQLite format 3\0");
        Path foreign = Files.createDirectories(tmp.resolve("notes"));
        Files.writeString(foreign.resolve("todo.txt"), "mine");
        assertThatThrownBy(() -> kb(tmp.resolve("a"), foreign, tmp.resolve("c")).build())
                .isInstanceOf(KnowledgeBaseException.class).hasMessageContaining("todo.txt");
        assertThat(listing(foreign)).containsExactly("todo.txt");
        assertThatThrownBy(() -> kb(tmp.resolve("a"), tmp.resolve("a/inner"), tmp.resolve("c")).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("one inside the other");
    }
}
