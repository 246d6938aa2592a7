package dev.keel.agents;

import static dev.keel.agents.FakeModel.call;
import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.ToolResult;
import dev.keel.agents.tool.Toolset;
import dev.keel.core.ChatModel;
import dev.keel.core.ChatRequest;
import dev.keel.core.ChatResponse;
import dev.keel.core.message.ToolCall;
import dev.keel.core.tool.JsonSchema;
import dev.keel.core.tool.ToolSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Parallel tool calls and parallel delegations finish in whatever order the threads happen to take: the
 * recording made under one completion order is byte-for-byte the one made under any other, and a replay —
 * full or model-only — succeeds under any order with the same answer.
 */
class RecordingPermutationPropertyTest {
    /** One turn of the root: three plain tool calls and two delegations, all run in parallel. */
    private static final List<ToolCall> CALLS = List.of(
            call("call_0", "echo", "{\"text\":\"zero\"}"),
            call("call_1", "transfer_task", "{\"agent\":\"left\",\"task\":\"say left\",\"expected_output\":\"a word\"}"),
            call("call_2", "echo", "{\"text\":\"two\"}"),
            call("call_3", "transfer_task", "{\"agent\":\"right\",\"task\":\"say right\",\"expected_output\":\"a word\"}"),
            call("call_4", "echo", "{\"text\":\"four\"}"));

    @Provide
    Arbitrary<List<Integer>> orders() {
        return Arbitraries.shuffle(0, 1, 2, 3, 4);
    }

    @Property(tries = 15)
    void anyCompletionOrderRecordsTheSameFileAndReplaysTheSameRun(@ForAll("orders") List<Integer> recordOrder,
                                                                  @ForAll("orders") List<Integer> replayOrder) throws IOException {
        Path dir = Files.createTempDirectory("keel-perm");
        try {
            Path first = dir.resolve("first.yaml");
            Path second = dir.resolve("second.yaml");
            String a = run(live(), Recording.record(first), List.of(0, 1, 2, 3, 4));
            String b = run(live(), Recording.record(second), recordOrder);
            assertThat(a).isEqualTo(b).isEqualTo("root saw: echo:zero | left | echo:two | right | echo:four");
            assertThat(Files.readString(second)).isEqualTo(Files.readString(first));

            assertThat(run(unreachable(), Recording.replay(first), replayOrder)).isEqualTo(a);
            assertThat(run(unreachable(), Recording.replayModels(first), replayOrder)).isEqualTo(a);
        } finally {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.delete(p);
                }
            }
            Files.delete(dir);
        }
    }

    private record Models(ChatModel root, ChatModel left, ChatModel right) {}

    private static Models live() {
        FakeModel root = new FakeModel("root-model").calls(CALLS.toArray(ToolCall[]::new)).then(r -> FakeModel.response(
                new dev.keel.core.message.AssistantMessage("root saw: " + String.join(" | ", r.messages().stream()
                        .filter(m -> m instanceof dev.keel.core.message.ToolResultMessage)
                        .map(m -> ((dev.keel.core.message.ToolResultMessage) m).content()).toList()), List.of())));
        return new Models(root, new FakeModel("left-model").text("left"), new FakeModel("right-model").text("right"));
    }

    private static Models unreachable() {
        return new Models(none("root-model"), none("left-model"), none("right-model"));
    }

    private static ChatModel none(String id) {
        return new ChatModel() {
            @Override
            public ChatResponse chat(ChatRequest request) {
                throw new AssertionError(id + " called in a replay");
            }

            @Override
            public String id() {
                return id;
            }
        };
    }

    /** Runs the team with the root's parallel calls forced to finish in {@code order}; returns the answer. */
    private static String run(Models models, Recording recording, List<Integer> order) {
        Tool echo = Tool.of(ToolSpec.of("echo", "echoes", JsonSchema.object().required("text", JsonSchema.string()).build()),
                true, (args, ctx) -> ToolResult.ok("echo:" + args.string("text")));
        Agent left = Agent.builder("left").description("left").model(models.left()).build();
        Agent right = Agent.builder("right").description("right").model(models.right()).build();
        Agent root = Agent.builder("root").model(models.root()).toolsets(Toolset.of("echo", echo))
                .subAgents(left, right).build();
        Turnstile turnstile = new Turnstile(order);
        StepInterceptor gate = new StepInterceptor() {
            @Override
            public ToolResult toolCall(ToolStep step, Proceed<ToolResult> next) {
                // the root's first-turn calls run and finish one after another, in the given order
                return step.at().agent().equals("root") ? turnstile.inTurn(step.index(), next) : next.proceed();
            }
        };
        try (Runner runner = Runner.builder(root).interceptor(gate).recording(recording).build()) {
            return runner.run("go").output();
        }
    }

    @Provide
    Arbitrary<List<Integer>> branchOrders() {
        return Arbitraries.shuffle(0, 1, 2);
    }

    /**
     * A parallel workflow's branches are sessions of their own: labelled by the workflow's session, iteration and
     * step, not by which branch reached its model first, so any finishing order records the same file and replays.
     */
    @Property(tries = 10)
    void anyWorkflowBranchOrderRecordsTheSameFileAndReplaysTheSameRun(@ForAll("branchOrders") List<Integer> recordOrder,
                                                                     @ForAll("branchOrders") List<Integer> replayOrder)
            throws IOException {
        Path dir = Files.createTempDirectory("keel-perm");
        try {
            Path first = dir.resolve("first.yaml");
            Path second = dir.resolve("second.yaml");
            String a = workflow(true, Recording.record(first), List.of(0, 1, 2));
            String b = workflow(true, Recording.record(second), recordOrder);
            assertThat(a).isEqualTo(b).contains("<output agent=\"b0\">\nzero").contains("joined");
            assertThat(Files.readString(second)).isEqualTo(Files.readString(first)).contains("session: s1/w1:b2");

            assertThat(workflow(false, Recording.replay(first), replayOrder)).isEqualTo(a);
        } finally {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.delete(p);
                }
            }
            Files.delete(dir);
        }
    }

    /** A parallel workflow of three branches and a join; the branches' model calls finish in {@code order}. */
    private static String workflow(boolean live, Recording recording, List<Integer> order) {
        List<String> words = List.of("zero", "one", "two");
        List<Agent> branches = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            branches.add(Agent.builder("b" + i).model(live ? new FakeModel("b" + i).text(words.get(i)) : none("b" + i))
                    .build());
        }
        FakeModel joinModel = new FakeModel("join");
        joinModel.then(r -> FakeModel.response(new dev.keel.core.message.AssistantMessage(
                "joined " + ((dev.keel.core.message.UserMessage) r.messages().get(r.messages().size() - 1)).text(),
                List.of())));
        Agent join = Agent.builder("join").model(live ? joinModel : none("join")).build();
        Agent fan = Agent.builder("fan").workflow(Workflow.parallel(branches).join(join)).build();
        Turnstile turnstile = new Turnstile(order);
        StepInterceptor gate = new StepInterceptor() {
            @Override
            public ChatResponse modelCall(ModelStep step, Proceed<ChatResponse> next) {
                String agent = step.at().agent();
                return agent.matches("b\\d") ? turnstile.inTurn(Integer.parseInt(agent.substring(1)), next) : next.proceed();
            }
        };
        try (Runner runner = Runner.builder(fan).interceptor(gate).recording(recording).build()) {
            return runner.run("go").output();
        }
    }

    /** Lets steps run and finish one after another, in the given order of their keys. */
    private static final class Turnstile {
        private final List<Integer> order;
        private final Set<Integer> done = new HashSet<>();

        Turnstile(List<Integer> order) {
            this.order = new ArrayList<>(order);
        }

        /** Runs {@code step} (keyed {@code key}) once every step before it in the order has finished. */
        <T> T inTurn(int key, StepInterceptor.Proceed<T> step) {
            int mine = order.indexOf(key);
            synchronized (this) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (!done.containsAll(order.subList(0, mine))) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new IllegalStateException("turnstile stuck waiting for " + order.subList(0, mine));
                    }
                    try {
                        TimeUnit.NANOSECONDS.timedWait(this, left);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new UncheckedIOException(new IOException("interrupted"));
                    }
                }
            }
            T r = step.proceed();
            synchronized (this) {
                done.add(key);
                notifyAll();
            }
            return r;
        }
    }
}
