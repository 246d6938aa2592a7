package dev.keel.agents.team;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.agents.mcp.McpServers;
import dev.keel.agents.mcp.McpTransport;
import dev.keel.agents.tool.Toolset;
import dev.keel.agents.toolsets.FilesystemToolset;
import dev.keel.agents.toolsets.MemoryToolset;
import dev.keel.agents.toolsets.ThinkToolset;
import dev.keel.agents.toolsets.TodoToolset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A valid docker-agent file never fails to load: what it needs from outside (variables, Docker's MCP gateway)
 * is checked when the team starts, fields of other schema versions are migrated or reported, and only a
 * near miss of a known field is an error.
 */
class LenientLoadingTest {
    @TempDir
    Path dir;

    private TeamOptions options(Map<String, String> env) {
        return TeamFiles.isolated(dir, env);
    }

    private Team parse(String yaml, Map<String, String> env) {
        return Teams.parse(yaml, "t.yaml", options(env));
    }

    @Test
    void anUnsetVariableInAToolsetEnvLoadsAndFailsWhenTheToolsetStartsNamingIt() {
        Team team = parse("""
                agents:
                  root:
                    model: openai/gpt-5
                    toolsets:
                      - type: shell
                        env:
                          TOKEN: $NOT_SET_ANYWHERE
                """, Map.of());
        Toolset shell = team.root().toolsets().get(0);
        assertThatThrownBy(shell::tools).isInstanceOfSatisfying(MissingPrerequisiteException.class, e -> {
            assertThat(e.reference()).isEqualTo("$NOT_SET_ANYWHERE");
            assertThat(e.getMessage()).contains("environment variable NOT_SET_ANYWHERE, which is not set");
        });
        // Set later (the same options, a fresh load): the toolset is built at once.
        Team later = parse("""
                agents:
                  root:
                    model: openai/gpt-5
                    toolsets:
                      - type: shell
                        env:
                          TOKEN: $NOT_SET_ANYWHERE
                """, Map.of("NOT_SET_ANYWHERE", "now-set"));
        assertThat(later.root().toolsets().get(0).tools()).extracting(t -> t.spec().name()).containsExactly("shell");
    }

    @Test
    void aRemoteMcpServerWithAnUnsetHeaderVariableLoads() {
        Team team = parse("""
                agents:
                  root:
                    model: openai/gpt-5
                    toolsets:
                      - type: mcp
                        remote:
                          url: https://mcp.example.com/mcp
                          headers:
                            Authorization: Bearer ${env.REMOTE_MCP_TOKEN}
                """, Map.of());
        assertThat(team.warnings()).isEmpty();
        assertThatThrownBy(() -> team.root().toolsets().get(0).tools())
                .isInstanceOf(MissingPrerequisiteException.class).hasMessageContaining("REMOTE_MCP_TOKEN");
    }

    private static final String DOCKER_REF = """
            agents:
              root:
                model: openai/gpt-5
                toolsets:
                  - type: mcp
                    ref: docker:duckduckgo
            """;

    @Test
    void aDockerCatalogReferenceWithoutDockerFailsAtStartSayingWhatToInstallOrMap() throws Exception {
        Path emptyPath = Files.createDirectories(dir.resolve("empty-path"));
        TeamResolver noDocker = TeamResolver.builder().searchPath(emptyPath.toString()).build();
        Team team = Teams.parse(DOCKER_REF, "t.yaml", options(Map.of()).withResolver(noDocker));
        assertThat(team.warnings()).isEmpty();
        assertThatThrownBy(() -> team.root().toolsets().get(0).tools())
                .isInstanceOfSatisfying(MissingPrerequisiteException.class, e -> {
                    assertThat(e.reference()).isEqualTo("docker:duckduckgo");
                    assertThat(e.getMessage()).contains("'docker' is not on the PATH")
                            .contains("install Docker Desktop (or Docker Engine) with the MCP Toolkit")
                            .contains("TeamResolver.builder().mcpServer(\"duckduckgo\", transport)");
                });
    }

    @Test
    void dockerWithoutItsMcpPluginIsNamedToo() throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path docker = Files.writeString(bin.resolve("docker"), "#!/bin/sh\necho \"docker: 'mcp' is not a docker command\" >&2\nexit 1\n");
        Files.setPosixFilePermissions(docker, PosixFilePermissions.fromString("rwxr-xr-x"));
        TeamResolver resolver = TeamResolver.builder().searchPath(bin.toString()).build();
        Team team = Teams.parse(DOCKER_REF, "t.yaml", options(Map.of()).withResolver(resolver));
        assertThatThrownBy(() -> team.root().toolsets().get(0).tools())
                .isInstanceOf(MissingPrerequisiteException.class)
                .hasMessageContaining("the 'docker mcp' plugin is not installed");
    }

    @Test
    void aDockerCatalogNameMappedToYourOwnServerRunsThatServer() {
        String everything = McpServers.script("server-everything");
        TeamResolver resolver = TeamResolver.builder()
                .mcpServer("everything", new McpTransport.Stdio("node", List.of(everything, "stdio"), Map.of()))
                .dockerMcpGateway(false).build();
        Team team = Teams.parse("""
                agents:
                  root:
                    model: openai/gpt-5
                    toolsets:
                      - type: mcp
                        ref: docker:everything
                        tools: [echo]
                      - type: mcp
                        ref: docker:not-mapped
                """, "t.yaml", options(Map.of()).withResolver(resolver));
        try {
            assertThat(team.root().toolsets().get(0).tools()).extracting(t -> t.spec().name()).containsExactly("echo");
            assertThatThrownBy(() -> team.root().toolsets().get(1).tools())
                    .isInstanceOf(MissingPrerequisiteException.class)
                    .hasMessageContaining("'docker:not-mapped' needs a server for the Docker MCP catalog name 'not-mapped'");
        } finally {
            team.root().toolsets().forEach(Toolset::close);
        }
    }

    @Test
    void anUnsetVariableInAnInstructionIsEmptyWithAWarningAndADefaultIsUsed() {
        Team team = parse("""
                agents:
                  root:
                    model: openai/gpt-5
                    instruction: Hello ${env.NOBODY_SET_THIS}! Deploy to ${env.TARGET || 'staging'}.
                """, Map.of());
        assertThat(team.root().instruction()).isEqualTo("Hello ! Deploy to staging.");
        assertThat(team.warnings()).containsExactly(
                "t.yaml:4: agents.root.instruction: environment variable NOBODY_SET_THIS is not set; expanded to ''");
    }

    @Test
    void unknownFieldsAreLocatedWarningsAndNearMissesAreErrors() {
        Team team = parse("""
                agents:
                  root:
                    model: openai/gpt-5
                    favourite_colour: blue
                    toolsets:
                      - type: think
                        sparkles: true
                telemetry:
                  enabled: true
                """, Map.of());
        assertThat(team.warnings()).containsExactly(
                "t.yaml:4: agents.root.favourite_colour: unknown field, ignored (not in docker-agent's schema version "
                        + TeamSchema.LATEST_VERSION + " or earlier)",
                "t.yaml:7: agents.root.toolsets[0].sparkles: unknown field, ignored (not in docker-agent's schema "
                        + "version " + TeamSchema.LATEST_VERSION + " or earlier)",
                "t.yaml:8: telemetry: unknown field, ignored (not in docker-agent's schema version "
                        + TeamSchema.LATEST_VERSION + " or earlier)");
        assertThatThrownBy(() -> parse("""
                agents:
                  root:
                    model: openai/gpt-5
                    subagents: [helper]
                  helper:
                    model: openai/gpt-5
                """, Map.of())).isInstanceOfSatisfying(TeamFileException.class, e -> {
                    assertThat(e.line()).isEqualTo(4);
                    assertThat(e.problem()).isEqualTo("unknown field 'subagents'; did you mean 'sub_agents'?");
                });
        assertThatThrownBy(() -> parse("models:\n  m:\n    provider: openai\n    modle: gpt-5\nagents:\n  root:\n    model: m\n",
                Map.of())).hasMessage("t.yaml:4: models.m.modle: unknown field 'modle'; did you mean 'model'?");
    }

    @Test
    void aFieldWrittenInAnotherCaseIsReadAsTheKnownOne() {
        Team team = parse("""
                agents:
                  root:
                    model: github-model
                models:
                  github-model:
                    provider: openai
                    model: gpt-5
                    base_url: https://models.github.ai/inference
                    token_Key: GITHUB_TOKEN
                """, Map.of());
        assertThat(((dev.keel.agents.AgentModel.Configured) team.root().model()).config().tokenKey()).isEqualTo("GITHUB_TOKEN");
        assertThat(team.warnings()).containsExactly(
                "t.yaml:9: models.github-model.token_Key: read as 'token_key' (field names are lower case)");
    }

    @Test
    void versionZeroFieldsAreMigratedStepWise() {
        Team team = parse("""
                agents:
                  root:
                    model: fast
                    think: true
                    todo:
                      shared: true
                    memory:
                      path: notes.jsonl
                    toolsets:
                      - type: filesystem
                models:
                  fast:
                    type: openai
                    model: gpt-5-mini
                """, Map.of());
        // v0's agent flags become toolsets, todo, think, memory first and the agent's own after them.
        assertThat(team.root().toolsets()).hasExactlyElementsOfTypes(TodoToolset.class, ThinkToolset.class,
                MemoryToolset.class, FilesystemToolset.class);
        assertThat(((MemoryToolset) team.root().toolsets().get(2)).path()).isEqualTo(dir.resolve("notes.jsonl"));
        assertThat(team.root().model().label()).isEqualTo("openai/gpt-5-mini");
        // No version means the latest, where these are fields of version 0: docker-agent would refuse them.
        assertThat(team.schemaVersion()).isEqualTo(TeamSchema.LATEST_VERSION);
        assertThat(team.warnings()).hasSize(4).allSatisfy(w -> assertThat(w).contains("a field of docker-agent schema version 0"));
        Team v0 = parse("version: \"0\"\nagents:\n  root:\n    model: fast\n    think: true\nmodels:\n  fast:\n    type: openai\n"
                + "    model: gpt-5-mini\n", Map.of());
        assertThat(v0.warnings()).isEmpty();
        assertThat(v0.root().toolsets()).hasExactlyElementsOfTypes(ThinkToolset.class);
    }

    @Test
    void aNewerVersionThanKeelKnowsLoadsAsTheLatest() {
        Team team = parse("version: \"99\"\nagents:\n  root:\n    model: openai/gpt-5\n", Map.of());
        assertThat(team.schemaVersion()).isEqualTo(TeamSchema.LATEST_VERSION);
        assertThat(team.warnings()).singleElement().asString().contains("schema version 99 is newer than Keel knows");
    }

    @Test
    void toolsWorkInTheProcessWorkingDirectoryNotTheFilesFolder() {
        Team team = Teams.parse("agents:\n  root:\n    model: openai/gpt-5\n    toolsets:\n      - type: filesystem\n",
                "t.yaml", TeamOptions.defaults(dir));
        assertThat(((FilesystemToolset) team.root().toolsets().get(0)).root()).isEqualTo(Path.of("").toAbsolutePath());
        assertThat(TeamOptions.defaults(dir).workingDirectory()).isEqualTo(Path.of("").toAbsolutePath());
    }
}
