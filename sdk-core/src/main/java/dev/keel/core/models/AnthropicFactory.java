package dev.keel.core.models;

import dev.keel.core.ChatModel;
import dev.keel.core.EmbeddingModel;
import dev.keel.core.anthropic.Anthropic;

/** Builds {@link Anthropic} chat models. The Messages API has no embeddings endpoint. */
final class AnthropicFactory implements ProviderFactory {

    @Override
    public ChatModel chatModel(ProviderConfig provider, String model, String apiKey, Http http) {
        Anthropic.Builder b = Anthropic.builder()
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
        throw new ModelResolutionException.Unsupported("provider '" + provider.name()
                + "' speaks the Anthropic Messages API, which has no embeddings; use an OpenAI-compatible provider for '"
                + model + "'");
    }

    @Override
    public String toString() {
        return "AnthropicFactory";
    }
}
