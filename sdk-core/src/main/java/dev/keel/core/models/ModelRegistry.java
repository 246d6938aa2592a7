package dev.keel.core.models;

import dev.keel.core.ChatModel;
import dev.keel.core.EmbeddingModel;
import dev.keel.core.http.HttpClients;
import dev.keel.core.http.HttpConfig;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.function.Function;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resolves {@code provider/model} references and {@link ModelConfig}s to models. Its configuration is
 * immutable; it is thread-safe.
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
 *   <tr><td>google</td><td>google (Gemini)</td><td>https://generativelanguage.googleapis.com/v1beta</td>
 *       <td>GOOGLE_API_KEY, else GEMINI_API_KEY</td></tr>
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
 * {@link Builder#environment} says otherwise): by {@link #chatModel(String)} and {@link #embeddingModel} when they
 * resolve, which fails at once with {@link ModelResolutionException.MissingApiKey}; for a {@link ModelConfig}
 * ({@link #resolve}) at the model's first call, so configurations resolve without keys and a missing one fails the
 * call with {@link dev.keel.core.ModelException.MissingVariable}. Keys are never kept by the registry or shown by
 * {@link #toString()}.
 *
 * <p>HTTP: every model a registry resolves shares one HTTP client (connection pool, threads). The registry
 * creates it from {@link Builder#http} on first use, owns it, and releases it in {@link #close()} — after
 * which its models can no longer call out, and resolving fails. With {@link Builder#httpClient} the models
 * share the caller's client instead, which the caller keeps owning. Closing a resolved model releases only
 * what the model itself holds. Closing twice is harmless.
 */
public final class ModelRegistry implements ModelResolver, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ModelRegistry.class);
    private final Map<String, ProviderConfig> providers;
    private final Function<String, String> environment;
    private final boolean processEnvironment;
    private final Map<ApiType, ProviderFactory> factories;
    private final HttpConfig httpConfig;
    private final OkHttpClient callerClient;
    private final boolean clientPerModel;
    private OkHttpClient ownedClient;
    private boolean closed;
    /** Models handed out, closed with the registry; weak, so models dropped by their users are not kept. */
    private final java.util.Set<AutoCloseable> resolved =
            java.util.Collections.newSetFromMap(new java.util.WeakHashMap<>());

    private ModelRegistry(Builder b) {
        this.providers = Map.copyOf(b.providers);
        this.environment = b.environment;
        this.processEnvironment = b.processEnvironment;
        this.factories = Map.copyOf(b.factories);
        this.httpConfig = b.httpConfig;
        this.callerClient = b.httpClient;
        this.clientPerModel = b.clientPerModel;
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
        if (OpenAiModels.servedByResponses(provider, null, reference.model())) {
            provider = new ProviderConfig(provider.name(), ApiType.OPENAI_RESPONSES, provider.baseUrl(),
                    provider.apiKeyEnv(), provider.headers());
        }
        String key = apiKey(provider);
        return track(factory(provider).chatModel(new ProviderFactory.Setup(provider, reference.model(), key,
                expandedHeaders(provider.name(), provider.headers(), new Variables(provider.name(), Map.of(), environment)),
                null, null, null, http())));
    }

    /**
     * A chat model for a configuration, read lazily: the provider and API are checked now, but the key variable,
     * the model's {@code env}, header values and a {@code ${VAR}} base URL are read at the model's first call, so
     * that configurations (a team file's) resolve without their keys set. A missing variable then fails the call
     * with {@link dev.keel.core.ModelException.MissingVariable} naming it.
     *
     * <p>The configuration's {@code baseUrl}, {@code tokenKey}, {@code apiType} (or {@code provider_opts.api_type})
     * and headers override the provider's: a known provider keeps its API type unless overridden, an unknown one
     * with a {@code baseUrl} is taken as OpenAI-compatible. Its generation options are applied to every request
     * (a request's own options win); its provider options as {@link ProviderOptions} describes, options it does
     * not act on logged once as a warning.
     *
     * @throws ModelResolutionException.UnknownProvider when the provider is unknown and has no {@code baseUrl}
     * @throws ModelResolutionException.Unsupported    when no implementation speaks the API type
     */
    @Override
    public ChatModel resolve(ModelConfig config) {
        Plan plan = plan(config);
        http(); // fails now when the registry is closed
        for (String note : ProviderOptions.check(plan.apiType(), config.providerOptions())) {
            log.warn("model {}: {}", config.reference(), note);
        }
        return track(new LazyModel(config.reference(), () -> build(config, plan)));
    }

    /**
     * Whether {@code config} could be used now: its provider is known (or it has a {@code baseUrl}) and its key
     * variable — looked up in its own {@code env}, then this registry's environment — is set, or it needs none.
     */
    @Override
    public boolean isAvailable(ModelConfig config) {
        Plan plan;
        try {
            plan = plan(config);
        } catch (ModelResolutionException e) {
            return false;
        }
        if (plan.keyVariable() == null || federated(plan, config)) {
            return true;
        }
        try {
            return key(config, plan, new Variables(config.provider(), config.env(), environment)) != null;
        } catch (dev.keel.core.ModelException e) {
            return false;
        }
    }

    /**
     * Checks the provider and API now, and reads every variable the model would read at its first call (its key,
     * header variables, a {@code ${VAR}} base URL, its own {@code env}) without building or calling it.
     *
     * @throws ModelResolutionException.UnknownProvider when the provider is unknown and has no {@code baseUrl}
     * @throws ModelResolutionException.Unsupported    when no implementation speaks the API type
     * @throws dev.keel.core.ModelException.MissingVariable naming the first unset variable
     */
    @Override
    public void check(ModelConfig config) {
        prepare(config, plan(config), ProviderFactory.Http.NONE);
    }

    /** What a configuration resolves to before any variable is read. */
    private record Plan(ProviderConfig known, ApiType apiType, String keyVariable) {}

    private Plan plan(ModelConfig config) {
        ProviderConfig known = providers.get(config.provider());
        if (known == null && config.baseUrl() == null) {
            throw new ModelResolutionException.UnknownProvider(config.provider(),
                    providers.keySet().stream().sorted().toList());
        }
        ApiType type = config.apiType() != null ? config.apiType()
                : ProviderOptions.apiType(config.providerOptions())
                .orElse(OpenAiModels.servedByResponses(known, config.baseUrl(), config.model()) ? ApiType.OPENAI_RESPONSES
                        : known != null ? known.apiType() : ApiType.OPENAI_COMPATIBLE);
        if (!factories.containsKey(type)) {
            throw new ModelResolutionException.Unsupported("no model implementation for the " + type.configName()
                    + " API of provider '" + config.provider() + "'");
        }
        String keyVariable = config.tokenKey() != null ? config.tokenKey() : known != null ? known.apiKeyEnv() : null;
        return new Plan(known, type, keyVariable);
    }

    /** Reads the variables and builds the model (at its first call). */
    private ChatModel build(ModelConfig config, Plan plan) {
        ProviderFactory.Setup setup = prepare(config, plan, http());
        return factories.get(plan.apiType()).chatModel(setup);
    }

    /** Reads the variables a model needs: everything but the HTTP client it is built with. */
    private ProviderFactory.Setup prepare(ModelConfig config, Plan plan, ProviderFactory.Http http) {
        Variables vars = new Variables(config.provider(), config.env(), environment);
        String baseUrl = vars.expand(config.baseUrl() != null ? config.baseUrl() : plan.known().baseUrl(), "base_url");
        String key = null;
        // Under workload identity federation the key path is bypassed: the model mints its own tokens.
        if (plan.keyVariable() != null && !federated(plan, config)) {
            key = key(config, plan, vars);
            if (key == null) {
                throw new dev.keel.core.ModelException.MissingVariable(config.provider(), plan.keyVariable(), "its API key");
            }
        }
        Map<String, String> headers = new TreeMap<>();
        if (plan.known() != null) {
            headers.putAll(plan.known().headers());
        }
        headers.putAll(ProviderOptions.headers(plan.apiType(), config.providerOptions()));
        headers.putAll(config.headers());
        ProviderConfig provider = new ProviderConfig(config.provider(), plan.apiType(), baseUrl, plan.keyVariable());
        return new ProviderFactory.Setup(provider, config.model(), key, expandedHeaders(config.provider(), headers, vars),
                config.options(), config.providerOptions(), config.trackUsage(), http, vars::get);
    }

    /** Whether the model authenticates by workload identity federation rather than a key. */
    private static boolean federated(Plan plan, ModelConfig config) {
        return ProviderOptions.applied(plan.apiType(), config.providerOptions(), "workload_identity_federation")
                .isPresent();
    }

    /** The key: its variable, else (for a built-in provider's own variable) the documented alternates. */
    private String key(ModelConfig config, Plan plan, Variables vars) {
        String value = vars.get(plan.keyVariable());
        if (value != null && !value.isBlank()) {
            return value.strip();
        }
        if (config.tokenKey() == null && plan.known() != null) {
            for (String alternate : BuiltInProviders.ALTERNATE_KEYS.getOrDefault(plan.known().name(), List.of())) {
                String v = vars.get(alternate);
                if (v != null && !v.isBlank()) {
                    return v.strip();
                }
            }
        }
        return null;
    }

    private static Map<String, String> expandedHeaders(String provider, Map<String, String> headers, Variables vars) {
        Map<String, String> out = new TreeMap<>();
        headers.forEach((name, value) -> {
            String expanded = vars.expand(value, "header " + name);
            if (expanded.indexOf('\r') >= 0 || expanded.indexOf('\n') >= 0) {
                // A variable smuggling a line break into a header would let it add headers of its own.
                throw new IllegalArgumentException(provider + ": the value of header " + name
                        + " contains a line break once its variables are expanded");
            }
            out.put(name, expanded);
        });
        return out;
    }

    /**
     * An embedding model for {@code reference}, e.g. {@code openai/text-embedding-3-small} or
     * {@code google/gemini-embedding-001}.
     *
     * @param reference the reference
     * @return an embedding model for {@code reference}
     * @throws ModelResolutionException.Unsupported when the provider's API has no embeddings (Anthropic)
     * @throws ModelResolutionException             for the same reasons as {@link #chatModel(String)}
     */
    public EmbeddingModel embeddingModel(String reference) {
        ModelRef ref = ModelRef.parse(reference);
        ProviderConfig provider = providerFor(ref);
        String key = apiKey(provider);
        return track(factory(provider).embeddingModel(new ProviderFactory.Setup(provider, ref.model(), key,
                expandedHeaders(provider.name(), provider.headers(), new Variables(provider.name(), Map.of(), environment)),
                null, null, null, http())));
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
     * A builder starting from this registry's providers, environment and HTTP settings. A registry built
     * from it creates its own HTTP client (unless a caller's client was set): it never shares this one's.
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
        b.httpConfig = httpConfig;
        b.httpClient = callerClient;
        b.clientPerModel = clientPerModel;
        return b;
    }

    private synchronized <M extends AutoCloseable> M track(M model) {
        if (!clientPerModel) {
            resolved.add(model);
        }
        return model;
    }

    /** The HTTP settings for the next model: the shared client, created on first use. */
    private synchronized ProviderFactory.Http http() {
        if (closed) {
            throw new IllegalStateException("model registry is closed");
        }
        if (callerClient != null || clientPerModel) {
            return new ProviderFactory.Http(httpConfig, callerClient);
        }
        if (ownedClient == null) {
            ownedClient = HttpClients.create(httpConfig);
        }
        return new ProviderFactory.Http(httpConfig, ownedClient);
    }

    /**
     * Closes the models this registry resolved (they can no longer call out) and releases the HTTP client
     * it created; a caller's client is left alone. Later resolutions fail. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (AutoCloseable model : List.copyOf(resolved)) {
            try {
                model.close();
            } catch (Exception e) {
                // A model that fails to close holds nothing the registry could release instead.
            }
        }
        resolved.clear();
        if (ownedClient != null) {
            ExecutorService executor = ownedClient.dispatcher().executorService();
            executor.shutdown();
            ownedClient.connectionPool().evictAll();
        }
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
            for (String alternate : BuiltInProviders.ALTERNATE_KEYS.getOrDefault(provider.name(), List.of())) {
                String v = environment.apply(alternate);
                if (v != null && !v.isBlank()) {
                    return v.strip();
                }
            }
            throw new ModelResolutionException.MissingApiKey(provider.name(), variable);
        }
        return key.strip();
    }

    /** Lists provider names and where keys come from; never a key. */
    @Override
    public synchronized String toString() {
        return "ModelRegistry[providers=" + providers.keySet().stream().sorted().toList() + ", environment="
                + (processEnvironment ? "process" : "custom") + (closed ? ", closed" : "") + "]";
    }

    /** Builds a {@link ModelRegistry}. Not thread-safe. */
    public static final class Builder {
        private final Map<String, ProviderConfig> providers = new LinkedHashMap<>();
        private Function<String, String> environment = System::getenv;
        private boolean processEnvironment = true;
        private final Map<ApiType, ProviderFactory> factories = new EnumMap<>(ApiType.class);
        private HttpConfig httpConfig = HttpConfig.defaults();
        private OkHttpClient httpClient;
        private boolean clientPerModel;

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
         * Sets the registry's providers to exactly these, replacing every provider registered before (the
         * built-ins included). Use {@link #provider(ProviderConfig)} to add one.
         *
         * @param providers the providers
         * @return this builder
         */
        public Builder providers(List<ProviderConfig> providers) {
            List<ProviderConfig> copy = new ArrayList<>(providers);
            this.providers.clear();
            copy.forEach(this::provider);
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
         * Timeouts, retries and interceptors of the HTTP client the registry creates for its models.
         *
         * @param config the HTTP settings
         * @return this builder
         */
        public Builder http(HttpConfig config) {
            this.httpConfig = Objects.requireNonNull(config, "config");
            this.httpClient = null;
            return this;
        }

        /**
         * Uses the caller's client for every resolved model instead of creating one; the caller owns and closes it.
         *
         * @param client the client
         * @return this builder
         */
        public Builder httpClient(OkHttpClient client) {
            this.httpClient = Objects.requireNonNull(client, "client");
            return this;
        }

        /**
         * Each resolved model creates and owns its own client (closing the model releases it), for
         * {@link Models}' one-line resolution where no registry outlives the call.
         */
        Builder clientPerModel() {
            this.clientPerModel = true;
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
    /** Lists provider names and where keys come from; never a key. */
        public String toString() {
            return "ModelRegistry.Builder[providers=" + providers.keySet() + "]";
        }
    }
}
