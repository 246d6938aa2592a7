package dev.keel.agents.team;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.agents.Runner;
import dev.keel.agents.internal.EnvironmentInfoToolset;
import dev.keel.core.exec.Command;
import dev.keel.core.exec.CommandRunner;
import dev.keel.core.exec.ExecResult;
import dev.keel.core.json.JsonValue;
import dev.keel.core.message.ToolResultMessage;
import dev.keel.testing.model.RecordedChatRequest;
import dev.keel.testing.model.ScriptedModelServer;
import dev.keel.testing.model.ScriptedReply;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docker-agent's {@code environment} toolset: {@code get_environment_info} answers the operating system and shell
 * of the runner that runs the agent's shell commands, and nothing else, in a real run over HTTP.
 */
class TeamEnvironmentToolsetTest {
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

    private String toolResult() {
        RecordedChatRequest last = llm.requests().get(llm.requests().size() - 1);
        return last.messages().stream().filter(ToolResultMessage.class::isInstance)
                .map(m -> ((ToolResultMessage) m).content()).findFirst().orElseThrow();
    }

    @Test
    void theModelLearnsTheOsAndShellOfItsCommandsAndNothingElse() {
        List<List<String>> ran = new CopyOnWriteArrayList<>();
        CommandRunner host = dev.keel.core.exec.LocalCommandRunner.create();
        CommandRunner watched = (command, listener) -> {
            ran.add(command.argv());
            return host.run(command, listener);
        };
        Team team = Teams.parse("""
                agents:
                  root:
                    model: openai/gpt-5
                    toolsets:
                      - type: environment
                """, "team.yaml", TeamFiles.isolated(dir).withCommandRunner(watched));
        assertThat(team.warnings()).isEmpty();
        llm.respond(ScriptedReply.toolCall("get_environment_info", Map.of())).respond(ScriptedReply.text("ok"));
        try (Runner runner = team.runner().models(llm.models()).build()) {
            assertThat(runner.run("which shell?").output()).isEqualTo("ok");
        }
        assertThat(llm.requests().get(0).toolNames()).containsExactly("get_environment_info");
        JsonValue answer = JsonValue.parse(toolResult());
        String hostOs = System.getProperty("os.name").startsWith("Mac") ? "Darwin" : System.getProperty("os.name");
        assertThat(answer).isEqualTo(JsonValue.parse("{\"os\":\"" + hostOs + "\",\"shell\":\"sh\"}"));
        // asked of the team's runner (a sandbox's guest when the commands run in one), not of the JVM's properties
        assertThat(ran).containsExactly(List.of("uname", "-s"));
    }

    @Test
    void theAnswerIsTheRunnersNotTheJvms() throws Exception {
        CommandRunner guest = (command, listener) -> new ExecResult(0, "FreeBSD\n", "", false, false,
                java.time.Duration.ZERO);
        String out = new EnvironmentInfoToolset(guest).tools().get(0).call(dev.keel.agents.tool.ToolArguments.of(
                dev.keel.core.json.JsonObject.of()), null).content();
        assertThat(JsonValue.parse(out)).isEqualTo(JsonValue.parse("{\"os\":\"FreeBSD\",\"shell\":\"sh\"}"));
    }

    @Test
    void aRunnerThatCannotSayGivesUnknownRatherThanTheHostsAnswer() throws Exception {
        CommandRunner broken = (command, listener) -> new ExecResult(127, "", "uname: not found", false, false,
                java.time.Duration.ZERO);
        EnvironmentInfoToolset env = new EnvironmentInfoToolset(broken);
        String out = env.tools().get(0).call(dev.keel.agents.tool.ToolArguments.of(
                dev.keel.core.json.JsonObject.of()), null).content();
        assertThat(JsonValue.parse(out)).isEqualTo(JsonValue.parse("{\"os\":\"unknown\",\"shell\":\"sh\"}"));
    }
}
