package dev.keel.agents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.ToolResult;
import dev.keel.agents.tool.Toolset;
import dev.keel.core.Usage;
import dev.keel.core.message.ToolResultMessage;
import dev.keel.core.tool.JsonSchema;
import dev.keel.core.tool.ToolSpec;
import dev.keel.testing.model.RecordedChatRequest;
import dev.keel.testing.model.ScriptedModelServer;
import dev.keel.testing.model.ScriptedReply;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Workflow agents against the scripted model server over real HTTP. Every agent talks to model {@code openai/<its
 * name>}, so the server tells the agents apart by the request's model.
 */
class WorkflowTest {
    private ScriptedModelServer llm;
    private final Map<String, Function<RecordedChatRequest, ScriptedReply>> scripts = new ConcurrentHashMap<>();
    private final List<AgentEvent> events = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() {
        llm = ScriptedModelServer.start();
        llm.respondWith(r -> scripts.get(r.model()).apply(r));
    }

    @AfterEach
    void stop() {
        llm.close();
    }

    static Agent agent(String name, Toolset... toolsets) {
        return Agent.builder(name).model("openai/" + name).instruction("You are " + name + ".").toolsets(toolsets).build();
    }

    private void answer(String agent, String text, long in, long out) {
        scripts.put(agent, r -> ScriptedReply.text(text).usage(in, out));
    }

    private Runner runner(Agent root) {
        Runner r = Runner.builder(root).models(llm.models()).yolo(true).build();
        r.events().subscribe(events::add);
        return r;
    }

    private List<String> requestedModels() {
        return llm.requests().stream().map(RecordedChatRequest::model).toList();
    }

    private RecordedChatRequest requestOf(String model, int nth) {
        return llm.requests().stream().filter(r -> r.model().equals(model)).skip(nth).findFirst().orElseThrow();
    }

    private <E extends AgentEvent> List<E> eventsOf(Class<E> type) {
        return events.stream().filter(type::isInstance).map(type::cast).toList();
    }

    @Test
    void sequentialRunsStepsInOrderAndPassesEveryEarlierOutputOn() {
        answer("writer", "draft one", 10, 5);
        answer("reviewer", "looks good", 20, 3);
        answer("editor", "final text", 30, 7);
        Agent pipeline = Agent.builder("pipeline").description("Writes, reviews, edits")
                .workflow(Workflow.sequential(agent("writer"), agent("reviewer"), agent("editor"))).build();
        try (Runner runner = runner(pipeline)) {
            AgentResult r = runner.run("Write about otters");

            assertThat(requestedModels()).containsExactly("writer", "reviewer", "editor");
            assertThat(requestOf("writer", 0).lastUserText()).isEqualTo("Write about otters");
            assertThat(requestOf("reviewer", 0).lastUserText())
                    .isEqualTo("Write about otters\n\n<output agent=\"writer\">\ndraft one\n</output>");
            assertThat(requestOf("editor", 0).lastUserText()).isEqualTo("Write about otters"
                    + "\n\n<output agent=\"writer\">\ndraft one\n</output>"
                    + "\n\n<output agent=\"reviewer\">\nlooks good\n</output>");
            // each step works in a session of its own: no other step's messages, its own system prompt
            assertThat(requestOf("editor", 0).messages()).hasSize(2);
            assertThat(requestOf("editor", 0).systemPrompt()).contains("You are editor.");

            assertThat(r.output()).isEqualTo("final text");
            assertThat(r.agent()).isEqualTo("pipeline");
            assertThat(r.stopReason()).isEqualTo(AgentResult.StopReason.COMPLETED);
            assertThat(r.steps()).extracting(AgentResult::agent).containsExactly("writer", "reviewer", "editor");
            assertThat(r.steps()).extracting(s -> s.usage().totalTokens()).containsExactly(15L, 23L, 37L);
            assertThat(r.usage().inputTokens()).isEqualTo(60);
            assertThat(r.usage().outputTokens()).isEqualTo(15);
            assertThat(r.session().usage()).isEqualTo(r.usage());
            assertThat(r.session().messages()).last().satisfies(m -> assertThat(m.toString()).contains("final text"));
        }
        List<AgentEvent.WorkflowStepStarted> started = eventsOf(AgentEvent.WorkflowStepStarted.class);
        List<AgentEvent.WorkflowStepFinished> finished = eventsOf(AgentEvent.WorkflowStepFinished.class);
        assertThat(started).extracting(AgentEvent.WorkflowStepStarted::step).containsExactly("writer", "reviewer", "editor");
        assertThat(started).allSatisfy(s -> {
            assertThat(s.agent()).isEqualTo("pipeline");
            assertThat(s.stepSessionId()).startsWith(s.sessionId() + "/");
        });
        assertThat(finished).extracting(AgentEvent.WorkflowStepFinished::output)
                .containsExactly("draft one", "looks good", "final text");
        assertThat(finished).extracting(f -> f.usage().totalTokens()).containsExactly(15L, 23L, 37L);
        assertThat(finished).noneMatch(AgentEvent.WorkflowStepFinished::error);
        // a step's model usage is reported under the step agent, in the step's session
        assertThat(eventsOf(AgentEvent.UsageReported.class)).extracting(AgentEvent.UsageReported::agent)
                .containsExactly("writer", "reviewer", "editor");
        // started → step's events → finished, step after step; the run's completion comes last
        int writerDone = events.indexOf(finished.get(0));
        int reviewerStarted = events.indexOf(started.get(1));
        assertThat(writerDone).isLessThan(reviewerStarted);
        assertThat(events.get(events.size() - 1)).isInstanceOfSatisfying(AgentEvent.RunCompleted.class,
                c -> assertThat(c.agent()).isEqualTo("pipeline"));
    }

    @Test
    void parallelWithoutJoinReturnsEveryBranchInDeclarationOrder() {
        answer("web", "from the web", 1, 1);
        answer("papers", "from papers", 2, 2);
        Agent research = Agent.builder("research").workflow(Workflow.parallel(agent("web"), agent("papers"))).build();
        try (Runner runner = runner(research)) {
            AgentResult r = runner.run("otters");
            assertThat(r.output()).isEqualTo("<output agent=\"web\">\nfrom the web\n</output>\n\n"
                    + "<output agent=\"papers\">\nfrom papers\n</output>");
            assertThat(r.steps()).extracting(AgentResult::agent).containsExactly("web", "papers");
            assertThat(r.usage().totalTokens()).isEqualTo(6);
            // each branch gets the workflow's input, nothing of its siblings
            assertThat(requestOf("web", 0).lastUserText()).isEqualTo("otters");
            assertThat(requestOf("papers", 0).lastUserText()).isEqualTo("otters");
        }
    }

    @Test
    void loopEndsWhenAnAgentCallsTheExitToolAndKeepsTheOutputBeforeABareExit() {
        AtomicInteger criticCalls = new AtomicInteger();
        scripts.put("critic", r -> ScriptedReply.text("critique " + criticCalls.incrementAndGet()).usage(1, 1));
        AtomicInteger editorCalls = new AtomicInteger();
        scripts.put("editor", r -> editorCalls.incrementAndGet() == 1 ? ScriptedReply.text("draft 1").usage(1, 1)
                : ScriptedReply.toolCall("exit_loop", Map.of()).usage(1, 1));
        Agent refine = Agent.builder("refine").workflow(Workflow.loop(agent("critic"), agent("editor")).maxIterations(5))
                .build();
        try (Runner runner = runner(refine)) {
            AgentResult r = runner.run("Improve the draft");
            // the editor's exit call ends its run at once: no further model call, no further pass
            assertThat(requestedModels()).containsExactly("critic", "editor", "critic", "editor");
            assertThat(r.stopReason()).isEqualTo(AgentResult.StopReason.COMPLETED);
            assertThat(r.iterations()).isEqualTo(2);
            assertThat(r.output()).isEqualTo("draft 1");
            assertThat(r.steps()).extracting(AgentResult::agent).containsExactly("critic", "editor", "critic", "editor");
            assertThat(r.usage().totalTokens()).isEqualTo(8);
            assertThat(llm.requests()).allSatisfy(q -> assertThat(q.toolNames()).contains("exit_loop"));
            // pass 2 sees the latest output of every step of pass 1
            assertThat(requestOf("critic", 1).lastUserText()).isEqualTo("Improve the draft"
                    + "\n\n<output agent=\"critic\">\ncritique 1\n</output>"
                    + "\n\n<output agent=\"editor\">\ndraft 1\n</output>");
        }
        assertThat(eventsOf(AgentEvent.WorkflowStepStarted.class)).extracting(AgentEvent.WorkflowStepStarted::iteration)
                .containsExactly(1, 1, 2, 2);
        assertThat(eventsOf(AgentEvent.MaxIterationsReached.class)).isEmpty();
        assertThat(eventsOf(AgentEvent.ToolCallFinished.class)).singleElement()
                .satisfies(f -> assertThat(f.call().name()).isEqualTo("exit_loop"));
    }

    @Test
    void anExitWithTextMakesThatTextTheOutputAndStopsTheStepsAfterIt() {
        scripts.put("judge", r -> ScriptedReply.text("approved as is").andToolCall(
                dev.keel.testing.model.ScriptedToolCall.of("done", Map.of("reason", "good enough"))));
        answer("polisher", "never", 1, 1);
        Agent loop = Agent.builder("review").workflow(Workflow.loop(agent("judge"), agent("polisher")).exitTool("done"))
                .build();
        try (Runner runner = runner(loop)) {
            AgentResult r = runner.run("Review this");
            assertThat(requestedModels()).containsExactly("judge");
            assertThat(r.output()).isEqualTo("approved as is");
            assertThat(r.stopReason()).isEqualTo(AgentResult.StopReason.COMPLETED);
            assertThat(llm.requests().get(0).toolNames()).containsExactly("done");
        }
    }

    @Test
    void loopStopsAtMaxIterationsWithoutAnExit() {
        AtomicInteger n = new AtomicInteger();
        scripts.put("counter", r -> ScriptedReply.text("pass " + n.incrementAndGet()).usage(2, 1));
        Agent loop = Agent.builder("count").workflow(Workflow.loop(agent("counter")).maxIterations(3)).build();
        try (Runner runner = runner(loop)) {
            AgentResult r = runner.run("Count");
            assertThat(llm.requests()).hasSize(3);
            assertThat(r.stopReason()).isEqualTo(AgentResult.StopReason.MAX_ITERATIONS);
            assertThat(r.iterations()).isEqualTo(3);
            assertThat(r.output()).isEqualTo("pass 3");
            assertThat(r.usage().totalTokens()).isEqualTo(9);
            assertThat(requestOf("counter", 2).lastUserText()).isEqualTo("Count\n\n<output agent=\"counter\">\npass 2\n</output>");
        }
        assertThat(eventsOf(AgentEvent.MaxIterationsReached.class)).singleElement().satisfies(m -> {
            assertThat(m.agent()).isEqualTo("count");
            assertThat(m.maxIterations()).isEqualTo(3);
        });
    }

    @Test
    void workflowsNestAndOnlyAgentsInsideALoopGetItsExitTool() {
        answer("web", "web facts", 1, 0);
        answer("papers", "paper facts", 1, 0);
        answer("summarizer", "summary", 1, 0);
        AtomicInteger editorCalls = new AtomicInteger();
        scripts.put("editor", r -> (editorCalls.incrementAndGet() == 1 ? ScriptedReply.text("article v1")
                : ScriptedReply.text("article v2").andToolCall(dev.keel.testing.model.ScriptedToolCall.of("exit_loop",
                        Map.of()))).usage(1, 0));
        answer("checker", "needs work", 1, 0);
        Agent research = Agent.builder("research")
                .workflow(Workflow.parallel(agent("web"), agent("papers")).join(agent("summarizer"))).build();
        Agent refine = Agent.builder("refine")
                .workflow(Workflow.loop(Agent.builder("pass").workflow(Workflow.sequential(agent("editor"),
                        agent("checker"))).build())).build();
        Agent root = Agent.builder("root").workflow(Workflow.sequential(research, refine)).build();
        try (Runner runner = runner(root)) {
            AgentResult r = runner.run("An article on otters");

            assertThat(requestOf("summarizer", 0).lastUserText()).isEqualTo("An article on otters"
                    + "\n\n<output agent=\"web\">\nweb facts\n</output>"
                    + "\n\n<output agent=\"papers\">\npaper facts\n</output>");
            assertThat(requestOf("editor", 0).lastUserText())
                    .isEqualTo("An article on otters\n\n<output agent=\"research\">\nsummary\n</output>");
            // the editor's exit in pass 2 ends the inner sequence (the checker does not run again) and the loop
            assertThat(requestedModels().subList(3, requestedModels().size()))
                    .containsExactly("editor", "checker", "editor");
            assertThat(r.output()).isEqualTo("article v2");
            assertThat(r.steps()).extracting(AgentResult::agent).containsExactly("research", "refine");
            assertThat(r.steps().get(0).steps()).extracting(AgentResult::agent).containsExactly("web", "papers", "summarizer");
            assertThat(r.steps().get(1).steps()).extracting(AgentResult::agent).containsExactly("pass", "pass");
            assertThat(r.steps().get(1).steps().get(0).steps()).extracting(AgentResult::agent)
                    .containsExactly("editor", "checker");
            assertThat(r.steps().get(1).steps().get(1).steps()).extracting(AgentResult::agent).containsExactly("editor");
            assertThat(r.usage().inputTokens()).isEqualTo(llm.requests().size());
            assertThat(r.steps().get(0).usage().inputTokens()).isEqualTo(3);
            assertThat(r.steps().get(1).usage().inputTokens()).isEqualTo(3);
            for (RecordedChatRequest q : llm.requests()) {
                boolean inLoop = q.model().equals("editor") || q.model().equals("checker");
                assertThat(q.toolNames().contains("exit_loop")).as(q.model()).isEqualTo(inLoop);
            }
        }
        assertThat(eventsOf(AgentEvent.WorkflowStepStarted.class)).filteredOn(s -> s.agent().equals("root"))
                .extracting(AgentEvent.WorkflowStepStarted::step).containsExactly("research", "refine");
        assertThat(eventsOf(AgentEvent.WorkflowStepStarted.class)).filteredOn(s -> s.agent().equals("research"))
                .extracting(AgentEvent.WorkflowStepStarted::step).containsExactlyInAnyOrder("web", "papers", "summarizer");
        assertThat(eventsOf(AgentEvent.WorkflowStepStarted.class)).filteredOn(s -> s.agent().equals("refine"))
                .extracting(AgentEvent.WorkflowStepStarted::iteration).containsExactly(1, 2);
    }

    @Test
    void aFailingStepEndsTheSequenceWithAnErrorNamingIt() {
        answer("writer", "draft", 5, 5);
        scripts.put("reviewer", r -> ScriptedReply.error(400, "context too long"));
        answer("editor", "never", 1, 1);
        Agent pipeline = Agent.builder("pipeline")
                .workflow(Workflow.sequential(agent("writer"), agent("reviewer"), agent("editor"))).build();
        Session session = Session.create();
        try (Runner runner = runner(pipeline)) {
            assertThatThrownBy(() -> runner.run(session, "Write")).isInstanceOfSatisfying(WorkflowStepException.class,
                    e -> {
                        assertThat(e.workflow()).isEqualTo("pipeline");
                        assertThat(e.step()).isEqualTo("reviewer");
                        assertThat(e.iteration()).isEqualTo(1);
                        assertThat(e.getMessage()).contains("step 'reviewer' of workflow 'pipeline' failed")
                                .contains("context too long");
                        assertThat(e.getCause()).isInstanceOf(AgentException.class);
                    });
        }
        assertThat(requestedModels()).containsExactly("writer", "reviewer");
        assertThat(session.usage().totalTokens()).isEqualTo(10); // the writer's work still counts
        assertThat(eventsOf(AgentEvent.WorkflowStepFinished.class)).extracting(f -> f.step() + ":" + f.error())
                .containsExactly("writer:false", "reviewer:true");
        assertThat(events.get(events.size() - 1)).isInstanceOf(AgentEvent.RunFailed.class);
    }

    /** A tool that blocks until interrupted, recording that it was. */
    private static Toolset blocking(String name, CountDownLatch entered, AtomicBoolean interrupted) {
        return Toolset.of(name, Tool.of(ToolSpec.of("wait", "Waits", JsonSchema.object().build()), true, (args, ctx) -> {
            entered.countDown();
            try {
                new CountDownLatch(1).await(60, TimeUnit.SECONDS);
                return ToolResult.ok("waited a minute");
            } catch (InterruptedException e) {
                interrupted.set(true);
                Thread.currentThread().interrupt();
                return ToolResult.error("interrupted");
            }
        }));
    }

    private void waitsThenAnswers(String agent) {
        scripts.put(agent, r -> r.lastMessage() instanceof ToolResultMessage ? ScriptedReply.text("done")
                : ScriptedReply.toolCall("wait", Map.of()));
    }

    @Test
    void aFailingBranchCancelsItsSiblingsAndTheJoinNeverRuns() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        AtomicBoolean interrupted = new AtomicBoolean();
        waitsThenAnswers("slow");
        // the failing branch fails only once the slow one is inside its tool, so there is something to cancel
        Toolset hold = Toolset.of("hold", Tool.of(ToolSpec.of("hold", "Waits for the slow branch",
                JsonSchema.object().build()), true, (args, ctx) -> {
                    try {
                        return ToolResult.ok(entered.await(30, TimeUnit.SECONDS) ? "go on" : "timed out");
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return ToolResult.error("interrupted");
                    }
                }));
        scripts.put("broken", r -> r.lastMessage() instanceof ToolResultMessage ? ScriptedReply.error(400, "bad request")
                : ScriptedReply.toolCall("hold", Map.of()));
        answer("join", "never", 1, 1);
        Agent fanOut = Agent.builder("fan").workflow(Workflow.parallel(
                agent("slow", blocking("slow-tools", entered, interrupted)), agent("broken", hold)).join(agent("join"))).build();
        try (Runner runner = runner(fanOut)) {
            assertThatThrownBy(() -> runner.run("go")).isInstanceOfSatisfying(WorkflowStepException.class, e -> {
                assertThat(e.step()).isEqualTo("broken");
                assertThat(e.workflow()).isEqualTo("fan");
            });
        }
        assertThat(interrupted).isTrue();
        assertThat(requestedModels()).doesNotContain("join");
        List<AgentEvent.WorkflowStepFinished> finished = eventsOf(AgentEvent.WorkflowStepFinished.class);
        assertThat(finished).extracting(f -> f.step() + ":" + f.error())
                .containsExactlyInAnyOrder("slow:true", "broken:true");
        // the cancelled sibling has ended before the run reports its failure
        assertThat(events.get(events.size() - 1)).isInstanceOf(AgentEvent.RunFailed.class);
    }

    @Test
    void cancellingTheRunStopsEveryBranch() throws Exception {
        CountDownLatch entered = new CountDownLatch(2);
        AtomicBoolean aInterrupted = new AtomicBoolean();
        AtomicBoolean bInterrupted = new AtomicBoolean();
        waitsThenAnswers("a");
        waitsThenAnswers("b");
        answer("join", "never", 1, 1);
        Agent fanOut = Agent.builder("fan").workflow(Workflow.parallel(agent("a", blocking("ta", entered, aInterrupted)),
                agent("b", blocking("tb", entered, bInterrupted))).join(agent("join"))).build();
        Agent root = Agent.builder("outer").workflow(Workflow.sequential(fanOut, agent("after"))).build();
        try (Runner runner = runner(root)) {
            RunHandle handle = runner.start("go");
            assertThat(entered.await(30, TimeUnit.SECONDS)).isTrue();
            handle.cancel();
            assertThatThrownBy(handle::await).isInstanceOf(AgentException.Cancelled.class);
        }
        assertThat(aInterrupted).isTrue();
        assertThat(bInterrupted).isTrue();
        assertThat(requestedModels()).containsExactlyInAnyOrder("a", "b");
        assertThat(eventsOf(AgentEvent.WorkflowStepFinished.class)).allMatch(AgentEvent.WorkflowStepFinished::error);
        assertThat(events.get(events.size() - 1)).isInstanceOf(AgentEvent.RunFailed.class);
    }

    @Test
    void aWorkflowIsASubAgentLikeAnyOther() {
        scripts.put("lead", r -> r.lastMessage() instanceof ToolResultMessage t
                ? ScriptedReply.text("Lead says: " + t.content()).usage(1, 1)
                : ScriptedReply.toolCall("transfer_task", Map.of("agent", "pipeline", "task", "Write about otters",
                        "expected_output", "an article")).usage(1, 1));
        answer("writer", "draft", 1, 1);
        answer("editor", "article", 1, 1);
        Agent pipeline = Agent.builder("pipeline").description("Writes and edits")
                .workflow(Workflow.sequential(agent("writer"), agent("editor"))).build();
        Agent lead = Agent.builder("lead").model("openai/lead").subAgents(pipeline).build();
        try (Runner runner = runner(lead)) {
            AgentResult r = runner.run("Get me an article");
            assertThat(r.output()).isEqualTo("Lead says: article");
            assertThat(r.usage().totalTokens()).isEqualTo(8);
            assertThat(requestOf("writer", 0).lastUserText())
                    .isEqualTo("Write about otters\n\nExpected output: an article");
            assertThat(requestOf("lead", 0).systemPrompt()).contains("pipeline").contains("Writes and edits");
        }
    }

    @Test
    void anAgentWithATooloftheExitToolsNameIsATypedErrorNamingBoth() {
        Toolset own = Toolset.of("own", Tool.of(ToolSpec.of("exit_loop", "mine", JsonSchema.object().build()), true,
                (args, ctx) -> ToolResult.ok("x")));
        Agent loop = Agent.builder("l").workflow(Workflow.loop(agent("worker", own))).build();
        try (Runner runner = runner(loop)) {
            assertThatThrownBy(() -> runner.run("go")).isInstanceOf(WorkflowStepException.class)
                    .hasMessageContaining("agent 'worker' has a tool named 'exit_loop'")
                    .hasMessageContaining("another exit tool name");
        }
        assertThat(llm.requests()).isEmpty();
    }

    @Test
    void invalidWorkflowsAreRefusedWhenBuilt() {
        Agent a = agent("a");
        assertThatThrownBy(() -> Workflow.sequential()).hasMessageContaining("at least one agent");
        assertThatThrownBy(() -> Workflow.parallel(a, a)).hasMessageContaining("lists agent 'a' twice");
        assertThatThrownBy(() -> Workflow.parallel(a).join(a)).hasMessageContaining("join agent 'a' is also a branch");
        assertThatThrownBy(() -> Workflow.loop(a).maxIterations(0)).hasMessageContaining("must be positive");
        assertThatThrownBy(() -> Workflow.loop(a).exitTool("exit loop")).hasMessageContaining("exit tool name");
        assertThatThrownBy(() -> Agent.builder("w").model("openai/x").instruction("hi").toolsets(Toolset.of("t"))
                .workflow(Workflow.sequential(a)).build())
                .hasMessageContaining("workflow agent 'w' runs other agents and cannot have a model, an instruction, toolsets");
        assertThatThrownBy(() -> Agent.builder("a").workflow(Workflow.sequential(a)).build())
                .hasMessageContaining("lists an agent of its own name");
        Agent w = Agent.builder("w").workflow(Workflow.sequential(a)).build();
        assertThat(w.model()).isNull();
        assertThat(w.toString()).contains("workflow=Sequential[a]");
        assertThat(w).isEqualTo(Agent.builder("w").workflow(Workflow.sequential(agent("a"))).build())
                .isNotEqualTo(Agent.builder("w").workflow(Workflow.parallel(a)).build());
        Agent handsOff = Agent.builder("h").model("openai/h").handoffs(w).build();
        assertThatThrownBy(() -> Runner.builder(handsOff).build()).hasMessageContaining("hands off to workflow agent 'w'");
        assertThatThrownBy(() -> Runner.builder(Agent.builder("root").workflow(Workflow.sequential(agent("x"),
                Agent.builder("x").model("openai/other").build())).build()).build())
                .hasMessageContaining("two different agents are named 'x'");
    }

    @Test
    void usageAddsUpAcrossStepsOfEveryKind() {
        answer("one", "1", 3, 4);
        answer("two", "2", 5, 6);
        Usage expected = new Usage(8, 10);
        Agent seq = Agent.builder("s").workflow(Workflow.sequential(agent("one"), agent("two"))).build();
        try (Runner runner = runner(seq)) {
            AgentResult r = runner.run("x");
            assertThat(r.usage().inputTokens()).isEqualTo(expected.inputTokens());
            assertThat(r.usage().outputTokens()).isEqualTo(expected.outputTokens());
            assertThat(r.steps().stream().mapToLong(s -> s.usage().totalTokens()).sum()).isEqualTo(r.usage().totalTokens());
        }
    }
}
