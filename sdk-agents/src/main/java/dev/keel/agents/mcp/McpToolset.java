package dev.keel.agents.mcp;

import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.Toolset;
import dev.keel.agents.tool.ToolsetException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Tools of a Model Context Protocol server, over stdio (a child process), streamable HTTP or SSE, through
 * the official MCP Java SDK. The server is started (or connected to) on the first {@link #tools()} call
 * and stopped by {@link #close()} — the {@code Runner} closes it with the team. (The connection's work is
 * {@code McpConnection}'s, the adaptation of the server's tools to Keel's {@code McpTools}'.)
 *
 * <p>A stdio server gets the MCP default environment (HOME, PATH, USER, …) plus the configured variables,
 * not the whole environment of the JVM. Failures never hang the agent: every request has a timeout, and a server error, a crash or a timeout
 * becomes an error result the model sees; the next call reconnects. Servers' {@code readOnlyHint}
 * annotations are ignored unless {@link Builder#trustReadOnlyHints(boolean)} is set, because an untrusted
 * server could otherwise approve its own tools. Thread-safe.
 */
public final class McpToolset implements Toolset {
    /** Default limit for a server to start and answer {@code initialize}: slow machines start node servers slowly. */
    static final Duration DEFAULT_STARTUP = Duration.ofSeconds(60);
    private final String name;
    private final McpTransport transport;
    private final Duration requestTimeout;
    private final Duration startupTimeout;
    private final boolean trustReadOnlyHints;
    private final McpConnection connection;
    /** The adapted tools, listed once per connection. */
    private List<Tool> tools;
    private int listedAtDrops;

    private McpToolset(Builder b) {
        name = b.name;
        transport = b.transport;
        requestTimeout = b.requestTimeout;
        startupTimeout = b.startupTimeout != null ? b.startupTimeout
                : requestTimeout.compareTo(DEFAULT_STARTUP) > 0 ? requestTimeout : DEFAULT_STARTUP;
        trustReadOnlyHints = b.trustReadOnlyHints;
        connection = new McpConnection(name, transport, requestTimeout, startupTimeout);
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
        if (connection.isClosed()) {
            throw new ToolsetException("MCP toolset '" + name + "' is closed");
        }
        if (tools == null || listedAtDrops != connection.drops()) {
            // First use, or the server was restarted after a failure: its tools may have changed.
            tools = null;
            List<Tool> listed = connection.listTools().stream()
                    .map(t -> McpTools.adapt(t, name, connection, trustReadOnlyHints)).toList();
            listedAtDrops = connection.drops();
            tools = listed;
        }
        return tools;
    }

    /** Stops the server (or disconnects). Idempotent. */
    @Override
    public void close() {
        connection.close();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof McpToolset m && name.equals(m.name) && transport.equals(m.transport)
                && requestTimeout.equals(m.requestTimeout) && startupTimeout.equals(m.startupTimeout)
                && trustReadOnlyHints == m.trustReadOnlyHints;
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
        private Duration startupTimeout;
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
         * Limit for each request; a server that exceeds it is treated as failed.
         *
         * @param timeout limit for each request
         * @return this builder
         */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * Limit for the server to start and answer {@code initialize} (docker-agent's {@code lifecycle.startup_timeout});
         * default: 60 s, or the request timeout when that is longer.
         *
         * @param timeout the limit
         * @return this builder
         */
        public Builder startupTimeout(Duration timeout) {
            this.startupTimeout = Objects.requireNonNull(timeout, "timeout");
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
