package dev.keel.agents;

import dev.keel.core.ChatModel;

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
     * @throws dev.keel.core.KeelException when the provider is unknown or its key variable is unset
     */
    ChatModel resolve(ModelConfig config);
}
