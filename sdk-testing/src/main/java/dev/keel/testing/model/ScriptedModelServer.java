package dev.keel.testing.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keel.core.Usage;
import dev.keel.testing.internal.WireJson;
import dev.keel.core.json.JsonParseException;
import dev.keel.testing.model.ChatCompletionWire.Answer;
import dev.keel.testing.model.ChatCompletionWire.Call;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import dev.keel.core.http.HttpClients;
import dev.keel.core.http.HttpConfig;
import dev.keel.core.models.ModelResolver;
import dev.keel.core.openai.OpenAiCompatible;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fake LLM for tests: an HTTP server on loopback (OkHttp's MockWebServer) that speaks the OpenAI
 * Chat Completions and Embeddings wire format and answers with replies the test scripted.
 *
 * <pre>{@code
 * try (ScriptedModelServer llm = ScriptedModelServer.start()) {
 *     llm.respond(ScriptedReply.toolCall("get_weather", Map.of("city", "Oslo")))
 *        .respond(ScriptedReply.text("Sunny in Oslo."));
 *     ChatModel model = OpenAiCompatible.builder().baseUrl(llm.baseUrl()).model("test").apiKey("k").build();
 *     ... run the code under test, or a whole team: team.runner().models(llm.models()).build() ...
 *     assertThat(llm.requests()).hasSize(2);
 *     llm.assertNoFailures();
 * }
 * }</pre>
 *
 * <p><b>Endpoints.</b> {@code POST /v1/chat/completions} (also {@code /chat/completions}) and
 * {@code POST /v1/embeddings} (also {@code /embeddings}). A chat request with {@code "stream": true}
 * is answered as SSE: a role chunk, text split into word deltas, each tool call opened with its id and
 * name and its arguments split over several chunks, a chunk with the finish reason, a usage chunk when
 * {@code stream_options.include_usage} is set, then {@code data: [DONE]}. Otherwise the answer is a
 * single {@code chat.completion} JSON object. Responses are deterministic: fixed {@code created},
 * ids {@code chatcmpl-1, chatcmpl-2, …}, tool-call ids {@code call_1, call_2, …} unless scripted.
 *
 * <p><b>Choosing a reply.</b> Replies queued with {@link #respond} are used first, one per chat
 * request, in order. When the queue is empty the function given to {@link #respondWith} (if any)
 * chooses, which lets multi-agent tests answer per agent (for example by {@link
 * RecordedChatRequest#systemPrompt()}). A request nothing answers gets HTTP 500 with a message naming
 * the problem and is recorded in {@link #failures()}; so are requests to unknown paths and bodies that
 * are not Chat Completions requests (HTTP 400).
 *
 * <p><b>Thread safety.</b> All methods are thread-safe; concurrent requests are answered one reply
 * each, in arrival order. Closing twice is harmless.
 */
public final class ScriptedModelServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ScriptedModelServer.class);
    private static final Duration TAKE_TIMEOUT = Duration.ofSeconds(10);
    /** Dimension of the default embedding vectors. */
    public static final int DEFAULT_EMBEDDING_DIMENSION = 8;

    private final MockWebServer server = new MockWebServer();
    private final Object lock = new Object();
    private final Deque<ScriptedReply> script = new ArrayDeque<>();
    private final List<RecordedChatRequest> requests = new ArrayList<>();
    private final List<RecordedEmbeddingRequest> embeddingRequests = new ArrayList<>();
    private final LinkedBlockingQueue<RecordedChatRequest> untaken = new LinkedBlockingQueue<>();
    private final List<String> failures = new ArrayList<>();
    private Function<RecordedChatRequest, ScriptedReply> responder;
    private Function<String, float[]> embedder = ScriptedModelServer::defaultVector;
    private int completionIds;
    private int toolCallIds;
    private boolean closed;
    private OkHttpClient modelClient;

    private ScriptedModelServer() {}

    /**
     * Starts a server on a free loopback port.
     *
     * @return the running server; close it to stop it
     */
    public static ScriptedModelServer start() {
        return start(0);
    }

    /**
     * Starts a server on a fixed loopback port (0 = any free port), for example to record a cassette
     * whose URL stays the same from one recording to the next.
     *
     * @param port the port, 0 for any free one
     * @return the running server; close it to stop it
     * @throws UncheckedIOException when the port is taken
     */
    public static ScriptedModelServer start(int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, was " + port);
        }
        ScriptedModelServer s = new ScriptedModelServer();
        s.server.setDispatcher(s.new ScriptDispatcher());
        try {
            s.server.start(InetAddress.getLoopbackAddress(), port);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the scripted model server on port " + port, e);
        }
        return s;
    }

    /**
     * The base URL to give an OpenAI-compatible client, e.g. {@code http://127.0.0.1:41234/v1}.
     *
     * @return the base URL to give an OpenAI-compatible client
     */
    public String baseUrl() {
        String url = server.url("/v1").toString();
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    /**
     * Models that all talk to this server, whatever provider and model a configuration names: give it to a
     * runner with {@code team.runner().models(llm.models())} and every agent of a team file — {@code openai},
     * {@code anthropic} or a custom provider with its own {@code base_url} — asks this server, with the
     * configuration's model name and options; no key variable is read. The models share one HTTP client
     * (no retries, so a scripted error reaches the code under test at once), released when the server closes.
     *
     * @return a resolver pointing every model at this server
     */
    public ModelResolver models() {
        return models(HttpConfig.builder().maxRetries(0).readTimeout(Duration.ofSeconds(30)).build());
    }

    /**
     * Like {@link #models()} with the given HTTP settings (for example to test retries).
     *
     * @param http timeouts, retries and interceptors of the models' shared client
     * @return a resolver pointing every model at this server
     */
    public ModelResolver models(HttpConfig http) {
        Objects.requireNonNull(http, "http");
        return config -> {
            OkHttpClient client;
            synchronized (lock) {
                if (closed) {
                    throw new IllegalStateException("the scripted model server is closed");
                }
                if (modelClient == null) {
                    modelClient = HttpClients.create(http);
                }
                client = modelClient;
            }
            return OpenAiCompatible.builder().providerName(config.provider()).baseUrl(baseUrl()).model(config.model())
                    .apiKey("scripted").httpClient(client).build();
        };
    }

    /**
     * Queues {@code reply} to answer the next chat request not yet answered by an earlier queued reply.
     *
     * @param reply the reply
     * @return this server
     */
    public ScriptedModelServer respond(ScriptedReply reply) {
        Objects.requireNonNull(reply, "reply");
        synchronized (lock) {
            script.addLast(reply);
        }
        return this;
    }

    /**
     * Answers chat requests with {@code chooser} once the queue of {@link #respond} replies is empty.
     * Replaces an earlier chooser. A chooser that returns {@code null} or throws leaves the request
     * unanswered: HTTP 500 and an entry in {@link #failures()}.
     *
     * @param chooser chooses a reply per request
     * @return this server
     */
    public ScriptedModelServer respondWith(Function<RecordedChatRequest, ScriptedReply> chooser) {
        Objects.requireNonNull(chooser, "chooser");
        synchronized (lock) {
            responder = chooser;
        }
        return this;
    }

    /**
     * Answers {@code /v1/embeddings} with {@code vectors.apply(text)} for each input text. By default
     * each text gets a deterministic unit vector of {@value #DEFAULT_EMBEDDING_DIMENSION} dimensions
     * derived from its content (equal texts, equal vectors).
     *
     * @param vectors maps a text to its vector
     * @return this server
     */
    public ScriptedModelServer embeddings(Function<String, float[]> vectors) {
        Objects.requireNonNull(vectors, "vectors");
        synchronized (lock) {
            embedder = vectors;
        }
        return this;
    }

    /**
     * All chat requests received so far, in arrival order.
     *
     * @return all chat requests received so far
     */
    public List<RecordedChatRequest> requests() {
        synchronized (lock) {
            return List.copyOf(requests);
        }
    }

    /**
     * All embedding requests received so far, in arrival order.
     *
     * @return all embedding requests received so far
     */
    public List<RecordedEmbeddingRequest> embeddingRequests() {
        synchronized (lock) {
            return List.copyOf(embeddingRequests);
        }
    }

    /**
     * The oldest chat request not yet taken, waiting up to 10 seconds for one to arrive.
     *
     * @return the oldest chat request not yet taken
     * @throws AssertionError when none arrives in time
     */
    public RecordedChatRequest takeRequest() {
        return takeRequest(TAKE_TIMEOUT);
    }

    /**
     * The oldest chat request not yet taken, waiting up to {@code timeout} for one to arrive.
     *
     * @param timeout the longest wait
     * @return the oldest chat request not yet taken
     * @throws AssertionError when none arrives in time
     */
    public RecordedChatRequest takeRequest(Duration timeout) {
        try {
            RecordedChatRequest r = untaken.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
            if (r == null) {
                throw new AssertionError("no chat request arrived at the scripted model server within " + timeout);
            }
            return r;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for a chat request", e);
        }
    }

    /**
     * Problems seen so far: unscripted requests, unknown paths, invalid request bodies.
     *
     * @return the problems, in order
     */
    public List<String> failures() {
        synchronized (lock) {
            return List.copyOf(failures);
        }
    }

    /**
     * How many queued replies have not been used yet.
     *
     * @return how many queued replies have not been used yet
     */
    public int pendingReplies() {
        synchronized (lock) {
            return script.size();
        }
    }

    /**
     * Fails when the server saw a problem (see {@link #failures()}).
     *
     * @throws AssertionError listing every failure
     */
    public void assertNoFailures() {
        List<String> f = failures();
        if (!f.isEmpty()) {
            throw new AssertionError("the scripted model server saw " + f.size() + " problem(s):\n  - "
                    + String.join("\n  - ", f));
        }
    }

    /** Stops the server. Idempotent. */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        if (modelClient != null) {
            modelClient.dispatcher().executorService().shutdown();
            modelClient.connectionPool().evictAll();
        }
        try {
            server.close();
        } catch (RuntimeException e) {
            log.debug("error while stopping the scripted model server", e);
        }
    }

    @Override
    public String toString() {
        synchronized (lock) {
            return "ScriptedModelServer[" + (closed ? "closed" : baseUrl()) + " requests=" + requests.size()
                    + " pending=" + script.size() + " failures=" + failures.size() + "]";
        }
    }

    private final class ScriptDispatcher extends Dispatcher {
        @Override
        public MockResponse dispatch(RecordedRequest request) {
            String path = request.getUrl() == null ? request.getTarget() : request.getUrl().encodedPath();
            boolean post = "POST".equals(request.getMethod());
            if (post && (path.equals("/v1/chat/completions") || path.equals("/chat/completions"))) {
                return chat(request, path);
            }
            if (post && (path.equals("/v1/embeddings") || path.equals("/embeddings"))) {
                return embed(request);
            }
            return fail(404, "no such endpoint: " + request.getMethod() + " " + path
                    + " (the scripted model server serves POST /v1/chat/completions and POST /v1/embeddings)");
        }
    }

    private MockResponse fail(int status, String problem) {
        synchronized (lock) {
            failures.add(problem);
        }
        log.warn("scripted model server: {}", problem);
        return json(status, ChatCompletionWire.error(status, "ScriptedModelServer: " + problem, null));
    }

    private MockResponse chat(RecordedRequest http, String path) {
        String body = http.getBody() == null ? "" : http.getBody().utf8();
        JsonNode root;
        try {
            root = WireJson.parse(body);
        } catch (JsonParseException e) {
            return fail(400, "chat request body is not JSON: " + e.getMessage());
        }
        if (!root.isObject()) {
            return fail(400, "chat request body must be a JSON object");
        }
        Map<String, String> headers = new HashMap<>();
        for (String name : http.getHeaders().names()) {
            headers.put(name.toLowerCase(Locale.ROOT), http.getHeaders().get(name));
        }
        boolean stream = root.path("stream").asBoolean(false);
        boolean includeUsage = stream && root.path("stream_options").path("include_usage").asBoolean(false);
        synchronized (lock) {
            RecordedChatRequest recorded;
            try {
                recorded = new RecordedChatRequest(requests.size() + 1, path, headers, body,
                        ChatRequestParser.messages(root), ChatRequestParser.tools(root), ChatRequestParser.options(root),
                        stream, includeUsage);
            } catch (ChatRequestParser.InvalidRequest e) {
                return fail(400, "chat request #" + (requests.size() + 1) + " is invalid: " + e.getMessage());
            }
            requests.add(recorded);
            untaken.add(recorded);
            ScriptedReply reply = script.pollFirst();
            if (reply == null && responder != null) {
                try {
                    reply = responder.apply(recorded);
                } catch (RuntimeException e) {
                    return fail(500, "the respondWith function threw " + e + " for chat request #"
                            + recorded.sequence());
                }
            }
            if (reply == null) {
                return fail(500, "no scripted reply for chat request #" + recorded.sequence() + " (" + recorded
                        + "); script one with respond(...) or respondWith(...)");
            }
            return render(reply, recorded);
        }
    }

    /** Called with the lock held: assigns ids in arrival order. */
    private MockResponse render(ScriptedReply reply, RecordedChatRequest request) {
        MockResponse response = switch (reply.kind) {
            case ERROR -> {
                MockResponse r = json(reply.status, ChatCompletionWire.error(reply.status, reply.errorMessage,
                        reply.errorCode));
                if (reply.retryAfterSeconds != null) {
                    r = r.newBuilder().setHeader("Retry-After", String.valueOf(reply.retryAfterSeconds)).build();
                }
                yield r;
            }
            case MALFORMED_JSON -> request.stream()
                    ? sse("data: " + ChatCompletionWire.chunks(answer(reply, request), false).get(0)
                            + "\n\ndata: {\"id\": \"chatcmpl-broken\", \"choices\": [{\"delta\": {\"content\": \n\n"
                            + "data: [DONE]\n\n")
                    : json(200, "{\"id\": \"chatcmpl-broken\", \"object\": \"chat.completion\", \"choices\": [{\"mess");
            case CUT_STREAM -> {
                Answer a = answer(reply, request);
                String full = request.stream()
                        ? ChatCompletionWire.sse(ChatCompletionWire.chunks(a, request.includeUsage()), false)
                        : ChatCompletionWire.completion(a);
                // MockWebServer sends half of the body, then shuts the connection: a cut mid-event.
                MockResponse r = request.stream() ? sse(full) : json(200, full);
                yield r.newBuilder().onResponseBody(SocketEffect.ShutdownConnection.INSTANCE).build();
            }
            case ANSWER -> {
                Answer a = answer(reply, request);
                yield request.stream()
                        ? sse(ChatCompletionWire.sse(ChatCompletionWire.chunks(a, request.includeUsage()), true))
                        : json(200, ChatCompletionWire.completion(a));
            }
        };
        if (!reply.delay.isZero()) {
            response = response.newBuilder().headersDelay(reply.delay.toNanos(), TimeUnit.NANOSECONDS).build();
        }
        return response;
    }

    private Answer answer(ScriptedReply reply, RecordedChatRequest request) {
        List<Call> calls = new ArrayList<>();
        int argumentChars = 0;
        for (ScriptedToolCall c : reply.toolCalls) {
            calls.add(new Call(c.id() != null ? c.id() : "call_" + (++toolCallIds), c.name(), c.argumentsJson()));
            argumentChars += c.argumentsJson().length() + c.name().length();
        }
        String finish = reply.finishReason != null ? reply.finishReason : calls.isEmpty() ? "stop" : "tool_calls";
        Usage usage = reply.usage != null ? reply.usage
                : new Usage(Math.max(1, request.body().length() / 4), Math.max(1, (reply.text.length() + argumentChars) / 4));
        String model = reply.model != null ? reply.model : request.model().isEmpty() ? "scripted" : request.model();
        return new Answer("chatcmpl-" + (++completionIds), model, reply.text, calls, finish, usage, reply.chunkSize);
    }

    private MockResponse embed(RecordedRequest http) {
        String body = http.getBody() == null ? "" : http.getBody().utf8();
        JsonNode root;
        try {
            root = WireJson.parse(body);
        } catch (JsonParseException e) {
            return fail(400, "embeddings request body is not JSON: " + e.getMessage());
        }
        JsonNode input = root.path("input");
        List<String> texts = new ArrayList<>();
        if (input.isTextual()) {
            texts.add(input.asText());
        } else if (input.isArray() && input.size() > 0 && java.util.stream.StreamSupport
                .stream(input.spliterator(), false).allMatch(JsonNode::isTextual)) {
            input.forEach(n -> texts.add(n.asText()));
        } else {
            return fail(400, "embeddings request 'input' must be a string or a non-empty array of strings");
        }
        boolean base64 = "base64".equals(root.path("encoding_format").asText());
        String model = root.path("model").asText("");
        ObjectNode out = WireJson.object().put("object", "list");
        ArrayNode data = out.putArray("data");
        long tokens = 0;
        synchronized (lock) {
            embeddingRequests.add(new RecordedEmbeddingRequest(embeddingRequests.size() + 1, model, texts, body));
            for (int i = 0; i < texts.size(); i++) {
                float[] v;
                try {
                    v = embedder.apply(texts.get(i));
                } catch (RuntimeException e) {
                    return fail(500, "the embeddings function threw " + e);
                }
                if (v == null) {
                    return fail(500, "the embeddings function returned null for input " + i);
                }
                ObjectNode item = data.addObject().put("object", "embedding").put("index", i);
                if (base64) {
                    ByteBuffer buf = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                    for (float f : v) {
                        buf.putFloat(f);
                    }
                    item.put("embedding", Base64.getEncoder().encodeToString(buf.array()));
                } else {
                    ArrayNode vec = item.putArray("embedding");
                    for (float f : v) {
                        vec.add(f);
                    }
                }
                tokens += Math.max(1, texts.get(i).length() / 4);
            }
        }
        out.put("model", model.isEmpty() ? "scripted-embedding" : model);
        out.putObject("usage").put("prompt_tokens", tokens).put("total_tokens", tokens);
        return json(200, WireJson.write(out));
    }

    /** A deterministic unit vector derived from the text's bytes. */
    static float[] defaultVector(String text) {
        long seed = 1125899906842597L;
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            seed = 31 * seed + b;
        }
        SplittableRandom random = new SplittableRandom(seed);
        float[] v = new float[DEFAULT_EMBEDDING_DIMENSION];
        double norm = 0;
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (random.nextDouble() * 2 - 1);
            norm += v[i] * v[i];
        }
        float scale = (float) (1 / Math.sqrt(norm));
        for (int i = 0; i < v.length; i++) {
            v[i] *= scale;
        }
        return v;
    }

    private static MockResponse json(int status, String body) {
        return new MockResponse.Builder().code(status).setHeader("Content-Type", "application/json")
                .body(body).build();
    }

    private static MockResponse sse(String body) {
        return new MockResponse.Builder().code(200).setHeader("Content-Type", "text/event-stream")
                .setHeader("Cache-Control", "no-cache").body(body).build();
    }
}
