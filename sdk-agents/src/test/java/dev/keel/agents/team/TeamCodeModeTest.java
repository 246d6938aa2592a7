package dev.keel.agents.team;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.agents.AgentEvent;
import dev.keel.agents.AgentResult;
import dev.keel.agents.CodeMode;
import dev.keel.agents.Runner;
import dev.keel.agents.approval.Approval;
import dev.keel.agents.approval.ApprovalRequest;
import dev.keel.agents.hooks.HookEvent;
import dev.keel.agents.hooks.HookResult;
import dev.keel.agents.hooks.Hooks;
import dev.keel.core.json.JsonObject;
import dev.keel.core.message.ToolResultMessage;
import dev.keel.testing.model.RecordedChatRequest;
import dev.keel.testing.model.ScriptedModelServer;
import dev.keel.testing.model.ScriptedReply;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code code_mode_tools: true} against the scripted model server over real HTTP: the model gets one tool, its
 * JavaScript program calls the team's real filesystem and shell tools, and every call the program makes is approved,
 * hooked, reported and journalled exactly as a direct call would be. Code mode is never a way around an approval.
 */
class TeamCodeModeTest {
    private static final String TEAM = """
            agents:
              root:
                model: openai/gpt-5
                code_mode_tools: true
                toolsets:
                  - type: filesystem
                  - type: shell
            """;

    @TempDir
    Path dir;
    private ScriptedModelServer llm;
    private final AtomicReference<String> program = new AtomicReference<>();
    private final List<ApprovalRequest> asked = new CopyOnWriteArrayList<>();
    private final List<AgentEvent> events = new CopyOnWriteArrayList<>();
    private final List<String> hooked = new CopyOnWriteArrayList<>();
    private final List<RecordedChatRequest> requests = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() {
        llm = ScriptedModelServer.start();
        llm.respondWith(req -> {
            requests.add(req);
            boolean answered = req.messages().stream().anyMatch(ToolResultMessage.class::isInstance);
            return answered ? ScriptedReply.text("done")
                    : ScriptedReply.toolCall(CodeMode.TOOL, Map.of("script", program.get()));
        });
    }

    @AfterEach
    void stop() {
        llm.close();
    }

    private ToolResultMessage run(String script, Approval answer, Hooks extra) {
        return run(TEAM, script, answer, extra);
    }

    private ToolResultMessage run(String yaml, String script, Approval answer, Hooks extra) {
        program.set(script);
        Team team = TeamFiles.parse(dir, yaml);
        assertThat(team.warnings()).isEmpty();
        Hooks hooks = extra != null ? extra : Hooks.builder()
                .on(HookEvent.PRE_TOOL_USE, in -> {
                    hooked.add("pre " + in.fields().get("tool_name").orElseThrow().asString().orElseThrow());
                    return HookResult.proceed();
                })
                .on(HookEvent.POST_TOOL_USE, in -> {
                    hooked.add("post " + in.fields().get("tool_name").orElseThrow().asString().orElseThrow());
                    return HookResult.proceed();
                }).build();
        AgentResult result;
        try (Runner runner = team.runner().models(llm.models()).hooks(hooks).approver(req -> {
            asked.add(req);
            return answer;
        }).build()) {
            runner.events().subscribe(events::add);
            result = runner.run("go");
        }
        assertThat(result.stopReason()).isEqualTo(AgentResult.StopReason.COMPLETED);
        assertThat(requests.get(0).toolNames()).containsExactly(CodeMode.TOOL);
        return (ToolResultMessage) requests.get(1).messages().stream().filter(ToolResultMessage.class::isInstance)
                .reduce((a, b) -> b).orElseThrow();
    }

    /** Whether the program's call ended as a tool error (the wire format the model sees has no error flag). */
    private boolean programFailed() {
        return events.stream().filter(AgentEvent.ToolCallFinished.class::isInstance).map(AgentEvent.ToolCallFinished.class::cast)
                .filter(e -> e.call().name().equals(CodeMode.TOOL)).reduce((a, b) -> b).orElseThrow().error();
    }

    @Test
    void aProgramCallsTheFilesystemAndTheShellAndReturnsOneCombinedResult() throws Exception {
        Files.writeString(dir.resolve("notes.txt"), "alpha\nbeta\n");
        ToolResultMessage result = run("""
                var text = read_file({path: 'notes.txt'});
                var lines = text.split('\\n').filter(function (l) { return l.length > 0; });
                var out = shell({cmd: 'echo counted ' + lines.length});
                console.log('read', lines.length, 'lines');
                return {lines: lines, shell: out.trim()};
                """, Approval.once(), null);
        assertThat(programFailed()).as(result.content()).isFalse();
        JsonObject json = JsonObject.parse(result.content());
        JsonObject value = JsonObject.parse(json.get("value").orElseThrow().asString().orElseThrow());
        assertThat(value.get("lines").orElseThrow().toJson()).isEqualTo("[\"alpha\",\"beta\"]");
        assertThat(value.get("shell").orElseThrow().asString().orElseThrow()).contains("counted 2");
        assertThat(json.get("stdout").orElseThrow().asString().orElseThrow()).isEqualTo("read 2 lines\n");
        // the shell call (not read-only) was asked about, with the arguments the program passed
        assertThat(asked).singleElement().satisfies(r -> {
            assertThat(r.call().name()).isEqualTo("shell");
            assertThat(r.call().arguments()).contains("echo counted 2");
        });
        // hooks saw the program and each of its calls, in order
        assertThat(hooked).containsExactly("pre " + CodeMode.TOOL, "pre read_file", "post read_file", "pre shell",
                "post shell", "post " + CodeMode.TOOL);
        // events report each inner call as the loop reports a direct one, under its own id
        String outer = result.toolCallId();
        List<String> finished = events.stream().filter(AgentEvent.ToolCallFinished.class::isInstance)
                .map(e -> ((AgentEvent.ToolCallFinished) e).call()).map(c -> c.name() + " " + c.id()).toList();
        assertThat(finished).containsExactly("read_file " + outer + "-js1", "shell " + outer + "-js2",
                CodeMode.TOOL + " " + outer);
        assertThat(events).filteredOn(AgentEvent.ToolCallApproved.class::isInstance).hasSize(3);
    }

    @Test
    void aDeniedApprovalIsAnErrorInTheProgramAndNothingRuns() {
        ToolResultMessage result = run("""
                try { shell({cmd: 'touch ran.txt'}); return 'ran'; }
                catch (e) { return 'refused: ' + e.message; }
                """, Approval.deny("not today"), null);
        assertThat(result.content()).contains("refused: shell: The tool call was denied: not today");
        assertThat(dir.resolve("ran.txt")).doesNotExist();
        assertThat(asked).singleElement().satisfies(r -> assertThat(r.call().name()).isEqualTo("shell"));
        assertThat(events).filteredOn(AgentEvent.ToolCallDenied.class::isInstance).singleElement()
                .satisfies(e -> assertThat(((AgentEvent.ToolCallDenied) e).call().name()).isEqualTo("shell"));
    }

    @Test
    void aCallWhoseApprovalWouldSuspendTheRunIsRefusedInsideTheProgram() {
        ToolResultMessage result = run("shell({cmd: 'touch ran.txt'}); return 'ran';", Approval.suspend(), null);
        assertThat(programFailed()).isTrue();
        assertThat(result.content()).contains("cannot wait").contains("shell");
        assertThat(dir.resolve("ran.txt")).doesNotExist();
        assertThat(events).noneMatch(AgentEvent.RunSuspended.class::isInstance);
    }

    @Test
    void aPreToolUseHookThatDeniesStopsTheInnerCall() {
        Hooks deny = Hooks.builder().on(HookEvent.PRE_TOOL_USE, "shell", in -> HookResult.deny("no shell from programs"))
                .build();
        ToolResultMessage result = run("try { shell({cmd: 'touch ran.txt'}); } catch (e) { return e.message; }",
                Approval.once(), deny);
        assertThat(result.content()).contains("no shell from programs");
        assertThat(dir.resolve("ran.txt")).doesNotExist();
        assertThat(asked).isEmpty();
    }

    @Test
    void theTeamsDenyPatternsRefuseAProgramsCallWithoutAskingAnyone() throws Exception {
        Files.writeString(dir.resolve("keep.txt"), "precious");
        ToolResultMessage result = run(TEAM + "permissions:\n  deny: [\"shell:cmd=*rm *\"]\n",
                "try { shell({cmd: 'rm -f keep.txt'}); return 'removed'; } catch (e) { return 'refused: ' + e.message; }",
                Approval.once(), null);
        assertThat(result.content()).contains("refused: shell: The tool call was denied");
        assertThat(dir.resolve("keep.txt")).hasContent("precious");
        assertThat(asked).isEmpty();
    }

    @Test
    void secretsAreRedactedFromWhatTheProgramReceives() throws Exception {
        String secret = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8";
        Files.writeString(dir.resolve("token.txt"), "token=" + secret + "\n");
        ToolResultMessage result = run("""
                var t = read_file({path: 'token.txt'});
                return (t.indexOf('ghp_' + 'A1b2C3d4') >= 0 ? 'program saw the secret' : 'program saw it redacted') + ': ' + t;
                """, Approval.once(), null);
        assertThat(result.content()).contains("program saw it redacted").doesNotContain(secret);
    }

    @Test
    void aSyntaxErrorIsAToolErrorNamingTheLine() {
        ToolResultMessage result = run("var a = 1;\nreturn a +;\n", Approval.once(), null);
        assertThat(programFailed()).isTrue();
        assertThat(result.content()).contains("SyntaxError at line 2");
        assertThat(asked).isEmpty();
    }

    @Test
    void anEndlessProgramIsAToolErrorAndTheRunGoesOn() {
        Team team = TeamFiles.parse(dir, TEAM);
        dev.keel.agents.Agent root = team.root().toBuilder()
                .codeMode(CodeMode.defaults().withTimeLimit(java.time.Duration.ofSeconds(2))).build();
        program.set("while (true) { try { while (true) {} } catch (e) {} }");
        try (Runner runner = Runner.builder(root).models(llm.models()).approver(r -> Approval.once()).build()) {
            runner.events().subscribe(events::add);
            AgentResult r = runner.run("go");
            assertThat(r.output()).isEqualTo("done");
        }
        ToolResultMessage result = (ToolResultMessage) requests.get(1).messages().stream()
                .filter(ToolResultMessage.class::isInstance).reduce((a, b) -> b).orElseThrow();
        assertThat(programFailed()).isTrue();
        assertThat(result.content()).contains("time limit of 2000 ms");
    }
}
