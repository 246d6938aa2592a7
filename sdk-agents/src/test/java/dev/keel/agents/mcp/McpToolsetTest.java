package dev.keel.agents.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.ToolArguments;
import dev.keel.core.internal.json.Json;
import dev.keel.agents.tool.ToolContext;
import dev.keel.agents.tool.ToolResult;
import dev.keel.agents.tool.Toolset;
import dev.keel.agents.tool.ToolsetException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(120)
class McpToolsetTest {
    /** The newest MCP specification revision; Keel's SDK and the pinned test servers must both speak it. */
    private static final String CURRENT_PROTOCOL = "2025-11-25";

    @TempDir
    Path dir;

    static ToolResult call(Toolset set, String tool, String json) throws Exception {
        Tool t = set.tools().stream().filter(x -> x.spec().name().equals(tool)).findFirst()
                .orElseThrow(() -> new AssertionError("no tool " + tool + " in " + set.tools()));
        return t.call(ToolArguments.parse(json), new ToolContext("a", "s", new ConcurrentHashMap<>()));
    }

    @Test
    void filesystemServerOverStdio() throws Exception {
        Files.writeString(dir.resolve("notes.txt"), "keel notes");
        try (McpToolset fs = McpServers.filesystem(dir.toRealPath())) {
            assertThat(fs.tools()).extracting(t -> t.spec().name()).contains("list_directory", "write_file");
            assertThat(fs.tools()).allMatch(t -> !t.readOnly());
            assertThat(call(fs, "list_directory", "{\"path\":\"" + dir.toRealPath() + "\"}").content()).contains("notes.txt");
            ToolResult write = call(fs, "write_file", "{\"path\":\"" + dir.toRealPath().resolve("out.txt") + "\",\"content\":\"hi\"}");
            assertThat(write.error()).isFalse();
            assertThat(Files.readString(dir.resolve("out.txt"))).isEqualTo("hi");
            ToolResult outside = call(fs, "list_directory", "{\"path\":\"/etc\"}");
            assertThat(outside.error()).isTrue();
            assertThat(outside.content()).containsIgnoringCase("denied");
        }
    }

    @Test
    void everythingServerOverStdioWithTrustedHints() throws Exception {
        try (McpToolset everything = McpToolset.builder(new McpTransport.Stdio("node",
                List.of(McpServers.script("server-everything"), "stdio"), Map.of())).trustReadOnlyHints(true).build()) {
            assertThat(call(everything, "echo", "{\"message\":\"hello\"}")).isEqualTo(ToolResult.ok("Echo: hello"));
            assertThat(call(everything, "get-sum", "{\"a\":2,\"b\":40}").content()).contains("42");
            assertThat(everything.tools()).filteredOn(t -> t.spec().name().equals("echo")).allMatch(Tool::readOnly);
            ToolResult bad = call(everything, "get-sum", "{\"a\":\"two\"}");
            assertThat(bad.error()).isTrue();
        }
    }

    @Test
    void everythingServerOverStreamableHttp() throws Exception {
        int port = McpServers.freePort();
        Process server = McpServers.everythingHttp("streamableHttp", port);
        try (McpToolset http = McpToolset.streamableHttp("http://127.0.0.1:" + port + "/mcp")) {
            assertThat(call(http, "echo", "{\"message\":\"over http\"}").content()).isEqualTo("Echo: over http");
            server.destroyForcibly().waitFor();
            long start = System.nanoTime();
            ToolResult gone = call(http, "echo", "{\"message\":\"nobody there\"}");
            assertThat(gone.error()).isTrue();
            assertThat(gone.content()).contains("failed on 'echo'");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
        } finally {
            server.destroyForcibly().waitFor();
        }
    }

    @Test
    void everythingServerOverSse() throws Exception {
        int port = McpServers.freePort();
        Process server = McpServers.everythingHttp("sse", port);
        try (McpToolset sse = McpToolset.sse("http://127.0.0.1:" + port + "/sse")) {
            assertThat(call(sse, "echo", "{\"message\":\"over sse\"}").content()).isEqualTo("Echo: over sse");
            server.destroyForcibly().waitFor();
            long start = System.nanoTime();
            ToolResult gone = call(sse, "echo", "{\"message\":\"nobody there\"}");
            assertThat(gone.error()).isTrue();
            assertThat(gone.content()).contains("failed on 'echo'");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
        } finally {
            server.destroyForcibly().waitFor();
        }
    }

    @Test
    void crashingServerBecomesAToolErrorNotAHang() throws Exception {
        Path crash = Path.of(getClass().getResource("/mcp/crash-server.js").toURI());
        McpServers.home();
        try (McpToolset set = McpToolset.builder(new McpTransport.Stdio("node", List.of(crash.toString()), Map.of()))
                .requestTimeout(Duration.ofSeconds(3)).build()) {
            set.tools();
            long start = System.nanoTime();
            ToolResult r = call(set, "explode", "{}");
            assertThat(r.error()).isTrue();
            assertThat(r.content()).contains("MCP server", "failed on 'explode'", "exited with code 3");
            // Noticed when the process died, not after the 3 s request timeout.
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
            // The next call starts a fresh server process and fails the same way instead of hanging.
            assertThat(call(set, "explode", "{}").error()).isTrue();
        }
    }

    @Test
    void realServerKilledBetweenCallsIsRestartedAtTheNextCall() throws Exception {
        try (McpToolset everything = McpServers.everythingStdio()) {
            assertThat(call(everything, "echo", "{\"message\":\"before\"}").content()).isEqualTo("Echo: before");
            List<ProcessHandle> servers = nodeChildren();
            assertThat(servers).isNotEmpty();
            servers.forEach(ProcessHandle::destroyForcibly);
            for (ProcessHandle h : servers) {
                h.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
            }
            // The next call notices the dead process and starts a fresh one (a call in flight when a server dies
            // fails: see crashingServerBecomesAToolErrorNotAHang).
            assertThat(call(everything, "echo", "{\"message\":\"after\"}")).isEqualTo(ToolResult.ok("Echo: after"));
            assertThat(nodeChildren()).singleElement().satisfies(p -> assertThat(servers).doesNotContain(p));
        }
    }

    @Test
    void realServerThatTakesTooLongIsATimeoutErrorNotAHang() throws Exception {
        try (McpToolset everything = McpToolset.builder(new McpTransport.Stdio("node",
                List.of(McpServers.script("server-everything"), "stdio"), Map.of())).requestTimeout(Duration.ofSeconds(2)).build()) {
            everything.tools();
            long start = System.nanoTime();
            ToolResult slow = call(everything, "trigger-long-running-operation", "{\"duration\":30,\"steps\":3}");
            assertThat(slow.error()).isTrue();
            assertThat(slow.content()).contains("failed on 'trigger-long-running-operation'");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
            assertThat(call(everything, "echo", "{\"message\":\"still here\"}").content()).isEqualTo("Echo: still here");
        }
    }

    @Test
    void teamFileRemoteServersOverStreamableHttpAndSse() throws Exception {
        int httpPort = McpServers.freePort();
        int ssePort = McpServers.freePort();
        Process http = McpServers.everythingHttp("streamableHttp", httpPort);
        Process sse = McpServers.everythingHttp("sse", ssePort);
        String yaml = """
                agents:
                  root:
                    model: openai/gpt-5
                    toolsets:
                      - type: mcp
                        remote:
                          url: ${env.HTTP_URL}
                          transport_type: streamable
                          headers:
                            X-Team: $TEAM
                        tools: [echo]
                        allow_private_ips: true
                      - type: mcp
                        ref: legacy
                mcps:
                  legacy:
                    remote:
                      url: ${env.SSE_URL}
                      transport_type: sse
                    tools: [get-sum]
                    allow_private_ips: true
                """;
        Map<String, String> env = Map.of("HTTP_URL", "http://127.0.0.1:" + httpPort + "/mcp",
                "SSE_URL", "http://127.0.0.1:" + ssePort + "/sse", "TEAM", "keel");
        dev.keel.agents.team.Team team = dev.keel.agents.team.Teams.parse(yaml, "remote.yaml",
                dev.keel.agents.team.TeamOptions.defaults(dir).withEnv(env).withCheckKeys(false));
        List<Toolset> sets = team.root().toolsets();
        try {
            assertThat(sets.get(0).tools()).extracting(t -> t.spec().name()).containsExactly("echo");
            assertThat(call(sets.get(0), "echo", "{\"message\":\"from yaml\"}").content()).isEqualTo("Echo: from yaml");
            assertThat(call(sets.get(1), "get-sum", "{\"a\":1,\"b\":2}").content()).contains("3");
        } finally {
            sets.forEach(Toolset::close);
            http.destroyForcibly().waitFor();
            sse.destroyForcibly().waitFor();
        }
    }

    /**
     * As docker-agent's protected clients, a team file's remote server on a loopback, private or link-local address
     * is refused unless the toolset opts in with {@code allow_private_ips: true}: the live server on loopback is never
     * reached, whatever the address's spelling, and the same file with the opt-in reaches it.
     */
    @Test
    void teamFileRemoteServersOnPrivateAddressesNeedTheOptIn() throws Exception {
        int port = McpServers.freePort();
        Process http = McpServers.everythingHttp("streamableHttp", port);
        try {
            for (String url : List.of("http://127.0.0.1:" + port + "/mcp", "http://localhost:" + port + "/mcp",
                    "http://[::1]:" + port + "/mcp", "http://169.254.169.254/mcp", "http://10.1.2.3:8080/mcp",
                    "http://127.0.0.2:" + port + "/mcp")) {
                dev.keel.agents.team.Team team = dev.keel.agents.team.Teams.parse("""
                        agents:
                          root:
                            model: openai/gpt-5
                            toolsets:
                              - type: mcp
                                remote:
                                  url: %s
                        """.formatted(url), "remote.yaml",
                        dev.keel.agents.team.TeamOptions.defaults(dir).withEnv(Map.of()).withCheckKeys(false));
                assertThat(team.warnings()).as(url).isEmpty(); // nothing is looked up at load
                Toolset set = team.root().toolsets().get(0);
                try {
                    assertThatThrownBy(set::tools).as(url).hasMessageContaining("is a private address")
                            .hasMessageContaining("set allow_private_ips: true");
                } finally {
                    set.close();
                }
            }
            dev.keel.agents.team.Team allowed = dev.keel.agents.team.Teams.parse("""
                    agents:
                      root:
                        model: openai/gpt-5
                        toolsets:
                          - type: mcp
                            remote:
                              url: http://127.0.0.1:%d/mcp
                            allow_private_ips: true
                            tools: [echo]
                    """.formatted(port), "remote.yaml",
                    dev.keel.agents.team.TeamOptions.defaults(dir).withEnv(Map.of()).withCheckKeys(false));
            Toolset set = allowed.root().toolsets().get(0);
            try {
                assertThat(set.tools()).extracting(t -> t.spec().name()).containsExactly("echo");
            } finally {
                set.close();
            }
        } finally {
            http.destroyForcibly().waitFor();
        }
    }

    /**
     * Keel offers the newest MCP revision (2025-11-25) and the pinned npm servers accept it: the
     * initialize exchange is read off the wire by {@code tee}s between Keel and the real server.
     */
    @Test
    void negotiatesTheCurrentProtocolRevisionWithTheRealServer() throws Exception {
        Path sent = dir.resolve("sent.jsonl");
        Path received = dir.resolve("received.jsonl");
        String pipeline = "tee \"$0\" | node \"$2\" stdio | tee \"$1\"";
        try (McpToolset everything = McpToolset.stdio("sh", List.of("-c", pipeline, sent.toString(), received.toString(),
                McpServers.script("server-everything")), Map.of())) {
            assertThat(call(everything, "echo", "{\"message\":\"over tee\"}").content()).isEqualTo("Echo: over tee");
        }
        com.fasterxml.jackson.databind.JsonNode initialize = Files.readAllLines(sent).stream().map(Json::parse)
                .filter(m -> m.path("method").asText().equals("initialize")).findFirst().orElseThrow();
        assertThat(initialize.path("params").path("protocolVersion").asText()).isEqualTo(CURRENT_PROTOCOL);
        com.fasterxml.jackson.databind.JsonNode answer = Files.readAllLines(received).stream().map(Json::parse)
                .filter(m -> m.path("id").equals(initialize.path("id")) && m.has("result")).findFirst().orElseThrow();
        assertThat(answer.path("result").path("protocolVersion").asText()).isEqualTo(CURRENT_PROTOCOL);
    }

    @Test
    void serverThatCannotStartIsATypedError() {
        McpToolset set = McpToolset.stdio("/nonexistent/mcp-server", List.of(), Map.of());
        assertThatThrownBy(set::tools).isInstanceOf(ToolsetException.class).hasMessageContaining("/nonexistent/mcp-server").hasMessageContaining("not found");
        set.close();
        set.close();
    }

    @Test
    void closeStopsTheServerProcess() throws Exception {
        McpToolset set = McpServers.everythingStdio();
        set.tools();
        assertThat(nodeChildren()).isNotEmpty();
        set.close();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!nodeChildren().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(nodeChildren()).isEmpty();
        assertThatThrownBy(set::tools).isInstanceOf(ToolsetException.class).hasMessageContaining("closed");
    }

    @Test
    void stdioServersSeeOnlyTheDefaultAndConfiguredEnvironment() throws Exception {
        try (McpToolset everything = McpToolset.stdio("node", List.of(McpServers.script("server-everything"), "stdio"),
                Map.of("KEEL_TEST_VAR", "visible"))) {
            String env = call(everything, "get-env", "{}").content();
            assertThat(env).contains("KEEL_TEST_VAR", "visible", "PATH");
            java.util.Set<String> defaults = java.util.Set.of("HOME", "LOGNAME", "PATH", "SHELL", "TERM", "USER");
            System.getenv().keySet().stream().filter(k -> !defaults.contains(k) && k.matches("[A-Z_]{4,}"))
                    .forEach(k -> assertThat(env).as("JVM variable %s leaked", k).doesNotContain("\"" + k + "\""));
        }
    }

    private static List<ProcessHandle> nodeChildren() {
        return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
                .filter(p -> p.info().command().map(c -> c.endsWith("node")).orElse(false)).toList();
    }
}
