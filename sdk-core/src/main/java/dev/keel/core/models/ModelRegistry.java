package dev.keel.core.models;

import dev.keel.core.ChatModel;
import dev.keel.core.EmbeddingModel;
import dev.keel.core.http.HttpConfig;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import okhttp3.OkHttpClient;

/**
 * Resolves {@code provider/model} references to models. Immutable and thread-safe.
 *
 * <pre>{@code
 * ModelRegistry registry = ModelRegistry.builder()
 *         .provider(ProviderConfig.openAiCompatible("gateway", "https://llm.internal/v1", "GATEWAY_KEY"))
 *         .build();
 * ChatModel model = registry.chatModel("gateway/llama-3.3-70b");   // key read from GATEWAY_KEY now
 * ChatModel local = registry.chatModel("dmr/ai/qwen2.5");          // no key needed
 * }</pre>
 *
 * <p>Built-in providers (each can be replaced by registering a provider of the same name):
 * <table>
 *   <caption>Built-in providers</caption>
 *   <tr><th>name</th><th>API</th><th>base URL</th><th>key variable</th></tr>
 *   <tr><td>openai</td><td>openai-compatible</td><td>https://api.openai.com/v1</td><td>OPENAI_API_KEY</td></tr>
 *   <tr><td>anthropic</td><td>anthropic</td><td>https://api.anthropic.com</td><td>ANTHROPIC_API_KEY</td></tr>
 *   <tr><td>dmr</td><td>openai-compatible</td><td>http://localhost:12434/engines/llama.cpp/v1</td><td>none</td></tr>
 *   <tr><td>github</td><td>openai-compatible</td><td>https://models.github.ai/inference</td><td>GITHUB_TOKEN</td></tr>
 *   <tr><td>groq</td><td>openai-compatible</td><td>https://api.groq.com/openai/v1</td><td>GROQ_API_KEY</td></tr>
 *   <tr><td>mistral</td><td>openai-compatible</td><td>https://api.mistral.ai/v1</td><td>MISTRAL_API_KEY</td></tr>
 *   <tr><td>openrouter</td><td>openai-compatible</td><td>https://openrouter.ai/api/v1</td><td>OPENROUTER_API_KEY</td></tr>
 *   <tr><td>gemini</td><td>openai-compatible</td><td>https://generativelanguage.googleapis.com/v1beta/openai</td><td>GEMINI_API_KEY</td></tr>
 *   <tr><td>llama.cpp</td><td>openai-compatible</td><td>http://localhost:8080/v1</td><td>none</td></tr>
 *   <tr><td>vllm</td><td>openai-compatible</td><td>http://localhost:8000/v1</td><td>none</td></tr>
 *   <tr><td>ollama</td><td>openai-compatible</td><td>http://localhost:11434/v1</td><td>none</td></tr>
 * </table>
 *
 * <p>Keys are read from the registry's environment (the process environment unless
 * {@link Builder#environment} says otherwise) each time a model is resolved, and are never kept by the
 * registry or shown by {@link #toString()}. Resolved models may hold an HTTP client: close them when they
 * are {@link AutoCloseable}, or give the registry a shared client with {@link Builder#httpClient}.
 */
public final class ModelRegistry {
    private final Map<String, ProviderConfig> providers;
    private final Function<String, String> environment;
    private final boolean processEnvironment;
    private final Map<ApiType, ProviderFactory> factories;
    private final ProviderFactory.Http http;

    private ModelRegistry(Builder b) {
        this.providers = Map.copyOf(b.providers);
        this.environment = b.environment;
        this.processEnvironment = b.processEnvironment;
        this.factories = Map.copyOf(b.factories);
        this.http = new ProviderFactory.Http(b.httpConfig, b.httpClient);
    }

    /**
     * A builder with the built-in providers, the process environment and default HTTP settings.
     *
     * @return a builder with the built-in providers
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The built-in providers over the process environment.
     *
     * @return the built-in providers over the process environment
     */
    public static ModelRegistry defaults() {
        return builder().build();
    }

    /**
     * A chat model for {@code reference} ({@code provider/model}).
     *
     * @param reference the reference
     * @return a chat model for {@code reference}
     * @throws ModelResolutionException.InvalidReference when the reference is malformed
     * @throws ModelResolutionException.UnknownProvider  listing the known providers
     * @throws ModelResolutionException.MissingApiKey    naming the environment variable to set
     */
    public ChatModel chatModel(String reference) {
        return chatModel(ModelRef.parse(reference));
    }

    /**
     * A chat model for an already parsed reference; see {@link #chatModel(String)}.
     *
     * @param reference the parsed reference
     * @return a chat model for an already parsed reference
     */
    public ChatModel chatModel(ModelRef reference) {
        ProviderConfig provider = providerFor(reference);
        return factory(provider).chatModel(provider, reference.model(), apiKey(provider), http);
    }

    /**
     * An embedding model for {@code reference}, e.g. {@code openai/text-embedding-3-small}.
     *
     * @param reference the reference
     * @return an embedding model for {@code reference}
     * @throws ModelResolutionException.Unsupported when the provider's API has no embeddings (Anthropic)
     * @throws ModelResolutionException             for the same reasons as {@link #chatModel(String)}
     */
    public EmbeddingModel embeddingModel(String reference) {
        ModelRef ref = ModelRef.parse(reference);
        ProviderConfig provider = providerFor(ref);
        return factory(provider).embeddingModel(provider, ref.model(), apiKey(provider), http);
    }

    /**
     * The provider registered under {@code name}.
     *
     * @param name the provider name
     * @return the provider registered under {@code name}
     */
    public Optional<ProviderConfig> provider(String name) {
        return Optional.ofNullable(providers.get(name));
    }

    /**
     * All registered providers, sorted by name.
     *
     * @return all registered providers
     */
    public List<ProviderConfig> providers() {
        return providers.values().stream().sorted(java.util.Comparator.comparing(ProviderConfig::name)).toList();
    }

    /**
     * A builder starting from this registry's providers, environment and HTTP settings.
     *
     * @return a new builder holding this registry's providers and settings
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.providers.clear();
        b.providers.putAll(providers);
        b.environment = environment;
        b.processEnvironment = processEnvironment;
        b.factories.putAll(factories);
        b.httpConfig = http.config();
        b.httpClient = http.client();
        return b;
    }

    private ProviderConfig providerFor(ModelRef ref) {
        ProviderConfig provider = providers.get(ref.provider());
        if (provider == null) {
            throw new ModelResolutionException.UnknownProvider(ref.provider(),
                    providers.keySet().stream().sorted().toList());
        }
        return provider;
    }

    private ProviderFactory factory(ProviderConfig provider) {
        ProviderFactory factory = factories.get(provider.apiType());
        if (factory == null) {
            throw new ModelResolutionException.Unsupported("no model implementation for the "
                    + provider.apiType().configName() + " API of provider '" + provider.name() + "'");
        }
        return factory;
    }

    private String apiKey(ProviderConfig provider) {
        String variable = provider.apiKeyEnv();
        if (variable == null) {
            return null;
        }
        String key = environment.apply(variable);
        if (key == null || key.isBlank()) {
            throw new ModelResolutionException.MissingApiKey(provider.name(), variable);
        }
        return key.strip();
    }

    /** Lists provider names and where keys come from; never a key. */
    @Override
    public String toString() {
        return "ModelRegistry[providers=" + providers.keySet().stream().sorted().toList() + ", environment="
                + (processEnvironment ? "process" : "custom") + "]";
    }

    /** Builds a {@link ModelRegistry}. Not thread-safe. */
    public static final class Builder {
        private final Map<String, ProviderConfig> providers = new LinkedHashMap<>();
        private Function<String, String> environment = System::getenv;
        private boolean processEnvironment = true;
        private final Map<ApiType, ProviderFactory> factories = new EnumMap<>(ApiType.class);
        private HttpConfig httpConfig = HttpConfig.defaults();
        private OkHttpClient httpClient;

        private Builder() {
            BuiltInProviders.ALL.forEach(p -> providers.put(p.name(), p));
            factories.putAll(ProviderFactories.DEFAULTS);
        }

        /**
         * Registers {@code provider}, replacing any provider (built-in or not) of the same name.
         *
         * @param provider the provider
         * @return this builder
         */
        public Builder provider(ProviderConfig provider) {
            Objects.requireNonNull(provider, "provider");
            providers.put(provider.name(), provider);
            return this;
        }

        /**
         * Registers several providers; see {@link #provider(ProviderConfig)}.
         *
         * @param providers the providers
         * @return this builder
         */
        public Builder providers(List<ProviderConfig> providers) {
            new ArrayList<>(providers).forEach(this::provider);
            return this;
        }

        /**
         * Removes a provider, built-in or not; resolving it then fails as unknown.
         *
         * @param name the provider name
         * @return this builder
         */
        public Builder removeProvider(String name) {
            providers.remove(name);
            return this;
        }

        /**
         * Removes every provider, built-ins included.
         *
         * @return this builder
         */
        public Builder clearProviders() {
            providers.clear();
            return this;
        }

        /**
         * Reads keys from {@code environment} instead of the process environment (copied).
         *
         * @param environment the variables
         * @return this builder
         */
        public Builder environment(Map<String, String> environment) {
            Map<String, String> copy = Map.copyOf(Objects.requireNonNull(environment, "environment"));
            this.environment = copy::get;
            this.processEnvironment = false;
            return this;
        }

        /**
         * Reads keys through {@code lookup} (variable name → value or {@code null}) at resolve time.
         *
         * @param lookup the lookup
         * @return this builder
         */
        public Builder environment(Function<String, String> lookup) {
            this.environment = Objects.requireNonNull(lookup, "lookup");
            this.processEnvironment = false;
            return this;
        }

        /**
         * Timeouts, retries and interceptors for the clients resolved models create (and own).
         *
         * @param config the configuration
         * @return this builder
         */
        public Builder http(HttpConfig config) {
            this.httpConfig = Objects.requireNonNull(config, "config");
            this.httpClient = null;
            return this;
        }

        /**
         * One client shared by every resolved model; the caller owns and closes it.
         *
         * @param client the shared client
         * @return this builder
         */
        public Builder httpClient(OkHttpClient client) {
            this.httpClient = Objects.requireNonNull(client, "client");
            return this;
        }

        /** Replaces how models of one API type are built (tests, custom transports). */
        Builder factory(ApiType type, ProviderFactory factory) {
            factories.put(type, Objects.requireNonNull(factory, "factory"));
            return this;
        }

        /**
         * Builds the registry.
         *
         * @return the registry
         */
        public ModelRegistry build() {
            return new ModelRegistry(this);
        }

        @Override
        public String toString() {
            return "ModelRegistry.Builder[providers=" + providers.keySet() + "]";
        }
    }
}
