package dev.keel.agents.mcp;

import dev.keel.agents.tool.ToolsetException;
import dev.keel.core.internal.json.Json;
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
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection to one MCP server: starts it (stdio) or connects (HTTP) on first use through the MCP Java
 * SDK, lists its tools, calls them with a timeout and — for a stdio server — fails a call at once when the
 * process dies, drops a broken connection so the next use reconnects as its {@link McpRestartPolicy} allows, and
 * stops the server on close.
 * Knows nothing about Keel's tools; {@link McpTools} adapts them. Thread-safe.
 */
final class McpConnection {
    private static final Logger log = LoggerFactory.getLogger(McpConnection.class);

    private final String name;
    private final McpTransport transport;
    private final Duration requestTimeout;
    private final Duration startupTimeout;
    private McpSyncClient client;
    /** The stdio server's process while connected, or null (HTTP transports, or not known). */
    private Process process;
    private boolean closed;
    /** Incremented each time a connection is dropped: tools listed before may be stale. */
    private int drops;
    /** Whether and how a server that stopped is started again. */
    private final McpRestartPolicy restart;
    /** Restarts since the last successful call. */
    private int restarts;
    /** When the last connection was dropped ({@link System#nanoTime()}), for the backoff. */
    private long droppedAt;
    /** Whether the last dropped stdio server had exited with status 0. */
    private boolean exitedCleanly;
    /** Runs calls so that the caller stops waiting at the per-call limit, or as soon as a stdio server process dies. */
    private final ExecutorService calls = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "keel-mcp-call");
        t.setDaemon(true);
        return t;
    });

    McpConnection(String name, McpTransport transport, Duration requestTimeout, Duration startupTimeout,
                  McpRestartPolicy restart) {
        this.restart = restart;
        this.name = name;
        this.transport = transport;
        this.requestTimeout = requestTimeout;
        this.startupTimeout = startupTimeout;
    }

    /**
     * Every tool the server offers, following its pages.
     *
     * @throws ToolsetException when the server cannot be started or does not list its tools (the connection
     *                          is dropped, so the next use starts afresh)
     */
    synchronized List<McpSchema.Tool> listTools() {
        dropIfDead();
        McpSyncClient c = connect();
        List<McpSchema.Tool> list = new ArrayList<>();
        try {
            String cursor = null;
            do {
                McpSchema.ListToolsResult page = cursor == null ? c.listTools() : c.listTools(cursor);
                list.addAll(page.tools());
                cursor = page.nextCursor();
            } while (cursor != null && !cursor.isEmpty());
        } catch (RuntimeException e) {
            drop();
            throw new ToolsetException("MCP server '" + name + "' did not list its tools: " + message(e), e);
        }
        return list;
    }

    /**
     * Calls {@code tool}. The call itself runs outside the lock, so parallel calls proceed together.
     *
     * @throws ToolsetException when the server cannot be (re)started
     * @throws RuntimeException when the call fails, times out or the server dies; the connection is dropped
     */
    McpSchema.CallToolResult callTool(String tool, Map<String, Object> arguments) {
        McpSyncClient c;
        Process p;
        synchronized (this) {
            if (closed) {
                throw new ToolsetException("MCP server '" + name + "' is closed");
            }
            dropIfDead();
            c = connect();
            p = process;
        }
        try {
            McpSchema.CallToolResult result = call(c, p, new McpSchema.CallToolRequest(tool, arguments));
            synchronized (this) {
                restarts = 0;
            }
            return result;
        } catch (RuntimeException e) {
            // A crashed or stuck server: the next call reconnects.
            synchronized (this) {
                if (client == c) {
                    drop();
                }
            }
            throw e;
        }
    }

    synchronized boolean isClosed() {
        return closed;
    }

    /** How many times a connection was dropped so far; tools listed under an older count are relisted. */
    synchronized int drops() {
        return drops;
    }

    private McpSyncClient connect() {
        if (closed) {
            throw new ToolsetException("MCP toolset '" + name + "' is closed");
        }
        if (client != null) {
            return client;
        }
        if (drops > 0) {
            beforeRestart();
        }
        McpSyncClient c = null;
        try {
            McpClientTransport t = createTransport();
            // The SDK applies its request timeout to the initialize request too, so a server that starts slowly
            // on a loaded machine would fail within the (short) per-call limit: the SDK's limit is the longer
            // of the two, and call() enforces the per-call limit itself.
            Duration sdkTimeout = requestTimeout.compareTo(startupTimeout) >= 0 ? requestTimeout : startupTimeout;
            c = McpClient.sync(t).requestTimeout(sdkTimeout).initializationTimeout(startupTimeout)
                    .clientInfo(new McpSchema.Implementation("keel", "0.1.0")).build();
            initialize(c, t);
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

    /**
     * Initializes the session. A stdio server that exits before it answers fails at once with its exit code,
     * instead of after the startup timeout (a gateway or package runner that cannot start exits within
     * milliseconds, and a minute of silence would hide why).
     */
    private void initialize(McpSyncClient c, McpClientTransport t) {
        if (!(t instanceof SerializedStdioTransport stdio)) {
            c.initialize();
            return;
        }
        CompletableFuture<Object> init = CompletableFuture.supplyAsync(c::initialize, calls);
        try {
            Process p = null;
            // The SDK starts the process inside initialize(); wait until it is known (or the answer came).
            while (p == null && !init.isDone()) {
                try {
                    init.get(20, java.util.concurrent.TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.TimeoutException e) {
                    p = stdio.process();
                }
            }
            if (p != null) {
                CompletableFuture.anyOf(init, p.onExit()).get();
                if (!init.isDone()) {
                    init.cancel(true);
                    throw new IllegalStateException("the server process exited with code " + p.exitValue()
                            + " before it answered the initialize request");
                }
            }
            init.join();
        } catch (InterruptedException e) {
            init.cancel(true);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the server started", e);
        } catch (ExecutionException | java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        }
    }

    private McpClientTransport createTransport() {
        if (transport instanceof McpTransport.Stdio s) {
            java.io.File dir = null;
            if (s.workingDirectory() != null) {
                if (!Files.isDirectory(s.workingDirectory())) {
                    throw new ToolsetException("the working directory of MCP server '" + name + "' is not a directory: "
                            + s.workingDirectory());
                }
                dir = s.workingDirectory().toFile();
            }
            checkExecutable(s.command(), s.workingDirectory());
            StdioClientTransport t = new SerializedStdioTransport(ServerParameters.builder(s.command()).args(s.args())
                    .env(s.env()).build(), dir);
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
    private static void checkExecutable(String command, Path workingDirectory) {
        if (command.contains("/")) {
            Path program = workingDirectory != null ? workingDirectory.resolve(command) : Path.of(command);
            if (!Files.isExecutable(program)) {
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
        /** Where the process starts; null = the JVM's working directory. */
        private final java.io.File directory;

        SerializedStdioTransport(ServerParameters params, java.io.File directory) {
            super(params, jsonMapper());
            this.directory = directory;
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
            return pb.directory(directory);
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

    /**
     * Calls the tool; for a stdio server whose process is known, waits on the call and the process together
     * so that a server that dies mid-call fails the call at once.
     */
    private McpSchema.CallToolResult call(McpSyncClient c, Process p, McpSchema.CallToolRequest request) {
        if (p != null && !p.isAlive()) {
            throw new IllegalStateException("the server process exited with code " + p.exitValue());
        }
        CompletableFuture<McpSchema.CallToolResult> result;
        try {
            result = CompletableFuture.supplyAsync(() -> c.callTool(request), calls);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            throw new IllegalStateException("the toolset is closed", e);
        }
        try {
            (p == null ? result : CompletableFuture.anyOf(result, p.onExit()))
                    .get(requestTimeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            result.cancel(true);
            throw new IllegalStateException("timed out: no answer from the server within "
                    + requestTimeout.toMillis() + " ms", e);
        } catch (InterruptedException e) {
            result.cancel(true);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the server", e);
        } catch (ExecutionException e) {
            // The call failed; its own future holds the cause and is rethrown below.
        }
        if (!result.isDone()) { // only a stdio server's exit ends the wait without the result
            result.cancel(true);
            throw new IllegalStateException("the server process exited with code " + p.exitValue());
        }
        try {
            return result.join();
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : e;
        }
    }

    /** Forgets the current connection (the next use reconnects) and stops it. */
    /** A stdio server that died since its last use is restarted (as the policy allows) rather than waited on. */
    private void dropIfDead() {
        if (process != null && !process.isAlive()) {
            drop();
        }
    }

    /**
     * Applies the restart policy to a server that stopped: refuses with the reason, or waits out the backoff (under
     * the lock: other uses wait for the same restart) and counts the restart.
     */
    private void beforeRestart() {
        if (restart.mode() == McpRestartPolicy.Mode.NEVER) {
            throw new ToolsetException("MCP server '" + name + "' stopped and is not restarted (lifecycle restart: never)");
        }
        if (restart.mode() == McpRestartPolicy.Mode.ON_FAILURE && exitedCleanly) {
            throw new ToolsetException("MCP server '" + name + "' exited with status 0 and is not restarted "
                    + "(lifecycle restart: on_failure)");
        }
        if (!restart.allows(restarts)) {
            throw new ToolsetException("MCP server '" + name + "' stopped again after " + restarts + " restart"
                    + (restarts == 1 ? "" : "s") + " in a row and is not restarted (lifecycle max_restarts: "
                    + restart.maxRestarts() + ")");
        }
        long waitNanos = restart.backoff(restarts + 1).toNanos() - (System.nanoTime() - droppedAt);
        if (waitNanos > 0) {
            try {
                java.util.concurrent.TimeUnit.NANOSECONDS.sleep(waitNanos);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ToolsetException("interrupted while waiting to restart MCP server '" + name + "'", e);
            }
        }
        restarts++;
        log.info("restarting MCP server '{}' (restart {} in a row)", name, restarts);
    }

    private void drop() {
        McpSyncClient c = client;
        Process p = process;
        exitedCleanly = p != null && !p.isAlive() && p.exitValue() == 0;
        droppedAt = System.nanoTime();
        client = null;
        process = null;
        drops++;
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

    /** Stops the server (or disconnects); later uses fail. Idempotent. */
    synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        drop();
        calls.shutdownNow();
    }

    /** The most useful message of a failure: the first one in its cause chain that says something. */
    static String message(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && (t.getMessage() == null || t.getMessage().isBlank())) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

}
