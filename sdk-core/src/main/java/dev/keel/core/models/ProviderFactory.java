package dev.keel.core.models;

import dev.keel.core.ChatModel;
import dev.keel.core.EmbeddingModel;
import dev.keel.core.http.HttpConfig;
import okhttp3.OkHttpClient;

/** Builds models for one {@link ApiType}. The registry has one per type; tests may substitute their own. */
interface ProviderFactory {

    /**
     * @param apiKey the key read from the environment, or {@code null} when the provider needs none
     * @param http   HTTP settings to use
     */
    ChatModel chatModel(ProviderConfig provider, String model, String apiKey, Http http);

    /** Same as {@link #chatModel} for embeddings. */
    EmbeddingModel embeddingModel(ProviderConfig provider, String model, String apiKey, Http http);

    /**
     * HTTP settings of a registry: a shared client when one was given (the models then do not own it),
     * otherwise a configuration from which each model builds and owns its client.
     */
    record Http(HttpConfig config, OkHttpClient client) {}
}
