package dev.keel.rag.knowledge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.EmbeddingModel;
import dev.keel.core.openai.OpenAiEmbeddings;
import dev.keel.rag.chunk.Source;
import dev.keel.testing.model.RecordedEmbeddingRequest;
import dev.keel.testing.model.ScriptedModelServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Indexing real files in temp directories: incremental sync, deletes, reopen, changes mid-index, locking. */
class KnowledgeBaseSyncTest {
    @TempDir
    Path tmp;
    private ScriptedModelServer server;
    private OpenAiEmbeddings words;
    private Path docs;
    private Path index;

    @BeforeEach
    void start() throws IOException {
        server = ScriptedModelServer.start();
        words = WordVectors.model(server);
        docs = Files.createDirectories(tmp.resolve("docs"));
        index = tmp.resolve("index");
        write("guide.md", "# Guide\n\n## Install\nRun the installer with brew install keel.\n\n"
                + "## Configure\nSet KEEL_HOME to the data directory.\n");
        write("faq.md", "# FAQ\n\n## Licence\nKeel is licensed under Apache 2.0.\n");
        write("notes/ops.md", "# Operations\n\n## Backups\nBackups run nightly at two.\n");
        write("notes/image.png", "\0\0binary");
    }

    @AfterEach
    void stop() {
        words.close();
        server.close();
    }

    private void write(String name, String text) throws IOException {
        Path file = docs.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    private KnowledgeBase.Builder kb() {
        return KnowledgeBase.builder(index).name("docs").source(docs, "**/*.md")
                .strategy(Strategies.embeddings(words).withThreshold(0.1))
                .strategy(Strategies.bm25());
    }

    private int embeddedTexts() {
        return server.embeddingRequests().stream().mapToInt(r -> r.inputs().size()).sum();
    }

    @Test
    void indexesSearchesAndReportsWhereEachPassageIs() throws IOException {
        try (KnowledgeBase kb = kb().build()) {
            assertThat(kb.search("install")).isEmpty(); // nothing indexed yet
            List<IndexProgress> progress = new ArrayList<>();
            SyncResult result = kb.sync(progress::add);
            assertThat(result.filesAdded()).isEqualTo(3); // the .png matches no glob
            assertThat(result.generation()).isEqualTo(1);
            assertThat(progress.get(progress.size() - 1).done()).isTrue();
            assertThat(progress.get(progress.size() - 1).embeddingsDone()).isEqualTo(embeddedTexts());

            List<KnowledgeHit> hits = kb.search("how do I install keel with brew");
            KnowledgeHit best = hits.get(0);
            assertThat(best.source()).isEqualTo("docs/guide.md");
            // short sections merge into the next one; the chunk carries the heading path of where it ends
            assertThat(best.headingPath()).isEqualTo("# Guide > ## Configure");
            assertThat(best.text()).contains("brew install keel");
            String file = Files.readString(docs.resolve("guide.md"));
            assertThat(file.substring(best.start(), best.end())).isEqualTo(best.text());
            assertThat(best.strategyScores()).containsKeys("chunked-embeddings", "bm25");
            assertThat(best.score()).isEqualTo(best.fusedScore());
            assertThat(kb.search("backups nightly").get(0).source()).isEqualTo("docs/notes/ops.md");
        }
    }

    @Test
    void aSecondSyncWithoutChangesEmbedsNothingAndWritesNoGeneration() {
        try (KnowledgeBase kb = kb().build()) {
            kb.sync();
            int calls = server.embeddingRequests().size();
            SyncResult again = kb.sync();
            assertThat(again.unchanged()).isTrue();
            assertThat(again.filesUnchanged()).isEqualTo(3);
            assertThat(again.embeddingCalls()).isZero();
            assertThat(again.generation()).isEqualTo(1);
            assertThat(server.embeddingRequests()).hasSize(calls);
        }
    }

    @Test
    void aChangedFileIsReEmbeddedAloneAndADeletedFileLeavesTheIndex() throws IOException {
        try (KnowledgeBase kb = kb().build()) {
            kb.sync();
            int before = embeddedTexts();
            // change one section of guide.md; the other section's chunk keeps its vector
            write("guide.md", "# Guide\n\n## Install\nRun the installer with apt install keel.\n\n"
                    + "## Configure\nSet KEEL_HOME to the data directory.\n");
            Files.delete(docs.resolve("faq.md"));
            SyncResult result = kb.sync();
            assertThat(result.filesChanged()).isEqualTo(1);
            assertThat(result.filesRemoved()).isEqualTo(1);
            assertThat(result.filesUnchanged()).isEqualTo(1);
            List<RecordedEmbeddingRequest> later = server.embeddingRequests()
                    .subList(server.embeddingRequests().size() - result.embeddingCalls(), server.embeddingRequests().size());
            assertThat(later).flatExtracting(RecordedEmbeddingRequest::inputs)
                    .singleElement().asString().contains("apt install keel");
            assertThat(embeddedTexts() - before).isEqualTo(1).isEqualTo(result.chunksEmbedded());

            assertThat(kb.search("apt install").get(0).text()).contains("apt install keel");
            assertThat(kb.search("licensed apache")).noneMatch(h -> h.source().equals("docs/faq.md"));
            assertThat(kb.documentCount()).isEqualTo(2);
        }
    }

    @Test
    void aReopenedKnowledgeBaseSearchesTheLastGenerationWithoutIndexing() {
        List<KnowledgeHit> first;
        try (KnowledgeBase kb = kb().build()) {
            kb.sync();
            first = kb.search("data directory");
        }
        int calls = server.embeddingRequests().size();
        try (KnowledgeBase again = kb().build()) {
            assertThat(again.generation()).isEqualTo(1);
            List<KnowledgeHit> hits = again.search("data directory");
            assertThat(hits).extracting(KnowledgeHit::chunkId).containsExactlyElementsOf(
                    first.stream().map(KnowledgeHit::chunkId).toList());
            assertThat(again.sync().unchanged()).isTrue();
            // only the two questions were embedded; no document
            assertThat(server.embeddingRequests().subList(calls, server.embeddingRequests().size()))
                    .allSatisfy(r -> assertThat(r.inputs()).containsExactly("data directory"));
        }
    }

    @Test
    void aStrategyChangedBetweenRestartsIsRebuiltByTheNextSyncThoughNoFileChanged() {
        try (KnowledgeBase kb = kb().build()) {
            kb.sync();
        }
        // the service restarts with another chunking for the embeddings: that strategy's old index does not fit
        try (KnowledgeBase changed = KnowledgeBase.builder(index).name("docs").source(docs, "**/*.md")
                .strategy(Strategies.embeddings(words).withThreshold(0.1).withChunking(Chunking.of(40, 0)))
                .strategy(Strategies.bm25()).build()) {
            int before = embeddedTexts();
            SyncResult result = changed.sync();
            assertThat(result.generation()).isEqualTo(2);
            assertThat(result.chunksEmbedded()).isPositive();
            assertThat(embeddedTexts()).isGreaterThan(before);
            assertThat(changed.search("data directory"))
                    .filteredOn(h -> h.strategyScores().containsKey("chunked-embeddings")).isNotEmpty()
                    .allSatisfy(h -> assertThat(h.end() - h.start()).isLessThanOrEqualTo(40));
            // and it stays rebuilt: the next restart with the same settings reuses it
            int after = embeddedTexts();
            assertThat(changed.sync().generation()).isEqualTo(2);
            assertThat(embeddedTexts()).isEqualTo(after);
        }
    }

    @Test
    void aFileChangedWhileIndexingIsIndexedAsReadAndPickedUpByTheNextSync() throws IOException {
        AtomicBoolean changed = new AtomicBoolean();
        EmbeddingModel changingWhileEmbedding = new EmbeddingModel() {
            @Override
            public List<float[]> embedAll(List<String> texts) {
                if (changed.compareAndSet(false, true)) {
                    try { // the files were read already; a writer changes one now
                        write("faq.md", "# FAQ\n\n## Licence\nKeel is now dual licensed under MIT too.\n");
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                }
                return words.embedAll(texts);
            }

            @Override
            public int dimension() {
                return words.dimension();
            }
        };
        try (KnowledgeBase kb = KnowledgeBase.builder(index).source(docs, "**/*.md")
                .strategy(Strategies.embeddings(changingWhileEmbedding).withThreshold(0.1))
                .strategy(Strategies.bm25()).build()) {
            kb.sync();
            // the index holds what was read: consistent offsets into the old text, not a mix
            KnowledgeHit licence = kb.search("licensed").get(0);
            assertThat(licence.text()).contains("Apache 2.0").doesNotContain("MIT");
            SyncResult next = kb.sync();
            assertThat(next.filesChanged()).isEqualTo(1);
            KnowledgeHit updated = kb.search("licensed").get(0);
            assertThat(updated.text()).contains("MIT");
            assertThat(Files.readString(docs.resolve("faq.md")).substring(updated.start(), updated.end()))
                    .isEqualTo(updated.text());
        }
    }

    @Test
    void gitignoredFilesAndInMemoryDocumentsAndGlobs() throws IOException {
        write(".gitignore", "notes/\n*.draft.md\n");
        write("plan.draft.md", "# Draft\nsecret roadmap\n");
        write(".git/HEAD.md", "# not a doc\n");
        try (KnowledgeBase kb = KnowledgeBase.builder(index).source(docs, "**/*.md")
                .document(Source.of("inline-policy", "Refunds are granted within thirty days."))
                .strategy(Strategies.bm25()).build()) {
            kb.sync();
            assertThat(kb.documentCount()).isEqualTo(3); // guide, faq, inline-policy
            assertThat(kb.search("refunds thirty").get(0).source()).isEqualTo("inline-policy");
            assertThat(kb.search("backups nightly")).isEmpty();
            assertThat(kb.search("secret roadmap")).isEmpty();
        }
        try (KnowledgeBase all = KnowledgeBase.builder(tmp.resolve("index2")).source(docs, "**/*.md")
                .respectVcs(false).strategy(Strategies.bm25()).build()) {
            all.sync();
            assertThat(all.search("secret roadmap")).isNotEmpty();
            assertThat(all.search("backups nightly")).isNotEmpty();
        }
    }

    @Test
    void aDamagedCurrentGenerationFallsBackToThePreviousOne() throws IOException {
        try (KnowledgeBase kb = kb().build()) {
            kb.sync();
            write("faq.md", "# FAQ\n\n## Licence\nKeel is licensed under MIT.\n");
            kb.sync();
        }
        Path manifest = index.resolve("gen-0000000000000002").resolve("manifest.kkb");
        byte[] bytes = Files.readAllBytes(manifest);
        bytes[bytes.length / 2] ^= 0x5a;
        Files.write(manifest, bytes);
        try (KnowledgeBase kb = kb().build()) {
            assertThat(kb.generation()).isEqualTo(1);
            assertThat(kb.search("licensed").get(0).text()).contains("Apache");
            kb.sync(); // writes generation 3 over the damage
            assertThat(kb.generation()).isEqualTo(3);
            assertThat(kb.search("licensed").get(0).text()).contains("MIT");
        }
        // no fallback left: a damaged only generation is a typed error naming the file
        Files.write(index.resolve("gen-0000000000000003").resolve("manifest.kkb"), new byte[] {1, 2, 3});
        deleteTree(index.resolve("gen-0000000000000002"));
        assertThatThrownBy(() -> kb().build()).isInstanceOf(KnowledgeBaseException.class)
                .hasMessageContaining("manifest.kkb");
    }

    @Test
    void twoWritersOnOneDirectoryAreRefused() throws Exception {
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        EmbeddingModel blocking = new EmbeddingModel() {
            @Override
            public List<float[]> embedAll(List<String> texts) {
                inside.countDown();
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return words.embedAll(texts);
            }

            @Override
            public int dimension() {
                return words.dimension();
            }
        };
        try (KnowledgeBase first = KnowledgeBase.builder(index).source(docs).strategy(Strategies.embeddings(blocking))
                .build();
             KnowledgeBase second = kb().build()) {
            Thread syncing = new Thread(first::sync);
            syncing.start();
            assertThat(inside.await(30, TimeUnit.SECONDS)).isTrue();
            assertThatThrownBy(second::sync).isInstanceOf(KnowledgeBaseException.class)
                    .hasMessageContaining("being written by another");
            release.countDown();
            syncing.join(30_000);
            assertThat(first.generation()).isEqualTo(1);
        }
    }

    @Test
    void badConfigurationIsRejectedWithTheReason() {
        assertThatThrownBy(() -> KnowledgeBase.builder(index).build()).hasMessageContaining("at least one strategy");
        assertThatThrownBy(() -> KnowledgeBase.builder(index).strategy(Strategies.bm25()).strategy(Strategies.bm25())
                .build()).hasMessageContaining("two strategies are named 'bm25'");
        assertThatThrownBy(() -> KnowledgeBase.builder(index).strategy(Strategies.bm25())
                .fusion(Fusion.weighted(java.util.Map.of("chunked-embeddings", 0.7))).build())
                .hasMessageContaining("unknown strategy 'chunked-embeddings'");
        assertThatThrownBy(() -> Strategies.embeddings(words).withDimensions(1536))
                .hasMessageContaining("vector_dimensions 1536 does not match");
        assertThatThrownBy(() -> Fusion.weighted(java.util.Map.of("bm25", 1.5))).hasMessageContaining("[0, 1]");
        try (KnowledgeBase kb = kb().build()) {
            assertThatThrownBy(() -> kb.search("  ")).isInstanceOf(IllegalArgumentException.class);
        }
    }

    static void deleteTree(Path root) throws IOException {
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
