package dev.keel.core.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.ChatModel;
import dev.keel.core.ChatRequest;
import dev.keel.core.ChatResponse;
import dev.keel.core.ModelException;
import dev.keel.core.StreamListener;
import dev.keel.core.http.HttpConfig;
import dev.keel.core.json.JsonObject;
import dev.keel.core.message.Message;
import dev.keel.core.testutil.LoopbackServer;
import dev.keel.core.testutil.LoopbackServer.Recorded;
import dev.keel.core.testutil.LoopbackServer.Reply;
import dev.keel.core.testutil.RecordingListener;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A {@link ModelConfig}'s per-model settings — env, headers, provider options, API type, usage tracking — resolved by
 * a registry and seen on the wire, with variables read at the first call.
 */
class ModelConfigWireTest {
    private static final ChatRequest HI = ChatRequest.of(Message.user("hi"));
    private static final String CHAT = "{\"id\":\"c1\",\"object\":\"chat.completion\",\"model\":\"m\",\"choices\":[{\"index\":0,"
            + "\"message\":{\"role\":\"assistant\",\"content\":\"ok\"},\"finish_reason\":\"stop\"}]}";

    private LoopbackServer server;
    private final Map<String, String> env = new ConcurrentHashMap<>();
    private ModelRegistry registry;

    @BeforeEach
    void start() {
        server = LoopbackServer.start().dispatcher(request -> request.path().endsWith("/responses")
                ? Reply.json("{\"id\":\"r\",\"object\":\"response\",\"status\":\"completed\",\"model\":\"m\",\"output\":[]}")
                : Reply.json(CHAT));
        registry = ModelRegistry.builder().environment(env::get)
                .http(HttpConfig.builder().maxRetries(0).readTimeout(Duration.ofSeconds(10)).build())
                .provider(ProviderConfig.openAiCompatible("openai", server.url("/v1"), "OPENAI_API_KEY"))
                .provider(ProviderConfig.openAiCompatible("gateway", server.url("/gw/v1"), "GATEWAY_KEY")
                        .withHeaders(Map.of("X-Tenant", "${TENANT_ID}", "X-Client", "keel-tests")))
                .build();
    }

    @AfterEach
    void stop() {
        registry.close();
        server.close();
    }

    @Test
    void aModelsOwnEnvFeedsItsKeyLookupAndNoOtherModels() {
        // docker-agent's podcast-generator: a GitHub Models model reading OPENAI_API_KEY from ${GITHUB_TOKEN}.
        env.put("GITHUB_TOKEN", "ghp_github-token-value");
        env.put("OPENAI_API_KEY", "sk-the-real-openai-key");
        ModelConfig github = ModelConfig.builder("openai", "openai/gpt-4.1").env("OPENAI_API_KEY", "${GITHUB_TOKEN}").build();

        registry.resolve(github).chat(HI);
        registry.resolve(ModelConfig.of("openai", "gpt-5")).chat(HI);

        assertThat(server.takeRequest().header("Authorization")).isEqualTo("Bearer ghp_github-token-value");
        assertThat(server.takeRequest().header("Authorization")).isEqualTo("Bearer sk-the-real-openai-key");
        assertThat(github.toString()).contains("env=[OPENAI_API_KEY]").doesNotContain("GITHUB_TOKEN");
    }

    @Test
    void keysAreReadAtTheFirstCallSoAConfigurationResolvesWithoutThem() {
        ChatModel model = registry.resolve(ModelConfig.of("gateway", "llama"));
        RecordingListener listener = new RecordingListener();

        assertThatThrownBy(() -> model.stream(HI, listener)).isInstanceOfSatisfying(ModelException.MissingVariable.class,
                e -> {
                    assertThat(e.variable()).isEqualTo("GATEWAY_KEY");
                    assertThat(e.provider()).isEqualTo("gateway");
                    assertThat(e.isRetryable()).isFalse();
                });
        assertThat(listener.error).isInstanceOf(ModelException.MissingVariable.class);
        assertThat(server.requestCount()).isZero();

        env.put("GATEWAY_KEY", "gw-key-123456");
        assertThatThrownBy(() -> model.chat(HI)).as("a header's variable is still missing")
                .isInstanceOfSatisfying(ModelException.MissingVariable.class, e -> {
                    assertThat(e.variable()).isEqualTo("TENANT_ID");
                    assertThat(e.getMessage()).contains("header X-Tenant");
                });

        env.put("TENANT_ID", "tenant-42-secret-ish");
        assertThat(model.chat(HI).text()).isEqualTo("ok");
        Recorded sent = server.takeRequest();
        assertThat(sent.header("Authorization")).isEqualTo("Bearer gw-key-123456");
        assertThat(sent.header("X-Tenant")).isEqualTo("tenant-42-secret-ish");
        assertThat(sent.header("X-Client")).isEqualTo("keel-tests");
    }

    @Test
    void checkReadsWhatTheFirstCallWouldWithoutCallingAnything() {
        ModelConfig gateway = ModelConfig.of("gateway", "llama");
        assertThatThrownBy(() -> registry.check(gateway)).isInstanceOfSatisfying(ModelException.MissingVariable.class,
                e -> assertThat(e.variable()).isEqualTo("GATEWAY_KEY"));
        env.put("GATEWAY_KEY", "k-123456");
        assertThatThrownBy(() -> registry.check(gateway)).isInstanceOfSatisfying(ModelException.MissingVariable.class,
                e -> assertThat(e.variable()).isEqualTo("TENANT_ID"));
        env.put("TENANT_ID", "t1");
        registry.check(gateway);
        assertThatThrownBy(() -> registry.check(ModelConfig.of("nowhere", "m")))
                .isInstanceOf(ModelResolutionException.UnknownProvider.class);

        ModelComposer composer = ModelComposer.over(registry);
        ModelSpec chain = ModelSpec.fallback(gateway, List.of(ModelConfig.of("openai", "gpt-4o")));
        assertThatThrownBy(() -> composer.check(chain)).as("every member of a chain is checked")
                .isInstanceOfSatisfying(ModelException.MissingVariable.class,
                        e -> assertThat(e.variable()).isEqualTo("OPENAI_API_KEY"));
        composer.check(ModelSpec.firstAvailable(List.of(ModelConfig.of("openai", "gpt-4o"), gateway)));
        assertThatThrownBy(() -> composer.check(ModelSpec.firstAvailable(List.of(ModelConfig.of("openai", "gpt-4o")))))
                .isInstanceOf(ModelResolutionException.NoneAvailable.class);
        assertThat(server.requestCount()).isZero();
    }

    @Test
    void headersComeFromTheProviderProviderOptionsAndTheModelTheModelWinning() {
        env.putAll(Map.of("GATEWAY_KEY", "k-123456", "TENANT_ID", "t1", "TEAM", "blue"));
        ModelConfig config = ModelConfig.builder("gateway", "llama").header("X-Client", "model-level")
                .header("X-Team", "team-${TEAM}-${MISSING:-none}")
                .providerOptions(JsonObject.parse("{\"http_headers\":{\"Copilot-Integration-Id\":\"vscode-chat\","
                        + "\"X-Client\":\"from-provider-opts\"}}"))
                .build();

        registry.resolve(config).chat(HI);

        Recorded sent = server.takeRequest();
        assertThat(sent.header("X-Client")).isEqualTo("model-level");
        assertThat(sent.header("Copilot-Integration-Id")).isEqualTo("vscode-chat");
        assertThat(sent.header("X-Team")).isEqualTo("team-blue-none");
        assertThat(sent.header("X-Tenant")).isEqualTo("t1");
    }

    @Test
    void aBaseUrlWithAVariableIsExpandedAtTheFirstCall() {
        env.put("OPENAI_API_KEY", "sk-123456");
        ModelConfig config = ModelConfig.of("proxy", "m").withBaseUrl("${PROXY_URL}/v1");
        ChatModel model = registry.resolve(config);
        assertThatThrownBy(() -> model.chat(HI)).isInstanceOfSatisfying(ModelException.MissingVariable.class,
                e -> assertThat(e.variable()).isEqualTo("PROXY_URL"));

        env.put("PROXY_URL", server.url("/proxied"));
        model.chat(HI);
        assertThat(server.takeRequest().path()).isEqualTo("/proxied/v1/chat/completions");
    }

    @Test
    void theApiTypeComesFromTheConfigurationOrItsProviderOptions() {
        env.put("OPENAI_API_KEY", "sk-123456");
        registry.resolve(ModelConfig.builder("openai", "gpt-5").apiType(ApiType.OPENAI_RESPONSES).build()).chat(HI);
        registry.resolve(ModelConfig.builder("openai", "gpt-5")
                .providerOptions(JsonObject.parse("{\"api_type\":\"openai_responses\"}")).build()).chat(HI);
        registry.resolve(ModelConfig.of("openai", "gpt-4o")).chat(HI);

        assertThat(server.requests()).extracting(Recorded::path)
                .containsExactly("/v1/responses", "/v1/responses", "/v1/chat/completions");
    }

    @Test
    void knownProviderOptionsGoOnTheWireAndTheRestAreReported() {
        env.put("OPENAI_API_KEY", "sk-123456");
        JsonObject opts = JsonObject.parse("{\"top_k\":40,\"min_p\":0.05,\"repetition_penalty\":1.1,\"seed\":7,"
                + "\"transport\":\"sse\",\"thinking_display\":\"summarized\",\"rerank_prompt\":\"x\",\"warp_speed\":9}");

        registry.resolve(ModelConfig.builder("openai", "local-model").providerOptions(opts).build()).chat(HI);

        Recorded sent = server.takeRequest();
        assertThat(sent.at("/top_k").asLong().getAsLong()).isEqualTo(40);
        assertThat(sent.at("/min_p").asDouble().getAsDouble()).isEqualTo(0.05);
        assertThat(sent.at("/repetition_penalty").asDouble().getAsDouble()).isEqualTo(1.1);
        assertThat(sent.at("/seed").asLong().getAsLong()).isEqualTo(7);
        assertThat(sent.json().at("/thinking_display")).isEmpty();
        assertThat(ProviderOptions.check(ApiType.OPENAI_COMPATIBLE, opts)).containsExactly(
                "provider_opts.rerank_prompt has no effect: it is used by docker-agent's RAG reranking, not by chat models",
                "provider_opts.thinking_display is not supported by the openai-compatible API; ignored",
                "provider_opts.warp_speed is not a known provider option; ignored");
        assertThat(ProviderOptions.check(ApiType.OPENAI_RESPONSES, JsonObject.parse("{\"transport\":\"websocket\","
                + "\"top_k\":3,\"http_headers\":[1]}"))).containsExactly(
                "provider_opts.http_headers must map header names to strings; ignored",
                "provider_opts.top_k is not supported by the openai-responses API; ignored",
                "provider_opts.transport websocket: Keel streams over SSE; ignored");
    }

    @Test
    void trackUsageFalseStopsAskingForStreamedUsage() {
        env.put("OPENAI_API_KEY", "sk-123456");
        server.dispatcher(r -> Reply.sse("data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
                + "\"delta\":{\"content\":\"ok\"},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n"));

        registry.resolve(ModelConfig.builder("openai", "m").trackUsage(false).build()).stream(HI, new RecordingListener());
        registry.resolve(ModelConfig.of("openai", "m")).stream(HI, new RecordingListener());

        assertThat(server.takeRequest().json().at("/stream_options")).isEmpty();
        assertThat(server.takeRequest().at("/stream_options/include_usage").asBoolean()).contains(true);
    }

    @Test
    void aVariableCannotSmuggleALineBreakIntoAHeader() {
        env.putAll(Map.of("GATEWAY_KEY", "k-123456", "TENANT_ID", "t1\r\nX-Injected: yes"));

        assertThatThrownBy(() -> registry.resolve(ModelConfig.of("gateway", "llama")).chat(HI))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("header X-Tenant")
                .hasMessageNotContaining("Injected");
        assertThat(server.requestCount()).isZero();
    }

    @Test
    void secretHeaderValuesNeverReachAnExceptionMessage() {
        env.putAll(Map.of("GATEWAY_KEY", "gw-key-abcdef", "TENANT_ID", "tenant-secret-value-777"));
        server.dispatcher(r -> Reply.status(400, "{\"error\":{\"message\":\"unknown tenant tenant-secret-value-777 "
                + "for key gw-key-abcdef\"}}"));

        assertThatThrownBy(() -> registry.resolve(ModelConfig.of("gateway", "llama")).chat(HI))
                .isInstanceOf(ModelException.BadRequest.class).hasMessageContaining("unknown tenant ***")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("tenant-secret-value-777", "gw-key-abcdef"));
    }

    @Test
    void theBuiltInGoogleProviderTakesGeminiApiKeyWhenGoogleApiKeyIsUnset() {
        try (ModelRegistry google = ModelRegistry.builder().environment(Map.of("GEMINI_API_KEY", "AIza-from-gemini-var"))
                .build()) {
            assertThat(google.isAvailable(ModelConfig.of("google", "gemini-2.5-flash"))).isTrue();
            assertThat(google.provider("google").orElseThrow().apiType()).isEqualTo(ApiType.GEMINI);
        }
        Map<String, String> none = new HashMap<>();
        try (ModelRegistry google = ModelRegistry.builder().environment(none).build()) {
            assertThat(google.isAvailable(ModelConfig.of("google", "gemini-2.5-flash"))).isFalse();
            assertThat(google.isAvailable(ModelConfig.of("dmr", "ai/qwen3"))).isTrue();
            assertThat(google.isAvailable(ModelConfig.of("nowhere", "x"))).isFalse();
        }
    }

    @Test
    void aCombinationClosesWhatItResolvedAndCleansUpWhenResolvingFails() {
        AtomicInteger closed = new AtomicInteger();
        ModelResolver resolver = config -> {
            if (config.provider().equals("broken")) {
                throw new ModelResolutionException.UnknownProvider("broken", List.of());
            }
            return new ChatModel() {
                @Override
                public ChatResponse chat(ChatRequest request) {
                    throw new UnsupportedOperationException();
                }

                @Override
                public ChatResponse stream(ChatRequest request, StreamListener listener) {
                    throw new UnsupportedOperationException();
                }

                @Override
                public void close() {
                    closed.incrementAndGet();
                }
            };
        };
        ModelSpec good = ModelSpec.fallback(ModelConfig.of("a", "m"), List.of(ModelConfig.of("b", "m"),
                ModelConfig.of("c", "m")));
        good.resolve(resolver).close();
        assertThat(closed).hasValue(3);

        closed.set(0);
        assertThatThrownBy(() -> ModelSpec.fallback(ModelConfig.of("a", "m"), List.of(ModelConfig.of("b", "m"),
                ModelConfig.of("broken", "m"))).resolve(resolver))
                .isInstanceOf(ModelResolutionException.UnknownProvider.class);
        assertThat(closed).as("the two resolved before the failure are closed").hasValue(2);
    }
}
