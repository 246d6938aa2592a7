package dev.keel.agents.toolsets;

import dev.keel.agents.internal.HttpCalls;
import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.ToolContext;
import dev.keel.agents.tool.ToolResult;
import dev.keel.agents.tool.Toolset;
import dev.keel.agents.tool.ToolsetException;
import dev.keel.core.json.JsonArray;
import dev.keel.core.json.JsonObject;
import dev.keel.core.json.JsonParseException;
import dev.keel.core.json.JsonString;
import dev.keel.core.json.JsonValue;
import dev.keel.core.tool.JsonSchema;
import dev.keel.core.tool.ToolSpec;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;

/**
 * docker-agent's {@code a2a} toolset: a client of a remote agent speaking the Agent2Agent (A2A) protocol over
 * JSON-RPC. On the first {@link #tools()} call it reads the agent card ({@code url} itself when it ends in
 * {@code .json}, else {@code url/.well-known/agent-card.json}, then the older {@code /.well-known/agent.json});
 * each skill on the card becomes a tool (one tool for the whole agent when it lists none) taking a
 * {@code message}. A call sends that message with {@code message/send} and returns the text of the reply: a
 * direct message, or the task's artifacts (else its status message). A task that is still running is followed
 * with {@code tasks/get} until it ends or the timeout passes; a failed, rejected or canceled task is an error
 * result. Calls in one session continue the same A2A context, and a task that asks for input is continued by
 * the next call.
 *
 * <p>The configured headers (often credentials) go only to the origin of {@code url}: a card that sends calls
 * to another scheme, host or port fails with a {@link ToolsetException} naming both. Redirects are not
 * followed, non-public addresses are refused unless {@link Builder#allowPrivateIps}, and header values never
 * appear in {@link #toString()} or errors. Thread-safe.
 *
 * <pre>{@code
 * A2aToolset research = A2aToolset.builder(client, "https://agents.example.com/research")
 *         .name("research")
 *         .headers(Map.of("Authorization", "Bearer " + System.getenv("A2A_TOKEN")))
 *         .build();
 * }</pre>
 */
public final class A2aToolset implements Toolset {
    private static final MediaType JSON = MediaType.get("application/json; charset=utf-8");
    /** The largest JSON-RPC response or agent card read. */
    private static final int MAX_RESPONSE_BYTES = 10 << 20;
    private static final Set<String> DONE = Set.of("completed", "failed", "canceled", "rejected", "input-required",
            "auth-required", "unknown");

    private final OkHttpClient client;
    private final OkHttpClient calls;
    private final HttpUrl url;
    private final String name;
    private final Map<String, String> headers;
    private final Duration timeout;
    private final int maxBytes;
    private final boolean allowPrivateIps;
    private volatile Card card;

    private record Card(String name, String description, HttpUrl endpoint, List<Tool> tools, String instructions) {}

    private A2aToolset(Builder b) {
        client = b.client;
        url = b.url;
        name = b.name;
        headers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(b.headers));
        timeout = b.timeout;
        maxBytes = b.maxBytes;
        allowPrivateIps = b.allowPrivateIps;
        calls = HttpCalls.derive(client, timeout, allowPrivateIps);
    }

    /**
     * Starts a toolset for the agent at {@code url}: its base URL, or its agent card's URL.
     *
     * @param client the HTTP client (shared; this toolset never closes it)
     * @param url    an http(s) URL
     * @return the builder
     */
    public static Builder builder(OkHttpClient client, String url) {
        return new Builder(client, url);
    }

    /**
     * The agent's URL as configured.
     *
     * @return the agent's URL
     */
    public String url() {
        return url.toString();
    }

    /**
     * The prefix of the tool names, or null.
     *
     * @return the prefix of the tool names, or null
     */
    public String toolPrefix() {
        return name;
    }

    /**
     * Names of the headers sent with every request (their values are not exposed).
     *
     * @return the header names
     */
    public Set<String> headerNames() {
        return headers.keySet();
    }

    /**
     * How long one call (a message and the task it starts) may take.
     *
     * @return the limit
     */
    public Duration timeout() {
        return timeout;
    }

    /**
     * Reply bytes kept per call.
     *
     * @return reply bytes kept per call
     */
    public int maxBytes() {
        return maxBytes;
    }

    /**
     * Whether non-public addresses may be reached.
     *
     * @return whether non-public addresses may be reached
     */
    public boolean allowPrivateIps() {
        return allowPrivateIps;
    }

    @Override
    public String name() {
        return "a2a:" + (name != null ? name : url.host());
    }

    @Override
    public String instructions() {
        Card c = card;
        return c != null ? c.instructions() : "";
    }

    /**
     * One tool per skill of the agent card, reading the card on the first call.
     *
     * @return the tools
     * @throws ToolsetException when the card cannot be read or sends calls to another origin
     */
    @Override
    public List<Tool> tools() {
        return card().tools();
    }

    private Card card() {
        Card c = card;
        if (c != null) {
            return c;
        }
        synchronized (this) {
            if (card == null) {
                card = readCard();
            }
            return card;
        }
    }

    private Card readCard() {
        List<HttpUrl> candidates = new ArrayList<>();
        if (url.encodedPath().endsWith(".json")) {
            candidates.add(url);
        } else {
            String base = url.encodedPath().endsWith("/") ? url.encodedPath() : url.encodedPath() + "/";
            candidates.add(url.newBuilder().encodedPath(base + ".well-known/agent-card.json").query(null).build());
            candidates.add(url.newBuilder().encodedPath(base + ".well-known/agent.json").query(null).build());
        }
        HttpCalls.Reply reply = null;
        HttpUrl cardUrl = null;
        for (HttpUrl candidate : candidates) {
            cardUrl = candidate;
            try {
                reply = HttpCalls.execute(calls, new Request.Builder().url(candidate).headers(HttpCalls.headers(headers))
                        .header("Accept", "application/json").get().build(), MAX_RESPONSE_BYTES);
            } catch (IOException e) {
                throw new ToolsetException("A2A agent " + url + ": cannot fetch its agent card " + candidate + ": "
                        + e.getMessage(), e);
            }
            if (reply.code() != 404) {
                break;
            }
        }
        if (!reply.ok()) {
            throw new ToolsetException("A2A agent " + url + ": fetching its agent card " + cardUrl + " returned HTTP "
                    + reply.code() + (reply.redirect() ? " (a redirect to " + reply.location() + ", not followed)" : ""));
        }
        HttpUrl cardAt = cardUrl;
        JsonObject json;
        try {
            json = JsonObject.parse(reply.body());
        } catch (JsonParseException e) {
            throw new ToolsetException("A2A agent " + url + ": the agent card " + cardUrl + " is not a JSON object: "
                    + e.getMessage(), e);
        }
        String agentName = str(json, "name").orElseThrow(() -> new ToolsetException("A2A agent " + url
                + ": the agent card " + cardAt + " has no 'name'; it is not an A2A agent card"));
        String description = str(json, "description").orElse("");
        HttpUrl endpoint = endpoint(json, cardUrl);
        List<Tool> tools = new ArrayList<>();
        Set<String> names = new HashSet<>();
        StringBuilder instructions = new StringBuilder("## ").append(agentName).append("\n\n").append(description)
                .append('\n');
        List<JsonObject> skills = json.get("skills").filter(JsonArray.class::isInstance)
                .map(v -> ((JsonArray) v).items().stream().filter(JsonObject.class::isInstance)
                        .map(JsonObject.class::cast).toList()).orElse(List.of());
        if (skills.isEmpty()) {
            skills = List.of(JsonObject.of(Map.of("id", agentName, "name", agentName, "description", description)));
        }
        for (JsonObject skill : skills) {
            String skillName = str(skill, "name").or(() -> str(skill, "id")).orElse(agentName);
            String id = str(skill, "id").orElse(skillName);
            String toolName = unique(sanitize(name != null ? name + "_" + id : id), names);
            String skillDescription = str(skill, "description").orElse("");
            instructions.append("- **").append(skillName).append("**: ").append(skillDescription).append('\n');
            tools.add(Tool.of(ToolSpec.of(toolName, "Calls the '" + skillName + "' skill of the " + agentName
                            + " agent. " + skillDescription,
                    JsonSchema.object().required("message", JsonSchema.string("The message or request to send to the agent"))
                            .build()), (args, ctx) -> send(endpoint, args.string("message"), ctx)));
        }
        return new Card(agentName, description, endpoint, List.copyOf(tools), instructions.toString().strip());
    }

    /** The JSON-RPC endpoint the card names, which must be on the configured origin. */
    private HttpUrl endpoint(JsonObject json, HttpUrl cardUrl) {
        String preferred = str(json, "preferredTransport").orElse("JSONRPC");
        String target = null;
        if (preferred.equalsIgnoreCase("JSONRPC")) {
            target = str(json, "url").orElse(null);
        } else {
            for (JsonValue i : json.get("additionalInterfaces").filter(JsonArray.class::isInstance)
                    .map(v -> ((JsonArray) v).items()).orElse(List.of())) {
                if (i instanceof JsonObject o && str(o, "transport").filter("JSONRPC"::equalsIgnoreCase).isPresent()) {
                    target = str(o, "url").orElse(null);
                }
            }
            if (target == null) {
                throw new ToolsetException("A2A agent " + url + ": the agent card offers " + preferred
                        + " only; Keel speaks A2A over JSON-RPC");
            }
        }
        if (target == null) {
            if (url.equals(cardUrl)) {
                throw new ToolsetException("A2A agent " + url + ": the agent card has no 'url' to send messages to");
            }
            return url;
        }
        HttpUrl endpoint = cardUrl.resolve(target);
        if (endpoint == null) {
            throw new ToolsetException("A2A agent " + url + ": the agent card's url '" + target + "' is not http(s)");
        }
        if (!endpoint.scheme().equals(url.scheme()) || !endpoint.host().equals(url.host()) || endpoint.port() != url.port()) {
            throw new ToolsetException("A2A agent " + url + ": the agent card sends messages to " + endpoint.scheme()
                    + "://" + endpoint.host() + ":" + endpoint.port() + ", another origin than the configured "
                    + url.scheme() + "://" + url.host() + ":" + url.port() + "; the configured headers are only sent to "
                    + "the configured origin, so point the toolset's url at that agent if you trust it");
        }
        return endpoint;
    }

    private ToolResult send(HttpUrl endpoint, String message, ToolContext ctx) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String contextKey = "a2a:" + endpoint + ":contextId";
        String taskKey = "a2a:" + endpoint + ":taskId";
        JsonObject.Builder msg = JsonObject.builder().put("kind", "message").put("role", "user")
                .put("messageId", UUID.randomUUID().toString())
                .put("parts", JsonArray.of(JsonObject.of(Map.of("kind", "text", "text", message))));
        stateString(ctx, contextKey).ifPresent(c -> msg.put("contextId", c));
        stateString(ctx, taskKey).ifPresent(t -> msg.put("taskId", t));
        JsonObject params = JsonObject.builder().put("message", msg.build())
                .put("configuration", JsonObject.of(Map.of("blocking", true,
                        "acceptedOutputModes", JsonArray.of("text/plain", "application/json")))).build();
        Rpc rpc = rpc(endpoint, "message/send", params);
        if (rpc.error() != null) {
            return rpc.error();
        }
        JsonObject result = rpc.result();
        while (isTask(result) && !DONE.contains(state(result)) && System.nanoTime() < deadline) {
            Thread.sleep(Math.min(1000, Math.max(50, (deadline - System.nanoTime()) / 1_000_000 / 10)));
            Rpc poll = rpc(endpoint, "tasks/get", JsonObject.of(Map.of("id", str(result, "id").orElse(""))));
            if (poll.error() != null) {
                return poll.error();
            }
            result = poll.result();
        }
        str(result, "contextId").ifPresent(c -> ctx.state().put(contextKey, JsonValue.of(c)));
        if (!isTask(result)) {
            ctx.state().remove(taskKey);
            String reply = cut(text(result.get("parts")));
            return reply.isEmpty() ? ToolResult.error("the agent's reply has no text") : ToolResult.ok(reply);
        }
        String state = state(result);
        StringBuilder text = new StringBuilder();
        for (JsonValue a : result.get("artifacts").filter(JsonArray.class::isInstance).map(v -> ((JsonArray) v).items())
                .orElse(List.of())) {
            if (a instanceof JsonObject artifact) {
                append(text, text(artifact.get("parts")));
            }
        }
        String statusText = result.get("status").filter(JsonObject.class::isInstance)
                .flatMap(s -> ((JsonObject) s).get("message")).filter(JsonObject.class::isInstance)
                .map(m -> text(((JsonObject) m).get("parts"))).orElse("");
        if (text.isEmpty() || !state.equals("completed")) {
            append(text, statusText);
        }
        String reply = cut(text.toString());
        switch (state) {
            case "completed" -> {
                ctx.state().remove(taskKey);
                return ToolResult.ok(reply.isEmpty() ? "(the agent completed the task without a text reply)" : reply);
            }
            case "input-required", "auth-required" -> {
                str(result, "id").ifPresent(id -> ctx.state().put(taskKey, JsonValue.of(id)));
                return ToolResult.ok(reply + "\n[The agent needs more input (" + state + "); call the tool again with "
                        + "the answer to continue this task.]");
            }
            case "failed", "rejected", "canceled" -> {
                ctx.state().remove(taskKey);
                return ToolResult.error("The agent's task " + (state.equals("canceled") ? "was canceled" : state)
                        + (reply.isEmpty() ? "" : ": " + reply));
            }
            default -> {
                return ToolResult.error("The agent's task is still " + state + " after " + timeout.toSeconds()
                        + " s; task id " + str(result, "id").orElse("?") + (reply.isEmpty() ? "" : ". So far: " + reply));
            }
        }
    }

    private record Rpc(JsonObject result, ToolResult error) {}

    private Rpc rpc(HttpUrl endpoint, String method, JsonObject params) throws IOException {
        String id = UUID.randomUUID().toString();
        JsonObject request = JsonObject.builder().put("jsonrpc", "2.0").put("id", id).put("method", method)
                .put("params", params).build();
        HttpCalls.Reply reply = HttpCalls.execute(calls, new Request.Builder().url(endpoint)
                .headers(HttpCalls.headers(headers)).header("Accept", "application/json")
                .post(RequestBody.create(request.toJson(), JSON)).build(), MAX_RESPONSE_BYTES);
        if (!reply.ok()) {
            return new Rpc(null, reply.toToolResult());
        }
        if (reply.truncated()) {
            return new Rpc(null, ToolResult.error("the agent's reply is larger than " + (MAX_RESPONSE_BYTES >> 20) + " MiB"));
        }
        JsonObject response;
        try {
            response = JsonObject.parse(reply.body());
        } catch (JsonParseException e) {
            return new Rpc(null, ToolResult.error("the agent's reply is not a JSON-RPC response: " + e.getMessage()));
        }
        Optional<JsonValue> error = response.get("error").filter(v -> !v.isNull());
        if (error.isPresent()) {
            JsonObject e = error.get() instanceof JsonObject o ? o : JsonObject.of();
            return new Rpc(null, ToolResult.error("The agent answered " + method + " with error "
                    + e.get("code").map(JsonValue::toJson).orElse("?") + ": " + str(e, "message").orElse(e.toJson())));
        }
        Optional<JsonValue> result = response.get("result");
        if (result.isEmpty() || !(result.get() instanceof JsonObject r)) {
            return new Rpc(null, ToolResult.error("the agent's JSON-RPC response has no result object"));
        }
        return new Rpc(r, null);
    }

    private static boolean isTask(JsonObject result) {
        return str(result, "kind").map("task"::equals).orElse(result.has("status"));
    }

    private static String state(JsonObject task) {
        return task.get("status").filter(JsonObject.class::isInstance).flatMap(s -> str((JsonObject) s, "state"))
                .map(s -> s.toLowerCase(Locale.ROOT)).orElse("unknown");
    }

    /** The text of a list of parts: text parts as they are, data parts as JSON, file parts by name. */
    private static String text(Optional<JsonValue> parts) {
        StringBuilder sb = new StringBuilder();
        for (JsonValue v : parts.filter(JsonArray.class::isInstance).map(p -> ((JsonArray) p).items()).orElse(List.of())) {
            if (!(v instanceof JsonObject part)) {
                continue;
            }
            String kind = str(part, "kind").or(() -> str(part, "type")).orElse(part.has("text") ? "text" : "");
            switch (kind) {
                case "text" -> append(sb, str(part, "text").orElse(""));
                case "data" -> append(sb, part.get("data").map(JsonValue::toJson).orElse(""));
                case "file" -> append(sb, "[file " + part.get("file").filter(JsonObject.class::isInstance)
                        .flatMap(f -> str((JsonObject) f, "name").or(() -> str((JsonObject) f, "uri"))).orElse("") + "]");
                default -> { }
            }
        }
        return sb.toString();
    }

    private static void append(StringBuilder sb, String text) {
        if (!text.isEmpty()) {
            if (!sb.isEmpty()) {
                sb.append('\n');
            }
            sb.append(text);
        }
    }

    private String cut(String text) {
        byte[] bytes = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (bytes.length <= maxBytes) {
            return text;
        }
        int end = maxBytes;
        while (end > 0 && (bytes[end] & 0xc0) == 0x80) {
            end--;
        }
        return new String(bytes, 0, end, java.nio.charset.StandardCharsets.UTF_8) + "\n[truncated]";
    }

    private static Optional<String> stateString(ToolContext ctx, String key) {
        return Optional.ofNullable(ctx.state().get(key)).filter(JsonString.class::isInstance)
                .map(v -> ((JsonString) v).value());
    }

    private static Optional<String> str(JsonObject o, String key) {
        return o.get(key).filter(JsonString.class::isInstance).map(v -> ((JsonString) v).value());
    }

    private static String sanitize(String text) {
        String s = text.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_").replaceAll("_+", "_")
                .replaceAll("^_|_$", "");
        s = s.length() > 60 ? s.substring(0, 60) : s;
        return s.isEmpty() ? "agent" : s;
    }

    private static String unique(String base, Set<String> names) {
        String candidate = base;
        for (int i = 2; !names.add(candidate); i++) {
            candidate = base + "_" + i;
        }
        return candidate;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof A2aToolset other && client.equals(other.client) && url.equals(other.url)
                && Objects.equals(name, other.name) && headers.equals(other.headers) && timeout.equals(other.timeout)
                && maxBytes == other.maxBytes && allowPrivateIps == other.allowPrivateIps;
    }

    @Override
    public int hashCode() {
        return Objects.hash(client, url, name, headers, timeout, maxBytes, allowPrivateIps);
    }

    /**
     * A description for logs.
     *
     * @return the URL, prefix and header names; never header values
     */
    @Override
    public String toString() {
        Card c = card;
        return "A2aToolset[" + url + (name != null ? ", name=" + name : "") + ", headers=" + headers.keySet()
                + ", timeout=" + timeout + ", maxBytes=" + maxBytes + (allowPrivateIps ? ", privateIps" : "")
                + (c != null ? ", agent=" + c.name() + ", " + c.tools().size() + " tools" : "") + "]";
    }

    /**
     * Builds an {@link A2aToolset}. Defaults: tools named after the skills, no headers, 5 minutes per call (a
     * remote agent works at a model's pace), 1 MiB of reply kept, non-public addresses refused. Setters replace
     * what was set before. Not thread-safe.
     */
    public static final class Builder {
        private final OkHttpClient client;
        private final HttpUrl url;
        private String name;
        private Map<String, String> headers = Map.of();
        private Duration timeout = Duration.ofMinutes(5);
        private int maxBytes = 1 << 20;
        private boolean allowPrivateIps;

        private Builder(OkHttpClient client, String url) {
            this.client = Objects.requireNonNull(client, "client");
            this.url = HttpUrl.parse(Objects.requireNonNull(url, "url"));
            if (this.url == null) {
                throw new IllegalArgumentException("A2A url '" + url + "' is not an http or https URL");
            }
        }

        /**
         * A prefix for the tool names ({@code name_skill}), docker-agent's {@code name}.
         *
         * @param name the prefix, or null for the skill ids alone
         * @return this builder
         */
        public Builder name(String name) {
            this.name = name == null || name.isBlank() ? null : name;
            return this;
        }

        /**
         * Headers sent with every request, the card's fetch included (replaces), for example credentials.
         *
         * @param headers name → value
         * @return this builder
         * @throws IllegalArgumentException naming a header HTTP does not allow (never showing its value)
         */
        public Builder headers(Map<String, String> headers) {
            Map<String, String> copy = new LinkedHashMap<>(Objects.requireNonNull(headers, "headers"));
            copy.forEach(HttpCalls::checkHeader);
            this.headers = copy;
            return this;
        }

        /**
         * How long one call may take, the following of a running task included (positive).
         *
         * @param timeout the timeout
         * @return this builder
         */
        public Builder timeout(Duration timeout) {
            this.timeout = Limits.positive(timeout);
            return this;
        }

        /**
         * Reply bytes kept per call (positive).
         *
         * @param maxBytes the limit
         * @return this builder
         */
        public Builder maxBytes(int maxBytes) {
            this.maxBytes = Limits.positive(maxBytes, "maxBytes");
            return this;
        }

        /**
         * Whether loopback, private, link-local and other non-public addresses may be reached (default false).
         *
         * @param allow whether to allow them
         * @return this builder
         */
        public Builder allowPrivateIps(boolean allow) {
            this.allowPrivateIps = allow;
            return this;
        }

        /**
         * The toolset; the agent card is read when its tools are first listed.
         *
         * @return the toolset
         */
        public A2aToolset build() {
            return new A2aToolset(this);
        }
    }
}
