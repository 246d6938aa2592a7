package dev.keel.integration.agents;

import dev.keel.agents.*;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.agents.recording.RecordedRun;
import dev.keel.agents.recording.RecordedStep;
import dev.keel.agents.team.Team;
import dev.keel.agents.team.TeamOptions;
import dev.keel.agents.team.Teams;
import dev.keel.core.exec.Command;
import dev.keel.core.exec.CommandRunner;
import dev.keel.core.exec.ExecResult;
import dev.keel.core.exec.LocalCommandRunner;
import dev.keel.core.exec.OutputListener;
import dev.keel.core.http.HttpClients;
import dev.keel.core.http.HttpConfig;
import dev.keel.testing.model.RecordedChatRequest;
import dev.keel.testing.model.ScriptedModelServer;
import dev.keel.testing.model.ScriptedReply;
import dev.keel.testing.model.ScriptedToolCall;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A team with sub-agents, a real npm MCP server (stdio), a shell tool and a fetch is recorded against the
 * scripted model server, then replayed with the model server and the fetched server closed and the MCP
 * server's executable deleted: the replay prints the same transcript, starts no process and opens no socket.
 */
@Timeout(120)
class WholeRunRecordingTest {
    @TempDir
    Path dir;

    private static Path mcpServer() {
        String override = System.getenv("KEEL_MCP_HOME");
        Path home = override != null ? Path.of(override) : Path.of(System.getProperty("user.home"), ".cache/keel/mcp");
        Path server = home.resolve("node_modules/@modelcontextprotocol/server-filesystem/dist/index.js");
        Assumptions.assumeTrue(Files.exists(server) || "true".equals(System.getenv("CI")),
                "MCP servers not installed (scripts/setup/mcp-servers.sh)");
        return server;
    }

    private static String teamYaml(Path mcpCommand, Path workspace, int fetchPort) {
        return """
                version: "2"
                agents:
                  root:
                    model: openai/scripted
                    instruction: You lead. Send research to the researcher and building to the builder, then report.
                    sub_agents: [researcher, builder]
                  researcher:
                    model: openai/scripted
                    description: Reads the workspace and the web
                    instruction: You research.
                    toolsets:
                      - type: mcp
                        command: %s
                        args: ["%s"]
                      - type: fetch
                        allowed_hosts: ["127.0.0.1"]
                        allow_private_ips: true   # the fetched server is on loopback
                  builder:
                    model: openai/scripted
                    description: Runs commands
                    instruction: You build.
                    toolsets:
                      - type: shell
                permissions:
                  allow: ["shell", "list_directory"]
                """.formatted(mcpCommand, workspace, fetchPort);
    }

    private static ScriptedReply script(RecordedChatRequest req, Path workspace, int fetchPort) {
        long step = req.messages().stream().filter(m -> m instanceof dev.keel.core.message.ToolResultMessage).count();
        String system = req.systemPrompt();
        if (system.startsWith("You lead.")) {
            return step == 0 ? ScriptedReply.toolCalls(
                    ScriptedToolCall.of("transfer_task", Map.of("agent", "researcher", "task", "What is in the workspace and the notes?", "expected_output", "a summary")),
                    ScriptedToolCall.of("transfer_task", Map.of("agent", "builder", "task", "Build out.txt", "expected_output", "the output")))
                    : ScriptedReply.text("Done: the researcher and the builder reported.");
        }
        if (system.startsWith("You research.")) {
            return step == 0 ? ScriptedReply.toolCalls(
                    ScriptedToolCall.of("list_directory", Map.of("path", workspace.toString())),
                    ScriptedToolCall.of("fetch", Map.of("urls", List.of("http://127.0.0.1:" + fetchPort + "/notes"))))
                    : ScriptedReply.text("The workspace has notes.md; the notes say: remember the milk.");
        }
        return step == 0 ? ScriptedReply.toolCall("shell", Map.of("cmd", "echo built > out.txt && cat out.txt"))
                : ScriptedReply.text("built");
    }

    /** An executable that records each start in {@code marker}, then runs the real MCP server. */
    private static Path wrapper(Path bin, Path server, Path marker) throws IOException {
        Files.createDirectories(bin);
        Path script = bin.resolve("mcp-files");
        Files.writeString(script, "#!/bin/sh\necho started >> '" + marker + "'\nexec node '" + server + "' \"$@\"\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        return script;
    }

    private List<String> run(Team team, Recording recording, ScriptedModelServer llm, Path workspace) {
        List<String> lines = new CopyOnWriteArrayList<>();
        Runner.Builder builder = team.runner().recording(recording);
        if (llm != null) {
            builder.models(llm.models());
        }
        try (Runner runner = builder.build();
             AgentEvents.Subscription s = runner.events().subscribe(e -> lines.add(line(e, workspace)))) {
            runner.run("Look around and build it");
        }
        return lines.stream().filter(l -> !l.isEmpty()).sorted().toList();
    }

    private static String line(AgentEvent e, Path workspace) {
        String s;
        if (e instanceof AgentEvent.ToolCallFinished f) {
            s = f.agent() + " " + f.call().name() + " " + f.call().arguments() + " = " + f.result() + (f.error() ? " (error)" : "");
        } else if (e instanceof AgentEvent.ToolCallApproved a) {
            s = a.agent() + " approved " + a.call().name() + " by " + a.how();
        } else if (e instanceof AgentEvent.TextDelta d) {
            s = d.agent() + " says " + d.text();
        } else if (e instanceof AgentEvent.DelegationFinished d) {
            s = d.agent() + " got from " + d.subAgent() + ": " + d.result();
        } else if (e instanceof AgentEvent.RunCompleted c) {
            s = "completed by " + c.agent() + ": " + c.result().output();
        } else {
            return "";
        }
        return s.replace(workspace.toString(), "<ws>");
    }

    @Test
    void aRecordedTeamRunReplaysWithTheModelServerTheFetchedServerAndTheMcpBinaryGone() throws Exception {
        Path server = mcpServer();
        Path marker = dir.resolve("mcp-starts.txt");
        Path recordWs = Files.createDirectories(dir.resolve("record-ws"));
        Files.writeString(recordWs.resolve("notes.md"), "remember the milk");
        Path recording = dir.resolve("team.run.yaml");

        AtomicInteger fetches = new AtomicInteger();
        TinyHttpServer notes = TinyHttpServer.serving("remember the milk", fetches);
        int port = notes.port();

        List<String> recorded;
        OkHttpClient http = HttpClients.create(HttpConfig.defaults());
        try (ScriptedModelServer llm = ScriptedModelServer.start()) {
            llm.respondWith(req -> script(req, recordWs, port));
            Recording rec = Recording.builder(recording, Recording.Mode.RECORD).workspaceRoot(recordWs).build();
            // No wrapping by hand: the recorded runner records the team's shell commands and fetches itself.
            TeamOptions options = TeamOptions.defaults(recordWs)
                    .withCommandRunner(LocalCommandRunner.in(recordWs))
                    .withHttpClient(http);
            Team team = Teams.parse(teamYaml(wrapper(dir.resolve("bin-record"), server, marker), recordWs, port), "team.yaml", options);
            recorded = run(team, rec, llm, recordWs);
            llm.assertNoFailures();
        } finally {
            notes.close();
        }
        assertThat(Files.readAllLines(marker)).as("the MCP server ran while recording").hasSize(1);
        assertThat(fetches).hasValue(1);
        assertThat(recorded).contains("completed by root: Done: the researcher and the builder reported.",
                "builder shell {\"cmd\":\"echo built > out.txt && cat out.txt\"} = built\n");
        assertThat(recorded).anySatisfy(l -> assertThat(l).startsWith("researcher list_directory").contains("notes.md"));

        RecordedRun run = RecordedRun.read(recording);
        assertThat(run.steps(RecordedStep.CommandRun.class)).singleElement().satisfies(c -> {
            assertThat(c.argv()).containsExactly("sh", "-c", "echo built > out.txt && cat out.txt");
            assertThat(c.exitCode()).isZero();
            assertThat(c.stdout()).isEqualTo("built\n");
            assertThat(c.tag().agent()).isEqualTo("builder");
            assertThat(c.tag().session()).isEqualTo("s1/0.1:builder");
        });
        assertThat(run.steps(RecordedStep.HttpFetch.class)).singleElement().satisfies(f -> {
            assertThat(f.url()).isEqualTo("http://127.0.0.1:" + port + "/notes");
            assertThat(f.status()).isEqualTo(200);
            assertThat(f.tag().agent()).isEqualTo("researcher");
        });
        assertThat(run.toolsets()).anySatisfy(t -> {
            assertThat(t.toolset()).isEqualTo("mcp:mcp-files");
            assertThat(t.tools()).extracting(spec -> spec.name()).contains("list_directory", "read_text_file");
        });
        assertThat(Files.readString(recording)).doesNotContain(recordWs.toString() + "/notes.md\"")
                .contains(recordWs.toString());

        // Replay: no model server, nothing listening on the fetched port, the MCP executable deleted, another workspace.
        Path replayWs = Files.createDirectories(dir.resolve("replay-ws"));
        Path gone = dir.resolve("bin-replay").resolve("mcp-files");
        Recording replay = Recording.builder(recording, Recording.Mode.REPLAY).workspaceRoot(replayWs).build();
        CommandRunner host = LocalCommandRunner.in(replayWs);
        TeamOptions options = TeamOptions.defaults(replayWs).withCommandRunner(new CommandRunner() {
            @Override
            public ExecResult run(Command command, OutputListener listener) {
                throw new AssertionError("a command ran during the replay: " + command);
            }

            @Override
            public String describe() {
                return host.describe(); // the shell's instructions name where commands run: the same place
            }
        });
        Team team = Teams.parse(teamYaml(gone, replayWs, port), "team.yaml", options);
        List<String> replayed = run(team, replay, null, replayWs);
        assertThat(replayed).isEqualTo(recorded);
        assertThat(Files.readAllLines(marker)).as("no MCP server started during the replay").hasSize(1);
        assertThat(Files.exists(gone)).isFalse();
        assertThat(fetches).hasValue(1);
        assertThat(Files.exists(replayWs.resolve("out.txt"))).as("the shell did not run").isFalse();

        // The same team with a changed instruction: the first divergence names the agent and turn.
        Team changed = Teams.parse(teamYaml(gone, replayWs, port).replace("You research.", "You research thoroughly."),
                "team.yaml", options);
        assertThatThrownBy(() -> run(changed, Recording.builder(recording, Recording.Mode.REPLAY).workspaceRoot(replayWs).build(),
                null, replayWs)).isInstanceOfSatisfying(RecordingDivergenceException.class, e -> {
                    assertThat(e.agent()).isEqualTo("researcher");
                    assertThat(e.turn()).isZero();
                    assertThat(e.diff()).contains("+   | You research thoroughly.");
                });
    }
}
