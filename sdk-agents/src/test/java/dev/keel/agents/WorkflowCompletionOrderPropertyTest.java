package dev.keel.agents;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.ToolResult;
import dev.keel.agents.tool.Toolset;
import dev.keel.core.message.ToolResultMessage;
import dev.keel.core.tool.JsonSchema;
import dev.keel.core.tool.ToolSpec;
import dev.keel.testing.model.ScriptedModelServer;
import dev.keel.testing.model.ScriptedReply;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Whatever order a parallel workflow's branches finish in, the join sees their outputs in declaration order, the
 * result lists them in declaration order and the usage adds up. The order is forced: each branch first calls a gate
 * tool that opens only when the branch before it in the chosen order has finished (seen through the step events),
 * so no timing is involved.
 */
class WorkflowCompletionOrderPropertyTest {
    private static final int BRANCHES = 4;
    private static ScriptedModelServer llm;

    @BeforeContainer
    static void start() {
        llm = ScriptedModelServer.start();
        llm.respondWith(r -> {
            if (r.model().equals("join")) {
                return ScriptedReply.text("joined").usage(7, 1);
            }
            return r.lastMessage() instanceof ToolResultMessage ? ScriptedReply.text("out of " + r.model()).usage(2, 3)
                    : ScriptedReply.toolCall("gate", Map.of()).usage(1, 0);
        });
    }

    @AfterContainer
    static void stop() {
        llm.close();
    }

    @Provide
    Arbitrary<List<Integer>> orders() {
        return Arbitraries.shuffle(IntStream.range(0, BRANCHES).boxed().toList());
    }

    @Property(tries = 24)
    void theJoinSeesBranchesInDeclarationOrderWhateverOrderTheyFinishIn(@ForAll("orders") List<Integer> order) {
        List<CountDownLatch> gates = IntStream.range(0, BRANCHES).mapToObj(i -> new CountDownLatch(1)).toList();
        List<Agent> branches = new ArrayList<>();
        for (int i = 0; i < BRANCHES; i++) {
            CountDownLatch gate = gates.get(i);
            Tool wait = Tool.of(ToolSpec.of("gate", "Waits for its turn", JsonSchema.object().build()), true,
                    (args, ctx) -> {
                        try {
                            return gate.await(30, TimeUnit.SECONDS) ? ToolResult.ok("your turn")
                                    : ToolResult.error("never opened");
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            return ToolResult.error("interrupted");
                        }
                    });
            branches.add(Agent.builder("b" + i).model("openai/b" + i).toolsets(Toolset.of("gates", wait)).build());
        }
        Agent join = Agent.builder("join").model("openai/join").build();
        Agent fan = Agent.builder("fan").workflow(Workflow.parallel(branches).join(join)).build();
        List<String> finishedOrder = new CopyOnWriteArrayList<>();
        int before = llm.requests().size();
        try (Runner runner = Runner.builder(fan).models(llm.models()).build()) {
            runner.events().subscribe(e -> {
                if (e instanceof AgentEvent.WorkflowStepFinished f && f.step().startsWith("b")) {
                    finishedOrder.add(f.step());
                    int next = finishedOrder.size();
                    if (next < BRANCHES) {
                        gates.get(order.get(next)).countDown();
                    }
                }
            });
            gates.get(order.get(0)).countDown();
            AgentResult r = runner.run("task");

            assertThat(finishedOrder).containsExactlyElementsOf(order.stream().map(i -> "b" + i).toList());
            String joinInput = llm.requests().subList(before, llm.requests().size()).stream()
                    .filter(q -> q.model().equals("join")).findFirst().orElseThrow().lastUserText();
            StringBuilder expected = new StringBuilder("task");
            for (int i = 0; i < BRANCHES; i++) {
                expected.append("\n\n<output agent=\"b").append(i).append("\">\nout of b").append(i).append("\n</output>");
            }
            assertThat(joinInput).isEqualTo(expected.toString());
            assertThat(r.output()).isEqualTo("joined");
            assertThat(r.steps()).extracting(AgentResult::agent).containsExactly("b0", "b1", "b2", "b3", "join");
            assertThat(r.usage().inputTokens()).isEqualTo(BRANCHES * 3L + 7);
            assertThat(r.usage().outputTokens()).isEqualTo(BRANCHES * 3L + 1);
        }
    }
}
