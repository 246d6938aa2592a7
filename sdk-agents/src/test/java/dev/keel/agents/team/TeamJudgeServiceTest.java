package dev.keel.agents.team;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.agents.AgentEvent;
import dev.keel.agents.AgentResult;
import dev.keel.agents.Runner;
import dev.keel.agents.approval.Approval;
import dev.keel.agents.approval.ApprovalRequest;
import dev.keel.core.Usage;
import dev.keel.core.json.JsonObject;
import dev.keel.core.json.JsonValue;
import dev.keel.core.message.ToolResultMessage;
import dev.keel.testing.model.RecordedChatRequest;
import dev.keel.testing.model.ScriptedModelServer;
import dev.keel.testing.model.ScriptedReply;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tool guards whose evaluator is a judge service — TypeSafe, or OpenAI's Decisions API — in whole runs: the agent's
 * model is the scripted model server, the judge a real HTTP server on loopback answering in the service's documented
 * shape. docker-agent's {@code evaluator_policy} (decisions, {@code min_probability}, {@code fallback}) decides;
 * anything but a valid answer denies; each request's tokens are charged to the run.
 */
class TeamJudgeServiceTest {
    private static final String SECRET = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8";

    @TempDir
    Path dir;
    private ScriptedModelServer llm;
    private MockWebServer judge;
    private final List<ApprovalRequest> asked = new CopyOnWriteArrayList<>();
    private final List<AgentEvent> events = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        judge = new MockWebServer();
        judge.start();
        llm = ScriptedModelServer.start();
        llm.respondWith(req -> req.messages().stream().anyMatch(ToolResultMessage.class::isInstance)
                ? ScriptedReply.text("done")
                : ScriptedReply.toolCall("shell", Map.of("cmd", "echo guarded > ran.txt # " + SECRET)));
    }

    @AfterEach
    void stop() throws Exception {
        llm.close();
        judge.close();
    }

    /** A TypeSafe boolean evaluator reached through a {@code providers} entry, guarded by an evaluator_policy. */
    private String typesafeTeam(String policy) {
        return """
                providers:
                  corp_judge:
                    provider: typesafe
                    base_url: %s
                    token_key: CORP_JUDGE_KEY
                models:
                  main:
                    provider: openai
                    model: gpt-5
                    cost: {input: 0, output: 0}
                evaluators:
                  leak_check:
                    provider: corp_judge
                    model: jev-1.13.0
                    type: boolean
                    instructions: Does this tool call expose credentials or change something that matters?
                    timeout: 5s
                    cost:
                      input: 1000
                      output: 0
                agents:
                  root:
                    model: main
                    toolsets:
                      - type: shell
                    hooks:
                      tool_guard:
                        - matcher: shell
                          hooks:
                            - type: evaluator
                              evaluator: leak_check
                %s
                """.formatted(judge.url("/ts").toString(), policy.indent(14).stripTrailing());
    }

    private static final String POLICY = """
            evaluator_policy:
              decisions: {"true": deny, "false": allow}
              min_probability: 0.9
              fallback: ask""";

    private Team load(String yaml) {
        return TeamFiles.parse(dir, yaml, Map.of("CORP_JUDGE_KEY", "corp-k3y", "OPENAI_API_KEY", "oa-k3y"));
    }

    private AgentResult run(Team team) {
        try (Runner runner = team.runner().models(llm.models()).approver(req -> {
            asked.add(req);
            return Approval.once();
        }).build()) {
            runner.events().subscribe(events::add);
            return runner.run("go");
        }
    }

    private void answerTypeSafe(double noul, int inputTokens) {
        judge.enqueue(new MockResponse.Builder().setHeader("Content-Type", "application/json").body("""
                {"model": "jev-1.13.0", "answers": {"evaluation": {"type": "noul", "noul": %s, "confidence": 0.9}},
                 "usage": {"input_tokens": %d, "output_tokens": 0}}""".formatted(noul, inputTokens)).build());
    }

    private String toolResult() {
        return GuardTestSupport.toolResult(llm.requests().get(llm.requests().size() - 1));
    }

    private List<AgentEvent.ToolGuarded> guarded() {
        return GuardTestSupport.guarded(events);
    }

    @Test
    void aConfidentTrueDeniesTheCallAndTheJudgeSawTheToolCallWithSecretsRedacted() throws Exception {
        Team team = load(typesafeTeam(POLICY));
        assertThat(team.warnings()).isEmpty();
        assertThat(team.evaluators().get("leak_check").provider()).isEqualTo("typesafe");
        answerTypeSafe(0.97, 300);
        run(team);

        assertThat(dir.resolve("ran.txt")).doesNotExist();
        assertThat(asked).isEmpty();
        assertThat(toolResult()).isEqualTo("The tool call was denied: evaluator 'leak_check' answered 'true' with "
                + "probability 0.970");
        RecordedRequest sent = judge.takeRequest(5, TimeUnit.SECONDS);
        assertThat(sent.getTarget()).isEqualTo("/ts/v1/systemone");
        assertThat(sent.getHeaders().get("Authorization")).isEqualTo("Bearer corp-k3y");
        JsonObject body = JsonObject.parse(sent.getBody().utf8());
        assertThat(body.at("/questions/evaluation/type").flatMap(JsonValue::asString)).contains("noul");
        assertThat(body.at("/state/tool_name").flatMap(JsonValue::asString)).contains("shell");
        assertThat(body.at("/state/tool_input/cmd").flatMap(JsonValue::asString).orElseThrow())
                .startsWith("echo guarded > ran.txt").contains("[REDACTED]");
        assertThat(sent.getBody().utf8()).doesNotContain(SECRET);
        assertThat(guarded()).singleElement().extracting(AgentEvent.ToolGuarded::decision).isEqualTo("deny");
    }

    @Test
    void aConfidentFalseAllowsTheCallAndTheJudgesTokensAreChargedAtTheEvaluatorsPrice() {
        answerTypeSafe(0.02, 300);
        AgentResult result = run(load(typesafeTeam(POLICY)));

        assertThat(dir.resolve("ran.txt")).exists();
        assertThat(asked).as("allow needs no approval").isEmpty();
        assertThat(events).filteredOn(AgentEvent.UsageReported.class::isInstance)
                .map(e -> (AgentEvent.UsageReported) e)
                .anySatisfy(u -> {
                    assertThat(u.usage()).isEqualTo(new Usage(300, 0));
                    // 300 tokens at $1000 per million (the agent's model is free): the guard's spend is the cost.
                    assertThat(u.sessionCost()).isNotNull().isCloseTo(0.3, org.assertj.core.data.Offset.offset(1e-9));
                });
        assertThat(result.usage().inputTokens()).isGreaterThanOrEqualTo(300);
    }

    @Test
    void aVerdictBelowMinProbabilityTakesTheFallbackAndAsksThePerson() {
        answerTypeSafe(0.3, 10); // "false" with probability 0.7: not sure enough to allow
        run(load(typesafeTeam(POLICY)));

        assertThat(asked).singleElement().satisfies(r -> assertThat(r.call().name()).isEqualTo("shell"));
        assertThat(dir.resolve("ran.txt")).exists(); // the person approved
        assertThat(guarded()).singleElement().satisfies(g -> {
            assertThat(g.decision()).isEqualTo("ask");
            assertThat(g.reason()).contains("answered 'false' with probability 0.700")
                    .contains("below min_probability 0.9").contains("fallback 'ask'");
        });
    }

    @Test
    void aBrokenAnswerDeniesTheCallAndNeitherTheToolResultNorTheLogEchoesIt() {
        judge.enqueue(new MockResponse.Builder().body("""
                {"model": "jev-1.13.0", "answers": {"evaluation": {"type": "noul", "noul": 0.97}},
                 "note": "%s", "usage": {"input_tokens": 12, "output_tokens": -3}}""".formatted(SECRET)).build());
        String log = GuardTestSupport.capturingStderr(() -> run(load(typesafeTeam(POLICY))));

        assertThat(dir.resolve("ran.txt")).doesNotExist();
        assertThat(asked).isEmpty();
        assertThat(toolResult()).contains("evaluator 'leak_check' (typesafe) answered malformed token usage")
                .doesNotContain(SECRET);
        assertThat(log).contains("denied (fail closed)").doesNotContain(SECRET).doesNotContain("corp-k3y");
    }

    @Test
    void anUnsetKeyDeniesEveryGuardedCallWithoutAskingTheService() {
        Team team = TeamFiles.parse(dir, typesafeTeam(POLICY), Map.of());
        assertThat(team.warnings()).as("keys are checked when used, as for models").isEmpty();
        // ... or up front, by validate(), which names the evaluator, the agent and the variable.
        assertThatThrownBy(() -> team.validate(llm.models())).isInstanceOf(TeamValidationException.class)
                .hasMessageContaining("evaluator 'leak_check' of [root] (tool_guard): needs the environment variable "
                        + "CORP_JUDGE_KEY, which is not set");
        load(typesafeTeam(POLICY)).validate(llm.models()); // with the key set: nothing to report
        run(team);

        assertThat(judge.getRequestCount()).isZero();
        assertThat(dir.resolve("ran.txt")).doesNotExist();
        assertThat(toolResult()).contains("set the environment variable CORP_JUDGE_KEY");
    }

    @Test
    void anOpenAiEvaluatorAsksTheDecisionsApiAndAChoiceMapsThroughRoutingPolicy() throws Exception {
        String yaml = """
                models:
                  decider:
                    provider: openai
                    model: gpt-decide-1
                    base_url: %s
                evaluators:
                  triage:
                    model: decider
                    type: choice
                    instructions: How risky is this call?
                    choices:
                      low: routine
                      high: a person should look
                agents:
                  root:
                    model: openai/gpt-5
                    toolsets:
                      - type: shell
                    hooks:
                      tool_guard:
                        - matcher: shell
                          hooks:
                            - type: evaluator
                              evaluator: triage
                              routing_policy:
                                low: allow
                                high: deny
                """.formatted(judge.url("/v1"));
        judge.enqueue(new MockResponse.Builder().body("""
                {"model": "gpt-decide-1", "answers": [{"type": "choice", "name": "evaluation", "choice": "high",
                  "probabilities": [{"value": "high", "probability": 0.55}, {"value": "low", "probability": 0.45}]}]}
                """).build());
        Team team = load(yaml);
        assertThat(team.warnings()).isEmpty();
        run(team);

        RecordedRequest sent = judge.takeRequest(5, TimeUnit.SECONDS);
        assertThat(sent.getTarget()).isEqualTo("/v1/decisions");
        assertThat(sent.getHeaders().get("Authorization")).isEqualTo("Bearer oa-k3y");
        assertThat(JsonObject.parse(sent.getBody().utf8()).get("model").flatMap(JsonValue::asString))
                .contains("gpt-decide-1");
        assertThat(llm.requests()).as("the judge is not asked through the chat API")
                .noneMatch(r -> r.model().equals("gpt-decide-1"));
        assertThat(dir.resolve("ran.txt")).doesNotExist();
        assertThat(toolResult()).contains("evaluator 'triage' answered 'high' with probability 0.550");
    }

    @Test
    void aHostApplicationAsksTheJudgeServiceDirectly() throws Exception {
        Team team = load(typesafeTeam(POLICY));
        Evaluator leak = team.evaluators().get("leak_check");
        answerTypeSafe(0.25, 40);
        OkHttpClient http = new OkHttpClient();
        try {
            Evaluator.Judgement j = leak.judge("git push --force", http, Map.of("CORP_JUDGE_KEY", "host-k3y")::get);
            assertThat(j.outcome()).isEqualTo("false");
            assertThat(j.probability()).isEqualTo(0.75);
            assertThat(j.usage()).isEqualTo(new Usage(40, 0));
            assertThat(j.cost()).isEqualTo(40 * 1000 / 1e6);
        } finally {
            http.dispatcher().executorService().shutdown();
        }
        RecordedRequest sent = judge.takeRequest(5, TimeUnit.SECONDS);
        assertThat(sent.getHeaders().get("Authorization")).isEqualTo("Bearer host-k3y");
        assertThat(JsonObject.parse(sent.getBody().utf8()).get("state").flatMap(JsonValue::asString))
                .contains("git push --force");
        Evaluator chatJudged = new Evaluator("x", "anthropic", "claude", Evaluator.Kind.BOOLEAN, "?", Map.of(),
                List.of(), "", "", "", null, null);
        assertThatThrownBy(() -> chatJudged.judge("x", http, k -> null)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("judged by a chat model");
    }

    @Test
    void policyMistakesAreLoadErrorsNamingTheField() {
        record Case(String policy, String field, String message) {}
        for (Case c : List.of(
                new Case(POLICY.replace("min_probability: 0.9", "min_probability: 0"),
                        "evaluator_policy.min_probability", "greater than 0 and at most 1"),
                new Case(POLICY.replace("min_probability: 0.9", "min_probability: 1.5"),
                        "evaluator_policy.min_probability", "greater than 0 and at most 1"),
                new Case(POLICY.replace("  min_probability: 0.9\n", ""),
                        "evaluator_policy.min_probability", "greater than 0 and at most 1"),
                new Case(POLICY.replace("fallback: ask", "fallback: allow"), "evaluator_policy.fallback",
                        "must be ask or deny"),
                new Case(POLICY.replace("\"true\": deny", "\"yes\": deny"), "evaluator_policy.decisions.yes",
                        "'yes' is not a verdict of evaluator 'leak_check'"),
                new Case(POLICY.replace("\"true\": deny", "\"true\": block"), "evaluator_policy.decisions.true",
                        "'block' is not a decision"),
                new Case(POLICY.replace("decisions: {\"true\": deny, \"false\": allow}", "decisions: {}"),
                        "evaluator_policy.decisions", "must not be empty"),
                new Case(POLICY.replace("fallback: ask", "fallback: ask\n  min_probabilty: 0.5"),
                        "evaluator_policy.min_probabilty", "min_probability"),
                new Case(POLICY + "\nrouting_policy:\n  \"true\": deny", "hooks.tool_guard",
                        "set routing_policy or evaluator_policy, not both"))) {
            assertThatThrownBy(() -> load(typesafeTeam(c.policy()))).as(c.policy())
                    .isInstanceOf(TeamFileException.class).hasMessageContaining(c.field())
                    .hasMessageContaining(c.message());
        }
        String score = typesafeTeam(POLICY).replace("type: boolean", "type: score\n    levels: [low, high]");
        assertThatThrownBy(() -> load(score)).isInstanceOf(TeamFileException.class)
                .hasMessageContaining("tool guards need a boolean or choice evaluator");
        String badUrl = typesafeTeam(POLICY).replace("base_url: " + judge.url("/ts"),
                "base_url: https://user:pw@judge.example.com");
        assertThatThrownBy(() -> load(badUrl)).isInstanceOf(TeamFileException.class)
                .hasMessageContaining("evaluators.leak_check").hasMessageContaining("without credentials")
                .hasMessageNotContaining("pw@");
    }
}
