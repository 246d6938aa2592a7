package dev.keel.rag.retrieve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.EmbeddingModel;
import dev.keel.rag.chunk.Chunk;
import dev.keel.rag.chunk.Chunkers;
import dev.keel.rag.chunk.Source;
import dev.keel.rag.embed.EmbeddedModels;
import dev.keel.rag.store.Hit;
import dev.keel.rag.store.InMemoryVectorStore;
import dev.keel.rag.store.VectorStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Retrieval over the seeds' snippets with the real embedded MiniLM model. */
class RetrieverTest {
    private static EmbeddingModel miniLm;
    private static InMemoryVectorStore store;
    private static List<Chunk> chunks;

    @BeforeAll
    static void index() throws IOException {
        miniLm = EmbeddedModels.allMiniLmL6V2();
        String text;
        try (InputStream in = RetrieverTest.class.getResourceAsStream("/snippets.md")) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        chunks = Chunkers.markdownSections(800).split(Source.of("snippets.md", text));
        store = VectorStore.inMemory(miniLm.dimension());
        assertThat(Indexer.of(miniLm, 4).index(chunks, store)).isEqualTo(chunks.size());
    }

    @Test
    void embeddedModelIsMiniLmWith384Dimensions() {
        assertThat(miniLm.dimension()).isEqualTo(384);
        List<float[]> vectors = miniLm.embedAll(List.of("read a file", "read a file", "bake bread"));
        assertThat(vectors).hasSize(3).allSatisfy(v -> assertThat(v).hasSize(384));
        assertThat(vectors.get(0)).containsExactly(vectors.get(1));
        assertThat(cos(vectors.get(0), vectors.get(1))).isGreaterThan(cos(vectors.get(0), vectors.get(2)));
    }

    private static double cos(float[] a, float[] b) {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }

    @Test
    void findsTheRightSnippetWithCitationMetadata() {
        Retriever retriever = Retriever.builder(store, miniLm).maxResults(3).minScore(0.45).build();
        List<Hit> hits = retriever.retrieve("How do I read a text file line by line in Java?");
        assertThat(hits).isNotEmpty().hasSizeLessThanOrEqualTo(3);
        Hit best = hits.get(0);
        assertThat(best.metadata().get(Chunk.HEADING_PATH)).isEqualTo("# Coding snippets > ## Read a file line by line in Java");
        assertThat(best.metadata().get(Chunk.KEYWORDS)).contains("nio");
        assertThat(best.sourceId()).isEqualTo("snippets.md");
        assertThat(best.text()).contains("Files.lines");
        assertThat(hits).allSatisfy(h -> assertThat(h.score()).isGreaterThanOrEqualTo(0.45));

        List<Hit> python = retriever.retrieve("python virtualenv pip install requirements");
        assertThat(python.get(0).text()).contains("python3 -m venv");
    }

    @Test
    void minScoreKeepsUnrelatedQuestionsEmpty() {
        Retriever retriever = Retriever.builder(store, miniLm).build();
        assertThat(retriever.retrieve("What is the best recipe for sourdough bread?")).isEmpty();
    }

    @Test
    void hitFilterRunsAfterOverFetchAndKeepsOrder() {
        Retriever all = Retriever.builder(store, miniLm).maxResults(3).minScore(0).build();
        List<Hit> unfiltered = all.retrieve("java code");
        String banned = unfiltered.get(0).id();
        Retriever filtered = Retriever.builder(store, miniLm).maxResults(3).minScore(0)
                .filter(hits -> hits.stream().filter(h -> !h.id().equals(banned)).toList()).build();
        List<Hit> hits = filtered.retrieve("java code");
        assertThat(hits).hasSize(3).extracting(Hit::id).doesNotContain(banned);
        assertThat(hits.get(0).id()).isEqualTo(unfiltered.get(1).id());
        assertThat(hits).isSortedAccordingTo((a, b) -> Double.compare(b.score(), a.score()));
    }

    @Test
    void filtersFailClosedAndCannotInjectHits() {
        Retriever throwing = Retriever.builder(store, miniLm).filter(hits -> {
            throw new IllegalStateException("permission service down");
        }).build();
        assertThatThrownBy(() -> throwing.retrieve("java")).hasMessage("permission service down");
        Hit forged = new Hit("forged", 1.0, "secret", java.util.Map.of());
        Retriever injecting = Retriever.builder(store, miniLm).minScore(0).filter(hits -> List.of(forged)).build();
        assertThatThrownBy(() -> injecting.retrieve("java")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not given");
        assertThatThrownBy(() -> Retriever.builder(VectorStore.inMemory(3), miniLm))
                .hasMessageContaining("384-dimensional vectors but the store holds 3");
        assertThatThrownBy(() -> Retriever.builder(store, miniLm).build().retrieve(" "))
                .hasMessageContaining("blank");
    }

    @Test
    void requestFiltersApplyAfterTheConfiguredOneAndOnlyToTheirRequest() {
        Retriever all = Retriever.builder(store, miniLm).maxResults(3).minScore(0).build();
        List<Hit> unfiltered = all.retrieve("java code");
        String first = unfiltered.get(0).id();
        String second = unfiltered.get(1).id();
        Retriever withoutFirst = Retriever.builder(store, miniLm).maxResults(3).minScore(0)
                .filter(hits -> hits.stream().filter(h -> !h.id().equals(first)).toList()).build();

        List<Hit> both = withoutFirst.retrieve("java code",
                hits -> hits.stream().filter(h -> !h.id().equals(second)).toList());
        assertThat(both).hasSize(3).extracting(Hit::id).doesNotContain(first, second);
        assertThat(withoutFirst.retrieve("java code")).extracting(Hit::id).contains(second).doesNotContain(first);

        Hit forged = new Hit("forged", 1.0, "secret", java.util.Map.of());
        assertThatThrownBy(() -> all.retrieve("java", hits -> List.of(forged)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("not given");
    }

    @Test
    void anEmptyResultSaysWhyWithTheBestScoreItSaw() {
        Retriever strict = Retriever.builder(store, miniLm).maxResults(3).minScore(0.99).build();
        Retrieval retrieval = strict.retrieval("How do I read a file line by line in Java?");
        assertThat(retrieval.hits()).isEmpty();
        assertThat(retrieval.aboveMinScore()).isZero();
        Hit best = retrieval.bestBelow().orElseThrow();
        // the best hit the store had is the right snippet, just under the (too strict) threshold
        assertThat(best.metadata().get(Chunk.HEADING_PATH)).contains("Read a file line by line");
        assertThat(best.score()).isLessThan(0.99).isGreaterThan(0.3);
        assertThat(retrieval.explanation()).startsWith("no hit scored at least 0.990 (best seen: ")
                .contains(String.format(java.util.Locale.ROOT, "%.3f", best.score())).contains(best.id());
    }

    @Test
    void anEmptyResultBlamesTheFilterWhenItRemovedEverything() {
        Retriever retriever = Retriever.builder(store, miniLm).maxResults(3).minScore(0.45).build();
        Retrieval retrieval = retriever.retrieval("How do I read a file line by line in Java?", hits -> List.of());
        assertThat(retrieval.hits()).isEmpty();
        assertThat(retrieval.aboveMinScore()).isPositive();
        assertThat(retrieval.bestBelow()).isEmpty();
        assertThat(retrieval.explanation()).endsWith("but the hit filter removed all of them");
    }

    @Test
    void anEmptyStoreSaysSo() {
        Retriever retriever = Retriever.builder(VectorStore.inMemory(miniLm.dimension()), miniLm).build();
        Retrieval retrieval = retriever.retrieval("anything");
        assertThat(retrieval.isEmpty()).isTrue();
        assertThat(retrieval.explanation()).contains("store is empty");
        Retrieval found = Retriever.builder(store, miniLm).build().retrieval("parse JSON with Jackson");
        assertThat(found.explanation()).matches("\\d+ hits? \\(best 0\\.\\d{3}, snippets\\.md#\\d+\\)");
    }
}
