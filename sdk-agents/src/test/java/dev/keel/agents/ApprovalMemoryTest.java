package dev.keel.agents;

import static dev.keel.agents.FakeModel.call;
import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.agents.AgentEvent.ApprovalSource;
import dev.keel.agents.approval.Approval;
import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.ToolResult;
import dev.keel.agents.tool.Toolset;
import dev.keel.core.tool.ToolSpec;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** "Approve always" holds for the conversation that said it — its delegations and a resumed copy — and no other. */
class ApprovalMemoryTest {
    private final Tool write = Tool.of(ToolSpec.of("write_file", "writes"), (a, c) -> ToolResult.ok("written"));

    @Test
    void approveAlwaysIsRememberedPerSessionNotPerRunner() {
        AtomicInteger asked = new AtomicInteger();
        List<AgentEvent> events = new CopyOnWriteArrayList<>();
        FakeModel model = new FakeModel("m")
                .calls(call("1", "write_file", "{}")).calls(call("2", "write_file", "{}")).text("first done")
                .calls(call("3", "write_file", "{}")).text("second done")
                .calls(call("4", "write_file", "{}")).text("resumed done");
        Agent agent = Agent.builder("a").model(model).toolsets(Toolset.of("t", write)).build();
        try (Runner runner = Runner.builder(agent).approver(r -> {
            asked.incrementAndGet();
            return Approval.always();
        }).build()) {
            runner.events().subscribe(events::add);
            Session alice = Session.create("alice");
            runner.run(alice, "go");
            assertThat(asked).as("asked once, remembered for the second call").hasValue(1);
            assertThat(alice.alwaysApproved()).containsExactly("write_file");

            Session bob = Session.create("bob");
            runner.run(bob, "go");
            assertThat(asked).as("another session of the same runner asks again").hasValue(2);

            Session resumed = Session.fromJson(alice.toJson());
            runner.run(resumed, "again");
            assertThat(asked).as("a restored session keeps its answer").hasValue(2);
        }
        assertThat(events).filteredOn(e -> e instanceof AgentEvent.ToolCallApproved)
                .extracting(e -> ((AgentEvent.ToolCallApproved) e).how())
                .containsExactly(ApprovalSource.APPROVER, ApprovalSource.REMEMBERED, ApprovalSource.APPROVER,
                        ApprovalSource.REMEMBERED);
    }

    @Test
    void anAnswerGivenInsideADelegationHoldsForTheConversation() {
        AtomicInteger asked = new AtomicInteger();
        FakeModel subModel = new FakeModel("s").calls(call("w", "write_file", "{}")).text("sub wrote");
        FakeModel rootModel = new FakeModel("r")
                .calls(call("t", "transfer_task", "{\"agent\":\"writer\",\"task\":\"write\",\"expected_output\":\"\"}"))
                .calls(call("w2", "write_file", "{}")).text("done");
        Agent writer = Agent.builder("writer").model(subModel).toolsets(Toolset.of("t", write)).build();
        Agent root = Agent.builder("root").model(rootModel).toolsets(Toolset.of("t", write)).subAgents(writer).build();
        Session session = Session.create();
        try (Runner runner = Runner.builder(root).approver(r -> {
            asked.incrementAndGet();
            return Approval.always();
        }).build()) {
            runner.run(session, "go");
        }
        assertThat(asked).hasValue(1);
        assertThat(session.alwaysApproved()).containsExactly("write_file");
    }
}
