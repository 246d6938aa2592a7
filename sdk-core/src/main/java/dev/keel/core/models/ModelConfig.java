package dev.keel.core.models;

import dev.keel.core.ChatOptions;
import java.util.Objects;

/**
 * Which model to use and how to call it: a provider and model name (a team file's {@code models} entry, or
 * an inline {@code provider/model} reference), optional endpoint and key-variable overrides, and the
 * generation options sent with every request. A {@link ModelResolver} turns it into a {@code ChatModel}.
 * Holds the <em>name</em> of the variable with the key, never the key.
 *
 * <pre>{@code
 * ModelConfig fast = ModelConfig.parse("openai/gpt-5-mini")
 *         .withOptions(ChatOptions.builder().temperature(0.2).maxTokens(2048).build());
 * ModelConfig gateway = ModelConfig.of("gateway", "llama-3.3-70b")
 *         .withBaseUrl("https://llm.internal/v1").withTokenKey("GATEWAY_KEY");
 * }</pre>
 *
 * @param provider provider name ({@code openai}, {@code anthropic}, {@code dmr}, or a custom one)
 * @param model    the provider's model name
 * @param baseUrl  endpoint override, or {@code null} for the provider's
 * @param tokenKey name of the environment variable holding the API key, or {@code null} for the provider's
 * @param options  generation options sent with each request ({@link ChatOptions#defaults()} when none)
 */
public record ModelConfig(String provider, String model, String baseUrl, String tokenKey, ChatOptions options) {
    /**
     * Requires a provider and a model; {@code null} options are the defaults.
     *
     * @param provider provider name ({@code openai}, {@code anthropic}, {@code dmr}, or a custom one)
     * @param model the provider's model name
     * @param baseUrl endpoint override, or {@code null} for the provider's
     * @param tokenKey name of the environment variable holding the API key, or {@code null} for the provider's
     * @param options generation options sent with each request ({@link ChatOptions#defaults()} when none)
     */
    public ModelConfig {
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(model, "model");
        if (provider.isBlank() || model.isBlank()) {
            throw new IllegalArgumentException("provider and model cannot be blank");
        }
        options = options == null ? ChatOptions.defaults() : options;
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
     * A copy calling {@code baseUrl} instead of the provider's endpoint.
     *
     * @param baseUrl the base url
     * @return a copy calling {@code baseUrl} instead of the provider's endpoint
     */
    public ModelConfig withBaseUrl(String baseUrl) {
        return new ModelConfig(provider, model, baseUrl, tokenKey, options);
    }

    /**
     * A copy reading the key from the environment variable {@code tokenKey}.
     *
     * @param tokenKey the token key
     * @return a copy reading the key from the environment variable {@code tokenKey}
     */
    public ModelConfig withTokenKey(String tokenKey) {
        return new ModelConfig(provider, model, baseUrl, tokenKey, options);
    }

    /**
     * A copy sending {@code options} with each request.
     *
     * @param options the options
     * @return a copy sending {@code options} with each request
     */
    public ModelConfig withOptions(ChatOptions options) {
        return new ModelConfig(provider, model, baseUrl, tokenKey, options);
    }

    /**
     * {@code provider/model}.
     *
     * @return {@code provider/model}
     */
    public String reference() {
        return provider + "/" + model;
    }

    /** {@code provider/model} and which overrides are set; the token key is a variable name, never a key. */
    @Override
    public String toString() {
        return "ModelConfig[" + reference() + (baseUrl == null ? "" : ", baseUrl=" + baseUrl)
                + (tokenKey == null ? "" : ", tokenKey=" + tokenKey)
                + (options.equals(ChatOptions.defaults()) ? "" : ", " + options) + "]";
    }
}
