package dev.keel.agents.mcp;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.ToolContext;
import dev.keel.agents.tool.ToolResult;
import dev.keel.agents.tool.Toolset;
import dev.keel.agents.tool.ToolsetException;
import dev.keel.core.json.Json;
import dev.keel.core.tool.JsonSchema;
import dev.keel.core.tool.ToolSpec;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientSseClientTransport;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpClientTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tools of a Model Context Protocol server, over stdio (a child process), streamable HTTP or SSE, through
 * the official MCP Java SDK. The server is started (or connected to) on the first {@link #tools()} call
 * and stopped by {@link #close()} — the {@code Runner} closes it with the team.
 *
 * <p>A stdio server gets the MCP default environment (HOME, PATH, USER, …) plus the configured variables,
 * not the whole environment of the JVM. Failures never hang the agent: every request has a timeout, and a server error, a crash or a timeout
 * becomes an error result the model sees; the next call reconnects. Servers' {@code readOnlyHint}
 * annotations are ignored unless {@link Builder#trustReadOnlyHints(boolean)} is set, because an untrusted
 * server could otherwise approve its own tools. Thread-safe.
 */
public final class McpToolset implements Toolset {
    private static final Logger log = LoggerFactory.getLogger(McpToolset.class);
    private static final Pattern SAFE_NAME = Pattern.compile("[^a-zA-Z0-9_-]");

    private final String name;
    private final McpTransport transport;
    private final Duration requestTimeout;
    private final boolean trustReadOnlyHints;
    private McpSyncClient client;
    /** The stdio server's process while connected, or null (HTTP transports, or not known). */
    private Process process;
    private List<Tool> tools;
    private boolean closed;
    /** Runs stdio calls so that the caller can stop waiting as soon as the server process dies. */
    private final ExecutorService calls = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "keel-mcp-call");
        t.setDaemon(true);
        return t;
    });

    private McpToolset(Builder b) {
        name = b.name;
        transport = b.transport;
        requestTimeout = b.requestTimeout;
        trustReadOnlyHints = b.trustReadOnlyHints;
    }

    /**
     * A server started as {@code command args...} speaking MCP on stdin/stdout.
     *
     * @param command the program to start
     * @param args the arguments
     * @param env environment variables added to the MCP default environment
     * @return a server started as {@code command args...} speaking MCP on stdin/stdout
     */
    public static McpToolset stdio(String command, List<String> args, Map<String, String> env) {
        return builder(new McpTransport.Stdio(command, args, env)).build();
    }

    /**
     * A server at a streamable-HTTP endpoint such as {@code http://127.0.0.1:3001/mcp}.
     *
     * @param url the endpoint URL
     * @return a server at a streamable-HTTP endpoint such as {@code http://127.0.0.1:3001/mcp}
     */
    public static McpToolset streamableHttp(String url) {
        return builder(new McpTransport.StreamableHttp(url, Map.of())).build();
    }

    /**
     * A server at an SSE endpoint such as {@code http://127.0.0.1:3001/sse}.
     *
     * @param url the endpoint URL
     * @return a server at an SSE endpoint such as {@code http://127.0.0.1:3001/sse}
     */
    public static McpToolset sse(String url) {
        return builder(new McpTransport.Sse(url, Map.of())).build();
    }

    /**
     * Starts a builder for a server reached through {@code transport}.
     *
     * @param transport how to reach the server
     * @return the builder
     */
    public static Builder builder(McpTransport transport) {
        return new Builder(transport);
    }

    /**
     * How the server is reached.
     *
     * @return the transport
     */
    public McpTransport transport() {
        return transport;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public synchronized List<Tool> tools() {
        if (closed) {
            throw new ToolsetException("MCP toolset '" + name + "' is closed");
        }
        if (tools == null) {
            McpSyncClient c = connect();
            List<Tool> list = new ArrayList<>();
            try {
                String cursor = null;
                do {
                    McpSchema.ListToolsResult page = cursor == null ? c.listTools() : c.listTools(cursor);
                    page.tools().forEach(t -> list.add(adapt(t)));
                    cursor = page.nextCursor();
                } while (cursor != null && !cursor.isEmpty());
            } catch (RuntimeException e) {
                dropClient();
                throw new ToolsetException("MCP server '" + name + "' did not list its tools: " + message(e), e);
            }
            tools = List.copyOf(list);
        }
        return tools;
    }

    private McpSyncClient connect() {
        if (client != null) {
            return client;
        }
        McpSyncClient c = null;
        try {
            McpClientTransport t = createTransport();
            c = McpClient.sync(t).requestTimeout(requestTimeout).initializationTimeout(requestTimeout)
                    .clientInfo(new McpSchema.Implementation("keel", "0.1.0")).build();
            c.initialize();
            client = c;
            process = t instanceof SerializedStdioTransport s ? s.process() : null;
            return c;
        } catch (ToolsetException e) {
            throw e;
        } catch (RuntimeException e) {
            if (c != null) {
                closeQuietly(c);
            }
            throw new ToolsetException("cannot start MCP server '" + name + "' (" + transport + "): " + message(e), e);
        }
    }

    private McpClientTransport createTransport() {
        if (transport instanceof McpTransport.Stdio s) {
            checkExecutable(s.command());
            StdioClientTransport t = new SerializedStdioTransport(ServerParameters.builder(s.command()).args(s.args())
                    .env(s.env()).build());
            t.setStdErrorHandler(line -> log.debug("[mcp {}] {}", name, line));
            return t;
        }
        if (transport instanceof McpTransport.StreamableHttp h) {
            URI uri = URI.create(h.url());
            return HttpClientStreamableHttpTransport.builder(base(uri)).endpoint(pathOf(uri, "/mcp"))
                    .jsonMapper(jsonMapper()).httpRequestCustomizer((r, method, target, body, context) ->
                            h.headers().forEach(r::header)).build();
        }
        McpTransport.Sse sse = (McpTransport.Sse) transport;
        URI uri = URI.create(sse.url());
        return HttpClientSseClientTransport.builder(base(uri)).sseEndpoint(pathOf(uri, "/sse"))
                .jsonMapper(jsonMapper()).httpRequestCustomizer((r, method, target, body, context) ->
                        sse.headers().forEach(r::header)).build();
    }

    /** The SDK's JSON binding, on Keel's Jackson 2 configuration (the SDK would otherwise look one up). */
    private static JacksonMcpJsonMapper jsonMapper() {
        return new JacksonMcpJsonMapper(Json.newMapper());
    }

    /** Fails at once for a missing program instead of waiting for the initialisation timeout. */
    private static void checkExecutable(String command) {
        if (command.contains("/")) {
            if (!Files.isExecutable(Path.of(command))) {
                throw new ToolsetException("MCP server command not found or not executable: " + command);
            }
            return;
        }
        String path = Objects.requireNonNullElse(System.getenv("PATH"), "");
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command))) {
                return;
            }
        }
        throw new ToolsetException("MCP server command '" + command + "' is not on the PATH");
    }

    /**
     * The SDK's stdio transport emits outgoing messages into a sink that rejects concurrent emitters
     * ("Failed to enqueue message") when our request and its automatic reply to a server request (ping,
     * roots) collide. Serialising the sends removes the race.
     */
    private static final class SerializedStdioTransport extends StdioClientTransport {
        SerializedStdioTransport(ServerParameters params) {
            super(params, jsonMapper());
        }

        /**
         * The SDK adds the configured environment (which starts from the MCP default set: HOME, PATH, USER,
         * …) to this builder's; starting from an empty one keeps the JVM's other variables, API keys
         * included, away from the server unless the configuration passes them on purpose.
         */
        @Override
        protected ProcessBuilder getProcessBuilder() {
            ProcessBuilder pb = new ProcessBuilder();
            pb.environment().clear();
            return pb;
        }

        @Override
        public synchronized reactor.core.publisher.Mono<Void> sendMessage(McpSchema.JSONRPCMessage message) {
            return super.sendMessage(message);
        }

        /**
         * The server process, so that a crash is noticed at once instead of after the request timeout. The
         * SDK keeps it in a private field (its module is automatic, hence open); null if that ever changes.
         */
        Process process() {
            try {
                java.lang.reflect.Field f = StdioClientTransport.class.getDeclaredField("process");
                f.setAccessible(true);
                return (Process) f.get(this);
            } catch (ReflectiveOperationException | RuntimeException e) {
                log.debug("cannot watch the MCP server process; relying on request timeouts", e);
                return null;
            }
        }
    }

    private static String base(URI uri) {
        return uri.getScheme() + "://" + uri.getRawAuthority();
    }

    private static String pathOf(URI uri, String fallback) {
        String p = uri.getRawPath();
        String q = uri.getRawQuery();
        return (p == null || p.isEmpty() ? fallback : p) + (q == null ? "" : "?" + q);
    }

    private Tool adapt(McpSchema.Tool t) {
        ObjectNode schema = Json.mapper().valueToTree(t.inputSchema());
        stripNulls(schema);
        if (!schema.has("type")) {
            schema.put("type", "object");
        }
        String toolName = SAFE_NAME.matcher(t.name()).replaceAll("_");
        ToolSpec spec = ToolSpec.of(toolName.length() > 64 ? toolName.substring(0, 64) : toolName,
                t.description(), JsonSchema.of(schema));
        boolean readOnly = trustReadOnlyHints && t.annotations() != null && Boolean.TRUE.equals(t.annotations().readOnlyHint());
        String remoteName = t.name();
        return new Tool() {
            @Override
            public ToolSpec spec() {
                return spec;
            }

            @Override
            public boolean readOnly() {
                return readOnly;
            }

            @Override
            public ToolResult call(ObjectNode arguments, ToolContext context) {
                return invoke(remoteName, arguments);
            }

            @Override
            public String toString() {
                return "McpTool[" + name + ":" + remoteName + "]";
            }
        };
    }

    private ToolResult invoke(String tool, ObjectNode arguments) {
        McpSyncClient c;
        Process p;
        synchronized (this) {
            if (closed) {
                return ToolResult.error("MCP server '" + name + "' is closed");
            }
            try {
                c = connect();
            } catch (ToolsetException e) {
                return ToolResult.error(e.getMessage());
            }
            p = process;
        }
        try {
            Map<String, Object> args = Json.mapper().convertValue(arguments, new TypeReference<Map<String, Object>>() {});
            McpSchema.CallToolResult r = call(c, p, new McpSchema.CallToolRequest(tool, args));
            String text = render(r);
            return Boolean.TRUE.equals(r.isError()) ? ToolResult.error(text) : ToolResult.ok(text);
        } catch (RuntimeException e) {
            // A crashed or stuck server: report it to the model and reconnect on the next call.
            synchronized (this) {
                if (client == c) {
                    dropClient();
                }
            }
            return ToolResult.error("MCP server '" + name + "' failed on '" + tool + "': " + message(e));
        }
    }

    /**
     * Calls the tool; for a stdio server whose process is known, waits on the call and the process together
     * so that a server that dies mid-call fails the call at once.
     */
    private McpSchema.CallToolResult call(McpSyncClient c, Process p, McpSchema.CallToolRequest request) {
        if (p == null) {
            return c.callTool(request);
        }
        if (!p.isAlive()) {
            throw new IllegalStateException("the server process exited with code " + p.exitValue());
        }
        CompletableFuture<McpSchema.CallToolResult> result;
        try {
            result = CompletableFuture.supplyAsync(() -> c.callTool(request), calls);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            throw new IllegalStateException("the toolset is closed", e);
        }
        try {
            CompletableFuture.anyOf(result, p.onExit()).get();
        } catch (InterruptedException e) {
            result.cancel(true);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the server", e);
        } catch (ExecutionException e) {
            // The call failed; its own future holds the cause and is rethrown below.
        }
        if (!result.isDone()) {
            result.cancel(true);
            throw new IllegalStateException("the server process exited with code " + p.exitValue());
        }
        try {
            return result.join();
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : e;
        }
    }

    private static String render(McpSchema.CallToolResult r) {
        StringBuilder sb = new StringBuilder();
        if (r.content() != null) {
            for (McpSchema.Content content : r.content()) {
                if (sb.length() > 0) {
                    sb.append('\n');
                }
                if (content instanceof McpSchema.TextContent t) {
                    sb.append(t.text());
                } else {
                    sb.append(Json.write(Json.mapper().valueToTree(content)));
                }
            }
        }
        if (sb.length() == 0 && r.structuredContent() != null) {
            sb.append(Json.write(r.structuredContent()));
        }
        return sb.toString();
    }

    private static void stripNulls(JsonNode node) {
        if (node instanceof ObjectNode o) {
            Iterator<Map.Entry<String, JsonNode>> it = o.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getValue().isNull()) {
                    it.remove();
                } else {
                    stripNulls(e.getValue());
                }
            }
        } else if (node != null && node.isArray()) {
            node.forEach(McpToolset::stripNulls);
        }
    }

    private static String message(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && (t.getMessage() == null || t.getMessage().isBlank())) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    private void dropClient() {
        McpSyncClient c = client;
        client = null;
        process = null;
        tools = null;
        if (c != null) {
            closeQuietly(c);
        }
    }

    private static void closeQuietly(McpSyncClient c) {
        try {
            if (!c.closeGracefully()) {
                c.close();
            }
        } catch (RuntimeException e) {
            log.debug("closing MCP client failed", e);
            try {
                c.close();
            } catch (RuntimeException ignored) {
                // Already broken; nothing more to release.
            }
        }
    }

    /** Stops the server (or disconnects). Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        dropClient();
        calls.shutdownNow();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof McpToolset m && name.equals(m.name) && transport.equals(m.transport)
                && requestTimeout.equals(m.requestTimeout) && trustReadOnlyHints == m.trustReadOnlyHints;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, transport, requestTimeout, trustReadOnlyHints);
    }

    @Override
    public String toString() {
        return "McpToolset[" + name + ", " + transport + "]";
    }

    /** Builder for {@link McpToolset}. Not thread-safe. */
    public static final class Builder {
        private final McpTransport transport;
        private String name;
        private Duration requestTimeout = Duration.ofSeconds(60);
        private boolean trustReadOnlyHints;

        private Builder(McpTransport transport) {
            this.transport = Objects.requireNonNull(transport, "transport");
            this.name = "mcp:" + transport.label();
        }

        /**
         * Name for logs and errors.
         *
         * @param name name for logs and errors
         * @return this builder
         */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * Limit for start-up and for each request; a server that exceeds it is treated as failed.
         *
         * @param timeout limit for start-up and for each request; a server that exceeds it is treated as failed
         * @return this builder
         */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * Lets the server's {@code readOnlyHint} auto-approve its tools. Off by default.
         *
         * @param trust whether to trust the hints
         * @return this builder
         */
        public Builder trustReadOnlyHints(boolean trust) {
            this.trustReadOnlyHints = trust;
            return this;
        }

        /**
         * Builds the toolset; nothing is started until {@link McpToolset#tools()} is called.
         *
         * @return the toolset
         */
        public McpToolset build() {
            return new McpToolset(this);
        }
    }
}
