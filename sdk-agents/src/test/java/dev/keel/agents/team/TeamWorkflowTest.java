package dev.keel.agents.team;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.agents.Agent;
import dev.keel.agents.AgentResult;
import dev.keel.agents.Runner;
import dev.keel.agents.Workflow;
import dev.keel.core.message.ToolResultMessage;
import dev.keel.testing.model.RecordedChatRequest;
import dev.keel.testing.model.ScriptedModelServer;
import dev.keel.testing.model.ScriptedReply;
import dev.keel.testing.model.ScriptedToolCall;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Keel's team-file extension {@code x-keel-workflow}: workflow agents read from YAML, run against the scripted model
 * server, and every malformed workflow refused with file, line and field.
 */
class TeamWorkflowTest {
    @TempDir
    Path dir;

    private Team load(String yaml) {
        return TeamFiles.parse(dir, yaml);
    }

    private static final String TEAM = """
            agents:
              root:
                description: Researches, then refines an article
                x-keel-workflow:
                  sequential: [research, refine]
              research:
                x-keel-workflow:
                  parallel: [web, papers]
                  join: summarizer
              refine:
                x-keel-workflow:
                  loop: [editor]
                  max_iterations: 4
                  exit_tool: publish
              web:
                model: openai/web
                instruction: Search the web.
              papers:
                model: openai/papers
                instruction: Read papers.
              summarizer:
                model: openai/summarizer
                instruction: Summarise.
              editor:
                model: openai/editor
                instruction: Edit until it is good, then publish.
            """;

    @Test
    void aTeamFileWorkflowLoadsWithoutWarningsAndRunsAsWritten() {
        Team team = load(TEAM);
        assertThat(team.warnings()).isEmpty();
        Agent root = team.root();
        assertThat(root.name()).isEqualTo("root");
        assertThat(root.description()).isEqualTo("Researches, then refines an article");
        assertThat(root.workflow()).get().isInstanceOfSatisfying(Workflow.Sequential.class,
                s -> assertThat(s.steps()).extracting(Agent::name).containsExactly("research", "refine"));
        assertThat(team.agents().get("research").workflow()).get().isInstanceOfSatisfying(Workflow.Parallel.class, p -> {
            assertThat(p.steps()).extracting(Agent::name).containsExactly("web", "papers");
            assertThat(p.join().name()).isEqualTo("summarizer");
        });
        assertThat(team.agents().get("refine").workflow()).get().isEqualTo(
                Workflow.loop(team.agents().get("editor")).maxIterations(4).exitTool("publish"));

        AtomicInteger edits = new AtomicInteger();
        try (ScriptedModelServer llm = ScriptedModelServer.start()) {
            llm.respondWith(r -> switch (r.model()) {
                case "web" -> ScriptedReply.text("web facts").usage(1, 1);
                case "papers" -> ScriptedReply.text("paper facts").usage(1, 1);
                case "summarizer" -> ScriptedReply.text("summary").usage(1, 1);
                case "editor" -> edits.incrementAndGet() < 3 ? ScriptedReply.text("edit " + edits.get()).usage(1, 1)
                        : ScriptedReply.toolCall("publish", Map.of("reason", "good")).usage(1, 1);
                default -> null;
            });
            try (Runner runner = team.runner().models(llm.models()).build()) {
                AgentResult r = runner.run("Otters");
                assertThat(r.output()).isEqualTo("edit 2");
                assertThat(r.usage().totalTokens()).isEqualTo(2L * llm.requests().size());
                assertThat(llm.requests()).hasSize(6);
                RecordedChatRequest lastEdit = llm.requests().get(5);
                assertThat(lastEdit.toolNames()).containsExactly("publish");
                assertThat(lastEdit.lastUserText()).isEqualTo("Otters\n\n<output agent=\"research\">\nsummary\n</output>"
                        + "\n\n<output agent=\"editor\">\nedit 2\n</output>");
            }
            llm.assertNoFailures();
        }
    }

    @Test
    void aWorkflowAgentCanBeASubAgentOfAModelAgent() {
        Team team = load("""
                agents:
                  lead:
                    model: openai/lead
                    sub_agents: [pipeline]
                  pipeline:
                    description: Two steps
                    x-keel-workflow:
                      sequential: [one, two]
                  one:
                    model: openai/one
                  two:
                    model: openai/two
                """);
        assertThat(team.warnings()).isEmpty();
        try (ScriptedModelServer llm = ScriptedModelServer.start()) {
            llm.respondWith(r -> switch (r.model()) {
                case "lead" -> r.lastMessage() instanceof ToolResultMessage t ? ScriptedReply.text("got " + t.content())
                        : ScriptedReply.toolCalls(ScriptedToolCall.of("transfer_task", Map.of("agent", "pipeline",
                                "task", "do it", "expected_output", "it")));
                case "one" -> ScriptedReply.text("first");
                case "two" -> ScriptedReply.text("second");
                default -> null;
            });
            try (Runner runner = team.runner().models(llm.models()).build()) {
                assertThat(runner.run("go").output()).isEqualTo("got second");
            }
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = { // single quotes are part of the messages
        // unknown step, join and nested names
        "sequential: [a, nobody]|4|agents.w.x-keel-workflow.sequential[1]|unknown agent 'nobody'; agents are [w, a, b]",
        "parallel: [a, b] ; join: nobody|5|agents.w.x-keel-workflow.join|unknown agent 'nobody'",
        // empty lists and missing kinds
        "sequential: []|4|agents.w.x-keel-workflow.sequential|lists no agents",
        "loop:|4|agents.w.x-keel-workflow.loop|lists no agents",
        "max_iterations: 3|3|agents.w.x-keel-workflow|needs one of sequential, parallel or loop",
        // two kinds at once, and fields of another kind
        "sequential: [a] ; parallel: [b]|5|agents.w.x-keel-workflow.parallel|not both 'sequential' and 'parallel'",
        "sequential: [a] ; join: b|5|agents.w.x-keel-workflow.join|applies to a parallel workflow, not to sequential",
        "parallel: [a, b] ; max_iterations: 2|5|agents.w.x-keel-workflow.max_iterations|applies to a loop workflow",
        // bad values
        "loop: [a] ; max_iterations: 0|5|agents.w.x-keel-workflow.max_iterations|must be positive",
        "loop: [a] ; max_iterations: many|5|agents.w.x-keel-workflow.max_iterations|expected a whole number",
        "loop: [a] ; exit_tool: stop now|5|agents.w.x-keel-workflow.exit_tool|exit tool name 'stop now'",
        "parallel: [a, b, a]|4|agents.w.x-keel-workflow.parallel[2]|agent 'a' is already branch 0",
        "parallel: [a] ; join: a|4|agents.w.x-keel-workflow.parallel|join agent 'a' is also a branch",
        // a near miss of a field is an error with a suggestion, like any other field
        "sequental: [a]|4|agents.w.x-keel-workflow.sequental|did you mean 'sequential'?",
        "sequential: a|4|agents.w.x-keel-workflow.sequential|expected a list",
    })
    void malformedWorkflowsNameLineAndField(String workflow, int line, String field, String problem) {
        // ' ; ' separates the lines of the workflow block
        String yaml = "agents:\n  w:\n    x-keel-workflow:\n      " + workflow.replace(" ; ", "\n      ") + "\n"
                + "  a:\n    model: openai/a\n  b:\n    model: openai/b\n";
        assertThatThrownBy(() -> load(yaml)).isInstanceOfSatisfying(TeamFileException.class, e -> {
            assertThat(e.field()).isEqualTo(field);
            assertThat(e.problem()).contains(problem);
            assertThat(e.line()).isEqualTo(line);
        });
    }

    @Test
    void cyclesThroughWorkflowsAreRefusedWithThePath() {
        assertThatThrownBy(() -> load("""
                agents:
                  a:
                    x-keel-workflow:
                      sequential: [b]
                  b:
                    x-keel-workflow:
                      parallel: [c]
                  c:
                    x-keel-workflow:
                      loop: [a]
                """)).isInstanceOfSatisfying(TeamFileException.class, e -> {
                    assertThat(e.line()).isEqualTo(10);
                    assertThat(e.field()).isEqualTo("agents.c.x-keel-workflow.loop[0]");
                    assertThat(e.problem()).isEqualTo("cycle in workflow steps: a -> b -> c -> a");
                });
        assertThatThrownBy(() -> load("""
                agents:
                  a:
                    x-keel-workflow:
                      sequential: [a]
                """)).isInstanceOfSatisfying(TeamFileException.class,
                e -> assertThat(e.problem()).isEqualTo("cycle in workflow steps: a -> a"));
        // through a sub-agent, too
        assertThatThrownBy(() -> load("""
                agents:
                  a:
                    x-keel-workflow:
                      sequential: [b]
                  b:
                    model: openai/b
                    sub_agents: [a]
                """)).isInstanceOfSatisfying(TeamFileException.class,
                e -> assertThat(e.problem()).isEqualTo("cycle in sub_agents/handoffs: a -> b -> a"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "model: openai/x|model",
        "instruction: be good|instruction",
        "toolsets: [{type: think}]|toolsets",
        "sub_agents: [a]|sub_agents",
        "max_iterations: 3|max_iterations",
    })
    void aWorkflowAgentWithFieldsOfAModelAgentIsRefusedNeverHalfRun(String extra, String key) {
        String yaml = "agents:\n  w:\n    " + extra + "\n    x-keel-workflow:\n      sequential: [a]\n"
                + "  a:\n    model: openai/a\n";
        assertThatThrownBy(() -> load(yaml)).isInstanceOfSatisfying(TeamFileException.class, e -> {
            assertThat(e.line()).isEqualTo(3);
            assertThat(e.field()).isEqualTo("agents.w." + key);
            assertThat(e.problem()).contains("a workflow agent (x-keel-workflow) runs other agents")
                    .contains("'" + key + "' belongs on its steps");
        });
    }

    @Test
    void aHandoffToAWorkflowAgentIsRefusedAtItsLine() {
        assertThatThrownBy(() -> load("""
                agents:
                  lead:
                    model: openai/lead
                    handoffs: [w]
                  w:
                    x-keel-workflow:
                      sequential: [a]
                  a:
                    model: openai/a
                """)).isInstanceOfSatisfying(TeamFileException.class, e -> {
                    assertThat(e.line()).isEqualTo(4);
                    assertThat(e.field()).isEqualTo("agents.lead.handoffs[0]");
                    assertThat(e.problem()).contains("'w' is a workflow agent");
                });
    }
}
