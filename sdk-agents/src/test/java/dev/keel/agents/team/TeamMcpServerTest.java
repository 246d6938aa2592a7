package dev.keel.agents.team;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.agents.Runner;
import dev.keel.agents.mcp.McpRestartPolicy;
import dev.keel.agents.mcp.McpServers;
import dev.keel.core.message.ToolResultMessage;
import dev.keel.testing.model.ScriptedModelServer;
import dev.keel.testing.model.ScriptedReply;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stdio MCP toolset's {@code working_dir}: the real filesystem MCP server, told to serve {@code .}, serves the
 * folder the file names relative to the team's working directory (not the JVM's); a folder that does not exist
 * fails the run naming it; a remote server's {@code working_dir} is a warning.
 *
 * <p>Its {@code lifecycle} restart settings against the real server-everything over stdio, killed
 * with SIGKILL between runs: {@code on_failure} restarts it at the next use (a new process), a restart that
 * fails counts, and past {@code max_restarts} the toolset stays down and every run that needs it fails saying
 * why; {@code never} leaves it down and starts nothing. The backoff is a pure function of the restart number (property).
 */
class TeamMcpServerTest {
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

    private Team load(String lifecycle) {
        return Teams.parse("""
                agents:
                  root:
                    model: openai/main-model
                    toolsets:
                      - type: mcp
                        command: node
                        args: ["%s", "stdio"]
                        working_dir: srv
                        tools: [echo]
                        lifecycle:
                %s
                """.formatted(McpServers.script("server-everything"), lifecycle.indent(10).stripTrailing()), "team.yaml",
                TeamFiles.isolated(dir));
    }

    private Team loadFilesystem(String workingDir) {
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
                TeamFiles.isolated(dir));
    }

    /** The server-everything processes this JVM started. */
    private static List<ProcessHandle> servers() {
        return ProcessHandle.current().descendants().filter(p -> p.info().commandLine()
                .map(c -> c.contains("server-everything")).orElse(false)).toList();
    }

    private static void kill(ProcessHandle p) throws Exception {
        p.destroyForcibly();
        p.onExit().get(30, TimeUnit.SECONDS);
    }

    /** Runs one turn that echoes {@code message}; returns the tool's result. */
    private String echo(Runner runner, String message) {
        llm.respond(ScriptedReply.toolCall("echo", Map.of("message", message))).respond(ScriptedReply.text("ok"));
        int before = llm.requests().size();
        runner.run("echo " + message);
        return ((ToolResultMessage) llm.requests().get(before + 1).lastMessage()).content();
    }

    @Test
    void onFailureRestartsAKilledServerAndGivesUpPastMaxRestarts() throws Exception {
        Path srv = Files.createDirectory(dir.resolve("srv"));
        Team team = load("""
                restart: on_failure
                max_restarts: 1
                backoff:
                  initial: 0s
                """);
        assertThat(team.warnings()).isEmpty();
        try (Runner runner = team.runner().models(llm.models()).yolo(true).build()) {
            assertThat(echo(runner, "one")).contains("one");
            ProcessHandle first = servers().get(0);
            kill(first);

            assertThat(echo(runner, "two")).as("restarted at the next call").contains("two");
            assertThat(servers()).singleElement().satisfies(p -> assertThat(p.pid()).isNotEqualTo(first.pid()));

            kill(servers().get(0));
            Files.delete(srv); // the next restart fails: that is the one restart allowed in a row
            // a toolset that cannot list its tools fails the run that needs it, naming why
            assertThatThrownBy(() -> echo(runner, "three")).hasMessageContaining("not a directory");
            Files.createDirectory(srv);
            assertThatThrownBy(() -> echo(runner, "four"))
                    .hasMessageContaining("stopped again after 1 restart in a row and is not restarted")
                    .hasMessageContaining("max_restarts: 1");
            assertThat(servers()).isEmpty();
        }
    }

    @Test
    void neverLeavesAKilledServerDown() throws Exception {
        Files.createDirectory(dir.resolve("srv"));
        Team team = load("restart: never\n");
        try (Runner runner = team.runner().models(llm.models()).yolo(true).build()) {
            assertThat(echo(runner, "one")).contains("one");
            kill(servers().get(0));
            // the call that finds it dead is a tool error; later runs that need the toolset fail, saying why
            assertThat(echo(runner, "two")).contains("is not restarted (lifecycle restart: never)");
            assertThatThrownBy(() -> echo(runner, "three")).hasMessageContaining("is not restarted");
            assertThat(servers()).isEmpty();
        }
    }

    @Test
    void badLifecycleValuesAreLocatedErrors() {
        assertThatThrownBy(() -> load("restart: sometimes\n")).isInstanceOf(TeamFileException.class)
                .hasMessageContaining("lifecycle.restart").hasMessageContaining("never, on_failure or always");
        assertThatThrownBy(() -> load("max_restarts: -2\n")).isInstanceOf(TeamFileException.class)
                .hasMessageContaining("lifecycle.max_restarts");
        assertThatThrownBy(() -> load("profile: reckless\n")).isInstanceOf(TeamFileException.class)
                .hasMessageContaining("lifecycle.profile");
    }

    @Property
    void backoffGrowsAndStaysWithinItsBounds(@ForAll @IntRange(min = 0, max = 5_000) int initialMillis,
                                             @ForAll @IntRange(min = 0, max = 60_000) int extraMillis,
                                             @ForAll @DoubleRange(min = 1, max = 10) double multiplier,
                                             @ForAll @IntRange(min = 1, max = 200) int restart) {
        Duration initial = Duration.ofMillis(initialMillis);
        Duration max = initial.plusMillis(extraMillis);
        McpRestartPolicy policy = new McpRestartPolicy(McpRestartPolicy.Mode.ON_FAILURE, 3, initial, max, multiplier);
        Duration wait = policy.backoff(restart);
        assertThat(wait).isLessThanOrEqualTo(max).isGreaterThanOrEqualTo(restart == 1 ? initial : Duration.ZERO);
        assertThat(policy.backoff(restart + 1)).isGreaterThanOrEqualTo(wait);
        assertThat(policy.allows(2)).isTrue();
        assertThat(policy.allows(3)).isFalse();
    }

    @Test
    void theServerStartsInTheFoldersNamedRelativeToTheTeamsWorkingDirectory() throws Exception {
        Path project = Files.createDirectories(dir.resolve("project")).toRealPath();
        Team team = loadFilesystem("project");
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
        Team team = loadFilesystem("no-such-folder");
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
                """, "team.yaml", TeamFiles.isolated(dir));
        assertThat(team.warnings()).singleElement().asString()
                .contains("working_dir: ignored: a remote MCP server has no local process");
    }
}
