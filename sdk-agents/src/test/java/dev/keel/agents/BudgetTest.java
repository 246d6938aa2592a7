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
    void budgetsRefuseNonsense() {
        assertThatThrownBy(() -> Budget.tokens(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Budget.costUsd(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Budget.costUsd(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
        assertThat(Budget.tokens(5).withCostUsd(2)).isEqualTo(new Budget(5, 2));
        assertThat(Budget.tokens(5).limitsCost()).isFalse();
    }
}
