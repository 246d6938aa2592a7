package dev.keel.agents;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.agents.approval.Approval;
import dev.keel.agents.session.SessionStore;
import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.ToolResult;
import dev.keel.agents.tool.Toolset;
import dev.keel.core.message.ToolResultMessage;
import dev.keel.core.tool.JsonSchema;
import dev.keel.core.tool.ToolSpec;
import dev.keel.testing.model.RecordedChatRequest;
import dev.keel.testing.model.ScriptedModelServer;
import dev.keel.testing.model.ScriptedReply;
import dev.keel.testing.model.ScriptedToolCall;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Whatever steps of a sequential, loop or parallel workflow ask for a decision (in whichever passes, approved or
 * denied, a loop's exit asked for in the same turn or not; branches and the join), a run that suspends at each of them and is resumed each time by a new
 * runner over the same store ends exactly as an uninterrupted run whose approver gives the same answers: the same
 * output, stop reason, passes, step outputs and usage, the same number of model calls, and each approved call run
 * once. The scripted model answers from the request alone (a step's pass is read from its own previous output), so
 * the two runs are comparable call for call.
 */
class WorkflowSuspendPropertyTest {
    private static final Pattern PASS = Pattern.compile("<output agent=\"(s\\d)\">\\n\\1 pass (\\d+)");
    private static ScriptedModelServer llm;
    private static volatile Shape shape;

    /** How the steps run. */
    enum Kind { SEQUENTIAL, LOOP, PARALLEL }

    /**
     * The workflow to run and where its steps deploy (and, in a loop, exit): positions are {@code step-pass}. A
     * parallel workflow's join is step {@code steps}.
     */
    record Shape(Kind kind, int steps, int passes, List<String> deploys, List<String> denied, String exitAt) {}

    @BeforeContainer
    static void start() {
        llm = ScriptedModelServer.start();
        llm.respondWith(WorkflowSuspendPropertyTest::reply);
    }

    @AfterContainer
    static void stop() {
        llm.close();
    }

    private static ScriptedReply reply(RecordedChatRequest r) {
        String step = r.model();
        int pass = 1;
        Matcher m = PASS.matcher(r.lastUserText());
        while (m.find()) {
            if (m.group(1).equals(step)) {
                pass = Integer.parseInt(m.group(2)) + 1;
            }
        }
        String at = step.substring(1) + "-" + pass;
        if (r.lastMessage() instanceof ToolResultMessage t) {
            return ScriptedReply.text(step + " pass " + pass + " after " + (t.content().contains("denied") ? "denial"
                    : "deploy")).usage(3, 1);
        }
        List<ScriptedToolCall> calls = new ArrayList<>();
        if (shape.deploys().contains(at)) {
            calls.add(ScriptedToolCall.of("deploy", Map.of("at", at)));
        }
        if (at.equals(shape.exitAt())) {
            calls.add(ScriptedToolCall.of("exit_loop", Map.of()));
        }
        return calls.isEmpty() ? ScriptedReply.text(step + " pass " + pass).usage(2, 1)
                : ScriptedReply.toolCalls(calls.toArray(ScriptedToolCall[]::new)).usage(1, 1);
    }

    @Provide
    Arbitrary<Shape> shapes() {
        return Combinators.combine(Arbitraries.of(Kind.class), Arbitraries.integers().between(1, 3),
                Arbitraries.integers().between(1, 3), Arbitraries.integers().between(0, 511),
                Arbitraries.integers().between(0, 511), Arbitraries.integers().between(-3, 8))
                .as((kind, steps, maxPasses, deployMask, denyMask, exit) -> {
                    boolean loop = kind == Kind.LOOP;
                    int passes = loop ? maxPasses : 1;
                    int agents = kind == Kind.PARALLEL ? steps + 1 : steps;
                    List<String> deploys = new ArrayList<>();
                    List<String> denied = new ArrayList<>();
                    String exitAt = null;
                    for (int p = 1, k = 0; p <= passes; p++) {
                        for (int i = 0; i < agents; i++, k++) {
                            String at = i + "-" + p;
                            if ((deployMask & (1 << k)) != 0) {
                                deploys.add(at);
                                if ((denyMask & (1 << k)) != 0) {
                                    denied.add(at);
                                }
                            }
                            if (loop && exit == k) {
                                exitAt = at;
                            }
                        }
                    }
                    return new Shape(kind, steps, passes, deploys, denied, exitAt);
                });
    }

    private static Agent workflow(Map<String, Integer> deployed) {
        Tool deploy = Tool.of(ToolSpec.of("deploy", "Deploys", JsonSchema.object().required("at", JsonSchema.string())
                .build()), false, (args, ctx) -> {
                    deployed.merge(args.string("at"), 1, Integer::sum);
                    return ToolResult.ok("deployed " + args.string("at"));
                });
        List<Agent> steps = new ArrayList<>();
        for (int i = 0; i <= shape.steps(); i++) {
            steps.add(Agent.builder("s" + i).model("openai/s" + i).description("Step " + i)
                    .toolsets(Toolset.of("ops", deploy)).build());
        }
        Agent join = steps.remove(shape.steps());
        Workflow w = switch (shape.kind()) {
            case SEQUENTIAL -> Workflow.sequential(steps);
            case LOOP -> Workflow.loop(steps).maxIterations(shape.passes());
            case PARALLEL -> Workflow.parallel(steps).join(join);
        };
        return Agent.builder("flow").workflow(w).build();
    }

    private static String at(String arguments) {
        Matcher m = Pattern.compile("\"at\"\\s*:\\s*\"([^\"]+)\"").matcher(arguments);
        assertThat(m.find()).as("arguments %s", arguments).isTrue();
        return m.group(1);
    }

    @Property(tries = 40)
    void aRunResumedAfterEverySuspensionEndsAsAnUninterruptedOne(@ForAll("shapes") Shape s) {
        shape = s;
        Map<String, Integer> uninterruptedDeploys = new ConcurrentHashMap<>();
        int before = llm.requests().size();
        AgentResult expected;
        try (Runner runner = Runner.builder(workflow(uninterruptedDeploys)).models(llm.models())
                .approver(request -> s.denied().contains(at(request.call().arguments()))
                        ? Approval.deny("denied by the approver") : Approval.once())
                .build()) {
            expected = runner.run("task");
        }
        int uninterruptedCalls = llm.requests().size() - before;

        Map<String, Integer> deployed = new ConcurrentHashMap<>();
        SessionStore store = SessionStore.inMemory();
        before = llm.requests().size();
        RunOutcome out;
        try (Runner first = Runner.builder(workflow(deployed)).models(llm.models()).sessions(store).build()) {
            out = first.run("flow-1", "task");
        }
        int suspensions = 0;
        while (out instanceof RunOutcome.Suspended suspended) {
            assertThat(++suspensions).as("suspensions").isLessThanOrEqualTo(s.deploys().size());
            String where = at(suspended.pendingCall().call().arguments());
            Decision decision = s.denied().contains(where) ? Decision.deny("bob", "not now") : Decision.approve("alice");
            try (Runner restarted = Runner.builder(workflow(deployed)).models(llm.models()).sessions(store).build()) {
                out = restarted.resume(suspended.token(), decision);
            }
        }
        AgentResult actual = ((RunOutcome.Completed) out).result();

        assertThat(actual.output()).isEqualTo(expected.output());
        assertThat(actual.stopReason()).isEqualTo(expected.stopReason());
        assertThat(actual.iterations()).isEqualTo(expected.iterations());
        assertThat(actual.steps()).extracting(AgentResult::output)
                .containsExactlyElementsOf(expected.steps().stream().map(AgentResult::output).toList());
        assertThat(actual.session().usage()).isEqualTo(expected.session().usage());
        assertThat(llm.requests().size() - before).isEqualTo(uninterruptedCalls);
        assertThat(deployed).isEqualTo(uninterruptedDeploys);
        assertThat(deployed.values()).allMatch(n -> n == 1);
        assertThat(actual.session().pendingApproval()).isEmpty();
        assertThat(Session.fromJson(store.load("flow-1").orElseThrow().json()).workflowProgress()).isNull();
    }
}
