package dev.keel.rag.knowledge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.openai.OpenAiEmbeddings;
import dev.keel.testing.model.ScriptedModelServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Background re-indexing of real files: creates, edits, new directories, deletes; progress; failures. */
class KnowledgeBaseWatchTest {
    @TempDir
    Path tmp;

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(20);
        }
    }

    /** True when a passage containing {@code word} is found for it (word vectors may collide; the text decides). */
    private static boolean found(KnowledgeBase kb, String word) {
        return kb.search(word).stream().anyMatch(h -> h.text().contains(word));
    }

    @Test
    void reIndexesAfterChangesAndReportsProgress() throws Exception {
        Path docs = Files.createDirectories(tmp.resolve("docs"));
        Files.writeString(docs.resolve("a.md"), "# A\nThe first document talks about apples.\n");
        List<IndexProgress> progress = new CopyOnWriteArrayList<>();
        List<KnowledgeBaseException> failures = new CopyOnWriteArrayList<>();
        ProgressListener listener = new ProgressListener() {
            @Override
            public void progress(IndexProgress p) {
                progress.add(p);
            }

            @Override
            public void failed(KnowledgeBaseException failure) {
                failures.add(failure);
            }
        };
        try (ScriptedModelServer server = ScriptedModelServer.start();
             OpenAiEmbeddings words = WordVectors.model(server);
             // the index lives inside the watched directory: its own writes are not changes
             KnowledgeBase kb = KnowledgeBase.builder(docs.resolve(".keel/kb")).source(docs)
                     .strategy(Strategies.embeddings(words).withThreshold(0.1)).strategy(Strategies.bm25())
                     .debounce(Duration.ofMillis(100)).build()) {
            kb.watch(listener);
            await("the first generation is live", () -> kb.generation() == 1);
            assertThat(kb.search("apples")).extracting(KnowledgeHit::source).containsExactly("docs/a.md");
            IndexProgress last = progress.stream().filter(IndexProgress::done).findFirst().orElseThrow();
            assertThat(last.done()).isTrue();
            assertThat(last.filesDone()).isEqualTo(1).isEqualTo(last.filesTotal());
            assertThat(last.embeddingsDone()).isEqualTo(last.embeddingsTotal()).isEqualTo(1);
            assertThatThrownBy(() -> kb.watch(listener)).isInstanceOf(IllegalStateException.class);

            Files.writeString(docs.resolve("a.md"), "# A\nThe first document now talks about pears.\n");
            await("the edit is indexed", () -> found(kb, "pears"));
            assertThat(found(kb, "apples")).isFalse();

            Path nested = Files.createDirectories(docs.resolve("new/deeper"));
            Files.writeString(nested.resolve("b.md"), "# B\nA new directory brings bananas.\n");
            await("a file in a new directory is indexed", () -> found(kb, "bananas"));
            assertThat(kb.search("bananas").get(0).source()).isEqualTo("docs/new/deeper/b.md");

            Files.delete(docs.resolve("a.md"));
            await("the deleted file left the index", () -> !found(kb, "pears"));
            assertThat(kb.documentCount()).isEqualTo(1);
            long generation = kb.generation();
            // several quick writes are one run (debounced) and the index's own files never count as documents
            for (int i = 0; i < 5; i++) {
                Files.writeString(nested.resolve("b.md"), "# B\nA new directory brings bananas, version " + i + ".\n");
            }
            await("the burst is indexed", () -> kb.search("bananas").get(0).text().contains("version 4"));
            assertThat(kb.generation()).isBetween(generation + 1, generation + 5);
            assertThat(kb.documentCount()).isEqualTo(1);
            assertThat(failures).isEmpty();
        }
    }

    @Test
    void aFailingRunIsReportedAndTheLastGoodIndexStaysLive() throws Exception {
        Path docs = Files.createDirectories(tmp.resolve("docs"));
        Files.writeString(docs.resolve("a.md"), "# A\nCherries are red.\n");
        List<KnowledgeBaseException> failures = new CopyOnWriteArrayList<>();
        try (ScriptedModelServer server = ScriptedModelServer.start();
             OpenAiEmbeddings words = WordVectors.model(server);
             KnowledgeBase kb = KnowledgeBase.builder(tmp.resolve("index")).source(docs)
                     .strategy(Strategies.embeddings(words).withThreshold(0.1)).debounce(Duration.ofMillis(50)).build()) {
            kb.watch(new ProgressListener() {
                @Override
                public void progress(IndexProgress p) {
                }

                @Override
                public void failed(KnowledgeBaseException failure) {
                    failures.add(failure);
                }
            });
            await("the first generation is live", () -> kb.generation() == 1);
            server.embeddings(text -> {
                throw new IllegalStateException("embedding backend down");
            });
            Files.writeString(docs.resolve("a.md"), "# A\nCherries are dark red.\n");
            await("the failure is reported", () -> !failures.isEmpty());
            assertThat(failures.get(0)).hasMessageContaining("embedding");
            assertThat(kb.generation()).isEqualTo(1);
            server.embeddings(WordVectors::of); // the backend is back; the last good generation answers
            assertThat(kb.search("cherries").get(0).text()).contains("Cherries are red");
        }
    }
}
