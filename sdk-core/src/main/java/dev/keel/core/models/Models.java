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
 * <p>Each call reads the environment as it is at that moment; nothing is cached. Each model returned here
 * has its own HTTP client, released when the model is closed. Use a {@link ModelRegistry} for custom
 * providers, an injected environment, or many models sharing one HTTP client.
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
        return ModelRegistry.builder().clientPerModel().build().chatModel(reference);
    }

    /**
     * Resolves an embedding model reference such as {@code openai/text-embedding-3-small}.
     *
     * @param reference the reference
     * @return the model
     */
    public static EmbeddingModel embeddingModel(String reference) {
        return ModelRegistry.builder().clientPerModel().build().embeddingModel(reference);
    }

    /**
     * A new registry of the built-in providers over the process environment; its models share one HTTP
     * client, released when the registry is closed.
     *
     * @return the registry
     */
    public static ModelRegistry registry() {
        return ModelRegistry.defaults();
    }
}
