package dev.keel.agents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.ToolResult;
import dev.keel.agents.tool.Toolset;
import dev.keel.core.tool.JsonSchema;
import dev.keel.core.tool.ToolSpec;
import dev.keel.testing.model.ScriptedModelServer;
import dev.keel.testing.model.ScriptedReply;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Budgets stop a looping agent — per run, per session across runs, per team across sessions, in cost. */
class BudgetTest {
    private ScriptedModelServer llm;
    private final AtomicInteger polls = new AtomicInteger();
    private final List<AgentEvent> events = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() {
        llm = ScriptedModelServer.start();
        // A model that never stops calling its tool: 30 input + 10 output tokens per call.
        llm.respondWith(req -> ScriptedReply.toolCall("poll", Map.of()).usage(30, 10));
    }

    @AfterEach
    void tearDown() {
        llm.close();
    }

    private Agent looper() {
        Tool poll = Tool.of(ToolSpec.of("poll", "Polls", JsonSchema.object().build()), true, (args, ctx) -> {
            polls.incrementAndGet();
            return ToolResult.ok("not yet");
        });
        return Agent.builder("looper").instruction("Poll until done.").model("openai/gpt-4o").maxIterations(1000)
                .toolsets(Toolset.of("p", poll)).build();
    }

    private Runner runner(Budget.Scope scope, Budget budget) {
        Runner r = Runner.builder(looper()).models(llm.models()).budget(scope, budget)
                .price("openai/gpt-4o", ModelPrice.of(1_000, 1_000)).build();
        r.events().subscribe(events::add);
        return r;
    }

    @Test
    void aRunBudgetStopsALoopingAgentWithATypedResultAndSaysWhatWasSpent() {
        try (Runner runner = runner(Budget.Scope.RUN, Budget.tokens(100))) {
            AgentResult r = runner.run("Wait for the build");
            assertThat(r.stopReason()).isEqualTo(AgentResult.StopReason.BUDGET_EXCEEDED);
            // 40 tokens per call: after 3 calls (120 tokens) the next call is not made.
            assertThat(llm.requests()).hasSize(3);
            assertThat(polls).hasValue(3);
            assertThat(r.usage().totalTokens()).isEqualTo(120);
        }
        assertThat(events).filteredOn(e -> e instanceof AgentEvent.BudgetExceeded).singleElement().satisfies(e -> {
            AgentEvent.BudgetExceeded b = (AgentEvent.BudgetExceeded) e;
            assertThat(b.scope()).isEqualTo(Budget.Scope.RUN);
            assertThat(b.spentTokens()).isEqualTo(120);
            assertThat(b.budget().maxTokens()).isEqualTo(100);
            assertThat(b.spentCostUsd()).isNull();
        });
    }

    @Test
    void aSessionBudgetHoldsAcrossRunsAndATeamBudgetAcrossSessions() {
        try (Runner runner = runner(Budget.Scope.SESSION, Budget.tokens(100))) {
            Session s = Session.create();
            assertThat(runner.run(s, "first").stopReason()).isEqualTo(AgentResult.StopReason.BUDGET_EXCEEDED);
            int before = llm.requests().size();
            assertThat(runner.run(s, "second").stopReason()).isEqualTo(AgentResult.StopReason.BUDGET_EXCEEDED);
            assertThat(llm.requests()).hasSize(before); // spent already: no model call at all
            // The budget is the session's: a new session may spend again.
            assertThat(runner.run(Session.create(), "third").iterations()).isEqualTo(3);
        }
        try (Runner team = runner(Budget.Scope.TEAM, Budget.tokens(200))) {
            team.run("a");                       // 5 calls, 200 tokens
            int before = llm.requests().size();
            AgentResult other = team.run("b");   // another session, same team
            assertThat(other.stopReason()).isEqualTo(AgentResult.StopReason.BUDGET_EXCEEDED);
            assertThat(llm.requests()).hasSize(before);
        }
    }

    @Test
    void aCostBudgetCountsDollarsAndRefusesToSpendBlind() {
        // 40 tokens at $1000 per million = $0.04 per call; $0.10 allows 3 calls.
        try (Runner runner = runner(Budget.Scope.RUN, Budget.costUsd(0.10))) {
            AgentResult r = runner.run("go");
            assertThat(r.stopReason()).isEqualTo(AgentResult.StopReason.BUDGET_EXCEEDED);
            assertThat(llm.requests()).hasSize(3);
        }
        assertThat(events).filteredOn(e -> e instanceof AgentEvent.BudgetExceeded).singleElement()
                .satisfies(e -> assertThat(((AgentEvent.BudgetExceeded) e).spentCostUsd()).isCloseTo(0.12,
                        org.assertj.core.data.Offset.offset(1e-9)));
        try (Runner unpriced = Runner.builder(looper()).models(llm.models())
                .budget(Budget.Scope.RUN, Budget.costUsd(1)).build()) {
            assertThatThrownBy(() -> unpriced.run("go")).isInstanceOf(AgentException.class)
                    .hasMessageContaining("has no price");
        }
    }

    @Test
    void aCallIsPricedAtTheModelThatAnsweredNotAtTheAgentsFirstChoice() {
        // The primary model is down (500); the fallback answers. The call costs what the fallback costs.
        llm.respondWith(req -> req.model().equals("gpt-4o") ? ScriptedReply.error(500, "overloaded")
                : ScriptedReply.text("done").usage(30, 10));
        dev.keel.core.models.ModelSpec withFallback = new dev.keel.core.models.ModelSpec.Fallback(
                dev.keel.core.models.ModelConfig.of("openai", "gpt-4o"),
                List.of(dev.keel.core.models.ModelConfig.of("openai", "gpt-4o-mini")), 0, java.time.Duration.ofMinutes(1));
        Agent agent = Agent.builder("answerer").instruction("Answer.").model(withFallback).build();
        try (Runner runner = Runner.builder(agent).models(llm.models()).budget(Budget.Scope.RUN, Budget.costUsd(1))
                .price("openai/gpt-4o", ModelPrice.of(1_000, 1_000))
                .price("openai/gpt-4o-mini", ModelPrice.of(10, 10)).build()) {
            AgentResult r = runner.run("go");
            assertThat(r.output()).isEqualTo("done");
            // 40 tokens at $10 per million, not at the primary's $1000 (and not "no price" for the composite label)
            assertThat(r.session().cost().orElseThrow()).isCloseTo(40 * 10 / 1e6, org.assertj.core.data.Offset.offset(1e-12));
        }
        // Only the model that answered needs a price: the primary's is not asked for when it did not answer.
        try (Runner onlyFallbackPriced = Runner.builder(agent).models(llm.models())
                .budget(Budget.Scope.RUN, Budget.costUsd(1)).price("openai/gpt-4o-mini", ModelPrice.of(10, 10)).build()) {
            assertThat(onlyFallbackPriced.run("go").output()).isEqualTo("done");
        }
        // The answering model unpriced: the run still refuses to spend blind, naming that model.
        try (Runner fallbackUnpriced = Runner.builder(agent).models(llm.models())
                .budget(Budget.Scope.RUN, Budget.costUsd(1)).price("openai/gpt-4o", ModelPrice.of(1, 1)).build()) {
            assertThatThrownBy(() -> fallbackUnpriced.run("go")).isInstanceOf(AgentException.class)
                    .hasMessageContaining("'openai/gpt-4o-mini'").hasMessageContaining("has no price");
        }
    }

    @Test
    void budgetsRefuseNonsense() {
        assertThatThrownBy(() -> Budget.tokens(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Budget.costUsd(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Budget.costUsd(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
        assertThat(Budget.tokens(5).withCostUsd(2)).isEqualTo(new Budget(5, 2));
        assertThat(Budget.tokens(5).limitsCost()).isFalse();
    }

    /** A clock the test moves: a tool "takes" the time it says. */
    private static final class TestClock extends java.time.Clock {
        private volatile java.time.Instant now = java.time.Instant.parse("2026-01-01T00:00:00Z");

        void advance(java.time.Duration d) {
            now = now.plus(d);
        }

        @Override
        public java.time.ZoneId getZone() {
            return java.time.ZoneOffset.UTC;
        }

        @Override
        public java.time.Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public java.time.Instant instant() {
            return now;
        }
    }

    private Agent slowLooper(String name, TestClock clock) {
        Tool poll = Tool.of(ToolSpec.of("poll", "Polls", JsonSchema.object().build()), true, (args, ctx) -> {
            polls.incrementAndGet();
            clock.advance(java.time.Duration.ofSeconds(25)); // each poll takes 25 s of working time
            return ToolResult.ok("not yet");
        });
        return Agent.builder(name).instruction("Poll until done.").model("openai/gpt-4o").maxIterations(1000)
                .toolsets(Toolset.of("p", poll)).build();
    }

    @Test
    void aRunTimeLimitStopsTheRunOnceItsWorkingTimeIsSpent() {
        TestClock clock = new TestClock();
        try (Runner runner = Runner.builder(slowLooper("looper", clock)).models(llm.models()).clock(clock)
                .budget(Budget.Scope.RUN, Budget.time(java.time.Duration.ofMinutes(1))).build()) {
            runner.events().subscribe(events::add);
            AgentResult r = runner.run("Wait for the build");
            assertThat(r.stopReason()).isEqualTo(AgentResult.StopReason.BUDGET_EXCEEDED);
            // 25 s per poll: after 3 polls (75 s) the next model call is not made.
            assertThat(polls).hasValue(3);
            assertThat(llm.requests()).hasSize(3);
        }
        assertThat(events).filteredOn(e -> e instanceof AgentEvent.BudgetExceeded).singleElement().satisfies(e -> {
            AgentEvent.BudgetExceeded b = (AgentEvent.BudgetExceeded) e;
            assertThat(b.name()).isEmpty();
            assertThat(b.spentTime()).isEqualTo(java.time.Duration.ofSeconds(75));
        });
    }

    @Test
    void aNamedBudgetStopsOnlyTheAgentsChargedToItAndTheParentGoesOn() {
        TestClock clock = new TestClock();
        Agent worker = slowLooper("worker", clock);
        Agent lead = Agent.builder("lead").instruction("Delegate.").model("openai/gpt-4o").subAgents(worker).build();
        // lead delegates; worker polls until its budget (2 calls of 40 tokens = 80 >= 60) stops it; lead answers.
        llm.respondWith(req -> {
            String system = req.systemPrompt();
            if (system.contains("Delegate.")) {
                return req.lastMessage() instanceof dev.keel.core.message.ToolResultMessage ? ScriptedReply.text("done").usage(30, 10)
                        : ScriptedReply.toolCall("transfer_task", Map.of("agent", "worker", "task", "poll",
                                "expected_output", "a status")).usage(30, 10);
            }
            return ScriptedReply.toolCall("poll", Map.of()).usage(30, 10);
        });
        try (Runner runner = Runner.builder(lead).models(llm.models()).clock(clock)
                .budget("polling", Budget.tokens(60), List.of("worker")).build()) {
            runner.events().subscribe(events::add);
            AgentResult r = runner.run("Check the build");
            assertThat(r.stopReason()).isEqualTo(AgentResult.StopReason.COMPLETED);
            assertThat(r.output()).isEqualTo("done");
            assertThat(polls).hasValue(2);
        }
        assertThat(events).filteredOn(e -> e instanceof AgentEvent.BudgetExceeded).singleElement().satisfies(e -> {
            AgentEvent.BudgetExceeded b = (AgentEvent.BudgetExceeded) e;
            assertThat(b.agent()).isEqualTo("worker");
            assertThat(b.name()).isEqualTo("polling");
            assertThat(b.spentTokens()).isEqualTo(80);
            assertThat(b.spentTime()).isEqualTo(java.time.Duration.ofSeconds(50));
        });
        assertThat(events).filteredOn(e -> e instanceof AgentEvent.DelegationFinished).singleElement()
                .satisfies(e -> assertThat(((AgentEvent.DelegationFinished) e).result())
                        .contains("stopped: the budget is spent"));
    }

    @Test
    void namedBudgetsAndTimeLimitsRefuseWhatCannotBeMeasured() {
        Agent a = looper();
        assertThatThrownBy(() -> Runner.builder(a).budget(Budget.Scope.SESSION,
                Budget.time(java.time.Duration.ofMinutes(1)))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("time limit applies to a run or a named budget");
        assertThatThrownBy(() -> Runner.builder(a).budget("pot", Budget.tokens(5), List.of("nobody")).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("agent 'nobody'");
        assertThatThrownBy(() -> Runner.builder(a).budget("pot", Budget.tokens(5), List.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Budget.time(java.time.Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThat(Budget.time(java.time.Duration.ofSeconds(30)).withTokens(10).toString())
                .isEqualTo("Budget[10 tokens, PT30S]");
        assertThat(Budget.tokens(5).limitsTime()).isFalse();
    }
}
