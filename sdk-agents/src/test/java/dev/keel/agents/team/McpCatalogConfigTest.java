package dev.keel.agents.team;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.agents.mcp.McpServers;
import dev.keel.agents.mcp.McpTransport;
import dev.keel.agents.tool.Toolset;
import dev.keel.core.json.JsonNull;
import dev.keel.core.json.JsonObject;
import dev.keel.core.json.JsonValue;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Docker MCP catalog reference's {@code config} reaches the server as docker-agent sends it: the gateway gets
 * it as its {@code --config} file (owner-only, gone when the toolset closes), a server the host maps with a
 * factory is built from it. The gateway here is a stand-in {@code docker} on the search path that records what it
 * was given and then runs a real MCP server.
 */
class McpCatalogConfigTest {
    @TempDir
    Path dir;

    private static final String GITHUB_WITH_CONFIG = """
            mcps:
              github:
                ref: docker:github-official
                config:
                  repositories: [example/app, example/lib]
                  read_only: true
                  page_size: 30
                  owner: {name: Example, id: null}
            agents:
              root:
                model: openai/gpt-5
                toolsets:
                  - type: mcp
                    ref: github
                    tools: [echo]
            """;

    /** A {@code docker} that answers {@code mcp version}, then for {@code gateway run} records and serves. */
    private TeamResolver fakeGateway(Path capture, boolean serve) throws IOException {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Files.createDirectories(capture);
        String script = """
                #!/bin/sh
                if [ "$1 $2" = "mcp version" ]; then echo v0.40.0; exit 0; fi
                for a in "$@"; do
                  echo "$a" >> "%1$s/args"
                  case "$a" in --config=*) f="${a#--config=}"; cp "$f" "%1$s/config.json"; stat -c %%a "$f" > "%1$s/mode";; esac
                done
                %2$s
                """.formatted(capture, serve ? "exec node '" + McpServers.script("server-everything") + "' stdio"
                : "exit 3");
        Path docker = Files.writeString(bin.resolve("docker"), script);
        Files.setPosixFilePermissions(docker, PosixFilePermissions.fromString("rwxr-xr-x"));
        return TeamResolver.builder().searchPath(bin.toString()).build();
    }

    private Team parse(String yaml, TeamResolver resolver) {
        return Teams.parse(yaml, "t.yaml", TeamFiles.isolated(dir).withResolver(resolver));
    }

    private static Path configArgument(List<String> args) {
        return args.stream().filter(a -> a.startsWith("--config=")).map(a -> Path.of(a.substring(9))).findFirst()
                .orElseThrow();
    }

    @Test
    void theGatewayGetsTheConfigAsAnOwnerOnlyFileThatIsGoneWhenTheToolsetCloses() throws IOException {
        Path capture = dir.resolve("capture");
        Team team = parse(GITHUB_WITH_CONFIG, fakeGateway(capture, true));
        assertThat(team.warnings()).isEmpty();
        Toolset github = team.root().toolsets().get(0);
        Path configFile;
        try {
            assertThat(github.tools()).extracting(t -> t.spec().name()).containsExactly("echo");
            List<String> args = Files.readAllLines(capture.resolve("args"));
            assertThat(args).startsWith("mcp", "gateway", "run", "--servers=github-official");
            configFile = configArgument(args);
            assertThat(configFile).exists();
            assertThat(Files.readString(capture.resolve("mode")).trim()).isEqualTo("600");
            JsonValue written = JsonValue.parse(Files.readString(capture.resolve("config.json")));
            assertThat(written).isEqualTo(JsonObject.of(Map.of("github-official", JsonValue.parse("""
                    {"repositories":["example/app","example/lib"],"read_only":true,"page_size":30,
                     "owner":{"name":"Example","id":null}}"""))));
        } finally {
            github.close();
        }
        assertThat(configFile).doesNotExist();
    }

    @Test
    void aGatewayThatCannotStartLeavesNoConfigFileBehindOnceClosed() throws IOException {
        Path capture = dir.resolve("capture");
        Team team = parse(GITHUB_WITH_CONFIG, fakeGateway(capture, false));
        Toolset github = team.root().toolsets().get(0);
        try {
            assertThatThrownBy(github::tools).hasMessageContaining("mcp:github")
                    .hasMessageContaining("exited with code 3 before it answered the initialize request");
        } finally {
            github.close();
        }
        assertThat(configArgument(Files.readAllLines(capture.resolve("args")))).doesNotExist();
    }

    @Test
    void withoutConfigTheGatewayGetsNoConfigFile() throws IOException {
        Path capture = dir.resolve("capture");
        Team team = parse("""
                agents:
                  root:
                    model: openai/gpt-5
                    toolsets:
                      - type: mcp
                        ref: docker:everything
                        tools: [echo]
                """, fakeGateway(capture, true));
        Toolset everything = team.root().toolsets().get(0);
        try {
            assertThat(everything.tools()).hasSize(1);
            assertThat(Files.readAllLines(capture.resolve("args")))
                    .containsExactly("mcp", "gateway", "run", "--servers=everything");
        } finally {
            everything.close();
        }
    }

    @Test
    void aServerTheHostMapsWithAFactoryIsBuiltFromTheConfigOncePerToolset() {
        List<JsonValue> seen = new CopyOnWriteArrayList<>();
        String everything = McpServers.script("server-everything");
        TeamResolver resolver = TeamResolver.builder().dockerMcpGateway(false)
                .mcpServer("github-official", config -> {
                    seen.add(config);
                    return new McpTransport.Stdio("node", List.of(everything, "stdio"), Map.of());
                }).build();
        Team team = parse(GITHUB_WITH_CONFIG.replace("""
                  - type: mcp
                    ref: github
                    tools: [echo]
            """, """
                  - type: mcp
                    ref: github
                    tools: [echo]
                  - type: mcp
                    ref: docker:github-official
                    tools: [echo]
            """), resolver);
        try {
            for (Toolset t : team.root().toolsets()) {
                assertThat(t.tools()).extracting(tool -> tool.spec().name()).containsExactly("echo");
            }
            assertThat(seen).hasSize(2);
            assertThat(seen.get(0)).isInstanceOf(JsonObject.class);
            assertThat(((JsonObject) seen.get(0)).toJson()).contains("\"repositories\":[\"example/app\",\"example/lib\"]");
            assertThat(seen.get(1)).isEqualTo(JsonNull.INSTANCE);
            assertThat(resolver.toString()).contains("github-official");
        } finally {
            team.root().toolsets().forEach(Toolset::close);
        }
    }

    @Test
    void aFactoryThatReturnsNullIsANamedStartError() {
        TeamResolver resolver = TeamResolver.builder().mcpServer("github-official", config -> null).build();
        Team team = parse(GITHUB_WITH_CONFIG, resolver);
        Toolset github = team.root().toolsets().get(0);
        try {
            assertThatThrownBy(github::tools).hasMessageContaining("github-official").hasMessageContaining("null");
        } finally {
            github.close();
        }
    }

    @Test
    void configOnAServerThatIsNotACatalogReferenceIsALocatedWarning() {
        Team team = parse("""
                agents:
                  root:
                    model: openai/gpt-5
                    toolsets:
                      - type: mcp
                        command: node
                        args: [server.js]
                        config:
                          verbose: true
                """, TeamResolver.defaults());
        assertThat(team.warnings()).singleElement().asString().startsWith("t.yaml:8: agents.root.toolsets[0].config: "
                + "ignored: it configures a Docker MCP catalog server (ref: docker:NAME)");
    }
}
