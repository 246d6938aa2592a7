package dev.keel.agents.mcp;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/** How to reach an MCP server. Values; header and environment values are never shown by toString. */
public sealed interface McpTransport {

    /** Short label for names and logs. */
    String label();

    /** A child process speaking MCP over stdin/stdout; {@code env} is added to the inherited environment. */
    record Stdio(String command, List<String> args, Map<String, String> env) implements McpTransport {
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

    /** A streamable-HTTP endpoint. */
    record StreamableHttp(String url, Map<String, String> headers) implements McpTransport {
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

    /** An SSE endpoint (the older HTTP transport). */
    record Sse(String url, Map<String, String> headers) implements McpTransport {
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
