package dev.keel.agents.team;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.agents.Runner;
import dev.keel.core.exec.Command;
import dev.keel.core.exec.CommandRunner;
import dev.keel.core.exec.ExecResult;
import dev.keel.core.exec.OutputListener;
import dev.keel.core.message.ToolResultMessage;
import dev.keel.testing.model.ScriptedModelServer;
import dev.keel.testing.model.ScriptedReply;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a team file's sandbox fields ask for, without booting a VM: a malformed {@code network_allowlist} entry is
 * a located load error, a sandbox that cannot be created fails the run before the model is asked and before any
 * command, a host application's {@link SandboxFactory} gets the request (workspaces, read-only paths, allowlist,
 * image, working directory) and its sandbox is shared, started per runner and closed with it.
 */
class TeamSandboxTest {
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

    private TeamOptions options() {
        return TeamFiles.isolated(dir);
    }

    @Test
    void malformedAllowlistEntriesAreLocatedErrors() {
        for (String bad : List.of("exa mple.com", "example.com:99999", "example.com:http", "[::1", "[::1]x",
                "300.1.2.3", ":443", "10.0.0.0/99", "example.com:0", "example.com:-1", "example.com:65536",
                "[::1]:0", "[::1]:", "example.com:")) {
            String yaml = """
                    runtime:
                      sandbox: true
                      network_allowlist:
                        - api.example.com
                        - "%s"
                    agents:
                      root:
                        model: openai/main-model
                    """.formatted(bad);
            assertThatThrownBy(() -> Teams.parse(yaml, "team.yaml", options())).as(bad)
                    .isInstanceOfSatisfying(TeamFileException.class, e -> {
                        assertThat(e.line()).isEqualTo(5);
                        assertThat(e.field()).isEqualTo("runtime.network_allowlist[1]");
                        assertThat(e.problem()).contains("'" + bad + "'");
                    });
        }
        Team fine = Teams.parse("""
                runtime:
                  network_allowlist: [api.example.com, "*.npmjs.org", "127.0.0.1", "10.0.0.0/8", "[::1]:8080", "::1"]
                agents:
                  root:
                    model: openai/main-model
                """, "team.yaml", options());
        assertThat(fine.warnings()).as("a port is a port rule, not a warning").isEmpty();
        Team withMcp = Teams.parse("""
                runtime:
                  sandbox: true
                agents:
                  root:
                    model: openai/main-model
                    toolsets:
                      - type: mcp
                        command: node
                      - type: background_jobs
                """, "team.yaml", options());
        assertThat(withMcp.warnings()).as("no silent host run").hasSize(2)
                .anySatisfy(w -> assertThat(w).contains("agents.root.toolsets[0].command: runs on the host"))
                .anySatisfy(w -> assertThat(w).contains("agents.root.toolsets[1].type: background jobs run on the host"));
    }

    @Test
    void aSandboxThatCannotBeCreatedFailsTheRunBeforeAnyCommandAndNeverFallsBackToTheHost() throws Exception {
        Path noPrerequisites = Files.createDirectory(dir.resolve("empty-cache"));
        Team team = Teams.parse("""
                agents:
                  root:
                    model: openai/main-model
                    toolsets:
                      - type: shell
                        sandbox: true
                """, "team.yaml", options().withEnv(Map.of("KEEL_SANDBOX_CACHE", noPrerequisites.toString())));
        llm.respond(ScriptedReply.toolCall("shell", Map.of("cmd", "touch ran-on-the-host")))
                .respond(ScriptedReply.text("done"));
        try (Runner runner = team.runner().models(llm.models()).yolo(true).build()) {
            assertThatThrownBy(() -> runner.run("go")).hasMessageContaining("agents.root.toolsets[0].sandbox")
                    .hasMessageContaining("scripts/setup/sandbox.sh")
                    .hasRootCauseInstanceOf(MissingPrerequisiteException.class);
        }
        assertThat(llm.requests()).as("the model was never asked").isEmpty();
        assertThat(dir.resolve("ran-on-the-host")).doesNotExist();
    }

    /** A host application's sandbox: records what it ran and whether it is closed. */
    static final class FakeSandbox implements CommandRunner, AutoCloseable {
        final List<String> commands = new CopyOnWriteArrayList<>();
        final AtomicInteger closes = new AtomicInteger();

        @Override
        public ExecResult run(Command command, OutputListener listener) {
            commands.add(String.join(" ", command.argv()));
            return new ExecResult(0, "in the host's sandbox\n", "", false, false, Duration.ZERO);
        }

        @Override
        public void close() {
            closes.incrementAndGet();
        }
    }

    @Test
    void aHostFactoryGetsTheRequestAndItsSandboxIsSharedStartedPerRunnerAndClosedWithIt() throws Exception {
        Files.createDirectories(dir.resolve("docs"));
        List<SandboxFactory.Request> requests = new CopyOnWriteArrayList<>();
        List<FakeSandbox> started = new CopyOnWriteArrayList<>();
        SandboxFactory factory = request -> {
            requests.add(request);
            FakeSandbox box = new FakeSandbox();
            started.add(box);
            return box;
        };
        Team team = Teams.parse("""
                runtime:
                  sandbox: true
                  network_allowlist: ["registry.npmjs.org:443"]
                agents:
                  root:
                    model: openai/main-model
                    sub_agents: [helper]
                    toolsets:
                      - type: shell
                        sandbox:
                          image: golang:1.23
                          paths: [".", "docs:ro"]
                      - type: script
                        shell:
                          build:
                            cmd: make
                  helper:
                    model: openai/main-model
                    toolsets:
                      - type: shell
                        sandbox: false
                """, "team.yaml", options().withServices(TeamServices.builder().sandboxes(factory).build()));
        assertThat(team.warnings()).as("the host's factory can run images and enforce ports").isEmpty();
        for (int round = 1; round <= 2; round++) {
            llm.respond(ScriptedReply.toolCall("shell", Map.of("cmd", "go test ./...")))
                    .respond(ScriptedReply.toolCall("build", Map.of()))
                    .respond(ScriptedReply.text("done"));
            try (Runner runner = team.runner().models(llm.models()).yolo(true).build()) {
                runner.run("build it");
                // the toolset's own sandbox, and the runtime's one for the script (helper has not started yet)
                assertThat(started).hasSize(2 * round);
                assertThat(started.subList(started.size() - 2, started.size())).allSatisfy(b ->
                        assertThat(b.closes).hasValue(0));
            }
            assertThat(started).allSatisfy(b -> assertThat(b.closes).hasValue(1));
        }
        assertThat(((ToolResultMessage) llm.requests().get(1).lastMessage()).content()).contains("in the host's sandbox");
        SandboxFactory.Request own = requests.get(0);
        assertThat(own.workspaces()).containsExactly(dir);
        assertThat(own.readOnlyWorkspaces()).containsExactly(dir.resolve("docs"));
        assertThat(own.image()).isEqualTo("golang:1.23");
        assertThat(own.networkAllowlist()).containsExactly("registry.npmjs.org:443");
        assertThat(own.workingDirectory()).isEqualTo(dir);
        SandboxFactory.Request runtime = requests.get(1);
        assertThat(runtime.workspaces()).containsExactly(dir);
        assertThat(runtime.readOnlyWorkspaces()).isEmpty();
        assertThat(runtime.image()).isNull();
        assertThat(started.get(0).commands).singleElement().asString().contains("go test ./...");
        assertThat(started.get(1).commands).singleElement().asString().contains("make");

        // helper: 'sandbox: false' keeps its shell on the host even under runtime.sandbox
        llm.respond(ScriptedReply.toolCall("transfer_task", Map.of("agent", "helper", "task", "t", "expected_output", "")))
                .respond(ScriptedReply.toolCall("shell", Map.of("cmd", "pwd")))
                .respond(ScriptedReply.text("helped")).respond(ScriptedReply.text("done"));
        int before = llm.requests().size();
        try (Runner runner = team.runner().models(llm.models()).yolo(true).build()) {
            runner.run("delegate");
            assertThat(started).hasSize(6);
        }
        assertThat(((ToolResultMessage) llm.requests().get(before + 2).lastMessage()).content())
                .contains(dir.toString()).doesNotContain("in the host's sandbox");
        assertThat(started).allSatisfy(b -> assertThat(b.closes).hasValue(1));
    }
}
