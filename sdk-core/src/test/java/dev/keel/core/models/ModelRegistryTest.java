package dev.keel.core.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.ChatModel;
import dev.keel.core.ChatRequest;
import dev.keel.core.ChatResponse;
import dev.keel.core.EmbeddingModel;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** Resolution logic, with a recording factory in place of the HTTP providers. */
class ModelRegistryTest {
    static final Map<String, String> ALL_KEYS = Map.of(
            "OPENAI_API_KEY", "sk-openai-secret", "ANTHROPIC_API_KEY", "sk-ant-secret", "GITHUB_TOKEN", "ghp_secret",
            "GROQ_API_KEY", "gsk_secret", "MISTRAL_API_KEY", "m-secret", "OPENROUTER_API_KEY", "or-secret",
            "GEMINI_API_KEY", "g-secret");

    record Resolved(String kind, ProviderConfig provider, String model, String apiKey) {}

    /** Records what the registry asked for instead of building HTTP models. */
    static final class RecordingFactory implements ProviderFactory {
        final List<Resolved> calls = new CopyOnWriteArrayList<>();

        @Override
        public ChatModel chatModel(Setup setup) {
            ProviderConfig provider = setup.provider();
            String model = setup.model();
            calls.add(new Resolved("chat", provider, model, setup.apiKey()));
            return new ChatModel() {
                @Override
                public ChatResponse chat(ChatRequest request) {
                    throw new UnsupportedOperationException("resolution test only");
                }

                @Override
                public String id() {
                    return provider.name() + "/" + model;
                }
            };
        }

        @Override
        public EmbeddingModel embeddingModel(Setup setup) {
            calls.add(new Resolved("embedding", setup.provider(), setup.model(), setup.apiKey()));
            return new EmbeddingModel() {
                @Override
                public List<float[]> embedAll(List<String> texts) {
                    throw new UnsupportedOperationException("resolution test only");
                }

                @Override
                public int dimension() {
                    return 3;
                }
            };
        }
    }

    final RecordingFactory factory = new RecordingFactory();

    ModelRegistry.Builder registry(Map<String, String> env) {
        return ModelRegistry.builder().environment(env)
                .factory(ApiType.OPENAI_COMPATIBLE, factory).factory(ApiType.ANTHROPIC, factory)
                .factory(ApiType.OPENAI_RESPONSES, factory).factory(ApiType.GEMINI, factory);
    }

    Resolved resolve(ModelRegistry registry, String reference) {
        ChatModel model = registry.chatModel(reference);
        Resolved r = factory.calls.get(factory.calls.size() - 1);
        assertThat(model.id()).isEqualTo(r.provider().name() + "/" + r.model());
        return r;
    }

    @Test
    void builtInProvidersResolveWithTheirUrlsAndKeys() {
        ModelRegistry registry = registry(ALL_KEYS).build();

        Resolved openai = resolve(registry, "openai/gpt-4o");
        assertThat(openai.provider().apiType()).isEqualTo(ApiType.OPENAI_COMPATIBLE);
        assertThat(openai.provider().baseUrl()).isEqualTo("https://api.openai.com/v1");
        assertThat(openai.model()).isEqualTo("gpt-4o");
        assertThat(openai.apiKey()).isEqualTo("sk-openai-secret");
        // OpenAI's own newer models go to the Responses API, as docker-agent sends them.
        for (String model : List.of("gpt-5", "gpt-5-mini", "gpt-4.1", "o3", "o4-mini", "gpt-5.1-codex")) {
            Resolved r = resolve(registry, "openai/" + model);
            assertThat(r.provider().apiType()).as(model).isEqualTo(ApiType.OPENAI_RESPONSES);
            assertThat(r.provider().baseUrl()).isEqualTo("https://api.openai.com/v1");
        }
        assertThat(resolve(registry, "openai/omni-moderation-latest").provider().apiType())
                .isEqualTo(ApiType.OPENAI_COMPATIBLE);

        Resolved google = resolve(registry, "google/gemini-2.5-flash");
        assertThat(google.provider().apiType()).isEqualTo(ApiType.GEMINI);
        assertThat(google.apiKey()).as("GEMINI_API_KEY when GOOGLE_API_KEY is unset").isEqualTo("g-secret");

        Resolved anthropic = resolve(registry, "anthropic/claude-sonnet-4-5");
        assertThat(anthropic.provider().apiType()).isEqualTo(ApiType.ANTHROPIC);
        assertThat(anthropic.provider().baseUrl()).isEqualTo("https://api.anthropic.com");
        assertThat(anthropic.model()).isEqualTo("claude-sonnet-4-5");
        assertThat(anthropic.apiKey()).isEqualTo("sk-ant-secret");

        Resolved dmr = resolve(registry, "dmr/ai/qwen2.5");
        assertThat(dmr.provider().name()).isEqualTo("dmr");
        assertThat(dmr.provider().baseUrl()).isEqualTo("http://localhost:12434/engines/llama.cpp/v1");
        assertThat(dmr.model()).isEqualTo("ai/qwen2.5");
        assertThat(dmr.apiKey()).isNull();

        Resolved github = resolve(registry, "github/openai/gpt-4.1");
        assertThat(github.provider().baseUrl()).isEqualTo("https://models.github.ai/inference");
        assertThat(github.model()).isEqualTo("openai/gpt-4.1");
        assertThat(github.apiKey()).isEqualTo("ghp_secret");

        Resolved groq = resolve(registry, "groq/llama-3.3-70b-versatile");
        assertThat(groq.provider().baseUrl()).isEqualTo("https://api.groq.com/openai/v1");
        assertThat(groq.apiKey()).isEqualTo("gsk_secret");

        Resolved llamaCpp = resolve(registry, "llama.cpp/qwen2.5-7b");
        assertThat(llamaCpp.provider().baseUrl()).isEqualTo("http://localhost:8080/v1");
        assertThat(llamaCpp.apiKey()).isNull();

        assertThat(resolve(registry, "vllm/meta-llama/Llama-3.1-8B").model()).isEqualTo("meta-llama/Llama-3.1-8B");
        assertThat(resolve(registry, "ollama/llama3.2").provider().baseUrl()).isEqualTo("http://localhost:11434/v1");
        assertThat(resolve(registry, "mistral/mistral-large-latest").apiKey()).isEqualTo("m-secret");
        assertThat(resolve(registry, "openrouter/anthropic/claude-3.5-sonnet").model()).isEqualTo("anthropic/claude-3.5-sonnet");
        assertThat(resolve(registry, "gemini/gemini-2.5-flash").apiKey()).isEqualTo("g-secret");

        assertThat(registry.providers()).extracting(ProviderConfig::name).containsExactly(
                "anthropic", "dmr", "gemini", "github", "google", "groq", "llama.cpp", "mistral", "ollama", "openai",
                "openrouter", "vllm");
    }

    @Test
    void localProvidersNeedNoEnvironmentAtAll() {
        ModelRegistry registry = registry(Map.of()).build();
        assertThat(resolve(registry, "dmr/ai/smollm2").apiKey()).isNull();
        assertThat(resolve(registry, "llama.cpp/any").apiKey()).isNull();
    }

    @Test
    void customProvidersResolveAndCanReplaceBuiltIns() {
        ModelRegistry registry = registry(Map.of("GATEWAY_KEY", "gw-secret", "OPENAI_API_KEY", "sk-x"))
                .provider(ProviderConfig.openAiCompatible("gateway", "https://llm.example.com/v1", "GATEWAY_KEY"))
                .provider(ProviderConfig.anthropic("claude-proxy", "https://proxy.example.com", "GATEWAY_KEY"))
                .provider(ProviderConfig.openAiCompatible("openai", "https://eu.example.com/v1", "OPENAI_API_KEY"))
                .build();

        Resolved gateway = resolve(registry, "gateway/llama-3.3-70b");
        assertThat(gateway.provider()).isEqualTo(
                new ProviderConfig("gateway", ApiType.OPENAI_COMPATIBLE, "https://llm.example.com/v1", "GATEWAY_KEY"));
        assertThat(gateway.apiKey()).isEqualTo("gw-secret");

        Resolved proxy = resolve(registry, "claude-proxy/claude-opus-4-1");
        assertThat(proxy.provider().apiType()).isEqualTo(ApiType.ANTHROPIC);
        assertThat(proxy.apiKey()).isEqualTo("gw-secret");

        Resolved eu = resolve(registry, "openai/gpt-5");
        assertThat(eu.provider().baseUrl()).isEqualTo("https://eu.example.com/v1");
        assertThat(eu.provider().apiType()).as("a replaced openai provider keeps its own API").isEqualTo(ApiType.OPENAI_COMPATIBLE);
        assertThat(registry.provider("gateway")).isPresent();
        assertThat(ModelRegistry.builder().removeProvider("groq").build().provider("groq")).isEmpty();
    }

    @Test
    void unknownProviderListsTheKnownOnes() {
        ModelRegistry registry = registry(ALL_KEYS).build();
        assertThatThrownBy(() -> registry.chatModel("opnai/gpt-5"))
                .isInstanceOfSatisfying(ModelResolutionException.UnknownProvider.class, e -> {
                    assertThat(e.provider()).isEqualTo("opnai");
                    assertThat(e.knownProviders()).contains("openai", "anthropic", "dmr").isSorted();
                    assertThat(e.getMessage()).contains("'opnai'", "openai", "anthropic", "dmr");
                });
        assertThat(factory.calls).isEmpty();
    }

    @Test
    void missingKeyNamesTheVariableNotAValue() {
        Map<String, String> env = Map.of("ANTHROPIC_API_KEY", "sk-ant-secret", "OPENAI_API_KEY", "  ");
        ModelRegistry registry = registry(env).build();
        assertThatThrownBy(() -> registry.chatModel("openai/gpt-5"))
                .isInstanceOfSatisfying(ModelResolutionException.MissingApiKey.class, e -> {
                    assertThat(e.variable()).isEqualTo("OPENAI_API_KEY");
                    assertThat(e.provider()).isEqualTo("openai");
                    assertThat(e.getMessage()).contains("OPENAI_API_KEY").doesNotContain("sk-ant-secret");
                });
        assertThatThrownBy(() -> registry.embeddingModel("github/openai/text-embedding-3-small"))
                .isInstanceOf(ModelResolutionException.MissingApiKey.class).hasMessageContaining("GITHUB_TOKEN");
        assertThat(factory.calls).isEmpty();
    }

    @Test
    void malformedReferencesAreRejected() {
        ModelRegistry registry = registry(ALL_KEYS).build();
        for (String bad : new String[] {"gpt-5", "/gpt-5", "openai/", "openai//", "open ai/gpt-5", "", "  "}) {
            assertThatThrownBy(() -> registry.chatModel(bad)).as(bad)
                    .isInstanceOf(ModelResolutionException.InvalidReference.class)
                    .hasMessageContaining("expected provider/model");
        }
        assertThatThrownBy(() -> registry.chatModel((String) null))
                .isInstanceOf(ModelResolutionException.InvalidReference.class);
        assertThat(factory.calls).isEmpty();
    }

    @Test
    void keysAreReadAtResolveTimeAndNeverShown() {
        Map<String, String> env = new HashMap<>();
        ModelRegistry registry = registry(Map.of()).environment(env::get).build();
        assertThatThrownBy(() -> registry.chatModel("openai/gpt-5")).isInstanceOf(ModelResolutionException.MissingApiKey.class);
        env.put("OPENAI_API_KEY", "sk-later-secret");
        assertThat(resolve(registry, "openai/gpt-5").apiKey()).isEqualTo("sk-later-secret");

        ModelRegistry withMap = registry(ALL_KEYS).build();
        assertThat(withMap.toString()).contains("openai").doesNotContain("secret");
        assertThat(withMap.providers().toString()).doesNotContain("secret");
        assertThat(ModelRegistry.defaults().toString()).contains("environment=process");
    }

    @Test
    void embeddingModelsResolveToo() {
        ModelRegistry registry = registry(ALL_KEYS).build();
        EmbeddingModel model = registry.embeddingModel("openai/text-embedding-3-small");
        assertThat(model.dimension()).isEqualTo(3);
        assertThat(factory.calls).containsExactly(new Resolved("embedding",
                registry.provider("openai").orElseThrow(), "text-embedding-3-small", "sk-openai-secret"));
    }

    @Test
    void toBuilderKeepsEverything() {
        ModelRegistry registry = registry(Map.of("K", "v"))
                .provider(ProviderConfig.openAiCompatible("mine", "http://localhost:9/v1", "K")).build();
        ModelRegistry copy = registry.toBuilder().removeProvider("groq").build();
        assertThat(resolve(copy, "mine/m").apiKey()).isEqualTo("v");
        assertThat(copy.provider("groq")).isEmpty();
        assertThat(registry.provider("groq")).isPresent();
    }

    @Test
    void providerConfigValidation() {
        assertThatThrownBy(() -> ProviderConfig.openAiCompatible("a/b", "http://x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'a/b'");
        assertThatThrownBy(() -> ProviderConfig.openAiCompatible("p", "ftp://example.com"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("base_url");
        assertThatThrownBy(() -> ProviderConfig.openAiCompatible("p", "https://example.com", "sk-proj-abc123"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must name an environment variable")
                .hasMessageNotContaining("sk-proj-abc123");
        assertThat(ProviderConfig.openAiCompatible("p", "https://example.com", " ").apiKeyVariable()).isEmpty();
        assertThat(ApiType.fromConfig("OpenAI_Compatible")).isEqualTo(ApiType.OPENAI_COMPATIBLE);
        assertThat(ApiType.fromConfig("anthropic")).isEqualTo(ApiType.ANTHROPIC);
        assertThat(ApiType.fromConfig("openai_chatcompletions")).isEqualTo(ApiType.OPENAI_COMPATIBLE);
        assertThat(ApiType.fromConfig("openai_responses")).isEqualTo(ApiType.OPENAI_RESPONSES);
        assertThat(ApiType.fromConfig("Google")).isEqualTo(ApiType.GEMINI);
        assertThatThrownBy(() -> ApiType.fromConfig("gemini-native"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("openai_responses, anthropic or google");
    }

    @Test
    void modelsFacadeFailsClearlyForUnknownProviders() {
        assertThatThrownBy(() -> Models.resolve("no-such-provider-xyz/model"))
                .isInstanceOf(ModelResolutionException.UnknownProvider.class)
                .hasMessageContaining("no-such-provider-xyz");
        assertThatThrownBy(() -> Models.embeddingModel("nonsense"))
                .isInstanceOf(ModelResolutionException.InvalidReference.class);
        assertThat(Models.registry().provider("dmr")).isPresent();
    }

    @Property
    void referencesSplitAtTheFirstSlash(@ForAll("providerNames") String provider, @ForAll("modelNames") String model) {
        ModelRef ref = ModelRef.parse(provider + "/" + model);
        assertThat(ref).isEqualTo(new ModelRef(provider, model));
        assertThat(ModelRef.parse(ref.toString())).isEqualTo(ref);
    }

    @Provide
    Arbitrary<String> providerNames() {
        return Arbitraries.strings().withCharRange('a', 'z').withChars('.', '-', '_', '0', '9').ofMinLength(1).ofMaxLength(12)
                .filter(s -> Character.isLetterOrDigit(s.charAt(0)));
    }

    @Provide
    Arbitrary<String> modelNames() {
        Arbitrary<String> segment = Arbitraries.strings().withCharRange('a', 'z').withChars('.', '-', ':', '0', '9')
                .ofMinLength(1).ofMaxLength(10);
        return segment.list().ofMinSize(1).ofMaxSize(3).map(parts -> String.join("/", parts));
    }
}
