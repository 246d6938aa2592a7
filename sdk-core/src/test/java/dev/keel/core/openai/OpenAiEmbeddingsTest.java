package dev.keel.core.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keel.core.ModelException;
import dev.keel.core.http.HttpConfig;
import dev.keel.core.internal.json.Json;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OpenAiEmbeddingsTest {
    private static final String KEY = "sk-embed-TESTKEY-0123456789abcdef";
    private MockWebServer server;

    @BeforeEach
    void start() throws IOException {
        server = new MockWebServer();
        server.start();
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
    }

    /** Answers like OpenAI, but lists the embeddings in reverse order; vector i of "textN" is [N, N+0.5, N+0.25]. */
    private void serveReversed(int dimension) {
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                JsonNode body = Json.parse(request.getBody().utf8());
                ObjectNode answer = Json.object().put("object", "list").put("model", body.path("model").asText());
                ArrayNode data = answer.putArray("data");
                JsonNode input = body.path("input");
                for (int i = input.size() - 1; i >= 0; i--) {
                    int n = Integer.parseInt(input.get(i).asText().substring(4));
                    ObjectNode item = data.addObject().put("object", "embedding").put("index", i);
                    ArrayNode v = item.putArray("embedding");
                    for (int k = 0; k < dimension; k++) {
                        v.add(n + k * 0.5 / Math.max(1, k));
                    }
                }
                answer.putObject("usage").put("prompt_tokens", input.size()).put("total_tokens", input.size());
                return new MockResponse.Builder().setHeader("Content-Type", "application/json").body(answer.toString()).build();
            }
        });
    }

    private OpenAiEmbeddings.Builder builder() {
        return OpenAiCompatible.embeddings().baseUrl(server.url("/v1").toString()).model("text-embedding-3-small")
                .apiKey(KEY).http(HttpConfig.builder().maxRetries(0).readTimeout(Duration.ofSeconds(5)).build());
    }

    @Test
    void batchesLargeInputsAndKeepsInputOrder() throws Exception {
        serveReversed(3);
        List<String> texts = IntStream.range(0, 5).mapToObj(i -> "text" + i).toList();
        try (OpenAiEmbeddings model = builder().batchSize(2).dimension(3).build()) {
            List<float[]> vectors = model.embedAll(texts);
            assertThat(vectors).hasSize(5);
            for (int i = 0; i < 5; i++) {
                assertThat(vectors.get(i)[0]).isEqualTo((float) i);
                assertThat(vectors.get(i)).hasSize(3);
            }
            assertThat(model.dimension()).isEqualTo(3);
            assertThat(model.id()).isEqualTo("openai/text-embedding-3-small");
            assertThat(model.toString()).doesNotContain(KEY);
        }
        assertThat(server.getRequestCount()).isEqualTo(3);
        RecordedRequest first = server.takeRequest();
        assertThat(first.getTarget()).isEqualTo("/v1/embeddings");
        assertThat(first.getHeaders().get("Authorization")).isEqualTo("Bearer " + KEY);
        JsonNode body = Json.parse(first.getBody().utf8());
        assertThat(body.path("input").toString()).isEqualTo("[\"text0\",\"text1\"]");
        assertThat(body.path("encoding_format").asText()).isEqualTo("float");
        assertThat(body.has("dimensions")).isFalse();
    }

    @Test
    void dimensionIsLearnedWithAProbeWhenNotConfigured() {
        serveReversed(4);
        try (OpenAiEmbeddings model = builder().build()) {
            assertThat(model.embedAll(List.of())).isEmpty();
            assertThat(server.getRequestCount()).isZero();
            model.embedAll(List.of("text7"));
            assertThat(model.dimension()).isEqualTo(4);
            assertThat(server.getRequestCount()).isEqualTo(1);
        }
    }

    @Test
    void sendDimensionsAsksTheServerToShorten() throws Exception {
        serveReversed(2);
        try (OpenAiEmbeddings model = builder().dimension(2).sendDimensions(true).build()) {
            model.embed("text1");
        }
        assertThat(Json.parse(server.takeRequest().getBody().utf8()).path("dimensions").asInt()).isEqualTo(2);
    }

    @Test
    void wrongDimensionIsMalformedResponse() {
        serveReversed(3);
        try (OpenAiEmbeddings model = builder().dimension(8).build()) {
            assertThatThrownBy(() -> model.embed("text1")).isInstanceOf(ModelException.MalformedResponse.class)
                    .hasMessageContaining("dimension 8");
        }
    }

    @Test
    void errorsAreTyped() {
        server.enqueue(new MockResponse.Builder().code(401).body("{\"error\":{\"message\":\"Incorrect API key provided: "
                + KEY + "\"}}").build());
        server.enqueue(new MockResponse.Builder().code(200).body("{\"data\":[]}").build());
        try (OpenAiEmbeddings model = builder().build()) {
            assertThatThrownBy(() -> model.embed("text1")).isInstanceOf(ModelException.Authentication.class)
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain(KEY));
            assertThatThrownBy(() -> model.embed("text1")).isInstanceOf(ModelException.MalformedResponse.class)
                    .hasMessageContaining("expected 1 embeddings, got 0");
        }
    }
}
