package dev.keel.core.models;

import dev.keel.core.ChatOptions;
import dev.keel.core.json.JsonObject;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * One model and how to call it: a provider and model name (a team file's {@code models} entry, or an inline
 * {@code provider/model} reference), optional endpoint, key-variable and wire-protocol overrides, extra headers,
 * variables visible to this model only, provider-specific options, and the generation options sent with every
 * request. A {@link ModelResolver} turns it into a {@code ChatModel}; {@link ModelSpec} combines several.
 *
 * <pre>{@code
 * ModelConfig fast = ModelConfig.parse("openai/gpt-5-mini")
 *         .withOptions(ChatOptions.builder().temperature(0.2).maxTokens(2048).build());
 * ModelConfig github = ModelConfig.builder("openai", "openai/gpt-4.1")
 *         .baseUrl("https://models.github.ai/inference")
 *         .env("OPENAI_API_KEY", "${GITHUB_TOKEN}")          // this model's key comes from GITHUB_TOKEN
 *         .header("X-Team", "${TEAM_ID}")                     // expanded at the first call
 *         .build();
 * ModelConfig responses = ModelConfig.builder("openai", "gpt-5").apiType(ApiType.OPENAI_RESPONSES)
 *         .options(ChatOptions.builder().thinkingBudget(ThinkingBudget.parse("high")).build()).build();
 * }</pre>
 *
 * <p>Holds <em>names</em> of variables, never a key read from the environment. {@code env} and {@code headers}
 * values may still be literal secrets written into a file, so {@link #toString()} shows their names only.
 * Variables are read and {@code ${VAR}} references expanded when the resolved model is first called, so a
 * configuration with unset variables resolves fine and fails on use with
 * {@link dev.keel.core.ModelException.MissingVariable} naming the variable.
 *
 * @param provider        provider name ({@code openai}, {@code anthropic}, {@code google}, {@code dmr}, or a custom one)
 * @param model           the provider's model name
 * @param baseUrl         endpoint override, or {@code null} for the provider's
 * @param tokenKey        name of the environment variable holding the API key, or {@code null} for the provider's
 * @param options         generation options sent with each request ({@link ChatOptions#defaults()} when none)
 * @param apiType         wire protocol override (docker-agent's {@code api_type}), or {@code null} for the provider's
 * @param headers         extra HTTP headers on every request, values may contain {@code ${VAR}} references
 *                        (docker-agent's provider {@code headers} and {@code provider_opts.http_headers})
 * @param env             variables visible to this model only, consulted before the environment when its key and
 *                        header variables are looked up; values may contain {@code ${VAR}} references to the
 *                        environment (docker-agent's model {@code env})
 * @param providerOptions provider-specific options (docker-agent's {@code provider_opts}); see
 *                        {@link ProviderOptions} for what each API applies
 * @param trackUsage      whether to ask for token usage where that is optional (Chat Completions streams); {@code null}
 *                        is yes
 * @param capabilities    declared attachment and output capabilities
 */
public record ModelConfig(String provider, String model, String baseUrl, String tokenKey, ChatOptions options,
                          ApiType apiType, Map<String, String> headers, Map<String, String> env,
                          JsonObject providerOptions, Boolean trackUsage, ModelCapabilities capabilities)
        implements ModelSpec {
    private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    /**
     * Requires a provider and a model; {@code null} options, maps and capabilities are empty.
     *
     * @param provider provider name
     * @param model the provider's model name
     * @param baseUrl endpoint override, or {@code null}
     * @param tokenKey name of the key variable, or {@code null}
     * @param options generation options
     * @param apiType wire protocol override, or {@code null}
     * @param headers extra HTTP headers
     * @param env variables visible to this model only
     * @param providerOptions provider-specific options
     * @param trackUsage whether to ask for usage where optional, or {@code null}
     * @param capabilities declared capabilities
     * @throws IllegalArgumentException for a blank provider or model, a header name that is not an HTTP token, a
     *                                  header value with a line break, a variable name that is not one, or a key
     *                                  variable name that looks like a key
     */
    public ModelConfig {
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(model, "model");
        if (provider.isBlank() || model.isBlank()) {
            throw new IllegalArgumentException("provider and model cannot be blank");
        }
        if (tokenKey != null && tokenKey.isBlank()) {
            tokenKey = null;
        }
        if (tokenKey != null && !ENV_NAME.matcher(tokenKey).matches()) {
            // Catches a key pasted where its variable name belongs, without echoing it.
            throw new IllegalArgumentException("model '" + provider + "/" + model
                    + "': token_key must name an environment variable ([A-Za-z_][A-Za-z0-9_]*), not hold a key");
        }
        options = options == null ? ChatOptions.defaults() : options;
        headers = sorted(headers);
        headers.forEach((name, value) -> {
            if (!HEADER_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("header name '" + name + "' is not a valid HTTP header name");
            }
            if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
                throw new IllegalArgumentException("the value of header '" + name + "' contains a line break");
            }
        });
        env = sorted(env);
        env.keySet().forEach(name -> {
            if (!ENV_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("env: '" + name + "' is not a variable name ([A-Za-z_][A-Za-z0-9_]*)");
            }
        });
        providerOptions = providerOptions == null ? JsonObject.of() : providerOptions;
        capabilities = capabilities == null ? ModelCapabilities.undeclared() : capabilities;
    }

    /**
     * A configuration with only the original five settings.
     *
     * @param provider provider name
     * @param model the provider's model name
     * @param baseUrl endpoint override, or {@code null}
     * @param tokenKey name of the key variable, or {@code null}
     * @param options generation options
     */
    public ModelConfig(String provider, String model, String baseUrl, String tokenKey, ChatOptions options) {
        this(provider, model, baseUrl, tokenKey, options, null, Map.of(), Map.of(), JsonObject.of(), null, null);
    }

    private static Map<String, String> sorted(Map<String, String> map) {
        if (map == null || map.isEmpty()) {
            return Map.of();
        }
        Map<String, String> copy = new TreeMap<>();
        map.forEach((k, v) -> copy.put(Objects.requireNonNull(k, "name"), Objects.requireNonNull(v, "value of " + k)));
        return Collections.unmodifiableMap(copy);
    }

    /**
     * Parses an inline reference {@code provider/model}; the model part may itself contain slashes
     * ({@code dmr/ai/qwen2.5}).
     *
     * @param reference the reference
     * @return the parsed value
     * @throws ModelResolutionException.InvalidReference when the reference is malformed
     */
    public static ModelConfig parse(String reference) {
        ModelRef ref = ModelRef.parse(reference);
        return of(ref.provider(), ref.model());
    }

    /**
     * A provider and model with the provider's endpoint and key, and default options.
     *
     * @param provider the provider
     * @param model the model
     * @return a provider and model with the provider's endpoint and key, and default options
     */
    public static ModelConfig of(String provider, String model) {
        return new ModelConfig(provider, model, null, null, ChatOptions.defaults());
    }

    /**
     * A builder for a provider and model.
     *
     * @param provider provider name
     * @param model the provider's model name
     * @return a builder with nothing else set
     */
    public static Builder builder(String provider, String model) {
        return new Builder(of(provider, model));
    }

    /**
     * A builder starting from this configuration.
     *
     * @return a builder holding every setting of this configuration
     */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * A copy calling {@code baseUrl} instead of the provider's endpoint.
     *
     * @param baseUrl the base url
     * @return a copy calling {@code baseUrl} instead of the provider's endpoint
     */
    public ModelConfig withBaseUrl(String baseUrl) {
        return toBuilder().baseUrl(baseUrl).build();
    }

    /**
     * A copy reading the key from the environment variable {@code tokenKey}.
     *
     * @param tokenKey the token key
     * @return a copy reading the key from the environment variable {@code tokenKey}
     */
    public ModelConfig withTokenKey(String tokenKey) {
        return toBuilder().tokenKey(tokenKey).build();
    }

    /**
     * A copy sending {@code options} with each request.
     *
     * @param options the options
     * @return a copy sending {@code options} with each request
     */
    public ModelConfig withOptions(ChatOptions options) {
        return toBuilder().options(options).build();
    }

    /**
     * {@code provider/model}.
     *
     * @return {@code provider/model}
     */
    public String reference() {
        return provider + "/" + model;
    }

    /** {@inheritDoc} For one model: {@code provider/model}. */
    @Override
    public String label() {
        return reference();
    }

    /**
     * {@code provider/model} and which overrides are set. Shows variable and header <em>names</em> only: their
     * values may be literal secrets.
     */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("ModelConfig[").append(reference());
        if (apiType != null) {
            b.append(", apiType=").append(apiType.configName());
        }
        if (baseUrl != null) {
            b.append(", baseUrl=").append(baseUrl);
        }
        if (tokenKey != null) {
            b.append(", tokenKey=").append(tokenKey);
        }
        if (!headers.isEmpty()) {
            b.append(", headers=").append(headers.keySet());
        }
        if (!env.isEmpty()) {
            b.append(", env=").append(env.keySet());
        }
        if (!providerOptions.isEmpty()) {
            b.append(", providerOptions=").append(providerOptions.names());
        }
        if (trackUsage != null) {
            b.append(", trackUsage=").append(trackUsage);
        }
        if (!capabilities.isUndeclared()) {
            b.append(", ").append(capabilities);
        }
        if (!options.equals(ChatOptions.defaults())) {
            b.append(", ").append(options);
        }
        return b.append(']').toString();
    }

    /** Builds a {@link ModelConfig}. Not thread-safe. Plural setters ({@link #headers}, {@link #env}) replace. */
    public static final class Builder {
        private final String provider;
        private final String model;
        private String baseUrl;
        private String tokenKey;
        private ChatOptions options;
        private ApiType apiType;
        private final Map<String, String> headers = new TreeMap<>();
        private final Map<String, String> env = new TreeMap<>();
        private JsonObject providerOptions;
        private Boolean trackUsage;
        private ModelCapabilities capabilities;

        private Builder(ModelConfig c) {
            provider = c.provider;
            model = c.model;
            baseUrl = c.baseUrl;
            tokenKey = c.tokenKey;
            options = c.options;
            apiType = c.apiType;
            headers.putAll(c.headers);
            env.putAll(c.env);
            providerOptions = c.providerOptions;
            trackUsage = c.trackUsage;
            capabilities = c.capabilities;
        }

        /**
         * The endpoint, instead of the provider's.
         *
         * @param baseUrl the API root, or {@code null} for the provider's
         * @return this builder
         */
        public Builder baseUrl(String baseUrl) {
            this.baseUrl = baseUrl;
            return this;
        }

        /**
         * The name of the environment variable holding the key, instead of the provider's.
         *
         * @param tokenKey the variable name, or {@code null} for the provider's
         * @return this builder
         */
        public Builder tokenKey(String tokenKey) {
            this.tokenKey = tokenKey;
            return this;
        }

        /**
         * Generation options sent with each request.
         *
         * @param options the options
         * @return this builder
         */
        public Builder options(ChatOptions options) {
            this.options = options;
            return this;
        }

        /**
         * The wire protocol, instead of the provider's (for example {@link ApiType#OPENAI_RESPONSES} for OpenAI).
         *
         * @param apiType the protocol, or {@code null} for the provider's
         * @return this builder
         */
        public Builder apiType(ApiType apiType) {
            this.apiType = apiType;
            return this;
        }

        /**
         * Adds or replaces one header.
         *
         * @param name  the header name
         * @param value the value; {@code ${VAR}} references are expanded at the first call
         * @return this builder
         */
        public Builder header(String name, String value) {
            headers.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * Replaces every header.
         *
         * @param headers the headers
         * @return this builder
         */
        public Builder headers(Map<String, String> headers) {
            this.headers.clear();
            this.headers.putAll(headers);
            return this;
        }

        /**
         * Adds or replaces one variable visible to this model only.
         *
         * @param name  the variable name
         * @param value its value; {@code ${VAR}} references to the environment are expanded at the first call
         * @return this builder
         */
        public Builder env(String name, String value) {
            env.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * Replaces every variable visible to this model only.
         *
         * @param env the variables
         * @return this builder
         */
        public Builder env(Map<String, String> env) {
            this.env.clear();
            this.env.putAll(env);
            return this;
        }

        /**
         * Provider-specific options (docker-agent's {@code provider_opts}).
         *
         * @param providerOptions the options, or {@code null} for none
         * @return this builder
         */
        public Builder providerOptions(JsonObject providerOptions) {
            this.providerOptions = providerOptions;
            return this;
        }

        /**
         * Whether to ask for token usage where that is optional.
         *
         * @param trackUsage the flag, or {@code null} for yes
         * @return this builder
         */
        public Builder trackUsage(Boolean trackUsage) {
            this.trackUsage = trackUsage;
            return this;
        }

        /**
         * Declared capabilities.
         *
         * @param capabilities the capabilities, or {@code null} for none declared
         * @return this builder
         */
        public Builder capabilities(ModelCapabilities capabilities) {
            this.capabilities = capabilities;
            return this;
        }

        /**
         * Builds the configuration.
         *
         * @return the configuration
         * @throws IllegalArgumentException as the {@link ModelConfig} constructor does
         */
        public ModelConfig build() {
            return new ModelConfig(provider, model, baseUrl, tokenKey, options, apiType, headers, env, providerOptions,
                    trackUsage, capabilities);
        }

        @Override
        public String toString() {
            return "ModelConfig.Builder[" + provider + "/" + model + "]";
        }
    }
}
