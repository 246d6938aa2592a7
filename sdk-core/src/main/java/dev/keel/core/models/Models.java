package dev.keel.core.models;

import dev.keel.core.ChatModel;
import dev.keel.core.EmbeddingModel;

/**
 * One-line model resolution over the built-in providers and the process environment:
 *
 * <pre>{@code
 * ChatModel model = Models.resolve("openai/gpt-5");                  // key from OPENAI_API_KEY
 * ChatModel local = Models.resolve("dmr/ai/qwen2.5");                // Docker Model Runner, no key
 * EmbeddingModel e = Models.embeddingModel("openai/text-embedding-3-small");
 * }</pre>
 *
 * <p>Each call builds a {@link ModelRegistry#defaults()} registry from the environment as it is at that
 * moment; nothing is cached. Use a {@link ModelRegistry} for custom providers, an injected environment or
 * shared HTTP settings.
 */
public final class Models {
    private Models() {}

    /**
     * Resolves a chat model reference such as {@code openai/gpt-5}, {@code anthropic/claude-sonnet-4-5}
     * or {@code dmr/ai/qwen2.5}.
     *
     * @param reference the reference
     * @return the model
     * @throws ModelResolutionException when the reference is malformed, the provider unknown or its key unset
     */
    public static ChatModel resolve(String reference) {
        return ModelRegistry.defaults().chatModel(reference);
    }

    /**
     * Resolves an embedding model reference such as {@code openai/text-embedding-3-small}.
     *
     * @param reference the reference
     * @return the model
     */
    public static EmbeddingModel embeddingModel(String reference) {
        return ModelRegistry.defaults().embeddingModel(reference);
    }

    /**
     * The registry {@link #resolve} uses right now: built-in providers over the process environment.
     *
     * @return the registry {@link #resolve} uses right now
     */
    public static ModelRegistry registry() {
        return ModelRegistry.defaults();
    }
}
