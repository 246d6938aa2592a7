package dev.keel.core.models;

import dev.keel.core.ChatModel;
import dev.keel.core.EmbeddingModel;
import dev.keel.core.openai.OpenAiResponses;

/**
 * Builds {@link OpenAiResponses} chat models; embeddings of an OpenAI provider go to its Embeddings API, which the
 * Responses API shares a base URL with.
 */
final class OpenAiResponsesFactory implements ProviderFactory {
    private final OpenAiCompatibleFactory embeddings = new OpenAiCompatibleFactory();

    @Override
    public ChatModel chatModel(Setup s) {
        OpenAiResponses.Builder b = OpenAiResponses.builder()
                .providerName(s.provider().name())
                .baseUrl(s.provider().baseUrl())
                .model(s.model())
                .apiKey(s.apiKey())
                .defaultOptions(s.options());
        s.headers().forEach(b::header);
        s.applyHttp(b::httpClient, b::http);
        return b.build();
    }

    @Override
    public EmbeddingModel embeddingModel(Setup s) {
        return embeddings.embeddingModel(s);
    }

    @Override
    public String toString() {
        return "OpenAiResponsesFactory";
    }
}
