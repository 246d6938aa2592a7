package dev.keel.agents.mcp;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/** How to reach an MCP server. Values; header and environment values are never shown by toString. */
public sealed interface McpTransport {

    /**
     * Short label for names and logs.
     *
     * @return the label
     */
    String label();

    /**
     * A child process speaking MCP over stdin/stdout; {@code env} is added to the inherited environment.
     *
     * @param command the program to start
     * @param args its arguments
     * @param env variables added to the MCP default environment
     */
    record Stdio(String command, List<String> args, Map<String, String> env) implements McpTransport {
        /**
         * Creates the transport, copying the lists.
         *
         * @param command the program to start
         * @param args its arguments
         * @param env variables added to the MCP default environment
         */
        public Stdio {
            Objects.requireNonNull(command, "command");
            args = List.copyOf(args == null ? List.of() : args);
            env = Map.copyOf(env == null ? Map.of() : env);
        }

        @Override
        public String label() {
            return command.substring(command.lastIndexOf('/') + 1);
        }

        @Override
        public String toString() {
            return "stdio " + command + " " + args + " env=" + env.keySet().stream().sorted().toList();
        }
    }

    /**
     * A streamable-HTTP endpoint.
     *
     * @param url the endpoint URL
     * @param headers extra request headers
     */
    record StreamableHttp(String url, Map<String, String> headers) implements McpTransport {
        /**
         * Creates the transport, copying the headers.
         *
         * @param url the endpoint URL
         * @param headers extra request headers
         */
        public StreamableHttp {
            Objects.requireNonNull(url, "url");
            headers = Map.copyOf(headers == null ? Map.of() : headers);
        }

        @Override
        public String label() {
            return url;
        }

        @Override
        public String toString() {
            return "streamable-http " + url + " headers=" + headers.keySet().stream().sorted().toList();
        }
    }

    /**
     * An SSE endpoint (the older HTTP transport).
     *
     * @param url the endpoint URL
     * @param headers extra request headers
     */
    record Sse(String url, Map<String, String> headers) implements McpTransport {
        /**
         * Creates the transport, copying the headers.
         *
         * @param url the endpoint URL
         * @param headers extra request headers
         */
        public Sse {
            Objects.requireNonNull(url, "url");
            headers = Map.copyOf(headers == null ? Map.of() : headers);
        }

        @Override
        public String label() {
            return url;
        }

        @Override
        public String toString() {
            return "sse " + url + " headers=" + headers.keySet().stream().sorted().toList();
        }
    }
}
