package dev.keel.agents.team;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.agents.AgentEvent;
import dev.keel.agents.AgentResult;
import dev.keel.agents.Decision;
import dev.keel.agents.Runner;
import dev.keel.agents.Session;
import dev.keel.agents.approval.Approval;
import dev.keel.agents.approval.ApprovalRequest;
import dev.keel.agents.hooks.HookEvent;
import dev.keel.agents.hooks.HookResult;
import dev.keel.agents.hooks.Hooks;
import dev.keel.core.message.ToolResultMessage;
import dev.keel.core.models.ModelConfig;
import dev.keel.testing.model.RecordedChatRequest;
import dev.keel.testing.model.ScriptedModelServer;
import dev.keel.testing.model.ScriptedReply;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A team file's {@code tool_guard} hooks run its {@code evaluators} before matching tool calls, against the scripted
 * model server over real HTTP: the evaluator's verdict, mapped through {@code routing_policy}, allows, asks or denies,
 * and anything but a valid verdict denies (fail closed). These evaluators are judged by a chat model (a provider
 * that is not a judge service: Keel's extension); {@code TeamJudgeServiceTest} covers TypeSafe and OpenAI
 * Decisions.
 */
class TeamToolGuardTest {
    private static final String JUDGE = "judge-mini";
    private static final String SECRET = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8";

    @TempDir
    Path dir;
    private ScriptedModelServer llm;
    private final AtomicReference<Function<RecordedChatRequest, ScriptedReply>> judge = new AtomicReference<>();
    private final List<ApprovalRequest> asked = new CopyOnWriteArrayList<>();
    private final List<AgentEvent> events = new CopyOnWriteArrayList<>();
    private final AtomicReference<String> command = new AtomicReference<>("echo guarded > ran.txt");

    @BeforeEach
    void start() {
        llm = ScriptedModelServer.start();
        llm.respondWith(req -> {
            if (req.model().equals(JUDGE)) {
                return judge.get().apply(req);
            }
            boolean answered = req.messages().stream().anyMatch(ToolResultMessage.class::isInstance);
            return answered ? ScriptedReply.text("done")
                    : ScriptedReply.toolCall("shell", Map.of("cmd", command.get()));
        });
    }

    @AfterEach
    void stop() {
        llm.close();
    }

    private static String team(String matcher, String timeout) {
        return """
                evaluators:
                  safety_judge:
                    provider: anthropic
                    model: judge-mini
                    type: choice
                    instructions: Decide whether the tool call is safe to run.
                    choices:
                      safe: the call only reads or writes scratch files
                      risky: a person should look first
                      unsafe: the call changes something that matters
                    timeout: %s
                    cost:
                      input: 1
                      output: 2
                agents:
                  root:
                    model: openai/gpt-5
                    toolsets:
                      - type: shell
                    hooks:
                      tool_guard:
                        - matcher: %s
                          hooks:
                            - type: evaluator
                              evaluator: safety_judge
                              routing_policy:
                                safe: allow
                                risky: ask
                                unsafe: deny
                """.formatted(timeout, matcher);
    }

    private Team load(String yaml) {
        return TeamFiles.parse(dir, yaml);
    }

    private AgentResult run(Team team, Approval answer) {
        try (Runner runner = team.runner().models(llm.models()).approver(req -> {
            asked.add(req);
            return answer;
        }).build()) {
            runner.events().subscribe(events::add);
            return runner.run("go");
        }
    }

    private static ScriptedReply verdict(String verdict, String reason) {
        return ScriptedReply.text("{\"verdict\": \"" + verdict + "\", \"reason\": \"" + reason + "\"}");
    }

    private List<RecordedChatRequest> judged() {
        return llm.requests().stream().filter(r -> r.model().equals(JUDGE)).toList();
    }

    private String toolResult() {
        RecordedChatRequest last = llm.requests().stream().filter(r -> !r.model().equals(JUDGE))
                .reduce((a, b) -> b).orElseThrow();
        return GuardTestSupport.toolResult(last);
    }

    private List<AgentEvent.ToolGuarded> guarded() {
        return GuardTestSupport.guarded(events);
    }

    @Test
    void fileWithEvaluatorsAndToolGuardsLoadsWithoutWarnings() {
        assertThat(load(team("shell", "20s")).warnings()).isEmpty();
    }

    @Test
    void anAllowVerdictRunsTheCallWithoutTheApproverAndItsUsageCounts() {
        judge.set(req -> verdict("safe", "it only writes a scratch file").usage(100, 7));
        AgentResult result = run(load(team("shell", "20s")), Approval.deny("nobody home"));

        assertThat(dir.resolve("ran.txt")).exists();
        assertThat(asked).isEmpty();
        assertThat(judged()).hasSize(1);
        RecordedChatRequest request = judged().get(0);
        // The evaluator sees the tool and its arguments, its instructions, and may only answer one of the choices.
        assertThat(request.lastUserText()).contains("Tool: shell").contains("echo guarded > ran.txt");
        assertThat(request.systemPrompt()).contains("Decide whether the tool call is safe to run.");
        String format = request.json().get("response_format").orElseThrow().toJson();
        assertThat(format).contains("\"safe\"", "\"risky\"", "\"unsafe\"");
        assertThat(guarded()).singleElement().satisfies(g -> {
            assertThat(g.decision()).isEqualTo("allow");
            assertThat(g.reason()).isEqualTo("evaluator 'safety_judge' answered 'safe': it only writes a scratch file");
        });
        // The guard's tokens count toward the run's usage, and are reported like any model call's.
        assertThat(result.usage().inputTokens()).isGreaterThanOrEqualTo(100);
        assertThat(events).filteredOn(AgentEvent.UsageReported.class::isInstance)
                .map(e -> ((AgentEvent.UsageReported) e).usage().inputTokens()).contains(100L);
    }

    @Test
    void theGuardsTokensAreChargedToTheRunsBudgetBeforeTheNextTurn() {
        judge.set(req -> verdict("safe", "scratch file").usage(90_000, 10));
        AgentResult result = run(load("budget:\n  max_tokens: 50000\n" + team("shell", "20s")),
                Approval.deny("nobody home"));

        // The call ran (the guard allowed it), then the budget stopped the run: the guard alone spent it.
        assertThat(dir.resolve("ran.txt")).exists();
        assertThat(result.stopReason()).isEqualTo(AgentResult.StopReason.BUDGET_EXCEEDED);
        assertThat(events).filteredOn(AgentEvent.BudgetExceeded.class::isInstance).singleElement()
                .satisfies(e -> assertThat(((AgentEvent.BudgetExceeded) e).spentTokens()).isGreaterThanOrEqualTo(90_010));
        assertThat(llm.requests().stream().filter(r -> !r.model().equals(JUDGE))).hasSize(1);
    }

    @Test
    void aDenyVerdictRefusesTheCallAndTheModelSeesTheEvaluatorsReason() {
        judge.set(req -> verdict("unsafe", "it writes to disk"));
        run(load(team("shell", "20s")), Approval.once());

        assertThat(dir.resolve("ran.txt")).doesNotExist();
        assertThat(asked).isEmpty(); // a denial is final: the approver is not asked to override it
        assertThat(toolResult()).isEqualTo("The tool call was denied: evaluator 'safety_judge' answered 'unsafe': "
                + "it writes to disk");
        assertThat(guarded()).singleElement().extracting(AgentEvent.ToolGuarded::decision).isEqualTo("deny");
    }

    @Test
    void anAskVerdictGoesToTheApproverEvenWhenEverythingElseWouldRun() {
        judge.set(req -> verdict("risky", "it writes a file"));
        Team team = load(team("shell", "20s"));
        try (Runner runner = team.runner().models(llm.models()).yolo(true).approver(req -> {
            asked.add(req);
            return Approval.once();
        }).build()) {
            runner.run("go");
        }
        assertThat(asked).singleElement().satisfies(r -> assertThat(r.call().name()).isEqualTo("shell"));
        assertThat(dir.resolve("ran.txt")).exists();
    }

    @Test
    void anAskVerdictSuspendsTheRunLikeAnyAskAndResumingRunsTheCallWithoutJudgingItAgain() {
        // Asked again, this judge would refuse: the person's decision on resume must stand, and cost no second call.
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        judge.set(req -> calls.incrementAndGet() == 1 ? verdict("risky", "it writes a file")
                : verdict("unsafe", "changed my mind"));
        Team team = load(team("shell", "20s"));
        Session session = Session.create("guarded");
        try (Runner runner = team.runner().models(llm.models()).approver(req -> Approval.suspend()).build()) {
            AgentResult suspended = runner.run(session, "go");
            assertThat(suspended.stopReason()).isEqualTo(AgentResult.StopReason.SUSPENDED);
            assertThat(dir.resolve("ran.txt")).doesNotExist();
            String token = session.pendingApproval().orElseThrow().token();
            AgentResult done = runner.resume(session, token, Decision.approve("alice"));
            assertThat(done.output()).isEqualTo("done");
        }
        assertThat(dir.resolve("ran.txt")).exists();
        assertThat(judged()).hasSize(1);
    }

    static Stream<Arguments> failures() {
        return Stream.of(
                Arguments.of("prose instead of a verdict", (Function<RecordedChatRequest, ScriptedReply>)
                        req -> ScriptedReply.text("I think it is probably fine."), "20s",
                        "did not answer with a JSON verdict"),
                Arguments.of("a verdict that is not a choice", (Function<RecordedChatRequest, ScriptedReply>)
                        req -> verdict("fine", "looks ok"), "20s",
                        "answered a verdict that is not one of [safe, risky, unsafe]"),
                Arguments.of("HTTP 500", (Function<RecordedChatRequest, ScriptedReply>)
                        req -> ScriptedReply.error(500, "judge exploded"), "20s", "evaluator 'safety_judge' failed"),
                Arguments.of("no answer in time", (Function<RecordedChatRequest, ScriptedReply>)
                        req -> verdict("safe", "late").delayed(Duration.ofSeconds(3)), "300ms",
                        "gave no verdict within PT0.3S"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("failures")
    void anythingButAValidVerdictDeniesTheCall(String what, Function<RecordedChatRequest, ScriptedReply> reply,
                                                 String timeout, String expected) {
        judge.set(reply);
        String log = GuardTestSupport.capturingStderr(() -> run(load(team("shell", timeout)), Approval.once()));

        assertThat(dir.resolve("ran.txt")).doesNotExist();
        assertThat(asked).isEmpty();
        assertThat(toolResult()).startsWith("The tool call was denied: hook 'evaluator safety_judge' on tool_guard "
                + "failed: ").contains(expected);
        assertThat(guarded()).singleElement().extracting(AgentEvent.ToolGuarded::decision).isEqualTo("deny");
        assertThat(log).contains("tool guard 'evaluator safety_judge' failed on tool 'shell'")
                .contains("denied (fail closed)");
    }

    @Test
    void aGuardWhoseMatcherDoesNotMatchNeverCallsTheEvaluator() {
        judge.set(req -> {
            throw new AssertionError("the evaluator must not be asked");
        });
        run(load(team("write_file|edit_file", "20s")), Approval.once());

        assertThat(judged()).isEmpty();
        assertThat(guarded()).isEmpty();
        assertThat(asked).hasSize(1); // the ordinary approval chain decided
        assertThat(dir.resolve("ran.txt")).exists();
    }

    @Test
    void aSecretInTheArgumentsReachesNeitherTheEvaluatorNorTheEventsNorTheLogs() {
        command.set("echo guarded > ran.txt # " + SECRET);
        // The evaluator echoes the secret in its reason: the event redacts it.
        judge.set(req -> verdict("unsafe", "it contains the token " + SECRET));
        run(load(team("shell", "20s")), Approval.once());
        assertThat(judged()).singleElement().satisfies(r -> {
            assertThat(r.body()).doesNotContain(SECRET);
            assertThat(r.lastUserText()).contains("[REDACTED]");
        });
        assertThat(guarded()).singleElement().satisfies(g -> assertThat(g.reason()).doesNotContain(SECRET)
                .contains("[REDACTED]"));

        // The evaluator's service fails with a body that echoes the secret: the fail-closed warning redacts it.
        judge.set(req -> ScriptedReply.error(500, "cannot judge " + SECRET));
        String log = GuardTestSupport.capturingStderr(() -> run(load(team("shell", "20s")), Approval.once()));
        assertThat(log).contains("denied (fail closed)").doesNotContain(SECRET);
        assertThat(dir.resolve("ran.txt")).doesNotExist();
    }

    @Test
    void mistakesInTheGuardAreLoadErrorsNamingTheField() {
        String good = team("shell", "20s");
        assertThatThrownBy(() -> load(good.replace("evaluator: safety_judge", "evaluator: safety_jugde")))
                .isInstanceOf(TeamFileException.class)
                .hasMessageContaining("unknown evaluator 'safety_jugde'; the file's evaluators are [safety_judge]");
        assertThatThrownBy(() -> load(good.replace("risky: ask", "maybe: ask")))
                .isInstanceOf(TeamFileException.class)
                .hasMessageContaining("routing_policy.maybe")
                .hasMessageContaining("'maybe' is not a verdict of evaluator 'safety_judge'");
        assertThatThrownBy(() -> load(good.replace("unsafe: deny", "unsafe: block")))
                .isInstanceOf(TeamFileException.class)
                .hasMessageContaining("'block' is not a decision; use allow, ask or deny");
    }

    @Test
    void anEvaluatorKeelCannotCallLoadsWithAWarningAndItsGuardDeniesEveryMatchingCall() {
        Team team = load(team("shell", "20s").replace("provider: anthropic\n    model: judge-mini",
                "model: jev-1\n    endpoint: https://judge.example.com/v1/evaluate"));
        assertThat(team.warnings()).anySatisfy(w -> assertThat(w).contains("evaluators.safety_judge.endpoint: only a "
                + "judge service (provider typesafe or openai) is asked at an endpoint"));
        assertThat(team.warnings()).anySatisfy(w -> assertThat(w).contains("evaluator 'safety_judge' has no model "
                + "Keel can call").contains("the calls this guard matches are denied"));
        run(team, Approval.once());

        assertThat(llm.requests()).noneMatch(r -> r.model().equals("jev-1"));
        assertThat(dir.resolve("ran.txt")).doesNotExist();
        assertThat(toolResult()).contains("evaluator 'safety_judge' has no model Keel can call");
    }

    @Test
    void aHostApplicationAddsAnEvaluatorGuardInJava() {
        Team team = load(team("never_matches", "20s"));
        Evaluator evaluator = team.evaluators().get("safety_judge");
        assertThatThrownBy(() -> evaluator.guard(ModelConfig.parse("openai/judge-mini"),
                Map.of("fine", HookResult.Decision.ALLOW)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'fine' is not a verdict");
        judge.set(req -> verdict("unsafe", "no"));
        Hooks hooks = Hooks.builder().on(HookEvent.TOOL_GUARD, "shell", evaluator.guard(
                ModelConfig.parse("openai/" + JUDGE), Map.of("unsafe", HookResult.Decision.DENY))).build();
        try (Runner runner = team.runner().models(llm.models()).hooks(hooks).approver(req -> Approval.once()).build()) {
            runner.run("go");
        }
        assertThat(judged()).hasSize(1);
        assertThat(dir.resolve("ran.txt")).doesNotExist();
        assertThat(toolResult()).contains("evaluator 'safety_judge' answered 'unsafe'");
    }
}
