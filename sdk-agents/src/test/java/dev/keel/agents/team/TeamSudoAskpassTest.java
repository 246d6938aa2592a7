package dev.keel.agents.team;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.agents.AgentEvent;
import dev.keel.agents.Recording;
import dev.keel.agents.Runner;
import dev.keel.agents.toolsets.SudoPrompter;
import dev.keel.agents.toolsets.SudoStandIn;
import dev.keel.core.message.ToolResultMessage;
import dev.keel.testing.model.RecordedChatRequest;
import dev.keel.testing.model.ScriptedModelServer;
import dev.keel.testing.model.ScriptedReply;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * A team file's {@code sudo_askpass: true} in real runs against the scripted model server: the host application's
 * {@link SudoPrompter} (from {@link TeamServices}) answers, and the password reaches neither the model, the events,
 * the recording nor the logs; headless, sudo fails saying why; in a microVM sandbox it is a located warning. The
 * {@code sudo} here is a stand-in that does what sudo does with {@code -A} ({@link SudoStandIn}).
 */
@DisabledOnOs(OS.WINDOWS)
class TeamSudoAskpassTest {
    private static final String PASSWORD = "team-Secr3t-pw";

    static {
        SudoStandIn.logEverything();
    }

    @TempDir
    Path dir;
    private ScriptedModelServer llm;
    private Path fakeBin;

    @BeforeEach
    void start() throws IOException {
        llm = ScriptedModelServer.start();
        fakeBin = SudoStandIn.install(dir, Map.of("root", PASSWORD));
    }

    @AfterEach
    void stop() {
        llm.close();
    }

    private String yaml(String extra) {
        return """
                agents:
                  root:
                    model: openai/main-model
                    toolsets:
                      - type: shell
                        sudo_askpass: true
                        env:
                          PATH: "%s:/usr/local/bin:/usr/bin:/bin"
                %s""".formatted(fakeBin, extra);
    }

    private static List<String> toolResults(RecordedChatRequest r) {
        return r.messages().stream().filter(ToolResultMessage.class::isInstance)
                .map(m -> ((ToolResultMessage) m).content()).toList();
    }

    @Test
    void theHostAnswersAndThePasswordReachesNeitherModelEventsRecordingNorLogs() throws Exception {
        List<SudoPrompter.Request> asked = new CopyOnWriteArrayList<>();
        Team team = Teams.parse(yaml(""), "team.yaml", TeamFiles.isolated(dir).withServices(TeamServices.builder()
                .sudoPrompter(request -> {
                    asked.add(request);
                    return SudoPrompter.Answer.password(PASSWORD.toCharArray());
                }).build()));
        assertThat(team.warnings()).isEmpty();
        llm.respond(ScriptedReply.toolCall("shell", Map.of("cmd", "sudo echo deployed; \"$SUDO_ASKPASS\" show-me")))
                .respond(ScriptedReply.text("done"));
        List<AgentEvent> events = new CopyOnWriteArrayList<>();
        Path recording = dir.resolve("run.yaml");
        String logs = SudoStandIn.captured(() -> {
            try (Runner runner = team.runner().models(llm.models()).yolo(true).recording(Recording.record(recording))
                    .build()) {
                runner.events().subscribe(events::add);
                assertThat(runner.run("deploy it").output()).isEqualTo("done");
            }
        });
        assertThat(asked).as(toolResults(llm.requests().get(1)).toString()).hasSize(2).allSatisfy(r -> {
            assertThat(r.agent()).isEqualTo("root");
            assertThat(r.command()).startsWith("sudo echo deployed");
        });
        String seenByModel = toolResults(llm.requests().get(1)).get(0);
        assertThat(seenByModel).contains("deployed", "[sudo password redacted]").doesNotContain(PASSWORD);
        assertThat(events).isNotEmpty().allSatisfy(e -> assertThat(e.toString()).doesNotContain(PASSWORD));
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile).filter(p -> !p.startsWith(dir.resolve("expected"))).toList()) {
                assertThat(Files.readString(f)).as(f.toString()).doesNotContain(PASSWORD);
            }
        }
        assertThat(Files.readString(recording)).as("the recording has the command's output, redacted")
                .contains("deployed", "[sudo password redacted]");
        assertThat(logs).contains("sudo_askpass: agent 'root'")
                .doesNotContain(PASSWORD);
    }

    @Test
    void headlessSudoFailsAsBeforeSayingThatNoHostApplicationAnswers() throws Exception {
        Team team = TeamFiles.parse(dir, yaml(""));
        assertThat(team.warnings()).isEmpty();
        llm.respond(ScriptedReply.toolCall("shell", Map.of("cmd", "sudo echo deployed")))
                .respond(ScriptedReply.text("could not"));
        try (Runner runner = team.runner().models(llm.models()).yolo(true).build()) {
            runner.run("deploy it");
        }
        assertThat(toolResults(llm.requests().get(1)).get(0)).contains(
                "keel askpass: no host application answers sudo password prompts here", "TeamServices",
                "sudo: no password was provided").doesNotContain("deployed\n");
    }

    @Test
    void inAMicroVmSandboxItIsALocatedWarningSayingWhy() {
        Team shellSandbox = TeamFiles.parse(dir, """
                agents:
                  root:
                    model: openai/main-model
                    toolsets:
                      - type: shell
                        sandbox: true
                        sudo_askpass: true
                """);
        assertThat(shellSandbox.warnings()).singleElement().asString()
                .contains("team.yaml:7: agents.root.toolsets[0].sudo_askpass: ignored: this shell's commands run in a "
                        + "microVM sandbox");
        Team runtimeSandbox = TeamFiles.parse(dir, """
                runtime:
                  sandbox: true
                agents:
                  root:
                    model: openai/main-model
                    toolsets:
                      - type: shell
                        sudo_askpass: true
                """);
        assertThat(runtimeSandbox.warnings()).singleElement().asString()
                .contains("agents.root.toolsets[0].sudo_askpass: ignored: this shell's commands run in a microVM");
        Team onTheHost = TeamFiles.parse(dir, """
                runtime:
                  sandbox: true
                agents:
                  root:
                    model: openai/main-model
                    toolsets:
                      - type: shell
                        sandbox: false
                        sudo_askpass: true
                """);
        assertThat(onTheHost.warnings()).isEmpty();
    }
}
