package dev.keel.core.google;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.ModelException;
import dev.keel.core.http.HttpConfig;
import dev.keel.core.json.JsonArray;
import dev.keel.core.json.JsonValue;
import dev.keel.core.testutil.LoopbackServer;
import dev.keel.core.testutil.LoopbackServer.Recorded;
import dev.keel.core.testutil.LoopbackServer.Reply;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code batchEmbedContents} over real HTTP: requests of at most 100 texts, vectors in input order. The answer
 * shape ({@code {"embeddings":[{"values":[…]}]}}) is the API reference's ("Embeddings: batchEmbedContents").
 */
class GeminiEmbeddingsTest {
    private LoopbackServer server;

    @BeforeEach
    void start() {
        server = LoopbackServer.start();
        // Each text's vector is [its index, its length, 1]: the order of the answer is checkable.
        server.dispatcher(request -> {
            JsonArray requests = request.json().at("/requests").flatMap(JsonValue::asArray).orElseThrow();
            List<String> vectors = new ArrayList<>();
            for (JsonValue r : requests.items()) {
                String text = r.at("/content/parts/0/text").flatMap(JsonValue::asString).orElseThrow();
                vectors.add("{\"values\":[" + text.substring(1) + "," + text.length() + ",1]}");
            }
            return Reply.json("{\"embeddings\":[" + String.join(",", vectors) + "]}");
        });
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private GeminiEmbeddings.Builder builder() {
        return Gemini.embeddings().baseUrl(server.url("/v1beta")).model("models/gemini-embedding-001").apiKey("AIza-test-key-123")
                .http(HttpConfig.builder().maxRetries(0).build());
    }

    @Test
    void largeInputsAreSentInBatchesOfAHundredAndComeBackInOrder() {
        List<String> texts = IntStream.range(0, 150).mapToObj(i -> "t" + i).toList();
        try (GeminiEmbeddings e = builder().outputDimensionality(3).taskType("RETRIEVAL_DOCUMENT").build()) {
            List<float[]> vectors = e.embedAll(texts);

            assertThat(vectors).hasSize(150);
            for (int i = 0; i < 150; i++) {
                assertThat(vectors.get(i)).containsExactly(i, texts.get(i).length(), 1);
            }
            assertThat(e.dimension()).isEqualTo(3);
        }
        List<Recorded> requests = server.requests();
        assertThat(requests).hasSize(2);
        assertThat(requests.get(0).path()).isEqualTo("/v1beta/models/gemini-embedding-001:batchEmbedContents");
        assertThat(requests.get(0).header("x-goog-api-key")).isEqualTo("AIza-test-key-123");
        assertThat(requests.get(0).json().at("/requests").flatMap(JsonValue::asArray).orElseThrow().size()).isEqualTo(100);
        assertThat(requests.get(1).json().at("/requests").flatMap(JsonValue::asArray).orElseThrow().size()).isEqualTo(50);
        assertThat(requests.get(0).text("/requests/0/model")).isEqualTo("models/gemini-embedding-001");
        assertThat(requests.get(0).text("/requests/0/taskType")).isEqualTo("RETRIEVAL_DOCUMENT");
        assertThat(requests.get(0).at("/requests/0/outputDimensionality").asLong().getAsLong()).isEqualTo(3);
    }

    @Test
    void vectorsOfTheWrongDimensionOrCountAreMalformed() {
        try (GeminiEmbeddings known = builder().build()) {
            assertThat(known.dimension()).as("gemini-embedding-001 is 3072 wide").isEqualTo(3072);
            assertThatThrownBy(() -> known.embedAll(List.of("t1"))).isInstanceOf(ModelException.MalformedResponse.class)
                    .hasMessageContaining("dimension 3072");
        }
        server.dispatcher(request -> Reply.json("{\"embeddings\":[{\"values\":[1,2]}]}"));
        try (GeminiEmbeddings e = builder().outputDimensionality(2).build()) {
            assertThatThrownBy(() -> e.embedAll(List.of("a", "b"))).isInstanceOf(ModelException.MalformedResponse.class)
                    .hasMessageContaining("expected 2 embeddings, got 1");
        }
    }
}
