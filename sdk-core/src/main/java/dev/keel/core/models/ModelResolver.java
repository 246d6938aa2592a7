package dev.keel.core.models;

import dev.keel.core.ChatModel;

/**
 * Turns a {@link ModelConfig} into a {@link ChatModel}. A {@link ModelRegistry} is one (providers by name,
 * keys from the environment); a test's scripted model server offers another that points every model at
 * itself. Callers such as an agent runner resolve each distinct configuration once, when the model is first
 * needed, and close the models they resolved when done. Implementations are thread-safe.
 */
@FunctionalInterface
public interface ModelResolver {

    /**
     * Resolves a configuration.
     *
     * @param config the config
     * @return the resolved model
     * @throws ModelResolutionException when the provider is unknown, its key variable unset, or the
     *                                  configuration unusable
     */
    ChatModel resolve(ModelConfig config);
}
