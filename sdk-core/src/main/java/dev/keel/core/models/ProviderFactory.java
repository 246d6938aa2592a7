package dev.keel.core.models;

import dev.keel.core.ChatModel;
import dev.keel.core.ChatOptions;
import dev.keel.core.EmbeddingModel;
import dev.keel.core.http.HttpConfig;
import dev.keel.core.json.JsonObject;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import okhttp3.OkHttpClient;

/** Builds models for one {@link ApiType}. The registry has one per type; tests may substitute their own. */
interface ProviderFactory {

    /** A chat model for {@code setup}. */
    ChatModel chatModel(Setup setup);

    /** An embedding model for {@code setup} (its options and usage flag do not apply). */
    EmbeddingModel embeddingModel(Setup setup);

    /**
     * Everything a model is built from, variables already read and expanded.
     *
     * @param provider        the provider (its base URL expanded)
     * @param model           the model name
     * @param apiKey          the key, or {@code null} when the provider needs none
     * @param headers         headers to send, values expanded (provider's, {@code http_headers}, the model's)
     * @param options         generation options applied to every request
     * @param providerOptions the model's provider-specific options
     * @param trackUsage      whether to ask for usage where optional ({@code null}: yes)
     * @param http            HTTP settings
     * @param variables       the model's variables (its own {@code env}, then the registry's environment), for what
     *                        is read at each use rather than once (a federated identity token's variable)
     */
    record Setup(ProviderConfig provider, String model, String apiKey, Map<String, String> headers, ChatOptions options,
                 JsonObject providerOptions, Boolean trackUsage, Http http, Function<String, String> variables) {
        public Setup {
            headers = Map.copyOf(headers);
            options = options == null ? ChatOptions.defaults() : options;
            providerOptions = providerOptions == null ? JsonObject.of() : providerOptions;
            variables = variables == null ? name -> null : variables;
        }

        Setup(ProviderConfig provider, String model, String apiKey, Map<String, String> headers, ChatOptions options,
              JsonObject providerOptions, Boolean trackUsage, Http http) {
            this(provider, model, apiKey, headers, options, providerOptions, trackUsage, http, null);
        }

        /** Hands the HTTP settings to a builder: the shared client, or the configuration of a client it owns. */
        void applyHttp(Consumer<OkHttpClient> shared, Consumer<HttpConfig> owned) {
            if (http.client() != null) {
                shared.accept(http.client());
            } else {
                owned.accept(http.config());
            }
        }

        /** The options, with {@code provider_opts.seed} as the seed when they set none and the API takes it. */
        ChatOptions optionsWithSeed(ApiType type) {
            if (options.seed() != null) {
                return options;
            }
            return ProviderOptions.applied(type, providerOptions, "seed")
                    .map(seed -> options.toBuilder().seed((long) seed.asDouble().getAsDouble()).build())
                    .orElse(options);
        }

        /** Shows no key and no header values. */
        @Override
        public String toString() {
            return "Setup[" + provider.name() + "/" + model + ", apiKey=" + (apiKey == null ? "(none)" : "***")
                    + ", headers=" + headers.keySet() + "]";
        }
    }

    /**
     * HTTP settings of a registry: a shared client when one was given (the models then do not own it),
     * otherwise a configuration from which each model builds and owns its client.
     */
    record Http(HttpConfig config, OkHttpClient client) {
        /** No HTTP at all, for checking a configuration without building a model. */
        static final Http NONE = new Http(HttpConfig.defaults(), null);
    }
}
