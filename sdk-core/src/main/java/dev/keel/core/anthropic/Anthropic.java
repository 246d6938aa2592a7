package dev.keel.core.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.ChatModel;
import dev.keel.core.ChatOptions;
import dev.keel.core.ChatRequest;
import dev.keel.core.ChatResponse;
import dev.keel.core.ModelException;
import dev.keel.core.StreamListener;
import dev.keel.core.http.HttpConfig;
import dev.keel.core.internal.http.ProviderClient;
import dev.keel.core.internal.http.Secret;
import dev.keel.core.internal.provider.ApiKeys;
import dev.keel.core.internal.provider.ChatOptionsMerge;
import dev.keel.core.internal.json.Json;
import dev.keel.core.json.JsonValue;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import okhttp3.Call;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * A {@link ChatModel} speaking Anthropic's Messages API ({@code POST {baseUrl}/v1/messages}).
 *
 * <pre>{@code
 * try (Anthropic claude = Anthropic.builder()
 *         .model("claude-sonnet-4-5").apiKeyFromEnv("ANTHROPIC_API_KEY").build()) {
 *     ChatResponse r = claude.chat(ChatRequest.of(Message.system("Be terse."), Message.user("Hello")));
 * }
 * }</pre>
 *
 * <p>Mapping: system messages become the top-level {@code system} prompt (joined by blank lines); tool
 * calls are {@code tool_use} blocks and tool results {@code tool_result} blocks, consecutive results
 * merged into one user turn; {@code max_tokens} is required by the API, so {@link ChatOptions#maxTokens()}
 * defaults to {@link Builder#defaultMaxTokens(int)} (4096); {@link ChatOptions#thinkingBudget()} enables
 * extended thinking ({@code budget_tokens} for a token budget, at least 1024, or an effort level's tokens; adaptive
 * thinking for {@code dynamic} and {@code adaptive/<effort>}, see {@link dev.keel.core.ThinkingBudget}). Thinking
 * is not part of the answer's text: it streams to {@link StreamListener#onReasoning} and its blocks, with their
 * signatures, are kept on {@link dev.keel.core.message.AssistantMessage#reasoning()} and sent back first in the
 * assistant turn, as the API requires when tools are used with thinking;
 * {@link ChatOptions#parallelToolCalls()} {@code false} sets {@code disable_parallel_tool_use}. Reported
 * input tokens include prompt-cache reads and writes. Presence
 * and frequency penalties, seed and response format have no Messages API equivalent and are not sent.
 *
 * <p>Errors: 401/403 → {@link ModelException.Authentication}, 429 → {@link ModelException.RateLimited},
 * "prompt is too long" → {@link ModelException.ContextTooLong}, 529 overloaded and other 5xx (after
 * retries) → {@link ModelException.ServerError}, other 4xx → {@link ModelException.BadRequest} with
 * Anthropic's message. A stream that ends before {@code message_stop} fails with
 * {@link ModelException.Connection}.
 *
 * <p>Thread-safe: share one instance. {@link #close()} releases the HTTP client when this model created
 * it. The API key never appears in {@link #toString()}, logs or exception messages.
 */
public final class Anthropic implements ChatModel {
    /** Anthropic's API. */
    public static final String ANTHROPIC_BASE_URL = "https://api.anthropic.com";
    /** The {@code anthropic-version} header sent by default. */
    public static final String DEFAULT_VERSION = "2023-06-01";

    private final String provider;
    private final HttpUrl baseUrl;
    private final HttpUrl endpoint;
    private final String model;
    private final Secret apiKey;
    private final ChatOptions defaultOptions;
    private final AnthropicWire.Settings settings;
    private final String version;
    private final Map<String, String> headers;
    /** The beta that task budgets need (public beta since 2026-03). */
    static final String TASK_BUDGETS_BETA = "task-budgets-2026-03-13";
    private final ProviderClient client;
    /** Access tokens under workload identity federation, or null (API key). */
    private final FederatedTokens federated;

    private Anthropic(Builder b) {
        this.provider = b.providerName;
        this.baseUrl = ApiKeys.baseUrl(provider, b.baseUrl);
        this.endpoint = baseUrl.newBuilder().addPathSegments("v1/messages").build();
        if (b.model == null || b.model.isBlank()) {
            throw new IllegalArgumentException(provider + ": model is required");
        }
        this.model = b.model;
        this.federated = b.workloadIdentity == null ? null
                : new FederatedTokens(provider, b.workloadIdentity, baseUrl, b.version, java.time.Clock.systemUTC());
        // Under federation the API-key path is bypassed, as docker-agent does.
        this.apiKey = federated != null ? Secret.none() : ApiKeys.resolve(provider, b.apiKey, b.apiKeyEnv, System::getenv);
        this.defaultOptions = b.defaultOptions;
        com.fasterxml.jackson.databind.node.ObjectNode extra = Json.object();
        b.bodyParameters.forEach((k, v) -> extra.set(k, Json.toNode(v)));
        this.settings = new AnthropicWire.Settings(model, b.defaultMaxTokens, b.thinkingDisplay, extra, b.taskBudget);
        this.version = b.version;
        Map<String, String> allHeaders = new LinkedHashMap<>(b.headers);
        if (b.taskBudget != null) {
            addBeta(allHeaders, TASK_BUDGETS_BETA);
        }
        if (federated != null) {
            addBeta(allHeaders, FederatedTokens.OAUTH_BETA);
        }
        this.headers = Map.copyOf(allHeaders);
        Secret secret = apiKey.and(headers.values());
        if (federated != null) {
            secret = secret.andLater(federated::secrets);
        }
        this.client = ProviderClient.create(provider, b.http, b.httpClient, secret,
                (status, body, response) -> AnthropicWire.error(provider, status, body, response));
        if (federated != null) {
            federated.client(client);
        }
    }

    /** Adds {@code beta} to the {@code anthropic-beta} header (a comma-separated list), however it is spelt. */
    private static void addBeta(Map<String, String> headers, String beta) {
        for (Map.Entry<String, String> h : headers.entrySet()) {
            if (h.getKey().equalsIgnoreCase("anthropic-beta")) {
                if (!java.util.Arrays.asList(h.getValue().split("\\s*,\\s*")).contains(beta)) {
                    h.setValue(h.getValue() + "," + beta);
                }
                return;
            }
        }
        headers.put("anthropic-beta", beta);
    }

    /**
     * A builder; {@code model} is required.
     *
     * @return a builder; {@code model} is required
     */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public ChatResponse chat(ChatRequest request) {
        Objects.requireNonNull(request, "request");
        ChatOptions options = ChatOptionsMerge.merge(defaultOptions, request.options());
        JsonNode body = AnthropicWire.requestBody(request, options, settings, false);
        String token = bearer();
        try {
            return AnthropicWire.response(provider, client.executeJson(httpRequest(body, false, token)));
        } catch (ModelException.Authentication e) {
            if (federated == null) {
                throw e;
            }
            // A federated token can be revoked before it expires: exchange once more, then give up.
            federated.invalidate(token);
            return AnthropicWire.response(provider, client.executeJson(httpRequest(body, false, bearer())));
        }
    }

    /** The access token under federation (exchanged now if needed), or null. */
    private String bearer() {
        return federated == null ? null : federated.token();
    }

    @Override
    public ChatResponse stream(ChatRequest request, StreamListener listener) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(listener, "listener");
        ChatOptions options = ChatOptionsMerge.merge(defaultOptions, request.options());
        JsonNode body = AnthropicWire.requestBody(request, options, settings, true);
        try {
            String token = bearer();
            Call call = client.newCall(httpRequest(body, true, token));
            Response response;
            try {
                response = client.execute(call);
            } catch (ModelException.Authentication e) {
                if (federated == null) {
                    throw e;
                }
                federated.invalidate(token);
                call = client.newCall(httpRequest(body, true, bearer()));
                response = client.execute(call);
            }
            AnthropicStream stream = new AnthropicStream(client, listener);
            return stream.finish(client.readEvents(call, response, stream::onEvent));
        } catch (ModelException e) {
            listener.onError(e);
            throw e;
        }
    }

    private Request httpRequest(JsonNode body, boolean stream, String bearer) {
        Request.Builder b = new Request.Builder().url(endpoint).post(ProviderClient.jsonBody(body))
                .header("anthropic-version", version)
                .header("Accept", stream ? "text/event-stream" : "application/json");
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        } else if (apiKey.isPresent()) {
            b.header("x-api-key", apiKey.reveal());
        }
        headers.forEach(b::header);
        return b.build();
    }

    /**
     * The provider name used in ids, logs and exceptions.
     *
     * @return the provider name
     */
    public String providerName() {
        return provider;
    }

    /**
     * The model requests go to unless a request overrides it.
     *
     * @return the model name
     */
    public String model() {
        return model;
    }

    /**
     * The API root requests go to.
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
        return "Anthropic[provider=" + provider + ", baseUrl=" + baseUrl + ", model=" + model
                + (federated != null ? ", auth=workload identity federation" : ", apiKey=" + apiKey) + "]";
    }

    /**
     * Configures an {@link Anthropic}. Defaults: provider {@code anthropic}, base URL
     * {@value Anthropic#ANTHROPIC_BASE_URL}, version {@value Anthropic#DEFAULT_VERSION}, max tokens 4096,
     * {@link HttpConfig#defaults()}. Not thread-safe.
     */
    public static final class Builder {
        private String providerName = "anthropic";
        private String baseUrl = ANTHROPIC_BASE_URL;
        private String model;
        private String apiKey;
        private String apiKeyEnv;
        private HttpConfig http = HttpConfig.defaults();
        private OkHttpClient httpClient;
        private ChatOptions defaultOptions = ChatOptions.defaults();
        private int defaultMaxTokens = 4096;
        private String version = DEFAULT_VERSION;
        private final Map<String, String> headers = new LinkedHashMap<>();
        private final Map<String, JsonValue> bodyParameters = new LinkedHashMap<>();
        private String thinkingDisplay;
        private Integer taskBudget;
        private WorkloadIdentity workloadIdentity;

        private Builder() {}

        /**
         * Authenticates by workload identity federation instead of an API key: identity tokens from
         * {@code identity}'s source are exchanged at {@code {baseUrl}/v1/oauth/token} for short-lived access tokens,
         * sent as {@code Authorization: Bearer} with the {@code oauth-2025-04-20} beta. A key set with
         * {@link #apiKey} or {@link #apiKeyFromEnv} is then not used. A token is exchanged again two minutes before
         * it expires, and once more when the API answers 401/403 with it.
         *
         * @param identity the federation rule, organization and identity token source
         * @return this builder
         * @throws IllegalArgumentException at {@link #build()} when the base URL is plain http to a host that is
         *                                  not loopback
         */
        public Builder workloadIdentity(WorkloadIdentity identity) {
            this.workloadIdentity = Objects.requireNonNull(identity, "identity");
            return this;
        }

        /**
         * Name used in ids, logs and exceptions (default {@code anthropic}).
         *
         * @param providerName the name
         * @return this builder
         */
        public Builder providerName(String providerName) {
            this.providerName = Objects.requireNonNull(providerName, "providerName");
            return this;
        }

        /**
         * The API root without {@code /v1}, e.g. {@code https://api.anthropic.com}.
         *
         * @param baseUrl the API root without {@code /v1}, e.g. {@code https://api.anthropic.com}
         * @return this builder
         */
        public Builder baseUrl(String baseUrl) {
            this.baseUrl = Objects.requireNonNull(baseUrl, "baseUrl");
            return this;
        }

        /**
         * The model requests go to unless a request overrides it.
         *
         * @param model the model name, for example {@code claude-sonnet-4-5}
         * @return this builder
         */
        public Builder model(String model) {
            this.model = model;
            return this;
        }

        /**
         * The API key, sent as {@code x-api-key}.
         *
         * @param apiKey the API key, sent as {@code x-api-key}
         * @return this builder
         */
        public Builder apiKey(String apiKey) {
            this.apiKey = apiKey;
            return this;
        }

        /**
         * Reads the key from environment variable {@code name} at {@link #build()}; unset fails there.
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
         * {@code max_tokens} when neither the request nor the default options set one.
         *
         * @param maxTokens the default token cap
         * @return this builder
         */
        public Builder defaultMaxTokens(int maxTokens) {
            if (maxTokens <= 0) {
                throw new IllegalArgumentException("defaultMaxTokens must be positive, was " + maxTokens);
            }
            this.defaultMaxTokens = maxTokens;
            return this;
        }

        /**
         * The {@code anthropic-version} header.
         *
         * @param version the {@code anthropic-version} header
         * @return this builder
         */
        public Builder version(String version) {
            this.version = Objects.requireNonNull(version, "version");
            return this;
        }

        /**
         * An extra header on every request (e.g. {@code anthropic-beta}).
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
         * An extra top-level field on every request body (e.g. {@code top_k}); fields Keel sets win.
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
         * How thinking is returned when it is on ({@code thinking.display}: {@code summarized}, {@code omitted}, or
         * {@code display} on models before the adaptive-thinking generation); docker-agent's
         * {@code provider_opts.thinking_display}.
         *
         * @param display the display mode
         * @return this builder
         */
        public Builder thinkingDisplay(String display) {
            this.thinkingDisplay = Objects.requireNonNull(display, "display");
            return this;
        }

        /**
         * An advisory token budget for a whole agentic task ({@code output_config.task_budget}, with the
         * {@code task-budgets-2026-03-13} beta header): the model sees it count down across thinking, tool calls
         * and output and winds down as it runs out. Unlike {@code max_tokens} it is no hard cap; Keel's
         * {@code Budget} is. docker-agent's {@code task_budget}.
         *
         * @param totalTokens the tokens for the whole task, at least 1
         * @return this builder
         */
        public Builder taskBudget(int totalTokens) {
            if (totalTokens < 1) {
                throw new IllegalArgumentException("a task budget is at least 1 token, got " + totalTokens);
            }
            this.taskBudget = totalTokens;
            return this;
        }

        /**
         * Builds the model.
         *
         * @return the model
         */
        public Anthropic build() {
            return new Anthropic(this);
        }

        @Override
        public String toString() {
            return "Anthropic.Builder[provider=" + providerName + ", baseUrl=" + baseUrl + ", model=" + model + "]";
        }
    }
}
