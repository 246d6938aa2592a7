package dev.keel.core.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.EmbeddingModel;
import dev.keel.core.ModelException;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import dev.langchain4j.model.output.Response;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A real LangChain4j model (the in-process all-MiniLM-L6-v2, quantized) through the adapter. */
class LangChain4jEmbeddingModelTest {
    static AllMiniLmL6V2QuantizedEmbeddingModel miniLm;

    @BeforeAll
    static void loadModel() {
        miniLm = new AllMiniLmL6V2QuantizedEmbeddingModel();
    }

    @Test
    void realInProcessModelEmbedsThroughTheAdapter() {
        EmbeddingModel model = LangChain4j.embeddingModel(miniLm);

        List<float[]> vectors = model.embedAll(List.of(
                "The cat sat on the mat.",
                "A kitten was sitting on the rug.",
                "Quarterly interest rates rose by half a percent."));

        assertThat(model.dimension()).isEqualTo(384);
        assertThat(vectors).hasSize(3).allSatisfy(v -> assertThat(v).hasSize(384));
        double similar = cosine(vectors.get(0), vectors.get(1));
        double unrelated = cosine(vectors.get(0), vectors.get(2));
        assertThat(similar).isGreaterThan(unrelated + 0.2);
        // embed() is embedAll of one text: the same model gives the same vector
        assertThat(cosine(model.embed("The cat sat on the mat."), vectors.get(0))).isGreaterThan(0.999);
        assertThat(model.embedAll(List.of())).isEmpty();
    }

    @Test
    void keelModelWorksAsLangChain4jEmbeddingModel() {
        EmbeddingModel keel = LangChain4j.embeddingModel(miniLm);
        var lc4j = LangChain4j.asLangChain4jEmbeddingModel(keel);
        assertThat(lc4j.dimension()).isEqualTo(384);
        Embedding e = lc4j.embed("hello world").content();
        assertThat(e.vector()).containsExactly(miniLm.embed("hello world").content().vector());
    }

    @Test
    void wrongNumberOfVectorsIsAMalformedResponse() {
        dev.langchain4j.model.embedding.EmbeddingModel broken = new dev.langchain4j.model.embedding.EmbeddingModel() {
            @Override
            public Response<List<Embedding>> embedAll(List<TextSegment> segments) {
                return Response.from(List.of(Embedding.from(new float[] {1, 2})));
            }
        };
        assertThatThrownBy(() -> LangChain4j.embeddingModel(broken).embedAll(List.of("a", "b")))
                .isInstanceOf(ModelException.MalformedResponse.class)
                .hasMessageContaining("1 embeddings for 2 texts");
    }

    private static double cosine(float[] a, float[] b) {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }
}
