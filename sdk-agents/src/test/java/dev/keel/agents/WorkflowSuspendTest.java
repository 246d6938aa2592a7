package dev.keel.agents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keel.agents.session.SessionStore;
import dev.keel.agents.session.StoredSession;
import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.ToolResult;
import dev.keel.agents.tool.Toolset;
import dev.keel.core.json.JsonParseException;
import dev.keel.core.message.ToolResultMessage;
import dev.keel.core.tool.JsonSchema;
import dev.keel.core.tool.ToolSpec;
import dev.keel.testing.model.RecordedChatRequest;
import dev.keel.testing.model.ScriptedModelServer;
import dev.keel.testing.model.ScriptedReply;
import dev.keel.testing.model.ScriptedToolCall;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Workflow steps that need a person's decision suspend the whole run durably, and a resume — in a new runner over
 * the same file store, as a restarted service would — continues where it stopped: the decided call runs once, no
 * finished step and no model call runs again, and the outputs flow on as if the run had never stopped. Real HTTP
 * (the scripted model server; every agent talks to model {@code openai/<its name>}) and a real file store.
 */
class WorkflowSuspendTest {
    @TempDir
    Path dir;
    private ScriptedModelServer llm;
    private final Map<String, Function<RecordedChatRequest, ScriptedReply>> scripts = new ConcurrentHashMap<>();
    private final AtomicInteger deployed = new AtomicInteger();
    private final AtomicInteger checked = new AtomicInteger();
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

    /** {@code deploy} needs a decision (asked, so it suspends); {@code check} is allowed. */
    private Toolset ops() {
        Tool deploy = Tool.of(ToolSpec.of("deploy", "Deploys", JsonSchema.object().build()), false, (args, ctx) -> {
            deployed.incrementAndGet();
            return ToolResult.ok("deployed v2");
        });
        Tool check = Tool.of(ToolSpec.of("check", "Checks", JsonSchema.object().build()), true, (args, ctx) -> {
            checked.incrementAndGet();
            return ToolResult.ok("all green");
        });
        return Toolset.of("ops", deploy, check);
    }

    private Agent agent(String name) {
        return Agent.builder(name).model("openai/" + name).description("The " + name).instruction("You are " + name + ".")
                .toolsets(ops()).permissions(dev.keel.agents.approval.Permissions.none().allowing("check")).build();
    }

    private void answer(String agent, String text) {
        scripts.put(agent, r -> ScriptedReply.text(text).usage(10, 2));
    }

    /** Calls deploy, then answers {@code text} once the result (or the denial) is in. */
    private void deploysThenAnswers(String agent, String text) {
        scripts.put(agent, r -> r.lastMessage() instanceof ToolResultMessage ? ScriptedReply.text(text).usage(30, 4)
                : ScriptedReply.toolCall("deploy", Map.of()).usage(20, 3));
    }

    private SessionStore store() {
        return SessionStore.inDirectory(dir.resolve("sessions"));
    }

    private Runner runner(Agent root) {
        Runner r = Runner.builder(root).models(llm.models()).sessions(store()).build();
        r.events().subscribe(events::add);
        return r;
    }

    private long calls(String model) {
        return llm.requests().stream().filter(r -> r.model().equals(model)).count();
    }

    private RecordedChatRequest requestOf(String model, int nth) {
        return llm.requests().stream().filter(r -> r.model().equals(model)).skip(nth).findFirst().orElseThrow();
    }

    private <E extends AgentEvent> List<E> eventsOf(Class<E> type) {
        return events.stream().filter(type::isInstance).map(type::cast).toList();
    }

    /**
     * Runs {@code input} in stored session {@code id} until it suspends, closes that runner (the service stops), and
     * resumes with {@code decision} in a new runner over the same store.
     */
    private AgentResult suspendThenResume(Agent root, String id, String input, Decision decision) {
        String token;
        try (Runner first = runner(root)) {
            token = ((RunOutcome.Suspended) first.run(id, input)).token();
        }
        try (Runner restarted = runner(root)) {
            return ((RunOutcome.Completed) restarted.resume(token, decision)).result();
        }
    }

    private Agent pipeline() {
        return Agent.builder("pipeline").description("Drafts, ships, reports")
                .workflow(Workflow.sequential(agent("writer"), agent("shipper"), agent("reporter"))).build();
    }

    @Test
    void aSequentialRunSuspendedInStepTwoResumesInANewRunnerAndRunsNothingTwice() {
        answer("writer", "release notes for v2");
        deploysThenAnswers("shipper", "shipped v2");
        answer("reporter", "report: v2 is out");
        String token;
        try (Runner first = runner(pipeline())) {
            RunOutcome.Suspended s = (RunOutcome.Suspended) first.run("wf-1", "Release v2");
            assertThat(s.pendingCall().agent()).isEqualTo("shipper");
            assertThat(s.pendingCall().tool()).isEqualTo("deploy");
            assertThat(s.pendingCall().sessionId()).startsWith("wf-1/");
            token = s.token();
            assertThatThrownBy(() -> first.run("wf-1", "something else"))
                    .isInstanceOf(AgentException.class).hasMessageContaining("waits for a decision");
        } // closed without a resume: the service stops
        assertThat(deployed).hasValue(0);
        assertThat(calls("writer")).isEqualTo(1);
        assertThat(calls("shipper")).isEqualTo(1);
        assertThat(calls("reporter")).isZero();
        events.clear();

        String forged = token.substring(0, token.length() - 4) + (token.endsWith("AAAA") ? "BBBB" : "AAAA");
        try (Runner restarted = runner(pipeline())) {
            assertThatThrownBy(() -> restarted.resume(forged, Decision.approve("eve")))
                    .isInstanceOf(AgentException.ResumeRefused.class).hasMessageContaining("does not match");
            RunOutcome out = restarted.resume(token, Decision.approve("alice"));
            AgentResult r = ((RunOutcome.Completed) out).result();
            assertThat(r.output()).isEqualTo("report: v2 is out");
            assertThat(r.agent()).isEqualTo("pipeline");
            assertThat(r.steps()).extracting(AgentResult::output)
                    .containsExactly("release notes for v2", "shipped v2", "report: v2 is out");
            // every model call counted once: writer 12, shipper 23 + 34, reporter 12
            assertThat(r.session().usage().totalTokens()).isEqualTo(12 + 23 + 34 + 12);
            String again = token;
            assertThatThrownBy(() -> restarted.resume(again, Decision.approve("alice")))
                    .isInstanceOf(AgentException.ResumeRefused.class);
        }
        assertThat(deployed).hasValue(1);
        assertThat(calls("writer")).isEqualTo(1);
        assertThat(calls("shipper")).isEqualTo(2);
        assertThat(calls("reporter")).isEqualTo(1);
        // the shipper went on with its stored call's result, not a new answer
        assertThat(requestOf("shipper", 1).lastMessage()).isInstanceOfSatisfying(ToolResultMessage.class,
                m -> assertThat(m.content()).isEqualTo("deployed v2"));
        assertThat(requestOf("reporter", 0).lastUserText()).isEqualTo("Release v2"
                + "\n\n<output agent=\"writer\">\nrelease notes for v2\n</output>"
                + "\n\n<output agent=\"shipper\">\nshipped v2\n</output>");
        // the resumed run reports the steps it ran, and the writer is not among them
        assertThat(eventsOf(AgentEvent.WorkflowStepFinished.class)).extracting(AgentEvent.WorkflowStepFinished::step)
                .containsExactly("shipper", "reporter");
        Session stored = Session.fromJson(store().load("wf-1").orElseThrow().json());
        assertThat(stored.pendingApproval()).isEmpty();
        assertThat(stored.workflowProgress()).isNull();
        assertThat(stored.decisions()).extracting(ApprovalRecord::by).containsExactly("alice");
        assertThat(stored.usage().totalTokens()).isEqualTo(12 + 23 + 34 + 12);
    }

    @Test
    void aDenialReachesTheSuspendedStepAndTheWorkflowGoesOn() {
        answer("writer", "notes");
        deploysThenAnswers("shipper", "not shipped");
        answer("reporter", "report: held back");
        String token;
        try (Runner first = runner(pipeline())) {
            token = ((RunOutcome.Suspended) first.run("wf-2", "Release v2")).token();
        }
        try (Runner restarted = runner(pipeline())) {
            RunOutcome out = restarted.resume(token, Decision.deny("bob", "change freeze"));
            assertThat(((RunOutcome.Completed) out).result().output()).isEqualTo("report: held back");
        }
        assertThat(deployed).hasValue(0);
        assertThat(requestOf("shipper", 1).lastMessage()).isInstanceOfSatisfying(ToolResultMessage.class,
                m -> assertThat(m.content()).contains("denied by bob: change freeze"));
        assertThat(requestOf("reporter", 0).lastUserText()).contains("<output agent=\"shipper\">\nnot shipped\n");
        assertThat(calls("writer")).isEqualTo(1);
    }

    /** The critic ends the loop in pass 3; the fixer's deploy in pass 2 needs a decision. */
    private Agent refineLoop() {
        AtomicInteger critic = new AtomicInteger();
        scripts.put("critic", r -> {
            int pass = critic.incrementAndGet();
            return pass < 3 ? ScriptedReply.text("needs work " + pass).usage(5, 1)
                    : ScriptedReply.toolCall("exit_loop", Map.of("reason", "good")).usage(5, 1);
        });
        AtomicInteger fixer = new AtomicInteger();
        scripts.put("fixer", r -> {
            if (r.lastMessage() instanceof ToolResultMessage) {
                return ScriptedReply.text("fixed after deploy").usage(7, 2);
            }
            int pass = fixer.incrementAndGet();
            return pass == 2 ? ScriptedReply.toolCall("deploy", Map.of()).usage(7, 2)
                    : ScriptedReply.text("fixed " + pass).usage(7, 2);
        });
        return Agent.builder("refine").description("Refines")
                .workflow(Workflow.loop(agent("critic"), agent("fixer")).maxIterations(5)).build();
    }

    @Test
    void aLoopSuspendedInPassTwoResumesWithItsPassOutputsAndExitAndEndsAtTheRightPass() {
        Agent loop = refineLoop();
        String token;
        try (Runner first = runner(loop)) {
            RunOutcome.Suspended s = (RunOutcome.Suspended) first.run("loop-1", "Polish the text");
            assertThat(s.pendingCall().agent()).isEqualTo("fixer");
            token = s.token();
        }
        assertThat(calls("critic")).isEqualTo(2);
        assertThat(calls("fixer")).isEqualTo(2);
        try (Runner restarted = runner(loop)) {
            AgentResult r = ((RunOutcome.Completed) restarted.resume(token, Decision.approve("carol"))).result();
            assertThat(r.stopReason()).isEqualTo(AgentResult.StopReason.COMPLETED);
            assertThat(r.iterations()).isEqualTo(3);
            // the critic ended the loop with a bare exit call: its latest answer (pass 2) is the loop's output
            assertThat(r.output()).isEqualTo("needs work 2");
            assertThat(r.steps()).extracting(AgentResult::agent)
                    .containsExactly("critic", "fixer", "critic", "fixer", "critic");
        }
        assertThat(deployed).hasValue(1);
        assertThat(calls("critic")).isEqualTo(3);
        assertThat(calls("fixer")).isEqualTo(3);
        // pass 3's critic saw the latest output of every step, pass 2's fixer included
        assertThat(requestOf("critic", 2).lastUserText()).isEqualTo("Polish the text"
                + "\n\n<output agent=\"critic\">\nneeds work 2\n</output>"
                + "\n\n<output agent=\"fixer\">\nfixed after deploy\n</output>");
    }

    @Test
    void anExitCalledInTheSuspendedTurnEndsTheLoopAfterTheResume() {
        scripts.put("critic", r -> ScriptedReply.text("needs work").usage(5, 1));
        scripts.put("fixer", r -> r.lastMessage() instanceof ToolResultMessage ? ScriptedReply.text("never asked")
                : ScriptedReply.toolCalls(ScriptedToolCall.of("exit_loop", Map.of()), ScriptedToolCall.of("deploy", Map.of()))
                        .usage(7, 2));
        Agent loop = Agent.builder("refine").workflow(Workflow.loop(agent("critic"), agent("fixer")).maxIterations(4))
                .build();
        AgentResult r = suspendThenResume(loop, "loop-2", "Polish", Decision.approve("carol"));
        assertThat(r.iterations()).isEqualTo(1);
        assertThat(r.stopReason()).isEqualTo(AgentResult.StopReason.COMPLETED);
        assertThat(deployed).hasValue(1);
        assertThat(calls("critic")).isEqualTo(1);
        assertThat(calls("fixer")).isEqualTo(1); // its turn ended with the exit: not asked again
    }

    @Test
    void aNestedSequentialWorkflowSuspendsAndResumesInsideTheOuterOne() {
        answer("writer", "notes");
        deploysThenAnswers("shipper", "shipped");
        answer("reporter", "report");
        answer("planner", "plan");
        Agent inner = Agent.builder("release").description("Writes and ships")
                .workflow(Workflow.sequential(agent("writer"), agent("shipper"))).build();
        Agent outer = Agent.builder("program").workflow(Workflow.sequential(agent("planner"), inner, agent("reporter")))
                .build();
        String token;
        try (Runner first = runner(outer)) {
            RunOutcome.Suspended s = (RunOutcome.Suspended) first.run("nest-1", "Ship it");
            assertThat(s.pendingCall().agent()).isEqualTo("shipper");
            token = s.token();
        }
        try (Runner restarted = runner(outer)) {
            AgentResult r = ((RunOutcome.Completed) restarted.resume(token, Decision.approve("dan"))).result();
            assertThat(r.output()).isEqualTo("report");
            assertThat(r.steps()).extracting(AgentResult::agent).containsExactly("planner", "release", "reporter");
            assertThat(r.steps().get(1).steps()).extracting(AgentResult::output).containsExactly("notes", "shipped");
        }
        assertThat(deployed).hasValue(1);
        assertThat(calls("planner")).isEqualTo(1);
        assertThat(calls("writer")).isEqualTo(1);
        assertThat(calls("shipper")).isEqualTo(2);
        assertThat(requestOf("reporter", 0).lastUserText()).isEqualTo("Ship it"
                + "\n\n<output agent=\"planner\">\nplan\n</output>"
                + "\n\n<output agent=\"release\">\nshipped\n</output>");
    }

    @Test
    void aNestedWorkflowThatFinishedBeforeTheSuspensionKeepsItsStepsAndIsNotRunAgain() {
        answer("planner", "plan");
        answer("writer", "notes");
        deploysThenAnswers("shipper", "shipped");
        answer("reporter", "report");
        Agent prepare = Agent.builder("prepare").description("Plans and writes")
                .workflow(Workflow.sequential(agent("planner"), agent("writer"))).build();
        Agent outer = Agent.builder("program").workflow(Workflow.sequential(prepare, agent("shipper"), agent("reporter")))
                .build();
        AgentResult r = suspendThenResume(outer, "nest-2", "Ship it", Decision.approve("dan"));
        assertThat(r.steps()).extracting(AgentResult::agent).containsExactly("prepare", "shipper", "reporter");
        AgentResult prepared = r.steps().get(0);
        assertThat(prepared.output()).isEqualTo("notes");
        assertThat(prepared.steps()).extracting(AgentResult::output).containsExactly("plan", "notes");
        assertThat(prepared.usage().totalTokens()).isEqualTo(24);
        assertThat(prepared.session().messages()).last().satisfies(m -> assertThat(m.toString()).contains("notes"));
        assertThat(r.session().usage().totalTokens()).isEqualTo(12 + 12 + 23 + 34 + 12);
        assertThat(calls("planner")).isEqualTo(1);
        assertThat(calls("writer")).isEqualTo(1);
        assertThat(deployed).hasValue(1);
    }

    @Test
    void aWorkflowSubAgentOfAnOrdinaryAgentSuspendsTheRunAndTheDelegationResumes() {
        answer("writer", "notes");
        deploysThenAnswers("shipper", "shipped");
        answer("reporter", "report");
        scripts.put("lead", r -> r.lastMessage() instanceof ToolResultMessage ? ScriptedReply.text("Released.")
                : ScriptedReply.toolCall("transfer_task", Map.of("agent", "pipeline", "task", "release v2",
                        "expected_output", "a report")));
        Agent lead = Agent.builder("lead").model("openai/lead").instruction("You lead.").subAgents(pipeline()).build();
        String token;
        try (Runner first = runner(lead)) {
            token = ((RunOutcome.Suspended) first.run("lead-1", "Release")).token();
        }
        try (Runner restarted = runner(lead)) {
            assertThat(((RunOutcome.Completed) restarted.resume(token, Decision.approve("erin"))).result().output())
                    .isEqualTo("Released.");
        }
        assertThat(deployed).hasValue(1);
        assertThat(calls("lead")).isEqualTo(2);
        assertThat(calls("writer")).isEqualTo(1);
        assertThat(requestOf("lead", 1).lastMessage()).isInstanceOfSatisfying(ToolResultMessage.class,
                m -> assertThat(m.content()).isEqualTo("report"));
    }

    @Test
    void aSuspendedParallelBranchKeepsTheFinishedBranchesAndTheJoinGetsEveryOutput() {
        scripts.put("checker", r -> r.lastMessage() instanceof ToolResultMessage ? ScriptedReply.text("checks pass")
                : ScriptedReply.toolCall("check", Map.of()));
        deploysThenAnswers("shipper", "shipped");
        answer("joiner", "all done");
        Agent release = Agent.builder("release")
                .workflow(Workflow.parallel(agent("checker"), agent("shipper")).join(agent("joiner"))).build();
        String token;
        try (Runner first = runner(release)) {
            token = ((RunOutcome.Suspended) first.run("par-1", "Release")).token();
        }
        assertThat(checked).hasValue(1); // the other branch finished before the run suspended
        try (Runner restarted = runner(release)) {
            AgentResult r = ((RunOutcome.Completed) restarted.resume(token, Decision.approve("fay"))).result();
            assertThat(r.output()).isEqualTo("all done");
            assertThat(r.steps()).extracting(AgentResult::output).containsExactly("checks pass", "shipped", "all done");
        }
        assertThat(checked).hasValue(1);
        assertThat(deployed).hasValue(1);
        assertThat(calls("checker")).isEqualTo(2);
        assertThat(calls("joiner")).isEqualTo(1);
        assertThat(requestOf("joiner", 0).lastUserText()).isEqualTo("Release"
                + "\n\n<output agent=\"checker\">\nchecks pass\n</output>"
                + "\n\n<output agent=\"shipper\">\nshipped\n</output>");
    }

    @Test
    void withoutAStoreTheRunSuspendsAndTheSessionResumesInMemory() {
        answer("writer", "notes");
        deploysThenAnswers("shipper", "shipped");
        answer("reporter", "report");
        try (Runner runner = Runner.builder(pipeline()).models(llm.models())
                .approver(dev.keel.agents.approval.Approver.SUSPEND).build()) {
            Session session = Session.create();
            AgentResult r = runner.run(session, "Release v2");
            assertThat(r.stopReason()).isEqualTo(AgentResult.StopReason.SUSPENDED);
            PendingApproval p = session.pendingApproval().orElseThrow();
            Session copy = Session.fromJson(session.toJson()); // it can travel to another instance as JSON
            assertThat(runner.resume(copy, p.token(), Decision.approve("gus")).output()).isEqualTo("report");
            assertThatThrownBy(() -> runner.resume(copy, p.token(), Decision.approve("gus")))
                    .isInstanceOf(AgentException.ResumeRefused.class);
        }
        assertThat(deployed).hasValue(1);
        assertThat(calls("writer")).isEqualTo(1);
    }

    /** Suspends pipeline run {@code id}, then rewrites its stored workflow progress with {@code tamper}. */
    private String suspendAndTamper(String id, java.util.function.Consumer<ObjectNode> tamper) throws Exception {
        answer("writer", "notes");
        deploysThenAnswers("shipper", "shipped");
        answer("reporter", "report");
        String token;
        try (Runner first = runner(pipeline())) {
            token = ((RunOutcome.Suspended) first.run(id, "Release v2")).token();
        }
        SessionStore store = store();
        StoredSession stored = store.load(id).orElseThrow();
        ObjectMapper mapper = new ObjectMapper();
        JsonNode root = mapper.readTree(stored.json());
        tamper.accept((ObjectNode) root.path("run").path("workflow"));
        store.save(id, mapper.writeValueAsString(root), stored.version());
        return token;
    }

    @Test
    void tamperedWorkflowProgressIsRefusedWithATypedErrorAndNothingRuns() throws Exception {
        String outOfRange = suspendAndTamper("t-1", w -> {
            ObjectNode running = (ObjectNode) w.path("running");
            running.set("7", running.remove("1"));
        });
        String wrongAgent = suspendAndTamper("t-2", w -> w.put("agent", "intruder"));
        String skipped = suspendAndTamper("t-3", w -> ((ObjectNode) w.path("finished").get(0)).put("index", 2));
        String notAnIndex = suspendAndTamper("t-4", w -> {
            ObjectNode running = (ObjectNode) w.path("running");
            running.set("one", running.remove("1"));
        });
        try (Runner restarted = runner(pipeline())) {
            assertThatThrownBy(() -> restarted.resume(outOfRange, Decision.approve("eve")))
                    .isInstanceOf(AgentException.ResumeRefused.class).hasMessageContaining("index 7 is out of range");
            assertThatThrownBy(() -> restarted.resume(wrongAgent, Decision.approve("eve")))
                    .isInstanceOf(AgentException.ResumeRefused.class).hasMessageContaining("'intruder'");
            assertThatThrownBy(() -> restarted.resume(skipped, Decision.approve("eve")))
                    .isInstanceOf(AgentException.ResumeRefused.class).hasMessageContaining("out of order");
            assertThatThrownBy(() -> restarted.resume(notAnIndex, Decision.approve("eve")))
                    .isInstanceOf(JsonParseException.class).hasMessageContaining("'one'");
        }
        assertThat(deployed).hasValue(0);
        assertThat(calls("writer")).isEqualTo(4);
        assertThat(calls("shipper")).isEqualTo(4);
        assertThat(calls("reporter")).isZero();
        // nothing was decided: the refused session still waits for its decision
        assertThat(Session.fromJson(store().load("t-3").orElseThrow().json()).pendingApproval()).isPresent();
    }

    @Test
    void aTamperedLoopPassOrAProgressInsideADelegationIsRefusedBeforeAnythingIsDecided() throws Exception {
        Agent loop = refineLoop();
        String token;
        try (Runner first = runner(loop)) {
            token = ((RunOutcome.Suspended) first.run("t-loop", "Polish")).token();
        }
        SessionStore store = store();
        StoredSession stored = store.load("t-loop").orElseThrow();
        ObjectMapper mapper = new ObjectMapper();
        JsonNode root = mapper.readTree(stored.json());
        ((ObjectNode) root.path("run").path("workflow")).put("pass", 9);
        store.save("t-loop", mapper.writeValueAsString(root), stored.version());
        try (Runner restarted = runner(loop)) {
            assertThatThrownBy(() -> restarted.resume(token, Decision.approve("eve")))
                    .isInstanceOf(AgentException.ResumeRefused.class).hasMessageContaining("pass 9 is out of range");
        }

        answer("writer", "notes");
        deploysThenAnswers("shipper", "shipped");
        answer("reporter", "report");
        scripts.put("lead", r -> ScriptedReply.toolCall("transfer_task", Map.of("agent", "pipeline", "task", "go",
                "expected_output", "a report")));
        Agent lead = Agent.builder("lead").model("openai/lead").instruction("You lead.").subAgents(pipeline()).build();
        String leadToken;
        try (Runner first = runner(lead)) {
            leadToken = ((RunOutcome.Suspended) first.run("t-lead", "Release")).token();
        }
        stored = store.load("t-lead").orElseThrow();
        root = mapper.readTree(stored.json());
        JsonNode delegation = root.path("run").path("turn").path("delegations").elements().next();
        ObjectNode running = (ObjectNode) delegation.path("run").path("workflow").path("running");
        running.set("5", running.remove("1"));
        store.save("t-lead", mapper.writeValueAsString(root), stored.version());
        try (Runner restarted = runner(lead)) {
            assertThatThrownBy(() -> restarted.resume(leadToken, Decision.approve("eve")))
                    .isInstanceOf(AgentException.ResumeRefused.class).hasMessageContaining("index 5 is out of range");
        }
        assertThat(deployed).hasValue(0);
        assertThat(Session.fromJson(store.load("t-lead").orElseThrow().json()).pendingApproval()).isPresent();
    }

    @Test
    void aRunKilledInsideAStepIsRecoveredWithoutRunningAFinishedStepOrToolAgain() throws Exception {
        Path journal = dir.resolve("journal.txt");
        scripts.put("scripted", r -> {
            if (r.systemPrompt().contains("You prepare.")) {
                return ScriptedReply.text("prepared");
            }
            return r.lastMessage() instanceof ToolResultMessage ? ScriptedReply.text("All steps done.")
                    : ScriptedReply.toolCalls(ScriptedToolCall.of("fast", Map.of()), ScriptedToolCall.of("slow", Map.of()));
        });
        Path sessions = dir.resolve("sessions");
        Process child = new ProcessBuilder(DurableRunTest.childJvm(llm.baseUrl(), "file:" + sessions, "wf-crash",
                journal.toString(), "workflow-hang")).redirectErrorStream(true)
                .redirectOutput(dir.resolve("child.log").toFile()).start();
        try {
            // Until the second step's fast tool result is saved and its slow tool runs; then kill -9.
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
            while (!(lines(journal).stream().anyMatch(l -> l.startsWith("slow-start"))
                    && store().load("wf-crash").map(x -> x.json().contains("fast done")).orElse(false))) {
                assertThat(child.isAlive()).as("child JVM alive; log: %s", lines(dir.resolve("child.log"))).isTrue();
                assertThat(System.nanoTime()).as("child reached the tools").isLessThan(deadline);
                Thread.sleep(20);
            }
        } finally {
            child.destroyForcibly();
            child.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
        }
        assertThat(llm.requests()).hasSize(2); // prep, then the operator's tool calls
        try (Runner restarted = runner(DurableChild.pipeline(llm.baseUrl(), journal, false))) {
            assertThatThrownBy(() -> restarted.run("wf-crash", "new input"))
                    .isInstanceOf(AgentException.class).hasMessageContaining("recover");
            AgentResult r = ((RunOutcome.Completed) restarted.recover("wf-crash")).result();
            assertThat(r.output()).isEqualTo("All steps done.");
            assertThat(r.steps()).extracting(AgentResult::output).containsExactly("prepared", "All steps done.");
        }
        assertThat(lines(journal)).filteredOn(l -> l.startsWith("fast")).hasSize(1);
        assertThat(lines(journal)).filteredOn(l -> l.startsWith("slow ")).hasSize(1);
        assertThat(llm.requests()).hasSize(3); // only the operator's next turn
        assertThat(llm.requests().get(2).messages()).filteredOn(m -> m instanceof ToolResultMessage)
                .extracting(m -> ((ToolResultMessage) m).content()).containsExactly("fast done", "slow done");
    }

    private static List<String> lines(Path file) throws java.io.IOException {
        return java.nio.file.Files.exists(file) ? java.nio.file.Files.readAllLines(file) : List.of();
    }

    @Test
    void twoSuspendedParallelBranchesAreDecidedOneAfterTheOtherAndEachCallRunsOnce() {
        deploysThenAnswers("east", "east shipped");
        deploysThenAnswers("west", "west shipped");
        answer("quiet", "nothing to do");
        Agent release = Agent.builder("release")
                .workflow(Workflow.parallel(agent("east"), agent("west"), agent("quiet"))).build();
        try (Runner first = runner(release)) {
            RunOutcome.Suspended s = (RunOutcome.Suspended) first.run("par-2", "Release");
            String firstAgent = s.pendingCall().agent();
            assertThat(firstAgent).isIn("east", "west");
            RunOutcome again = first.resume(s.token(), Decision.approve("hal"));
            RunOutcome.Suspended second = (RunOutcome.Suspended) again;
            assertThat(second.pendingCall().agent()).isIn("east", "west").isNotEqualTo(firstAgent);
            assertThatThrownBy(() -> first.resume(s.token(), Decision.approve("hal")))
                    .isInstanceOf(AgentException.ResumeRefused.class);
            try (Runner restarted = runner(release)) {
                AgentResult r = ((RunOutcome.Completed) restarted.resume(second.token(), Decision.approve("ivy")))
                        .result();
                assertThat(r.output()).isEqualTo("<output agent=\"east\">\neast shipped\n</output>"
                        + "\n\n<output agent=\"west\">\nwest shipped\n</output>"
                        + "\n\n<output agent=\"quiet\">\nnothing to do\n</output>");
                // every call counted once: two deployers 20+3 and 30+4 each, quiet 10+2
                assertThat(r.session().usage().totalTokens()).isEqualTo(2 * (23 + 34) + 12);
            }
        }
        assertThat(deployed).hasValue(2);
        assertThat(calls("quiet")).isEqualTo(1);
        assertThat(calls("east")).isEqualTo(2);
        assertThat(calls("west")).isEqualTo(2);
    }

    @Test
    void aLoopSuspendedInItsLastPassEndsAtItsLimitAfterTheResume() {
        answer("critic", "more");
        AtomicInteger fixer = new AtomicInteger();
        scripts.put("fixer", r -> r.lastMessage() instanceof ToolResultMessage ? ScriptedReply.text("deployed fix")
                : fixer.incrementAndGet() == 2 ? ScriptedReply.toolCall("deploy", Map.of())
                : ScriptedReply.text("fix " + fixer.get()));
        Agent loop = Agent.builder("refine").workflow(Workflow.loop(agent("critic"), agent("fixer")).maxIterations(2))
                .build();
        String token;
        try (Runner first = runner(loop)) {
            token = ((RunOutcome.Suspended) first.run("loop-3", "Polish")).token();
        }
        events.clear();
        try (Runner restarted = runner(loop)) {
            AgentResult r = ((RunOutcome.Completed) restarted.resume(token, Decision.approve("jo"))).result();
            assertThat(r.stopReason()).isEqualTo(AgentResult.StopReason.MAX_ITERATIONS);
            assertThat(r.iterations()).isEqualTo(2);
            assertThat(r.output()).isEqualTo("deployed fix");
            assertThat(r.steps()).hasSize(4);
        }
        assertThat(eventsOf(AgentEvent.MaxIterationsReached.class)).singleElement()
                .satisfies(m -> assertThat(m.agent()).isEqualTo("refine"));
        assertThat(calls("critic")).isEqualTo(2);
        assertThat(calls("fixer")).isEqualTo(3);
        assertThat(deployed).hasValue(1);
    }
}
