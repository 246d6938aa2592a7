package dev.keel.core.google;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keel.core.ChatModel;
import dev.keel.core.ChatOptions;
import dev.keel.core.ChatRequest;
import dev.keel.core.ChatResponse;
import dev.keel.core.ModelException;
import dev.keel.core.StreamListener;
import dev.keel.core.http.HttpConfig;
import dev.keel.core.internal.http.ProviderClient;
import dev.keel.core.internal.http.Secret;
import dev.keel.core.internal.json.Json;
import dev.keel.core.internal.provider.ApiKeys;
import dev.keel.core.internal.provider.ChatOptionsMerge;
import dev.keel.core.json.JsonValue;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import okhttp3.Call;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * A {@link ChatModel} speaking Google's Gemini API natively ({@code POST {baseUrl}/models/{model}:generateContent},
 * streamed with {@code :streamGenerateContent?alt=sse}), docker-agent's {@code provider: google}. The key goes in
 * the {@code x-goog-api-key} header, never in the URL.
 *
 * <pre>{@code
 * try (Gemini gemini = Gemini.builder().model("gemini-2.5-flash").apiKeyFromEnv("GOOGLE_API_KEY").build()) {
 *     ChatResponse r = gemini.chat(ChatRequest.of(Message.user("Hello")));
 * }
 * }</pre>
 *
 * <p>Mapping: system messages become the {@code systemInstruction}; user turns are {@code user} contents, assistant
 * turns {@code model} contents; tool calls are {@code functionCall} parts and tool results {@code functionResponse}
 * parts ({@code {"output": …}}, or {@code {"error": …}} for a failed call), consecutive results answering one turn
 * together; tools are {@code functionDeclarations} with {@code parametersJsonSchema}; temperature, top-p, max tokens,
 * stop sequences, penalties and seed go in {@code generationConfig}; a JSON response format is
 * {@code responseMimeType: application/json} (with {@code responseJsonSchema}); {@link ChatOptions#thinkingBudget()}
 * is {@code thinkingConfig} (see {@link dev.keel.core.ThinkingBudget}) with thought summaries included, reported to
 * {@link StreamListener#onReasoning}. {@code parallelToolCalls} has no Gemini equivalent.
 *
 * <p><b>Thought signatures.</b> Gemini 3 requires the signature it put on a function call to come back with that
 * call on the next turn. Signatures are kept on {@link dev.keel.core.message.AssistantMessage#reasoning()} and
 * replayed on their parts; a function call from history without one (written by another model) gets Gemini's
 * documented placeholder on Gemini 3 models.
 *
 * <p><b>Finishing and failing.</b> {@code STOP} is a normal end ({@link dev.keel.core.FinishReason#TOOL_CALLS} with
 * function calls), {@code MAX_TOKENS} is {@code LENGTH}, {@code SAFETY}, {@code RECITATION}, {@code BLOCKLIST},
 * {@code PROHIBITED_CONTENT} and {@code SPII} are {@code CONTENT_FILTER}. A prompt blocked before any output
 * ({@code promptFeedback.blockReason}) is {@link ModelException.ContentBlocked}. Errors: an invalid key (Gemini's
 * 400 with {@code API_KEY_INVALID}) and {@code PERMISSION_DENIED} are {@code Authentication}, 429 /
 * {@code RESOURCE_EXHAUSTED} is {@code RateLimited} with the {@code RetryInfo} delay, an input over the token limit
 * is {@code ContextTooLong}, 5xx is {@code ServerError}. A stream that ends cleanly without a {@code finishReason}
 * is {@link ModelException.MalformedResponse} (not retried); a connection cut mid-event is
 * {@link ModelException.Connection}.
 *
 * <p>Usage: {@code promptTokenCount} (+ {@code toolUsePromptTokenCount}) in, {@code cachedContentTokenCount} as
 * cache reads, {@code candidatesTokenCount} + {@code thoughtsTokenCount} out, the thoughts as reasoning tokens.
 *
 * <p>Thread-safe: share one instance. {@link #close()} releases the HTTP client when this model created it. The API
 * key never appears in {@link #toString()}, logs or exception messages.
 */
public final class Gemini implements ChatModel {
    /** Google's Gemini API. */
    public static final String GEMINI_BASE_URL = "https://generativelanguage.googleapis.com/v1beta";

    private final String provider;
    private final HttpUrl baseUrl;
    private final String model;
    private final Secret apiKey;
    private final ChatOptions defaultOptions;
    private final GeminiWire.Settings settings;
    private final Map<String, String> headers;
    private final ProviderClient client;

    private Gemini(Builder b) {
        this.provider = b.providerName;
        this.baseUrl = ApiKeys.baseUrl(provider, b.baseUrl);
        if (b.model == null || b.model.isBlank()) {
            throw new IllegalArgumentException(provider + ": model is required");
        }
        this.model = b.model.startsWith("models/") ? b.model.substring("models/".length()) : b.model;
        this.apiKey = ApiKeys.resolve(provider, b.apiKey, b.apiKeyEnv, System::getenv);
        this.defaultOptions = b.defaultOptions;
        ObjectNode extras = Json.object();
        b.generationParameters.forEach((k, v) -> extras.set(k, Json.toNode(v)));
        this.settings = new GeminiWire.Settings(model, extras, List.copyOf(b.builtInTools));
        this.headers = Map.copyOf(b.headers);
        this.client = ProviderClient.create(provider, b.http, b.httpClient, apiKey.and(headers.values()),
                (status, body, response) -> GeminiWire.error(provider, status, body, response));
    }

    /**
     * A builder; {@code model} is required.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder for an embedding model on the same API ({@code batchEmbedContents}).
     *
     * @return a new embeddings builder
     */
    public static GeminiEmbeddings.Builder embeddings() {
        return GeminiEmbeddings.builder();
    }

    @Override
    public ChatResponse chat(ChatRequest request) {
        Objects.requireNonNull(request, "request");
        ChatOptions options = ChatOptionsMerge.merge(defaultOptions, request.options());
        JsonNode body = GeminiWire.requestBody(request, options, settings);
        return GeminiWire.response(provider, client.executeJson(httpRequest(body, modelOf(options), false)));
    }

    @Override
    public ChatResponse stream(ChatRequest request, StreamListener listener) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(listener, "listener");
        ChatOptions options = ChatOptionsMerge.merge(defaultOptions, request.options());
        JsonNode body = GeminiWire.requestBody(request, options, settings);
        try {
            Call call = client.newCall(httpRequest(body, modelOf(options), true));
            Response response = client.execute(call);
            GeminiStream stream = new GeminiStream(client, listener);
            return stream.finish(client.readEvents(call, response, stream::onEvent));
        } catch (ModelException e) {
            listener.onError(e);
            throw e;
        }
    }

    private String modelOf(ChatOptions options) {
        String m = options.model() != null ? options.model() : model;
        return m.startsWith("models/") ? m.substring("models/".length()) : m;
    }

    private Request httpRequest(JsonNode body, String modelName, boolean stream) {
        HttpUrl.Builder url = baseUrl.newBuilder().addPathSegment("models")
                .addPathSegment(modelName + (stream ? ":streamGenerateContent" : ":generateContent"));
        if (stream) {
            url.addQueryParameter("alt", "sse");
        }
        Request.Builder b = new Request.Builder().url(url.build()).post(ProviderClient.jsonBody(body))
                .header("Accept", stream ? "text/event-stream" : "application/json");
        if (apiKey.isPresent()) {
            b.header("x-goog-api-key", apiKey.reveal());
        }
        headers.forEach(b::header);
        return b.build();
    }

    /**
     * The provider name used in ids, logs and exceptions.
     *
     * @return the provider name, e.g. {@code google}
     */
    public String providerName() {
        return provider;
    }

    /**
     * The configured model name, without a {@code models/} prefix.
     *
     * @return the model name
     */
    public String model() {
        return model;
    }

    /**
     * The base URL requests go to.
     *
     * @return the base URL
     */
    public String baseUrl() {
        return baseUrl.toString();
    }

    @Override
    public String id() {
        return provider + "/" + model;
    }

    /** Releases the HTTP client if this model created it. Idempotent. */
    @Override
    public void close() {
        client.close();
    }

    @Override
    public String toString() {
        return "Gemini[provider=" + provider + ", baseUrl=" + baseUrl + ", model=" + model + ", apiKey=" + apiKey + "]";
    }

    /**
     * Configures a {@link Gemini}. Defaults: provider {@code google}, base URL {@value Gemini#GEMINI_BASE_URL}, no
     * key, {@link HttpConfig#defaults()}. Not thread-safe.
     */
    public static final class Builder {
        private String providerName = "google";
        private String baseUrl = GEMINI_BASE_URL;
        private String model;
        private String apiKey;
        private String apiKeyEnv;
        private HttpConfig http = HttpConfig.defaults();
        private OkHttpClient httpClient;
        private ChatOptions defaultOptions = ChatOptions.defaults();
        private final Map<String, String> headers = new LinkedHashMap<>();
        private final Map<String, JsonValue> generationParameters = new LinkedHashMap<>();
        private final List<String> builtInTools = new ArrayList<>();

        private Builder() {}

        /**
         * The name used in ids, logs and exceptions.
         *
         * @param providerName the name
         * @return this builder
         */
        public Builder providerName(String providerName) {
            this.providerName = Objects.requireNonNull(providerName, "providerName");
            return this;
        }

        /**
         * The API root including its version, e.g. {@value Gemini#GEMINI_BASE_URL}.
         *
         * @param baseUrl the API root
         * @return this builder
         */
        public Builder baseUrl(String baseUrl) {
            this.baseUrl = Objects.requireNonNull(baseUrl, "baseUrl");
            return this;
        }

        /**
         * The model, e.g. {@code gemini-2.5-flash} (a {@code models/} prefix is accepted).
         *
         * @param model the model name
         * @return this builder
         */
        public Builder model(String model) {
            this.model = model;
            return this;
        }

        /**
         * The API key, sent as {@code x-goog-api-key}; null or blank sends none.
         *
         * @param apiKey the key
         * @return this builder
         */
        public Builder apiKey(String apiKey) {
            this.apiKey = apiKey;
            return this;
        }

        /**
         * Reads the key from the environment variable {@code name} at {@link #build()}, which fails naming the
         * variable when it is unset. A key given with {@link #apiKey} wins.
         *
         * @param name the variable name
         * @return this builder
         */
        public Builder apiKeyFromEnv(String name) {
            this.apiKeyEnv = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * Timeouts, retries and interceptors for a client this model creates and owns.
         *
         * @param http the HTTP settings
         * @return this builder
         */
        public Builder http(HttpConfig http) {
            this.http = Objects.requireNonNull(http, "http");
            return this;
        }

        /**
         * Uses {@code client} as is; the model does not close it.
         *
         * @param client the client
         * @return this builder
         */
        public Builder httpClient(OkHttpClient client) {
            this.httpClient = Objects.requireNonNull(client, "client");
            return this;
        }

        /**
         * Options applied to every request; fields a request sets win.
         *
         * @param options the options
         * @return this builder
         */
        public Builder defaultOptions(ChatOptions options) {
            this.defaultOptions = Objects.requireNonNull(options, "options");
            return this;
        }

        /**
         * An extra header on every request.
         *
         * @param name the header name
         * @param value the value
         * @return this builder
         */
        public Builder header(String name, String value) {
            headers.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * An extra {@code generationConfig} field on every request, e.g. {@code topK}; fields Keel sets win.
         *
         * @param name the field name
         * @param value the value
         * @return this builder
         */
        public Builder generationParameter(String name, JsonValue value) {
            generationParameters.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * Offers one of Gemini's built-in tools by its API name: {@code googleSearch}, {@code googleMaps},
         * {@code codeExecution}, {@code urlContext}. Their results come back as answer text.
         *
         * @param name the tool's API name
         * @return this builder
         */
        public Builder builtInTool(String name) {
            Objects.requireNonNull(name, "name");
            if (!builtInTools.contains(name)) {
                builtInTools.add(name);
            }
            return this;
        }

        /**
         * Builds the model.
         *
         * @return the model
         * @throws IllegalArgumentException when the model name is missing or the base URL is not http(s)
         * @throws dev.keel.core.KeelException when {@link #apiKeyFromEnv} names an unset variable
         */
        public Gemini build() {
            return new Gemini(this);
        }

        @Override
        public String toString() {
            return "Gemini.Builder[provider=" + providerName + ", baseUrl=" + baseUrl + ", model=" + model + "]";
        }
    }
}
