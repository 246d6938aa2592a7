package dev.keel.agents.team;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.agents.Runner;
import dev.keel.agents.mcp.McpServers;
import dev.keel.core.message.ToolResultMessage;
import dev.keel.testing.model.ScriptedModelServer;
import dev.keel.testing.model.ScriptedReply;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An MCP toolset's {@code working_dir}: the real filesystem MCP server, told to serve {@code .}, serves the folder
 * the file names relative to the team's working directory (not the JVM's); a folder that does not exist fails the
 * run naming it; a remote server's {@code working_dir} is a warning.
 */
class TeamMcpWorkingDirTest {
    @TempDir
    Path dir;
    private ScriptedModelServer llm;

    @BeforeEach
    void start() {
        llm = ScriptedModelServer.start();
    }

    @AfterEach
    void stop() {
        llm.close();
    }

    private Team load(String workingDir) {
        return Teams.parse("""
                agents:
                  root:
                    model: openai/main-model
                    toolsets:
                      - type: mcp
                        command: node
                        args: ["%s", "."]
                        working_dir: %s
                """.formatted(McpServers.script("server-filesystem"), workingDir), "team.yaml",
                TeamOptions.defaults(dir).withWorkingDirectory(dir).withEnv(Map.of()));
    }

    @Test
    void theServerStartsInTheFoldersNamedRelativeToTheTeamsWorkingDirectory() throws Exception {
        Path project = Files.createDirectories(dir.resolve("project")).toRealPath();
        Team team = load("project");
        assertThat(team.warnings()).isEmpty();
        llm.respond(ScriptedReply.toolCall("list_allowed_directories", Map.of())).respond(ScriptedReply.text("done"));
        try (Runner runner = team.runner().models(llm.models()).yolo(true).build()) {
            runner.run("where do you work?");
        }
        String allowed = ((ToolResultMessage) llm.requests().get(1).lastMessage()).content();
        assertThat(allowed).contains(project.toString())
                .doesNotContain(Path.of("").toAbsolutePath().toRealPath().toString() + "\n");
    }

    @Test
    void aMissingFolderFailsTheRunNamingIt() {
        Team team = load("no-such-folder");
        llm.respond(ScriptedReply.text("unused"));
        try (Runner runner = team.runner().models(llm.models()).yolo(true).build()) {
            assertThatThrownBy(() -> runner.run("go")).hasMessageContaining(dir.resolve("no-such-folder").toString())
                    .hasMessageContaining("not a directory");
        }
        assertThat(llm.requests()).isEmpty();
    }

    @Test
    void aRemoteServersWorkingDirIsAWarning() {
        Team team = Teams.parse("""
                agents:
                  root:
                    model: openai/main-model
                    toolsets:
                      - type: mcp
                        remote:
                          url: http://127.0.0.1:9/mcp
                        working_dir: somewhere
                """, "team.yaml", TeamOptions.defaults(dir).withWorkingDirectory(dir).withEnv(Map.of()));
        assertThat(team.warnings()).singleElement().asString()
                .contains("working_dir: ignored: a remote MCP server has no local process");
    }
}
