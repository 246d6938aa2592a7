package dev.keel.core.models;

import dev.keel.core.ChatModel;
import dev.keel.core.ChatOptions;
import dev.keel.core.EmbeddingModel;
import dev.keel.core.openai.OpenAiCompatible;
import dev.keel.core.openai.OpenAiEmbeddings;
import java.util.List;
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
    private static final List<String> BODY_OPTIONS = List.of("top_k", "repetition_penalty", "min_p");

    @Override
    public ChatModel chatModel(Setup s) {
        ApiType type = ApiType.OPENAI_COMPATIBLE;
        ChatOptions options = s.optionsWithSeed(type);
        OpenAiCompatible.Builder b = OpenAiCompatible.builder()
                .providerName(s.provider().name())
                .baseUrl(s.provider().baseUrl())
                .model(s.model())
                .apiKey(s.apiKey())
                .defaultOptions(options)
                .streamUsage(s.trackUsage() == null || s.trackUsage());
        for (String name : BODY_OPTIONS) {
            ProviderOptions.applied(type, s.providerOptions(), name).ifPresent(v -> b.bodyParameter(name, v));
        }
        s.headers().forEach(b::header);
        s.applyHttp(b::httpClient, b::http);
        return b.build();
    }

    @Override
    public EmbeddingModel embeddingModel(Setup s) {
        OpenAiEmbeddings.Builder b = OpenAiCompatible.embeddings()
                .providerName(s.provider().name())
                .baseUrl(s.provider().baseUrl())
                .model(s.model())
                .apiKey(s.apiKey());
        Integer dimension = KNOWN_DIMENSIONS.get(s.model().substring(s.model().lastIndexOf('/') + 1));
        if (dimension != null) {
            b.dimension(dimension);
        }
        s.headers().forEach(b::header);
        s.applyHttp(b::httpClient, b::http);
        return b.build();
    }

    @Override
    public String toString() {
        return "OpenAiCompatibleFactory";
    }
}
