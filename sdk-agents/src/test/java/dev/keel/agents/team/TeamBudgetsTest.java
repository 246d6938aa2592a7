package dev.keel.agents.team;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.agents.AgentEvent;
import dev.keel.agents.AgentResult;
import dev.keel.agents.Budget;
import dev.keel.agents.Runner;
import dev.keel.core.message.ToolResultMessage;
import dev.keel.testing.model.ScriptedModelServer;
import dev.keel.testing.model.ScriptedReply;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docker-agent's {@code budget} (run-wide) and named {@code budgets} that agents opt into: read with their three
 * limits, applied by {@link Team#runner()}, enforced in runs against the scripted model server; bad values and
 * unknown names as located errors.
 */
class TeamBudgetsTest {
    @TempDir
    Path dir;
    private ScriptedModelServer llm;
    private final List<AgentEvent> events = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() {
        llm = ScriptedModelServer.start();
    }

    @AfterEach
    void stop() {
        llm.close();
    }

    private Team load(String yaml) {
        return TeamFiles.parse(dir, yaml);
    }

    @Test
    void theFileBudgetsAreReadWithTheirLimitsAndTheAgentsThatOptIn() {
        Team team = load("""
                agents:
                  root:
                    model: openai/gpt-4o
                    sub_agents: [shell]
                    budgets: [research]
                  shell:
                    model: openai/gpt-4o
                    description: runs commands
                    budgets: [shell-work, research]
                budget:
                  max_cost: 0.50
                  max_tokens: 100000
                  max_time: 10m
                budgets:
                  shell-work:
                    max_cost: 0.03
                    max_tokens: 8000
                  research:
                    max_time: 1m30s
                """);
        assertThat(team.warnings()).isEmpty();
        assertThat(team.budget()).contains(new Budget(100_000, 0.50, Duration.ofMinutes(10)));
        assertThat(team.budgets()).containsExactly(
                new Team.NamedBudget("shell-work", new Budget(8000, 0.03), Set.of("shell")),
                new Team.NamedBudget("research", Budget.time(Duration.ofSeconds(90)), Set.of("root", "shell")));
    }

    @Test
    void aNamedBudgetFromTheFileStopsItsAgentInARun() {
        Team team = load("""
                agents:
                  root:
                    model: openai/gpt-4o
                    instruction: Delegate the polling.
                    sub_agents: [poller]
                  poller:
                    model: openai/gpt-4o
                    description: polls
                    instruction: Poll forever.
                    budgets: [polling]
                    toolsets:
                      - type: shell
                budgets:
                  polling:
                    max_tokens: 100
                """);
        llm.respondWith(req -> {
            if (req.systemPrompt().contains("Delegate the polling.")) {
                return req.lastMessage() instanceof ToolResultMessage ? ScriptedReply.text("gave up").usage(30, 10)
                        : ScriptedReply.toolCall("transfer_task", Map.of("agent", "poller", "task", "poll"))
                                .usage(30, 10);
            }
            return ScriptedReply.toolCall("shell", Map.of("cmd", "true")).usage(30, 10);
        });
        try (Runner runner = team.runner().models(llm.models()).yolo(true).build()) {
            runner.events().subscribe(events::add);
            AgentResult r = runner.run("check");
            assertThat(r.output()).isEqualTo("gave up");
        }
        // 40 tokens per poller call: 3 calls (120 >= 100), then the poller stops; the root answers.
        assertThat(llm.requests()).hasSize(1 + 3 + 1);
        assertThat(events).filteredOn(e -> e instanceof AgentEvent.BudgetExceeded).singleElement()
                .satisfies(e -> assertThat(((AgentEvent.BudgetExceeded) e).name()).isEqualTo("polling"));
    }

    @Test
    void aRunWideBudgetFromTheFileStopsTheRun() {
        Team team = load("""
                agents:
                  root:
                    model: openai/gpt-4o
                    toolsets:
                      - type: shell
                budget:
                  max_tokens: 80
                """);
        llm.respondWith(req -> ScriptedReply.toolCall("shell", Map.of("cmd", "true")).usage(30, 10));
        try (Runner runner = team.runner().models(llm.models()).yolo(true).build()) {
            assertThat(runner.run("loop").stopReason()).isEqualTo(AgentResult.StopReason.BUDGET_EXCEEDED);
        }
        assertThat(llm.requests()).hasSize(2);
    }

    @Test
    void badBudgetsAreLocatedErrorsAndUselessOnesWarnings() {
        assertThatThrownBy(() -> load("""
                agents:
                  root:
                    model: openai/gpt-4o
                    budgets: [shel-work]
                budgets:
                  shell-work:
                    max_cost: 1
                """)).isInstanceOf(TeamFileException.class).hasMessageContaining("team.yaml:4")
                .hasMessageContaining("unknown budget 'shel-work'").hasMessageContaining("did you mean 'shell-work'");
        assertThatThrownBy(() -> load("""
                agents:
                  root:
                    model: openai/gpt-4o
                budget:
                  max_cost: 0
                """)).isInstanceOf(TeamFileException.class).hasMessageContaining("budget.max_cost");
        assertThatThrownBy(() -> load("""
                agents:
                  root:
                    model: openai/gpt-4o
                budget:
                  max_tokens: 12.5
                """)).isInstanceOf(TeamFileException.class).hasMessageContaining("budget.max_tokens");
        assertThatThrownBy(() -> load("""
                agents:
                  root:
                    model: openai/gpt-4o
                budget:
                  max_time: soon
                """)).isInstanceOf(TeamFileException.class).hasMessageContaining("budget.max_time")
                .hasMessageContaining("not a duration");
        Team team = load("""
                agents:
                  root:
                    model: openai/gpt-4o
                budget: {}
                budgets:
                  unused:
                    max_tokens: 10
                """);
        assertThat(team.budget()).isEmpty();
        assertThat(team.budgets()).isEmpty();
        assertThat(team.warnings()).anySatisfy(w -> assertThat(w).contains("budget: sets no limit"))
                .anySatisfy(w -> assertThat(w).contains("budgets.unused: no agent lists this budget"));
    }
}
