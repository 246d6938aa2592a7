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
import dev.keel.core.internal.json.Json;
import dev.keel.core.internal.provider.ApiKeys;
import dev.keel.core.internal.provider.ChatOptionsMerge;
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
 * A {@link ChatModel} speaking the OpenAI Responses API ({@code POST {baseUrl}/responses}), which OpenAI's newer
 * models (the gpt-5 family, the o-series) are built for and which docker-agent uses for {@code api_type:
 * openai_responses}.
 *
 * <pre>{@code
 * try (OpenAiResponses gpt = OpenAiResponses.builder()
 *         .model("gpt-5").apiKeyFromEnv("OPENAI_API_KEY").build()) {
 *     ChatResponse r = gpt.chat(ChatRequest.of(Message.system("Be terse."), Message.user("Hello"))
 *             .withOptions(ChatOptions.builder().thinkingBudget(ThinkingBudget.parse("medium")).build()));
 *     r.message().reasoning();   // reasoning items, sent back on the next turn
 * }
 * }</pre>
 *
 * <p>Mapping: leading system messages become {@code instructions} (later ones {@code developer} input messages);
 * user and assistant turns are input messages; tool calls are {@code function_call} items and tool results
 * {@code function_call_output} items (a call left without a result gets a placeholder output, which the API
 * requires); tools are function tools with {@code strict: false}; {@link ChatOptions#maxTokens()} is
 * {@code max_output_tokens}; {@link ChatOptions#responseFormat()} is {@code text.format};
 * {@link ChatOptions#thinkingBudget()} is {@code reasoning.effort} (see {@link dev.keel.core.ThinkingBudget}) with
 * {@code reasoning.summary: auto}. Penalties, stop sequences and seed have no Responses equivalent and are not sent.
 *
 * <p><b>Reasoning across turns.</b> Reasoning items come back on {@link
 * dev.keel.core.message.AssistantMessage#reasoning()} and are sent back as input on the next turn. Keel is
 * stateless ({@code store: false} unless {@link Builder#store(boolean)}), so whenever reasoning is requested it asks
 * for {@code include: ["reasoning.encrypted_content"]} and replays items in full; items without encrypted content
 * are dropped rather than referenced by an id the API did not store.
 *
 * <p><b>Streaming</b> reads the documented semantic events; text arrives from {@code response.output_text.delta},
 * tool-call arguments from {@code response.function_call_arguments.delta} (a call is complete at its
 * {@code response.output_item.done}), reasoning summaries from {@code response.reasoning_summary_text.delta}
 * ({@link StreamListener#onReasoning}). The stream ends at {@code response.completed} or
 * {@code response.incomplete} ({@link dev.keel.core.FinishReason#LENGTH} for {@code max_output_tokens},
 * {@code CONTENT_FILTER} for {@code content_filter}); {@code response.failed} and {@code error} events are typed
 * {@link ModelException}s ({@code rate_limit_exceeded} is {@code RateLimited}, {@code context_length_exceeded}
 * {@code ContextTooLong}, server errors {@code ServerError}). A stream that ends cleanly without a terminal event
 * is {@link ModelException.MalformedResponse} (not retried); a connection cut mid-event is
 * {@link ModelException.Connection}.
 *
 * <p>Usage: {@code input_tokens} with {@code input_tokens_details.cached_tokens} as cache reads,
 * {@code output_tokens} with {@code output_tokens_details.reasoning_tokens}.
 *
 * <p>Thread-safe: share one instance. {@link #close()} releases the HTTP client when this model created it. The API
 * key never appears in {@link #toString()}, logs or exception messages.
 */
public final class OpenAiResponses implements ChatModel {
    private final String provider;
    private final HttpUrl baseUrl;
    private final HttpUrl endpoint;
    private final String model;
    private final Secret apiKey;
    private final ChatOptions defaultOptions;
    private final ResponsesWire.Settings settings;
    private final Map<String, String> headers;
    private final ProviderClient client;

    private OpenAiResponses(Builder b) {
        this.provider = b.providerName;
        this.baseUrl = ApiKeys.baseUrl(provider, b.baseUrl);
        this.endpoint = baseUrl.newBuilder().addPathSegment("responses").build();
        if (b.model == null || b.model.isBlank()) {
            throw new IllegalArgumentException(provider + ": model is required");
        }
        this.model = b.model;
        this.apiKey = ApiKeys.resolve(provider, b.apiKey, b.apiKeyEnv, System::getenv);
        this.defaultOptions = b.defaultOptions;
        ObjectNode extra = Json.object();
        b.bodyParameters.forEach((k, v) -> extra.set(k, Json.toNode(v)));
        this.settings = new ResponsesWire.Settings(model, b.store, b.reasoningSummary, extra);
        this.headers = Map.copyOf(b.headers);
        this.client = ProviderClient.create(provider, b.http, b.httpClient, apiKey.and(headers.values()),
                (status, body, response) -> OpenAiWire.error(provider, status, body, response));
    }

    /**
     * A builder; {@code model} is required.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public ChatResponse chat(ChatRequest request) {
        Objects.requireNonNull(request, "request");
        ChatOptions options = ChatOptionsMerge.merge(defaultOptions, request.options());
        JsonNode body = ResponsesWire.requestBody(request, options, settings, false);
        return ResponsesWire.response(provider, client.executeJson(httpRequest(body, false)));
    }

    @Override
    public ChatResponse stream(ChatRequest request, StreamListener listener) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(listener, "listener");
        ChatOptions options = ChatOptionsMerge.merge(defaultOptions, request.options());
        JsonNode body = ResponsesWire.requestBody(request, options, settings, true);
        try {
            Call call = client.newCall(httpRequest(body, true));
            Response response = client.execute(call);
            if (response.header("Content-Type", "").startsWith("application/json")) {
                return replayComplete(response, listener);
            }
            ResponsesStream stream = new ResponsesStream(client, listener);
            return stream.finish(client.readEvents(call, response, stream::onEvent));
        } catch (ModelException e) {
            listener.onError(e);
            throw e;
        }
    }

    /** A server that ignores {@code stream: true} answers with the response object. */
    private ChatResponse replayComplete(Response response, StreamListener listener) {
        String text;
        try (response) {
            text = response.body() == null ? "" : response.body().string();
        } catch (IOException e) {
            throw new ModelException.Connection(provider, provider + ": reading the response failed", null);
        }
        ChatResponse r = ResponsesWire.response(provider, client.parseJson(text));
        r.message().reasoning().forEach(x -> {
            if (!x.text().isEmpty()) {
                listener.onReasoning(x.text());
            }
        });
        if (!r.text().isEmpty()) {
            listener.onText(r.text());
        }
        r.toolCalls().forEach(listener::onToolCall);
        listener.onUsage(r.usage());
        listener.onComplete(r);
        return r;
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
     * The provider name used in ids, logs and exceptions.
     *
     * @return the provider name, e.g. {@code openai}
     */
    public String providerName() {
        return provider;
    }

    /**
     * The configured model name.
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
        return "OpenAiResponses[provider=" + provider + ", baseUrl=" + baseUrl + ", model=" + model + ", apiKey="
                + apiKey + "]";
    }

    /**
     * Configures an {@link OpenAiResponses}. Defaults: provider {@code openai}, base URL
     * {@value OpenAiCompatible#OPENAI_BASE_URL}, no key, {@code store: false}, {@link HttpConfig#defaults()}. Not
     * thread-safe.
     */
    public static final class Builder {
        private String providerName = "openai";
        private String baseUrl = OpenAiCompatible.OPENAI_BASE_URL;
        private String model;
        private String apiKey;
        private String apiKeyEnv;
        private HttpConfig http = HttpConfig.defaults();
        private OkHttpClient httpClient;
        private ChatOptions defaultOptions = ChatOptions.defaults();
        private boolean store;
        private String reasoningSummary;
        private final Map<String, String> headers = new LinkedHashMap<>();
        private final Map<String, JsonValue> bodyParameters = new LinkedHashMap<>();

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
         * The API root, e.g. {@code https://api.openai.com/v1}; {@code /responses} is appended.
         *
         * @param baseUrl the API root
         * @return this builder
         */
        public Builder baseUrl(String baseUrl) {
            this.baseUrl = Objects.requireNonNull(baseUrl, "baseUrl");
            return this;
        }

        /**
         * The model name sent with every request (a request's {@link ChatOptions#model()} overrides it).
         *
         * @param model the model name
         * @return this builder
         */
        public Builder model(String model) {
            this.model = model;
            return this;
        }

        /**
         * The API key, sent as {@code Authorization: Bearer …}; null or blank sends none.
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
         * Uses {@code client} as is (build it with {@link HttpClients#create} to keep retries); the model does not
         * close it.
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
         * Whether OpenAI stores responses ({@code store}); default false. With storage, reasoning items are sent
         * back by id even without encrypted content.
         *
         * @param store whether to store
         * @return this builder
         */
        public Builder store(boolean store) {
            this.store = store;
            return this;
        }

        /**
         * Always asks for reasoning summaries of this detail ({@code auto}, {@code concise} or {@code detailed}),
         * even without a thinking budget. By default summaries ({@code auto}) are asked for only with a thinking
         * budget, because models without reasoning reject the {@code reasoning} parameter.
         *
         * @param summary the summary detail
         * @return this builder
         */
        public Builder reasoningSummary(String summary) {
            this.reasoningSummary = Objects.requireNonNull(summary, "summary");
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
         * An extra top-level field on every request body, for server-specific parameters; fields Keel sets win.
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
        public OpenAiResponses build() {
            return new OpenAiResponses(this);
        }

        @Override
        public String toString() {
            return "OpenAiResponses.Builder[provider=" + providerName + ", baseUrl=" + baseUrl + ", model=" + model + "]";
        }
    }
}
