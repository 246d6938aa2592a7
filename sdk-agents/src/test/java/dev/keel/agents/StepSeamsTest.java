package dev.keel.agents;

import static dev.keel.agents.FakeModel.call;
import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.agents.AgentEvent.ApprovalSource;
import dev.keel.agents.StepInterceptor.ApprovalOutcome;
import dev.keel.agents.approval.Approval;
import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.ToolResult;
import dev.keel.agents.tool.Toolset;
import dev.keel.core.ChatResponse;
import dev.keel.core.message.Message;
import dev.keel.core.tool.JsonSchema;
import dev.keel.core.tool.ToolSpec;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Every model call, tool execution, delegation, handoff and approval decision passes through the runner's
 * step seams, once each, with where it happened — and an interceptor can answer a step itself.
 */
class StepSeamsTest {
    private final List<String> seen = new CopyOnWriteArrayList<>();

    private StepInterceptor recorder() {
        return new StepInterceptor() {
            @Override
            public ChatResponse modelCall(ModelStep step, Proceed<ChatResponse> next) {
                seen.add("model " + step.at().agent() + "#" + step.at().turn() + " " + step.model());
                return next.proceed();
            }

            @Override
            public ToolResult toolCall(ToolStep step, Proceed<ToolResult> next) {
                ToolResult r = next.proceed();
                seen.add("tool " + step.at().agent() + "#" + step.at().turn() + "." + step.index() + " "
                        + step.call().name() + " -> " + r.content());
                return r;
            }

            @Override
            public AgentResult delegation(DelegationStep step, Proceed<AgentResult> next) {
                seen.add("delegate " + step.agent() + " -> " + step.subAgent() + ": " + step.task());
                return next.proceed();
            }

            @Override
            public Void handoff(HandoffStep step, Proceed<Void> next) {
                seen.add("handoff " + step.at().agent() + " -> " + step.toAgent());
                return next.proceed();
            }

            @Override
            public ApprovalOutcome approval(ApprovalStep step, Proceed<ApprovalOutcome> next) {
                ApprovalOutcome o = next.proceed();
                seen.add("approval " + step.call().name() + " " + (o.approved() ? o.source() : "denied: " + o.reason()));
                return o;
            }
        };
    }

    private static Tool echo() {
        return Tool.of(ToolSpec.of("echo", "echoes", JsonSchema.object().required("text", JsonSchema.string()).build()),
                (args, ctx) -> ToolResult.ok("echo:" + args.string("text")));
    }

    @Test
    void everyKindOfStepPassesThroughItsSeamOnce() {
        FakeModel subModel = new FakeModel("sub-m").calls(call("e", "echo", "{\"text\":\"hi\"}")).text("sub done");
        FakeModel rootModel = new FakeModel("root-m")
                .calls(call("t", "transfer_task", "{\"agent\":\"sub\",\"task\":\"say hi\",\"expected_output\":\"\"}"))
                .calls(call("h", "handoff", "{\"agent\":\"closer\"}"));
        FakeModel closerModel = new FakeModel("closer-m").text("bye");
        Agent sub = Agent.builder("sub").model(subModel).toolsets(Toolset.of("t", echo())).build();
        Agent closer = Agent.builder("closer").model(closerModel).build();
        Agent root = Agent.builder("root").model(rootModel).subAgents(sub).handoffs(closer).build();
        try (Runner runner = Runner.builder(root).approver(r -> Approval.once()).interceptor(recorder()).build()) {
            assertThat(runner.run("go").output()).isEqualTo("bye");
        }
        assertThat(seen).containsExactly(
                "model root#0 root-m",
                "approval transfer_task READ_ONLY",
                "delegate root -> sub: say hi",   // inside the transfer_task tool step
                "model sub#0 sub-m",
                "approval echo APPROVER",
                "tool sub#0.0 echo -> echo:hi",
                "model sub#1 sub-m",
                "tool root#0.0 transfer_task -> sub done",
                "model root#1 root-m",
                "approval handoff READ_ONLY",
                "tool root#1.0 handoff -> Handed off to closer.",
                "handoff root -> closer",
                "model closer#2 closer-m");
    }

    @Test
    void anInterceptorCanAnswerAStepWithoutRunningIt() {
        AtomicInteger ran = new AtomicInteger();
        Tool counted = Tool.of(ToolSpec.of("count", "counts"), (args, ctx) -> ToolResult.ok("ran " + ran.incrementAndGet()));
        FakeModel model = new FakeModel("m").calls(call("1", "count", "{}")).text("done");
        StepInterceptor replay = new StepInterceptor() {
            @Override
            public ToolResult toolCall(ToolStep step, Proceed<ToolResult> next) {
                return ToolResult.ok("replayed");
            }

            @Override
            public ApprovalOutcome approval(ApprovalStep step, Proceed<ApprovalOutcome> next) {
                return ApprovalOutcome.approved(ApprovalSource.REMEMBERED);
            }
        };
        Agent agent = Agent.builder("a").model(model).toolsets(Toolset.of("t", counted)).build();
        try (Runner runner = Runner.builder(agent).interceptor(replay).interceptor(recorder()).build()) {
            runner.run("go");
        }
        assertThat(ran).hasValue(0);
        assertThat(model.requests().get(1).messages()).last()
                .isEqualTo(Message.toolResult(call("1", "count", "{}"), "replayed"));
        // The outer interceptor answered: the inner one never saw the tool run or the approval.
        assertThat(seen).containsExactly("model a#0 m", "model a#1 m");
    }
}
