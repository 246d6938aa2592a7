package dev.keel.agents;

import dev.keel.core.ChatModel;
import dev.keel.core.models.ModelRegistry;
import dev.keel.core.models.Models;
import dev.keel.core.models.ProviderConfig;
import java.util.Objects;

/**
 * Turns a {@link ModelConfig} (from a {@code provider/model} reference or a team file) into a
 * {@link ChatModel}. The runner calls it once per distinct configuration and caches the result.
 * Must be thread-safe.
 */
@FunctionalInterface
public interface ModelResolver {

    /**
     * Resolves a configuration.
     *
     * @param config the configuration to resolve
     * @return the model
     * @throws dev.keel.core.KeelException when the provider is unknown or its key variable is unset
     */
    ChatModel resolve(ModelConfig config);

    /**
     * Resolves through core's built-in providers over the process environment (the runner's default).
     *
     * @return the default resolver
     */
    static ModelResolver defaults() {
        return config -> registry(Models.registry()).resolve(config);
    }

    /**
     * Resolves through {@code registry}. A configuration with its own {@code base_url} or {@code token_key}
     * registers (for this resolution) a provider of that name with those settings, keeping the API type of a
     * known provider and defaulting to OpenAI-compatible for a new one.
     *
     * @param registry the registry to resolve through
     * @return a resolver backed by the registry
     */
    static ModelResolver registry(ModelRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        return config -> {
            if (config.baseUrl() == null && config.tokenKey() == null) {
                return registry.chatModel(config.reference());
            }
            ProviderConfig known = registry.provider(config.provider()).orElse(null);
            if (known == null && config.baseUrl() == null) {
                throw new dev.keel.core.KeelException("provider '" + config.provider() + "' is unknown and has no base_url");
            }
            ProviderConfig custom = known == null
                    ? ProviderConfig.openAiCompatible(config.provider(), config.baseUrl(), config.tokenKey())
                    : new ProviderConfig(config.provider(), known.apiType(),
                            config.baseUrl() != null ? config.baseUrl() : known.baseUrl(),
                            config.tokenKey() != null ? config.tokenKey() : known.apiKeyVariable().orElse(null));
            return registry.toBuilder().provider(custom).build().chatModel(config.reference());
        };
    }
}
