package dev.keel.core.models;

import dev.keel.core.ChatModel;
import dev.keel.core.EmbeddingModel;
import dev.keel.core.openai.OpenAiCompatible;
import dev.keel.core.openai.OpenAiEmbeddings;
import java.util.Map;

/** Builds {@link OpenAiCompatible} chat models and {@link OpenAiEmbeddings} for OpenAI-compatible providers. */
final class OpenAiCompatibleFactory implements ProviderFactory {
    /**
     * Vector lengths of well-known embedding models, so that {@code dimension()} needs no probe call.
     * Keyed by the last segment of the model name (GitHub Models says {@code openai/text-embedding-3-small}).
     */
    private static final Map<String, Integer> KNOWN_DIMENSIONS = Map.of(
            "text-embedding-3-small", 1536,
            "text-embedding-3-large", 3072,
            "text-embedding-ada-002", 1536);

    @Override
    public ChatModel chatModel(ProviderConfig provider, String model, String apiKey, Http http) {
        OpenAiCompatible.Builder b = OpenAiCompatible.builder()
                .providerName(provider.name())
                .baseUrl(provider.baseUrl())
                .model(model)
                .apiKey(apiKey);
        if (http.client() != null) {
            b.httpClient(http.client());
        } else {
            b.http(http.config());
        }
        return b.build();
    }

    @Override
    public EmbeddingModel embeddingModel(ProviderConfig provider, String model, String apiKey, Http http) {
        OpenAiEmbeddings.Builder b = OpenAiCompatible.embeddings()
                .providerName(provider.name())
                .baseUrl(provider.baseUrl())
                .model(model)
                .apiKey(apiKey);
        Integer dimension = KNOWN_DIMENSIONS.get(model.substring(model.lastIndexOf('/') + 1));
        if (dimension != null) {
            b.dimension(dimension);
        }
        if (http.client() != null) {
            b.httpClient(http.client());
        } else {
            b.http(http.config());
        }
        return b.build();
    }

    @Override
    public String toString() {
        return "OpenAiCompatibleFactory";
    }
}
