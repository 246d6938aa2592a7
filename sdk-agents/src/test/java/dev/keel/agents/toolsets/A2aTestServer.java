package dev.keel.agents.toolsets;

import dev.keel.core.json.JsonArray;
import dev.keel.core.json.JsonObject;
import dev.keel.core.json.JsonString;
import dev.keel.core.json.JsonValue;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

/**
 * A small A2A agent on loopback speaking the JSON-RPC binding of A2A 0.3 as the specification documents it:
 * the agent card at {@code /.well-known/agent-card.json}, {@code message/send} and {@code tasks/get} at
 * {@code /a2a}. It checks every request's shape (JSON-RPC 2.0 envelope, a user message with a
 * {@code messageId} and text parts of {@code kind: text}) and answers a malformed one with the JSON-RPC error
 * a real server gives (-32600 / -32602). The reply to a message is decided by {@link #reply}, which gets the
 * message's text and the context id. Records every request.
 */
public final class A2aTestServer implements AutoCloseable {
    private final MockWebServer server = new MockWebServer();
    private final List<RecordedRequest> requests = new CopyOnWriteArrayList<>();
    private final Map<String, JsonObject> tasks = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();
    private volatile String cardUrl;
    private volatile String cardPath = "/.well-known/agent-card.json";
    private volatile List<Map<String, Object>> skills = List.of(
            Map.of("id", "summarize", "name", "Summarize", "description", "Summarizes a text", "tags", List.of("text")));
    /** Text and context id → the JSON-RPC result; the default completes a task echoing the text. */
    private volatile Function<Incoming, JsonObject> reply = in -> task(in, "completed", "echo: " + in.text());
    /** How many tasks/get calls a "working" task needs before it completes. */
    private volatile int workingPolls;

    /** One message/send as the server saw it. */
    public record Incoming(String text, String contextId, String taskId, JsonObject message) {}

    public A2aTestServer() throws IOException {
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                requests.add(request);
                return handle(request);
            }
        });
        server.start();
        cardUrl = baseUrl() + "/a2a";
    }

    /** The agent's base URL, {@code http://127.0.0.1:port}. */
    public String baseUrl() {
        return server.url("/").toString().replaceAll("/$", "").replace("localhost", "127.0.0.1");
    }

    public A2aTestServer cardUrl(String url) {
        this.cardUrl = url;
        return this;
    }

    /** Serves the card only at the older {@code /.well-known/agent.json}. */
    public A2aTestServer legacyCardPath() {
        this.cardPath = "/.well-known/agent.json";
        return this;
    }

    public A2aTestServer skills(List<Map<String, Object>> skills) {
        this.skills = skills;
        return this;
    }

    public A2aTestServer reply(Function<Incoming, JsonObject> reply) {
        this.reply = reply;
        return this;
    }

    public A2aTestServer workingPolls(int polls) {
        this.workingPolls = polls;
        return this;
    }

    public List<RecordedRequest> requests() {
        return List.copyOf(requests);
    }

    /** The JSON-RPC bodies received, in order. */
    public List<JsonObject> rpcs() {
        return requests.stream().filter(r -> r.getMethod().equals("POST"))
                .map(r -> JsonObject.parse(r.getBody().utf8())).toList();
    }

    /** A task result in the given state whose artifact (completed) or status message (otherwise) holds text. */
    public static JsonObject task(Incoming in, String state, String text) {
        JsonObject parts = JsonObject.of(Map.of("kind", "text", "text", text));
        JsonObject.Builder status = JsonObject.builder().put("state", state).put("timestamp", "2026-01-01T00:00:00Z");
        JsonObject.Builder task = JsonObject.builder().put("kind", "task").put("id", "task-" + Math.abs(text.hashCode()))
                .put("contextId", in.contextId() != null ? in.contextId() : "ctx-1");
        if (state.equals("completed")) {
            task.put("artifacts", JsonArray.of(JsonObject.of(Map.of("artifactId", "a1", "name", "answer",
                    "parts", JsonArray.of(parts)))));
        } else {
            status.put("message", JsonObject.of(Map.of("kind", "message", "role", "agent", "messageId", "m-reply",
                    "parts", JsonArray.of(parts))));
        }
        return task.put("status", status.build()).build();
    }

    private MockResponse handle(RecordedRequest request) {
        String path = request.getUrl().encodedPath();
        if (request.getMethod().equals("GET") && path.equals(cardPath)) {
            JsonObject card = JsonObject.builder().put("protocolVersion", "0.3.0").put("name", "Summarizer")
                    .put("description", "Summarizes what it is sent").put("url", cardUrl).put("version", "1.0.0")
                    .put("preferredTransport", "JSONRPC")
                    .put("capabilities", JsonObject.of(Map.of("streaming", false)))
                    .put("defaultInputModes", JsonArray.of("text/plain")).put("defaultOutputModes", JsonArray.of("text/plain"))
                    .put("skills", JsonArray.of(skills.stream().map(JsonObject::of).toList())).build();
            return json(200, card);
        }
        if (!request.getMethod().equals("POST") || !path.equals("/a2a")) {
            return new MockResponse.Builder().code(404).build();
        }
        JsonObject rpc;
        try {
            rpc = JsonObject.parse(request.getBody().utf8());
        } catch (RuntimeException e) {
            return json(200, error(JsonValue.of(null), -32700, "Parse error"));
        }
        JsonValue id = rpc.get("id").orElse(JsonValue.of(null));
        if (!rpc.get("jsonrpc").equals(Optional.of(JsonValue.of("2.0"))) || rpc.get("method").isEmpty()) {
            return json(200, error(id, -32600, "Invalid Request"));
        }
        String method = ((JsonString) rpc.get("method").orElseThrow()).value();
        JsonObject params = rpc.get("params").filter(JsonObject.class::isInstance).map(JsonObject.class::cast)
                .orElse(JsonObject.of());
        return switch (method) {
            case "message/send" -> send(id, params);
            case "tasks/get" -> {
                String taskId = params.get("id").map(v -> ((JsonString) v).value()).orElse("");
                JsonObject task = tasks.get(taskId);
                if (task == null) {
                    yield json(200, error(id, -32001, "Task not found"));
                }
                if (ids.incrementAndGet() > workingPolls) {
                    task = task.with("status", JsonObject.of(Map.of("state", "completed")))
                            .with("artifacts", JsonArray.of(JsonObject.of(Map.of("artifactId", "a1", "parts",
                                    JsonArray.of(JsonObject.of(Map.of("kind", "text", "text", "finished after polling"))))))) ;
                }
                yield json(200, result(id, task));
            }
            default -> json(200, error(id, -32601, "Method not found"));
        };
    }

    private MockResponse send(JsonValue id, JsonObject params) {
        Optional<JsonObject> message = params.get("message").filter(JsonObject.class::isInstance).map(JsonObject.class::cast);
        if (message.isEmpty() || !message.get().get("role").equals(Optional.of(JsonValue.of("user")))
                || message.get().get("messageId").filter(JsonString.class::isInstance).isEmpty()
                || message.get().get("parts").filter(JsonArray.class::isInstance).isEmpty()) {
            return json(200, error(id, -32602, "Invalid params: a message needs role user, a messageId and parts"));
        }
        StringBuilder text = new StringBuilder();
        for (JsonValue p : ((JsonArray) message.get().get("parts").orElseThrow()).items()) {
            JsonObject part = (JsonObject) p;
            if (!part.get("kind").equals(Optional.of(JsonValue.of("text"))) || part.get("text").isEmpty()) {
                return json(200, error(id, -32602, "Invalid params: unsupported part " + part.toJson()));
            }
            text.append(((JsonString) part.get("text").orElseThrow()).value());
        }
        String contextId = message.get().get("contextId").map(v -> ((JsonString) v).value()).orElse(null);
        String taskId = message.get().get("taskId").map(v -> ((JsonString) v).value()).orElse(null);
        JsonObject result = reply.apply(new Incoming(text.toString(), contextId, taskId, message.get()));
        if (result.has("code") && result.has("message")) { // a reply of {code, message} is sent as a JSON-RPC error
            return json(200, JsonObject.builder().put("jsonrpc", "2.0").put("id", id).put("error", result).build());
        }
        if (result.get("kind").equals(Optional.of(JsonValue.of("task")))) {
            tasks.put(((JsonString) result.get("id").orElseThrow()).value(), result);
        }
        return json(200, result(id, result));
    }

    private static JsonObject result(JsonValue id, JsonObject result) {
        return JsonObject.builder().put("jsonrpc", "2.0").put("id", id).put("result", result).build();
    }

    private static JsonObject error(JsonValue id, int code, String message) {
        return JsonObject.builder().put("jsonrpc", "2.0").put("id", id)
                .put("error", JsonObject.of(Map.of("code", code, "message", message))).build();
    }

    private static MockResponse json(int code, JsonObject body) {
        return new MockResponse.Builder().code(code).setHeader("Content-Type", "application/json").body(body.toJson())
                .build();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
