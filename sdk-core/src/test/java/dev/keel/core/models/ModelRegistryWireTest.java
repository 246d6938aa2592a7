package dev.keel.core.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.ChatModel;
import dev.keel.core.ChatRequest;
import dev.keel.core.ChatResponse;
import dev.keel.core.EmbeddingModel;
import dev.keel.core.FinishReason;
import dev.keel.core.Usage;
import dev.keel.core.http.HttpConfig;
import dev.keel.core.internal.json.Json;
import dev.keel.core.message.Message;
import dev.keel.core.openai.OpenAiCompatible;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.OkHttpClient;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Resolved models talking real HTTP to a loopback server. */
class ModelRegistryWireTest {
    static final String CHAT_ANSWER = """
            {"id":"chatcmpl-1","object":"chat.completion","model":"team/model-x",
             "choices":[{"index":0,"message":{"role":"assistant","content":"hello from the gateway"},"finish_reason":"stop"}],
             "usage":{"prompt_tokens":9,"completion_tokens":4,"total_tokens":13}}""";

    MockWebServer server;

    @BeforeEach
    void start() throws Exception {
        server = new MockWebServer();
        server.start();
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    ModelRegistry.Builder registry() {
        return ModelRegistry.builder()
                .environment(Map.of("GATEWAY_KEY", "gw-test-key-123", "OPENAI_API_KEY", "sk-unused"))
                .http(HttpConfig.builder().maxRetries(0).readTimeout(Duration.ofSeconds(5)).build())
                .provider(ProviderConfig.openAiCompatible("gateway", server.url("/v1").toString(), "GATEWAY_KEY"))
                .provider(ProviderConfig.openAiCompatible("local", server.url("/engines/llama.cpp/v1").toString()));
    }

    @Test
    void customProviderSendsTheKeyFromTheInjectedEnvironment() throws Exception {
        server.enqueue(new MockResponse.Builder().setHeader("Content-Type", "application/json").body(CHAT_ANSWER).build());
        ChatModel model = registry().build().chatModel("gateway/team/model-x");
        try {
            ChatResponse response = model.chat(ChatRequest.of(Message.user("hi")));

            assertThat(response.text()).isEqualTo("hello from the gateway");
            assertThat(response.finishReason()).isEqualTo(FinishReason.STOP);
            assertThat(response.usage()).isEqualTo(new Usage(9, 4));
            RecordedRequest request = server.takeRequest(5, TimeUnit.SECONDS);
            assertThat(request.getTarget()).isEqualTo("/v1/chat/completions");
            assertThat(request.getHeaders().get("Authorization")).isEqualTo("Bearer gw-test-key-123");
            JsonNode body = Json.parse(request.getBody().utf8());
            assertThat(body.get("model").asText()).isEqualTo("team/model-x");
            assertThat(body.get("messages").get(0).get("content").asText()).isEqualTo("hi");
            assertThat(model.id()).isEqualTo("gateway/team/model-x");
            assertThat(model.toString()).doesNotContain("gw-test-key-123");
        } finally {
            ((AutoCloseable) model).close();
        }
    }

    @Test
    void keylessProviderSendsNoAuthorization() throws Exception {
        server.enqueue(new MockResponse.Builder().setHeader("Content-Type", "application/json").body(CHAT_ANSWER).build());
        ChatModel model = registry().build().chatModel("local/ai/qwen2.5");
        try {
            model.chat(ChatRequest.of(Message.user("hi")));
            RecordedRequest request = server.takeRequest(5, TimeUnit.SECONDS);
            assertThat(request.getTarget()).isEqualTo("/engines/llama.cpp/v1/chat/completions");
            assertThat(request.getHeaders().get("Authorization")).isNull();
            assertThat(Json.parse(request.getBody().utf8()).get("model").asText()).isEqualTo("ai/qwen2.5");
        } finally {
            ((AutoCloseable) model).close();
        }
    }

    @Test
    void embeddingModelResolvesToTheEmbeddingsEndpoint() throws Exception {
        server.enqueue(new MockResponse.Builder().setHeader("Content-Type", "application/json").body("""
                {"object":"list","model":"embed-small","usage":{"prompt_tokens":2,"total_tokens":2},
                 "data":[{"object":"embedding","index":0,"embedding":[0.25,0.5,0.75]},
                         {"object":"embedding","index":1,"embedding":[1.0,0.0,0.0]}]}""").build());
        EmbeddingModel model = registry().build().embeddingModel("gateway/embed-small");
        try {
            List<float[]> vectors = model.embedAll(List.of("a", "b"));
            assertThat(vectors.get(0)).containsExactly(0.25f, 0.5f, 0.75f);
            assertThat(vectors.get(1)).containsExactly(1.0f, 0.0f, 0.0f);
            assertThat(model.dimension()).isEqualTo(3);
            RecordedRequest request = server.takeRequest(5, TimeUnit.SECONDS);
            assertThat(request.getTarget()).isEqualTo("/v1/embeddings");
            assertThat(request.getHeaders().get("Authorization")).isEqualTo("Bearer gw-test-key-123");
            assertThat(Json.parse(request.getBody().utf8()).get("model").asText()).isEqualTo("embed-small");
        } finally {
            ((AutoCloseable) model).close();
        }
    }

    @Test
    void aSharedClientIsUsedByEveryResolvedModel() throws Exception {
        AtomicInteger seen = new AtomicInteger();
        OkHttpClient shared = new OkHttpClient.Builder().addInterceptor(chain -> {
            seen.incrementAndGet();
            return chain.proceed(chain.request());
        }).build();
        try {
            server.enqueue(new MockResponse.Builder().setHeader("Content-Type", "application/json").body(CHAT_ANSWER).build());
            server.enqueue(new MockResponse.Builder().setHeader("Content-Type", "application/json").body(CHAT_ANSWER).build());
            ModelRegistry registry = registry().httpClient(shared).build();
            registry.chatModel("gateway/a").chat(ChatRequest.of(Message.user("1")));
            registry.chatModel("local/b").chat(ChatRequest.of(Message.user("2")));
            assertThat(seen.get()).isEqualTo(2);
        } finally {
            shared.dispatcher().executorService().shutdown();
            shared.connectionPool().evictAll();
        }
    }

    @Test
    void anthropicProvidersResolveToTheMessagesApi() throws Exception {
        server.enqueue(new MockResponse.Builder().setHeader("Content-Type", "application/json").body("""
                {"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5",
                 "content":[{"type":"text","text":"hello from claude"}],
                 "stop_reason":"end_turn","usage":{"input_tokens":7,"output_tokens":3}}""").build());
        ModelRegistry registry = registry()
                .environment(Map.of("CLAUDE_KEY", "sk-ant-wire-test"))
                .provider(ProviderConfig.anthropic("claude-proxy", server.url("/").toString(), "CLAUDE_KEY"))
                .build();
        ChatModel model = registry.chatModel("claude-proxy/claude-sonnet-4-5");
        try {
            assertThat(model).isInstanceOf(dev.keel.core.anthropic.Anthropic.class);
            ChatResponse response = model.chat(ChatRequest.of(Message.system("be brief"), Message.user("hi")));
            assertThat(response.text()).isEqualTo("hello from claude");
            assertThat(response.finishReason()).isEqualTo(FinishReason.STOP);
            RecordedRequest request = server.takeRequest(5, TimeUnit.SECONDS);
            assertThat(request.getTarget()).isEqualTo("/v1/messages");
            assertThat(request.getHeaders().get("x-api-key")).isEqualTo("sk-ant-wire-test");
            JsonNode body = Json.parse(request.getBody().utf8());
            assertThat(body.get("model").asText()).isEqualTo("claude-sonnet-4-5");
            assertThat(body.get("system").toString()).contains("be brief");
            assertThat(model.toString()).doesNotContain("sk-ant-wire-test");
        } finally {
            ((AutoCloseable) model).close();
        }
        assertThatThrownBy(() -> registry.embeddingModel("claude-proxy/claude-sonnet-4-5"))
                .isInstanceOf(ModelResolutionException.Unsupported.class)
                .hasMessageContaining("claude-proxy").hasMessageContaining("no embeddings");
    }

    @Test
    void builtInReferencesBuildRealProviders() throws Exception {
        ModelRegistry registry = ModelRegistry.builder().environment(Map.of("OPENAI_API_KEY", "sk-builtin-test")).build();
        try (OpenAiCompatible dmr = (OpenAiCompatible) registry.chatModel("dmr/ai/qwen2.5");
             OpenAiCompatible openai = (OpenAiCompatible) registry.chatModel("openai/gpt-4o");
             dev.keel.core.openai.OpenAiResponses gpt5 = (dev.keel.core.openai.OpenAiResponses) registry.chatModel("openai/gpt-5")) {
            assertThat(gpt5.baseUrl()).isEqualTo("https://api.openai.com/v1");
            assertThat(gpt5.toString()).doesNotContain("sk-builtin-test");
            assertThat(dmr.baseUrl()).isEqualTo("http://localhost:12434/engines/llama.cpp/v1");
            assertThat(dmr.model()).isEqualTo("ai/qwen2.5");
            assertThat(dmr.id()).isEqualTo("dmr/ai/qwen2.5");
            assertThat(openai.baseUrl()).isEqualTo("https://api.openai.com/v1");
            assertThat(openai.id()).isEqualTo("openai/gpt-4o");
            assertThat(openai.toString()).doesNotContain("sk-builtin-test");
        }
        EmbeddingModel small = registry.embeddingModel("openai/text-embedding-3-small");
        try {
            assertThat(small.dimension()).as("known dimension, no probe call").isEqualTo(1536);
        } finally {
            ((AutoCloseable) small).close();
        }
    }
}
