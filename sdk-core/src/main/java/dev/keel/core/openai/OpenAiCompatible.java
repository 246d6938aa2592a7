package dev.keel.core.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keel.core.ChatModel;
import dev.keel.core.ChatOptions;
import dev.keel.core.ChatRequest;
import dev.keel.core.ChatResponse;
import dev.keel.core.ModelException;
import dev.keel.core.StreamListener;
import dev.keel.core.http.HttpClients;
import dev.keel.core.http.HttpConfig;
import dev.keel.core.internal.http.ProviderClient;
import dev.keel.core.internal.http.Secret;
import dev.keel.core.internal.provider.ApiKeys;
import dev.keel.core.internal.provider.ChatOptionsMerge;
import dev.keel.core.internal.json.Json;
import dev.keel.core.json.JsonValue;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import okhttp3.Call;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * A {@link ChatModel} speaking the OpenAI Chat Completions API ({@code POST {baseUrl}/chat/completions}),
 * which many servers implement. Point {@link Builder#baseUrl} at any of them:
 * <ul>
 *   <li>OpenAI: {@code https://api.openai.com/v1} (the default), key in {@code OPENAI_API_KEY}</li>
 *   <li>GitHub Models: {@code https://models.github.ai/inference}, a GitHub token as key, models like
 *       {@code openai/gpt-4.1}</li>
 *   <li>Groq: {@code https://api.groq.com/openai/v1}</li>
 *   <li>llama.cpp server: {@code http://localhost:8080/v1} (no key)</li>
 *   <li>vLLM: {@code http://localhost:8000/v1} (no key unless started with {@code --api-key})</li>
 *   <li>Docker Model Runner: {@code http://localhost:12434/engines/llama.cpp/v1}, models like {@code ai/qwen2.5}
 *       (no key)</li>
 * </ul>
 *
 * <pre>{@code
 * try (OpenAiCompatible model = OpenAiCompatible.builder()
 *         .model("gpt-5").apiKeyFromEnv("OPENAI_API_KEY").build()) {
 *     ChatResponse r = model.chat(ChatRequest.of(Message.user("Hello")));
 * }
 * }</pre>
 *
 * <p><b>Token limit.</b> {@link ChatOptions#maxTokens()} is sent as {@code max_completion_tokens} when the
 * base URL is OpenAI's own API (its reasoning models reject {@code max_tokens}) and as {@code max_tokens}
 * everywhere else, which is what other OpenAI-compatible servers accept. Override with
 * {@link Builder#maxTokensParameter(String)}. {@link ChatOptions#thinkingBudget()} is sent as
 * {@code reasoning_effort} (an effort level, or the effort a token budget amounts to; nothing for off and dynamic,
 * see {@link dev.keel.core.ThinkingBudget}), which OpenAI's reasoning models take.
 *
 * <p><b>Streaming</b> uses server-sent events with {@code stream_options.include_usage} so the final
 * chunk reports token usage (turn it off with {@link Builder#streamUsage(boolean)} for servers that reject
 * it; a server answering 400 about {@code stream_options} is asked once more without them). Tool-call
 * argument fragments are assembled per call index; a stream that ends before
 * {@code finish_reason}/{@code [DONE]} fails with {@link ModelException.Connection}, never with a silently
 * truncated answer.
 *
 * <p>Thread-safe: share one instance. {@link #close()} releases the HTTP client when this model created it
 * (from {@link Builder#http(HttpConfig)} or the defaults); a client passed with
 * {@link Builder#httpClient(OkHttpClient)} is left to its owner. The API key never appears in
 * {@link #toString()}, logs or exception messages.
 */
public final class OpenAiCompatible implements ChatModel {
    /** OpenAI's own API. */
    public static final String OPENAI_BASE_URL = "https://api.openai.com/v1";

    private final String provider;
    private final HttpUrl baseUrl;
    private final HttpUrl endpoint;
    private final String model;
    private final Secret apiKey;
    private final ChatOptions defaultOptions;
    private final String maxTokensParameter;
    private final boolean streamUsage;
    private final Map<String, String> headers;
    private final ObjectNode extraBody;
    private final ProviderClient client;

    private OpenAiCompatible(Builder b) {
        this.provider = b.providerName;
        this.baseUrl = ApiKeys.baseUrl(provider, b.baseUrl);
        this.endpoint = baseUrl.newBuilder().addPathSegments("chat/completions").build();
        if (b.model == null || b.model.isBlank()) {
            throw new IllegalArgumentException(provider + ": model is required");
        }
        this.model = b.model;
        this.apiKey = ApiKeys.resolve(provider, b.apiKey, b.apiKeyEnv, System::getenv);
        this.defaultOptions = b.defaultOptions;
        this.maxTokensParameter = b.maxTokensParameter != null ? b.maxTokensParameter
                : baseUrl.host().equals("api.openai.com") ? "max_completion_tokens" : "max_tokens";
        this.streamUsage = b.streamUsage;
        this.headers = Map.copyOf(b.headers);
        this.extraBody = Json.object();
        b.bodyParameters.forEach((k, v) -> extraBody.set(k, Json.toNode(v)));
        this.client = ProviderClient.create(provider, b.http, b.httpClient, apiKey.and(headers.values()),
                (status, body, response) -> OpenAiWire.error(provider, status, body, response));
    }

    /**
     * A builder for a chat model; {@code model} is required.
     *
     * @return a builder for a chat model
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder for an embedding model on the same kind of server ({@code POST {baseUrl}/embeddings}).
     *
     * @return a builder for an embedding model on the same kind of server
     */
    public static OpenAiEmbeddings.Builder embeddings() {
        return OpenAiEmbeddings.builder();
    }

    @Override
    public ChatResponse chat(ChatRequest request) {
        Objects.requireNonNull(request, "request");
        ChatOptions options = ChatOptionsMerge.merge(defaultOptions, request.options());
        JsonNode body = OpenAiWire.requestBody(request, options, model, maxTokensParameter, false, false, extraBody);
        JsonNode answer = client.executeJson(httpRequest(body, false));
        return OpenAiWire.response(provider, answer);
    }

    @Override
    public ChatResponse stream(ChatRequest request, StreamListener listener) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(listener, "listener");
        ChatOptions options = ChatOptionsMerge.merge(defaultOptions, request.options());
        JsonNode body = OpenAiWire.requestBody(request, options, model, maxTokensParameter, true, streamUsage, extraBody);
        try {
            Call call = client.newCall(httpRequest(body, true));
            Response response;
            try {
                response = client.execute(call);
            } catch (ModelException.BadRequest e) {
                if (!streamUsage || !e.getMessage().contains("stream_options")) {
                    throw e;
                }
                // an older server that rejects stream_options: ask again without usage reporting
                body = OpenAiWire.requestBody(request, options, model, maxTokensParameter, true, false, extraBody);
                call = client.newCall(httpRequest(body, true));
                response = client.execute(call);
            }
            if (!isEventStream(response)) {
                return replayComplete(response, listener);
            }
            OpenAiStream stream = new OpenAiStream(client, listener);
            ProviderClient.StreamEnd end = client.readEvents(call, response, stream::onEvent);
            return stream.finish(end);
        } catch (ModelException e) {
            listener.onError(e);
            throw e;
        }
    }

    /** Some servers ignore {@code stream: true} and answer with one JSON document. */
    private ChatResponse replayComplete(Response response, StreamListener listener) {
        String text;
        try (response) {
            text = response.body() == null ? "" : response.body().string();
        } catch (IOException e) {
            throw new ModelException.Connection(provider, provider + ": reading the response failed", null);
        }
        ChatResponse r = OpenAiWire.response(provider, client.parseJson(text));
        if (!r.text().isEmpty()) {
            listener.onText(r.text());
        }
        r.toolCalls().forEach(listener::onToolCall);
        listener.onUsage(r.usage());
        listener.onComplete(r);
        return r;
    }

    private static boolean isEventStream(Response response) {
        String type = response.header("Content-Type", "");
        return !type.startsWith("application/json");
    }

    private Request httpRequest(JsonNode body, boolean stream) {
        Request.Builder b = new Request.Builder().url(endpoint).post(ProviderClient.jsonBody(body));
        if (apiKey.isPresent()) {
            b.header("Authorization", "Bearer " + apiKey.reveal());
        }
        b.header("Accept", stream ? "text/event-stream" : "application/json");
        headers.forEach(b::header);
        return b.build();
    }

    /**
     * The provider name used in ids, logs and exceptions, e.g. {@code openai}.
     *
     * @return the provider name used in ids
     */
    public String providerName() {
        return provider;
    }

    /**
     * The configured model name.
     *
     * @return the configured model name
     */
    public String model() {
        return model;
    }

    /**
     * The base URL requests go to.
     *
     * @return the base URL requests go to
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
        return "OpenAiCompatible[provider=" + provider + ", baseUrl=" + baseUrl + ", model=" + model + ", apiKey="
                + apiKey + "]";
    }

    /**
     * Configures an {@link OpenAiCompatible}. Defaults: provider {@code openai}, base URL
     * {@value OpenAiCompatible#OPENAI_BASE_URL}, no key, {@link HttpConfig#defaults()}. Not thread-safe.
     */
    public static final class Builder {
        private String providerName = "openai";
        private String baseUrl = OPENAI_BASE_URL;
        private String model;
        private String apiKey;
        private String apiKeyEnv;
        private HttpConfig http = HttpConfig.defaults();
        private OkHttpClient httpClient;
        private ChatOptions defaultOptions = ChatOptions.defaults();
        private String maxTokensParameter;
        private boolean streamUsage = true;
        private final Map<String, String> headers = new LinkedHashMap<>();
        private final Map<String, JsonValue> bodyParameters = new LinkedHashMap<>();

        private Builder() {}

        /**
         * Name used in ids, logs and exceptions (e.g. {@code groq}, {@code dmr}).
         *
         * @param providerName name used in ids, logs and exceptions (e.g. {@code groq}, {@code dmr})
         * @return this builder
         */
        public Builder providerName(String providerName) {
            this.providerName = Objects.requireNonNull(providerName, "providerName");
            return this;
        }

        /**
         * The API root, e.g. {@code https://api.openai.com/v1}; {@code /chat/completions} is appended.
         *
         * @param baseUrl the API root, e.g. {@code https://api.openai.com/v1}; {@code /chat/completions} is
         *     appended
         * @return this builder
         */
        public Builder baseUrl(String baseUrl) {
            this.baseUrl = Objects.requireNonNull(baseUrl, "baseUrl");
            return this;
        }

        /**
         * The model name sent with every request (a request's {@link ChatOptions#model()} overrides it).
         *
         * @param model the model name sent with every request (a request's {@link ChatOptions#model()} overrides
         *     it)
         * @return this builder
         */
        public Builder model(String model) {
            this.model = model;
            return this;
        }

        /**
         * The API key, sent as {@code Authorization: Bearer …}. Null or blank means no key (local servers).
         *
         * @param apiKey the API key, sent as {@code Authorization: Bearer …}
         * @return this builder
         */
        public Builder apiKey(String apiKey) {
            this.apiKey = apiKey;
            return this;
        }

        /**
         * Reads the key from the environment variable {@code name} at {@link #build()}, which fails with
         * a message naming the variable when it is unset. A key given with {@link #apiKey} wins.
         *
         * @param name the variable's name
         * @return this builder
         */
        public Builder apiKeyFromEnv(String name) {
            this.apiKeyEnv = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * Timeouts, retries and interceptors for a client this model creates and owns.
         *
         * @param http the configuration
         * @return this builder
         */
        public Builder http(HttpConfig http) {
            this.http = Objects.requireNonNull(http, "http");
            return this;
        }

        /**
         * Uses {@code client} as is (build it with {@link HttpClients#create} to keep retries). The
         * model does not close it.
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
         * {@code max_tokens} or {@code max_completion_tokens}; see the class documentation for the default.
         *
         * @param name the parameter name
         * @return this builder
         */
        public Builder maxTokensParameter(String name) {
            if (!"max_tokens".equals(name) && !"max_completion_tokens".equals(name)) {
                throw new IllegalArgumentException("maxTokensParameter must be max_tokens or max_completion_tokens, was "
                        + name);
            }
            this.maxTokensParameter = name;
            return this;
        }

        /**
         * Whether streams ask for usage ({@code stream_options.include_usage}); default true.
         *
         * @param streamUsage whether streams ask for usage ({@code stream_options.include_usage}); default true
         * @return this builder
         */
        public Builder streamUsage(boolean streamUsage) {
            this.streamUsage = streamUsage;
            return this;
        }

        /**
         * An extra header on every request (e.g. {@code OpenAI-Organization}).
         *
         * @param name the header name
         * @param value the header value
         * @return this builder
         */
        public Builder header(String name, String value) {
            headers.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * An extra top-level field on every request body, for server-specific parameters such as vLLM's or
         * Ollama's {@code top_k}, {@code min_p} or {@code repetition_penalty}; fields Keel sets win.
         *
         * @param name the field name
         * @param value the value
         * @return this builder
         */
        public Builder bodyParameter(String name, JsonValue value) {
            bodyParameters.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * Builds the model.
         *
         * @return the model
         * @throws IllegalArgumentException when the model name is missing or the base URL is not http(s)
         * @throws dev.keel.core.KeelException when {@link #apiKeyFromEnv} names an unset variable
         */
        public OpenAiCompatible build() {
            return new OpenAiCompatible(this);
        }

        @Override
        public String toString() {
            return "OpenAiCompatible.Builder[provider=" + providerName + ", baseUrl=" + baseUrl + ", model=" + model + "]";
        }
    }
}
