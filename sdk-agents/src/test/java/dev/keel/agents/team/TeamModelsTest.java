package dev.keel.agents.team;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.agents.AgentEvent;
import dev.keel.agents.AgentEvents;
import dev.keel.agents.Runner;
import dev.keel.core.ModelEvent;
import dev.keel.core.http.HttpConfig;
import dev.keel.core.json.JsonValue;
import dev.keel.core.models.ModelRegistry;
import dev.keel.core.models.ModelSpec;
import dev.keel.agents.AgentModel;
import dev.keel.testing.model.RecordedChatRequest;
import dev.keel.testing.model.ScriptedModelServer;
import dev.keel.testing.model.ScriptedReply;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A team file's model fields reach the wire: requests go through Keel's model registry (real provider clients)
 * to the scripted model server over loopback HTTP, so keys, headers, effort levels, fallback, routing, alternates
 * and first_available are observed as the server receives them.
 */
class TeamModelsTest {
    @TempDir
    Path dir;
    private ScriptedModelServer llm;
    private ModelRegistry registry;
    private final List<AgentEvent> events = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() {
        llm = ScriptedModelServer.start();
    }

    @AfterEach
    void stop() {
        if (registry != null) {
            registry.close();
        }
        llm.close();
    }

    private ModelRegistry registry(Map<String, String> env) {
        registry = ModelRegistry.builder().environment(env).http(HttpConfig.builder().maxRetries(0).build()).build();
        return registry;
    }

    private Team load(String yaml, Map<String, String> env) {
        return Teams.parse(yaml.replace("LLM_URL", llm.baseUrl()), "team.yaml",
                TeamFiles.isolated(dir, env));
    }

    private String run(Team team, Map<String, String> env, String input) {
        try (Runner runner = team.runner().models(registry(env)).build();
             AgentEvents.Subscription s = runner.events().subscribe(events::add)) {
            return runner.run(input).output();
        }
    }

    @Test
    void aModelsEnvTakesItsKeyFromAnotherVariableAsThePodcastFileDoes() {
        Map<String, String> env = Map.of("GITHUB_TOKEN", "ghs-token-value");
        Team team = load("""
                agents:
                  root:
                    model: github-model
                models:
                  github-model:
                    provider: openai
                    model: openai/gpt-4o
                    base_url: LLM_URL
                    env:
                      OPENAI_API_KEY: ${GITHUB_TOKEN}
                """, env);
        assertThat(team.warnings()).isEmpty();
        llm.respond(ScriptedReply.text("episode ready"));
        assertThat(run(team, env, "make an episode")).isEqualTo("episode ready");
        RecordedChatRequest r = llm.takeRequest();
        assertThat(r.header("authorization")).contains("Bearer ghs-token-value");
        assertThat(r.model()).isEqualTo("openai/gpt-4o");
    }

    @Test
    void providerHeadersAndProviderOptionsHeadersAreSentWithVariablesExpandedAtTheFirstCall() {
        Map<String, String> env = Map.of("GATEWAY_KEY", "k", "TEAM_ID", "team-7", "TRACE", "on");
        Team team = load("""
                agents:
                  root:
                    model: gw
                models:
                  gw:
                    provider: gateway
                    model: llama-3.3-70b
                    thinking_budget: high
                    track_usage: false
                    provider_opts:
                      http_headers:
                        X-Trace: ${TRACE}
                providers:
                  gateway:
                    base_url: LLM_URL
                    token_key: GATEWAY_KEY
                    headers:
                      X-Team: ${TEAM_ID}
                """, Map.of());
        assertThat(team.warnings()).isEmpty();
        llm.respond(ScriptedReply.text("ok"));
        run(team, env, "hi");
        RecordedChatRequest r = llm.takeRequest();
        assertThat(r.header("x-team")).contains("team-7");
        assertThat(r.header("x-trace")).contains("on");
        assertThat(r.json().get("reasoning_effort")).contains(JsonValue.of("high"));
        assertThat(r.includeUsage()).isFalse();
    }

    @Test
    void anAnthropicTaskBudgetIsSentAsOutputConfigWithItsBetaAndElsewhereItIsAWarning() throws Exception {
        try (mockwebserver3.MockWebServer claude = new mockwebserver3.MockWebServer()) {
            claude.enqueue(new mockwebserver3.MockResponse.Builder().setHeader("Content-Type", "text/event-stream").body(AnthropicSse.text("claude-opus-4-7", "planned")).build());
            claude.start();
            Map<String, String> env = Map.of("ANTHROPIC_API_KEY", "sk-ant-test");
            Team team = load("""
                    agents:
                      root:
                        model: planner
                      helper:
                        model: openai/gpt-5
                        instruction: Help.
                    models:
                      planner:
                        provider: anthropic
                        model: claude-opus-4-7
                        base_url: %s
                        task_budget:
                          type: tokens
                          total: 200000
                      other:
                        provider: openai
                        model: gpt-5
                        task_budget: 5000
                    """.formatted(claude.url("/")), env);
            assertThat(team.warnings()).singleElement().asString()
                    .contains("models.other.task_budget: only Anthropic's Messages API takes a task budget");
            try (Runner runner = team.runner().models(registry(env)).build()) {
                assertThat(runner.run("plan it").output()).isEqualTo("planned");
            }
            mockwebserver3.RecordedRequest sent = claude.takeRequest();
            JsonValue body = JsonValue.parse(sent.getBody().utf8());
            assertThat(body.at("/output_config/task_budget/type")).contains(JsonValue.of("tokens"));
            assertThat(body.at("/output_config/task_budget/total")).contains(JsonValue.of(200000));
            assertThat(sent.getHeaders().get("anthropic-beta")).isEqualTo("task-budgets-2026-03-13");
        }
        assertThatThrownBy(() -> load("""
                agents: {root: {model: m}}
                models:
                  m: {provider: anthropic, model: claude-opus-4-7, task_budget: {type: dollars, total: 3}}
                """, Map.of())).isInstanceOf(TeamFileException.class).hasMessageContaining("models.m.task_budget.type")
                .hasMessageContaining("'dollars' is not a task budget type");
        assertThatThrownBy(() -> load("""
                agents: {root: {model: m}}
                models:
                  m: {provider: anthropic, model: claude-opus-4-7, task_budget: -4}
                """, Map.of())).isInstanceOf(TeamFileException.class).hasMessageContaining("at least 1 token");
    }

    @Test
    void aRateLimitedPrimaryFallsBackAndTheEventsSaySo() {
        Map<String, String> env = Map.of("K", "k");
        Team team = load("""
                agents:
                  root:
                    model: primary
                    fallback:
                      models: [backup]
                      retries: -1
                      cooldown: 30s
                models:
                  primary:
                    provider: gw
                    model: big
                  backup:
                    provider: gw
                    model: small
                providers:
                  gw:
                    base_url: LLM_URL
                    token_key: K
                """, env);
        llm.respond(ScriptedReply.error(429, "slow down")).respond(ScriptedReply.text("from the backup"));
        assertThat(run(team, env, "go")).isEqualTo("from the backup");
        assertThat(llm.requests()).extracting(RecordedChatRequest::model).containsExactly("big", "small");
        assertThat(events).filteredOn(AgentEvent.ModelDecision.class::isInstance)
                .map(e -> ((AgentEvent.ModelDecision) e).event())
                .anySatisfy(e -> assertThat(e).isInstanceOfSatisfying(ModelEvent.FellBack.class, fb -> {
                    assertThat(fb.from()).isEqualTo("gw/big");
                    assertThat(fb.to()).isEqualTo("gw/small");
                }));
        ModelSpec.Fallback spec = (ModelSpec.Fallback) ((AgentModel.Configured) team.root().model()).spec();
        assertThat(spec.retries()).isZero();
        assertThat(spec.cooldown()).hasSeconds(30);
    }

    @Test
    void routingSendsARequestToTheModelWhoseExamplesItMatches() {
        Map<String, String> env = Map.of("K", "k");
        Team team = load("""
                agents:
                  root:
                    model: router
                models:
                  router:
                    provider: gw
                    model: general
                    routing:
                      - model: poet
                        examples: ["write a poem about the sea", "compose a haiku"]
                  poet:
                    provider: gw
                    model: poet-model
                providers:
                  gw:
                    base_url: LLM_URL
                    token_key: K
                """, env);
        llm.respondWith(req -> ScriptedReply.text("answered by " + req.model()));
        assertThat(run(team, env, "please write a poem about the mountains")).isEqualTo("answered by poet-model");
        assertThat(run(team, env, "what is the capital of France?")).isEqualTo("answered by general");
    }

    @Test
    void alternatesAnswerTurnByTurnAndFirstAvailableSkipsModelsWithoutKeys() {
        Map<String, String> env = Map.of("SECOND_KEY", "k2");
        Team team = load("""
                agents:
                  root:
                    model: a,b
                  picky:
                    model: choice
                models:
                  a:
                    provider: gw
                    model: model-a
                  b:
                    provider: gw
                    model: model-b
                  choice:
                    first_available: [no-key, has-key]
                  no-key:
                    provider: gw
                    model: never
                    token_key: FIRST_KEY
                  has-key:
                    provider: gw
                    model: chosen
                    token_key: SECOND_KEY
                providers:
                  gw:
                    base_url: LLM_URL
                    token_key: SECOND_KEY
                """, env);
        assertThat(team.warnings()).isEmpty();
        llm.respondWith(req -> ScriptedReply.text(req.model()));
        Set<String> answered;
        try (Runner runner = team.runner().models(registry(env)).build()) {
            answered = java.util.stream.IntStream.range(0, 24).mapToObj(i -> runner.run("turn " + i).output())
                    .collect(Collectors.toSet());
        }
        // Each turn picks one of the two at random: over 24 turns both answer (all-one odds: 2 in 16 million).
        assertThat(answered).containsExactlyInAnyOrder("model-a", "model-b");
        try (Runner runner = dev.keel.agents.Runner.builder(team.agents().get("picky")).models(registry).build()) {
            assertThat(runner.run("pick").output()).isEqualTo("chosen");
        }
    }

    @Test
    void autoIsAFirstAvailableChoiceOverDockerAgentsDefaultModels() {
        Team team = load("agents:\n  root:\n    model: auto\n", Map.of());
        assertThat(team.warnings()).isEmpty();
        assertThat(((AgentModel.Configured) team.root().model()).spec()).isEqualTo(ModelSpec.auto());
        llm.respondWith(req -> ScriptedReply.text(req.model()));
        try (Runner runner = team.runner().models(llm.models()).build()) {
            // The scripted server's resolver has every model available: the first candidate answers.
            assertThat(runner.run("hi").output()).isEqualTo("claude-sonnet-4-6");
        }
    }
}
