package dev.keel.core.models;

import dev.keel.core.ChatModel;

/**
 * Turns a {@link ModelConfig} into a {@link ChatModel}; {@link ModelSpec#resolve(ModelResolver)} uses one to
 * resolve every configuration of a combination. A {@link ModelRegistry} is one (providers by name,
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

    /**
     * Whether {@code config} could be used now: its provider is known and its key variable is set (or it needs
     * none). {@link ModelSpec.FirstAvailable} and {@link ModelSpec#auto()} pick the first available candidate. The
     * default says yes to everything, which suits resolvers that need no credentials (a test's scripted server).
     *
     * @param config the configuration
     * @return whether it is available
     */
    default boolean isAvailable(ModelConfig config) {
        return true;
    }

    /**
     * Checks now what resolving {@code config} and calling it would need, without calling it — for a
     * {@link ModelRegistry}: a known provider and API, and every variable it reads at the first call (its key,
     * variables in its headers, base URL and own {@code env}). A team's {@code validate()} uses it. The default
     * resolves the configuration and closes the model.
     *
     * @param config the configuration
     * @throws ModelResolutionException when the configuration cannot be resolved
     * @throws dev.keel.core.ModelException.MissingVariable naming a variable it needs that is unset
     */
    default void check(ModelConfig config) {
        resolve(config).close();
    }
}
