package dev.keel.agents;

import static dev.keel.agents.FakeModel.call;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.json.JsonString;
import dev.keel.core.json.JsonValue;
import dev.keel.agents.AgentEvent.ApprovalSource;
import dev.keel.agents.approval.Approval;
import dev.keel.agents.approval.Permissions;
import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.ToolResult;
import dev.keel.agents.tool.Toolset;
import dev.keel.core.ChatRequest;
import dev.keel.core.ModelException;
import dev.keel.core.message.Message;
import dev.keel.core.message.SystemMessage;
import dev.keel.core.message.ToolResultMessage;
import dev.keel.core.message.UserMessage;
import dev.keel.core.tool.JsonSchema;
import dev.keel.core.tool.ToolSpec;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import dev.keel.core.models.ModelConfig;
import dev.keel.core.models.ModelRegistry;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RunnerTest {
    private final List<AgentEvent> events = new CopyOnWriteArrayList<>();

    private static Tool echo(AtomicInteger calls) {
        return Tool.of(ToolSpec.of("echo", "Echoes text", JsonSchema.object().required("text", JsonSchema.string()).build()),
                false, (args, ctx) -> {
                    calls.incrementAndGet();
                    return ToolResult.ok("echo:" + args.string("text"));
                });
    }

    private Runner runner(Agent root, Runner.Builder... ignored) {
        Runner r = Runner.builder(root).yolo(true).build();
        r.events().subscribe(events::add);
        return r;
    }

    @Test
    void singleAgentCallsToolThenAnswers() {
        AtomicInteger calls = new AtomicInteger();
        FakeModel model = new FakeModel("m").calls(call("c1", "echo", "{\"text\":\"hi\"}")).text("done: echo:hi");
        Agent agent = Agent.builder("solo").instruction("Be brief.").model(model).toolsets(Toolset.of("t", echo(calls))).build();
        try (Runner runner = runner(agent)) {
            AgentResult r = runner.run("say hi");
            assertThat(r.output()).isEqualTo("done: echo:hi");
            assertThat(r.stopReason()).isEqualTo(AgentResult.StopReason.COMPLETED);
            assertThat(r.iterations()).isEqualTo(2);
            assertThat(r.usage().totalTokens()).isEqualTo(30);
        }
        assertThat(calls).hasValue(1);
        ChatRequest second = model.requests().get(1);
        assertThat(second.messages().get(0)).isEqualTo(new SystemMessage("Be brief."));
        assertThat(second.messages().get(1)).isEqualTo(new UserMessage("say hi"));
        assertThat(second.messages().get(3)).isEqualTo(new ToolResultMessage("c1", "echo", "echo:hi", false));
        assertThat(second.tools()).extracting(ToolSpec::name).containsExactly("echo");
        assertThat(events).extracting(e -> e.getClass().getSimpleName()).containsExactly(
                "UsageReported", "MessageCompleted", "ToolCallRequested", "ToolCallApproved", "ToolCallFinished",
                "TextDelta", "UsageReported", "MessageCompleted", "RunCompleted");
    }

    @Test
    void subAgentsWorkInIsolatedSessionsAndAnswerAsToolResults() {
        FakeModel rootModel = new FakeModel("root")
                .calls(call("t1", "transfer_task", "{\"agent\":\"designer\",\"task\":\"design it\",\"expected_output\":\"a mockup\"}"))
                .calls(call("t2", "transfer_task", "{\"agent\":\"engineer\",\"task\":\"build it\",\"expected_output\":\"code\"}"))
                .text("shipped");
        FakeModel designerModel = new FakeModel("designer").text("mockup ready");
        FakeModel engineerModel = new FakeModel("engineer").text("code ready");
        Agent designer = Agent.builder("designer").description("Designs").instruction("You design.").model(designerModel).build();
        Agent engineer = Agent.builder("engineer").description("Builds").instruction("You build.").model(engineerModel).build();
        Agent root = Agent.builder("root").instruction("Lead.").model(rootModel).subAgents(designer, engineer).build();
        try (Runner runner = runner(root)) {
            AgentResult r = runner.run("make an app");
            assertThat(r.output()).isEqualTo("shipped");
            assertThat(r.usage().totalTokens()).isEqualTo(5 * 15);
        }
        assertThat(designerModel.requests()).singleElement().satisfies(req -> {
            assertThat(req.messages()).hasSize(2);
            assertThat(req.messages().get(0)).isEqualTo(new SystemMessage("You design."));
            assertThat(req.messages().get(1)).isEqualTo(new UserMessage("design it\n\nExpected output: a mockup"));
        });
        assertThat(engineerModel.requests().get(0).messages()).extracting(Object::toString)
                .noneMatch(s -> s.contains("make an app") || s.contains("mockup"));
        ChatRequest rootSecond = rootModel.requests().get(1);
        assertThat(rootSecond.messages()).contains(new ToolResultMessage("t1", "transfer_task", "mockup ready", false));
        assertThat(rootModel.requests().get(0).messages().get(0).toString()).contains("designer: Designs", "engineer: Builds");
        assertThat(events).filteredOn(e -> e instanceof AgentEvent.DelegationStarted)
                .extracting(e -> ((AgentEvent.DelegationStarted) e).subAgent()).containsExactly("designer", "engineer");
        assertThat(events).filteredOn(e -> e instanceof AgentEvent.DelegationFinished)
                .extracting(e -> ((AgentEvent.DelegationFinished) e).result()).containsExactly("mockup ready", "code ready");
    }

    @Test
    void independentToolCallsRunInParallel() {
        CountDownLatch both = new CountDownLatch(2);
        Tool meet = Tool.of(ToolSpec.of("meet", "waits for a peer"), true, (args, ctx) -> {
            both.countDown();
            // Completes only when the other call is running at the same time.
            return both.await(10, TimeUnit.SECONDS) ? ToolResult.ok("met") : ToolResult.error("alone");
        });
        FakeModel model = new FakeModel("m").calls(call("a", "meet", "{}"), call("b", "meet", "{}")).text("ok");
        Agent agent = Agent.builder("p").model(model).toolsets(Toolset.of("t", meet)).build();
        try (Runner runner = runner(agent)) {
            runner.run("go");
        }
        assertThat(model.requests().get(1).messages()).filteredOn(m -> m instanceof ToolResultMessage)
                .containsExactly(new ToolResultMessage("a", "meet", "met", false), new ToolResultMessage("b", "meet", "met", false));
    }

    @Test
    void parallelDelegationsWorkOnTheirOwnCopyOfState() {
        CountDownLatch bothWrote = new CountDownLatch(2);
        Tool mark = Tool.of(ToolSpec.of("mark", "writes state", JsonSchema.object().required("v", JsonSchema.string()).build()),
                false, (args, ctx) -> {
                    ctx.state().put("mark", args.value("v").orElseThrow());
                    bothWrote.countDown();
                    // Both delegations have written before either reads: they run at the same time, and a shared
                    // state map would show one of them the other's value.
                    if (!bothWrote.await(10, TimeUnit.SECONDS)) {
                        return ToolResult.error("the delegations did not run in parallel");
                    }
                    return ToolResult.ok("saw " + ctx.state().get("mark").asString().orElseThrow());
                });
        FakeModel a = new FakeModel("a").calls(call("x", "mark", "{\"v\":\"A\"}")).then(req -> FakeModel.response(
                Message.assistant(((ToolResultMessage) req.messages().get(req.messages().size() - 1)).content())));
        FakeModel b = new FakeModel("b").calls(call("y", "mark", "{\"v\":\"B\"}")).then(req -> FakeModel.response(
                Message.assistant(((ToolResultMessage) req.messages().get(req.messages().size() - 1)).content())));
        Agent subA = Agent.builder("a").model(a).toolsets(Toolset.of("t", mark)).build();
        Agent subB = Agent.builder("b").model(b).toolsets(Toolset.of("t", mark)).build();
        FakeModel rootModel = new FakeModel("root").calls(
                call("1", "transfer_task", "{\"agent\":\"a\",\"task\":\"t\",\"expected_output\":\"\"}"),
                call("2", "transfer_task", "{\"agent\":\"b\",\"task\":\"t\",\"expected_output\":\"\"}")).text("both done");
        Agent root = Agent.builder("root").model(rootModel).subAgents(subA, subB).build();
        Session session = Session.create();
        session.state().put("mark", new JsonString("root"));
        try (Runner runner = runner(root)) {
            runner.run(session, "go");
        }
        assertThat(rootModel.requests().get(1).messages()).contains(
                new ToolResultMessage("1", "transfer_task", "saw A", false),
                new ToolResultMessage("2", "transfer_task", "saw B", false));
        assertThat(session.state().get("mark").asString().orElseThrow()).isEqualTo("root");
    }

    @Test
    void handoffContinuesTheSessionWithAnotherAgent() {
        FakeModel frontModel = new FakeModel("front").calls(call("h", "handoff", "{\"agent\":\"billing\"}"));
        FakeModel billingModel = new FakeModel("billing").text("your invoice is paid").text("anything else?");
        Agent billing = Agent.builder("billing").instruction("You do billing.").model(billingModel).build();
        Agent front = Agent.builder("front").model(frontModel).handoffs(billing).build();
        Session session = Session.create();
        try (Runner runner = runner(front)) {
            AgentResult r = runner.run(session, "is my invoice paid?");
            assertThat(r.agent()).isEqualTo("billing");
            assertThat(r.output()).isEqualTo("your invoice is paid");
            assertThat(session.currentAgent()).contains("billing");
            // The next turn goes straight to the agent handed off to.
            assertThat(runner.run(session, "thanks").output()).isEqualTo("anything else?");
        }
        ChatRequest billingFirst = billingModel.requests().get(0);
        assertThat(billingFirst.messages().get(0)).isEqualTo(new SystemMessage("You do billing."));
        assertThat(billingFirst.messages()).contains(new UserMessage("is my invoice paid?"),
                new ToolResultMessage("h", "handoff", "Handed off to billing.", false));
        assertThat(events).anyMatch(e -> e instanceof AgentEvent.HandedOff h && h.toAgent().equals("billing"));
    }

    @Test
    void stopsAtMaxIterations() {
        AtomicInteger calls = new AtomicInteger();
        FakeModel model = new FakeModel("m");
        for (int i = 0; i < 5; i++) {
            model.calls(call("c" + i, "echo", "{\"text\":\"again\"}"));
        }
        Agent agent = Agent.builder("loop").model(model).maxIterations(3).toolsets(Toolset.of("t", echo(calls))).build();
        try (Runner runner = runner(agent)) {
            AgentResult r = runner.run("loop forever");
            assertThat(r.stopReason()).isEqualTo(AgentResult.StopReason.MAX_ITERATIONS);
            assertThat(r.iterations()).isEqualTo(3);
        }
        assertThat(model.requests()).hasSize(3);
        assertThat(calls).hasValue(3);
        assertThat(events).anyMatch(e -> e instanceof AgentEvent.MaxIterationsReached m && m.maxIterations() == 3);
    }

    @Test
    void malformedArgumentsBecomeAnErrorResultAndTheModelRecovers() {
        AtomicInteger calls = new AtomicInteger();
        FakeModel model = new FakeModel("m").calls(call("bad", "echo", "{\"text\": oops"))
                .calls(call("good", "echo", "{\"text\":\"fixed\"}")).text("recovered");
        Agent agent = Agent.builder("a").model(model).toolsets(Toolset.of("t", echo(calls))).build();
        try (Runner runner = runner(agent)) {
            assertThat(runner.run("go").output()).isEqualTo("recovered");
        }
        ToolResultMessage error = (ToolResultMessage) model.requests().get(1).messages().get(3);
        assertThat(error.error()).isTrue();
        assertThat(error.content()).contains("invalid arguments for tool 'echo'");
        assertThat(calls).hasValue(1);
    }

    @Test
    void unknownToolAndFailingToolAreErrorsTheModelSees() {
        Tool boom = Tool.of(ToolSpec.of("boom", "fails"), true, (args, ctx) -> {
            throw new IllegalStateException("disk on fire");
        });
        FakeModel model = new FakeModel("m").calls(call("1", "nope", "{}"), call("2", "boom", "{}")).text("sorry");
        Agent agent = Agent.builder("a").model(model).toolsets(Toolset.of("t", boom)).build();
        try (Runner runner = runner(agent)) {
            runner.run("go");
        }
        List<Message> second = model.requests().get(1).messages();
        assertThat(((ToolResultMessage) second.get(3)).content()).contains("unknown tool 'nope'", "boom");
        assertThat(((ToolResultMessage) second.get(4))).satisfies(r -> {
            assertThat(r.error()).isTrue();
            assertThat(r.content()).contains("disk on fire");
        });
    }

    @Test
    void modelErrorMidTurnFailsTheRunWithAnEventAndKeepsHistory() {
        AtomicInteger calls = new AtomicInteger();
        FakeModel model = new FakeModel("m").calls(call("1", "echo", "{\"text\":\"x\"}")).then(req -> {
            throw new ModelException.ServerError("fake", 503, "overloaded");
        });
        Agent agent = Agent.builder("a").model(model).toolsets(Toolset.of("t", echo(calls))).build();
        Session session = Session.create();
        try (Runner runner = runner(agent)) {
            assertThatThrownBy(() -> runner.run(session, "go")).isInstanceOf(AgentException.class)
                    .hasMessageContaining("overloaded").hasCauseInstanceOf(ModelException.ServerError.class);
        }
        assertThat(events.get(events.size() - 1)).isInstanceOfSatisfying(AgentEvent.RunFailed.class,
                f -> assertThat(f.message()).contains("overloaded"));
        assertThat(session.messages()).hasSize(3);
    }

    @Test
    void approvalAllowAskDeny() {
        AtomicInteger calls = new AtomicInteger();
        List<String> asked = new CopyOnWriteArrayList<>();
        Tool shell = Tool.of(ToolSpec.of("shell", "runs", JsonSchema.object().required("cmd", JsonSchema.string()).build()),
                false, (args, ctx) -> {
                    calls.incrementAndGet();
                    return ToolResult.ok("ran " + args.string("cmd"));
                });
        FakeModel model = new FakeModel("m").calls(
                call("1", "shell", "{\"cmd\":\"ls -la\"}"),
                call("2", "shell", "{\"cmd\":\"rm -rf /\"}"),
                call("3", "shell", "{\"cmd\":\"make\"}"),
                call("4", "shell", "{\"cmd\":\"curl x\"}")).text("ok");
        Agent agent = Agent.builder("a").model(model).toolsets(Toolset.of("t", shell)).build();
        Runner runner = Runner.builder(agent)
                .permissions(Permissions.none().allowing("shell:cmd=ls *").denying("shell:cmd=rm *"))
                .approver(req -> {
                    String cmd = req.call().argumentsJson().get("cmd").flatMap(JsonValue::asString).orElse("");
                    asked.add(cmd);
                    return cmd.equals("make") ? Approval.once() : Approval.deny("no network please");
                }).build();
        runner.events().subscribe(events::add);
        try (runner) {
            runner.run("go");
        }
        assertThat(asked).containsExactly("make", "curl x");
        assertThat(calls).hasValue(2);
        List<Message> second = model.requests().get(1).messages();
        assertThat(((ToolResultMessage) second.get(3)).content()).isEqualTo("ran ls -la");
        assertThat(((ToolResultMessage) second.get(4)).content()).contains("denied", "rm *");
        assertThat(((ToolResultMessage) second.get(5)).content()).isEqualTo("ran make");
        assertThat(((ToolResultMessage) second.get(6))).satisfies(r -> {
            assertThat(r.error()).isTrue();
            assertThat(r.content()).contains("no network please");
        });
        assertThat(events).filteredOn(e -> e instanceof AgentEvent.ToolCallApproved)
                .extracting(e -> ((AgentEvent.ToolCallApproved) e).how())
                .containsExactly(ApprovalSource.ALLOWED, ApprovalSource.APPROVER);
    }

    @Test
    void denyWinsOverYoloAndReadOnlyAndApproveAlwaysIsRemembered() {
        AtomicInteger asked = new AtomicInteger();
        Tool read = Tool.of(ToolSpec.of("read_file", "reads"), true, (a, c) -> ToolResult.ok("content"));
        Tool write = Tool.of(ToolSpec.of("write_file", "writes"), false, (a, c) -> ToolResult.ok("written"));
        FakeModel model = new FakeModel("m").calls(call("1", "read_file", "{}"), call("2", "write_file", "{}"))
                .calls(call("3", "write_file", "{}")).text("ok");
        Agent agent = Agent.builder("a").model(model).toolsets(Toolset.of("t", read, write)).build();
        try (Runner runner = Runner.builder(agent).approver(r -> {
            asked.incrementAndGet();
            return Approval.always();
        }).build()) {
            runner.events().subscribe(events::add);
            runner.run("go");
        }
        assertThat(asked).hasValue(1);
        assertThat(events).filteredOn(e -> e instanceof AgentEvent.ToolCallApproved)
                .extracting(e -> ((AgentEvent.ToolCallApproved) e).how())
                .containsExactly(ApprovalSource.READ_ONLY, ApprovalSource.APPROVER, ApprovalSource.REMEMBERED);

        events.clear();
        FakeModel yoloModel = new FakeModel("y").calls(call("1", "read_file", "{}"), call("2", "write_file", "{}")).text("ok");
        Agent yoloAgent = Agent.builder("a").model(yoloModel).toolsets(Toolset.of("t", read, write))
                .permissions(Permissions.none().denying("read_*")).build();
        try (Runner runner = Runner.builder(yoloAgent).yolo(true).build()) {
            runner.events().subscribe(events::add);
            runner.run("go");
        }
        assertThat(events).filteredOn(e -> e instanceof AgentEvent.ToolCallDenied)
                .extracting(e -> ((AgentEvent.ToolCallDenied) e).call().name()).containsExactly("read_file");
        assertThat(events).filteredOn(e -> e instanceof AgentEvent.ToolCallApproved)
                .extracting(e -> ((AgentEvent.ToolCallApproved) e).how()).containsExactly(ApprovalSource.YOLO);
    }

    @Test
    void withoutApproverCallsThatNeedAskingAreDenied() {
        Tool write = Tool.of(ToolSpec.of("write_file", "writes"), false, (a, c) -> ToolResult.ok("written"));
        FakeModel model = new FakeModel("m").calls(call("1", "write_file", "{}")).text("ok");
        Agent agent = Agent.builder("a").model(model).toolsets(Toolset.of("t", write)).build();
        try (Runner runner = Runner.create(agent)) {
            runner.run("go");
        }
        assertThat(((ToolResultMessage) model.requests().get(1).messages().get(3)).content())
                .contains("needs approval and no approver is configured");
    }

    @Test
    void sessionSerialisesAndResumes() {
        FakeModel model = new FakeModel("m").calls(call("1", "echo", "{\"text\":\"a\"}")).text("first").text("second");
        Agent agent = Agent.builder("a").model(model).toolsets(Toolset.of("t", echo(new AtomicInteger()))).build();
        String json;
        try (Runner runner = Runner.builder(agent).yolo(true).price("m", ModelPrice.of(1.0, 2.0)).build()) {
            Session s = Session.create();
            s.state().put("k", new JsonString("v"));
            runner.run(s, "one");
            json = s.toJson();
            Session resumed = Session.fromJson(json);
            assertThat(resumed.messages()).isEqualTo(s.messages());
            assertThat(resumed.usage()).isEqualTo(s.usage());
            assertThat(resumed.cost()).isEqualTo(s.cost());
            assertThat(resumed.cost().getAsDouble()).isEqualTo((20 * 1.0 + 10 * 2.0) / 1_000_000d);
            assertThat(resumed.state()).containsEntry("k", new JsonString("v"));
            assertThat(runner.run(resumed, "two").output()).isEqualTo("second");
            assertThat(model.requests().get(2).messages()).hasSize(1 + 4 + 1);
        }
        assertThatThrownBy(() -> Session.fromJson("{\"nope\":1}")).hasMessageContaining("not a serialised session");
    }

    @Test
    void costSumsOverSubAgentsAndIsUnknownOnceAModelHasNoPrice() {
        for (boolean engineerPriced : new boolean[] {true, false}) {
            FakeModel rootModel = new FakeModel("root")
                    .calls(call("t1", "transfer_task", "{\"agent\":\"designer\",\"task\":\"d\",\"expected_output\":\"\"}"))
                    .calls(call("t2", "transfer_task", "{\"agent\":\"engineer\",\"task\":\"e\",\"expected_output\":\"\"}"))
                    .text("done");
            Agent designer = Agent.builder("designer").model(new FakeModel("designer").text("d")).build();
            Agent engineer = Agent.builder("engineer").model(new FakeModel("engineer").text("e")).build();
            Agent root = Agent.builder("root").model(rootModel).subAgents(designer, engineer).build();
            Runner.Builder b = Runner.builder(root).price("root", ModelPrice.of(1, 2)).price("designer", ModelPrice.of(10, 20));
            if (engineerPriced) {
                b.price("engineer", ModelPrice.of(100, 200));
            }
            try (Runner runner = b.build()) {
                Session s = runner.run("go").session();
                assertThat(s.usage().totalTokens()).isEqualTo(5 * 15);
                if (engineerPriced) {
                    // Each call: 10 input and 5 output tokens; prices are per million tokens.
                    double expected = (3 * (10 * 1 + 5 * 2) + (10 * 10 + 5 * 20) + (10 * 100 + 5 * 200)) / 1_000_000d;
                    assertThat(s.cost().getAsDouble()).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-12));
                } else {
                    assertThat(s.cost()).isEmpty();
                }
            }
        }
    }

    @Test
    void costIsUnknownWithoutPrice() {
        FakeModel model = new FakeModel("m").text("hi");
        try (Runner runner = Runner.create(Agent.builder("a").model(model).build())) {
            assertThat(runner.run("x").session().cost()).isEmpty();
        }
    }

    @Test
    void startStreamsEventsAndCancelStopsABlockedModel() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        FakeModel model = new FakeModel("m").then(req -> {
            entered.countDown();
            try {
                Thread.sleep(30_000);
            } catch (InterruptedException e) {
                throw new ModelException.Connection("fake", "interrupted", e);
            }
            return FakeModel.response(Message.assistant("late"));
        });
        try (Runner runner = Runner.create(Agent.builder("a").model(model).build())) {
            List<AgentEvent> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
            runner.events().subscribe(seen::add);
            RunHandle handle = runner.start("wait");
            assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
            handle.cancel();
            assertThatThrownBy(handle::await).isInstanceOf(AgentException.Cancelled.class);
            assertThat(seen).last().isInstanceOf(AgentEvent.RunFailed.class);
        }
    }

    @Test
    void aBackgroundRunsEventsReachTheSubscribers() {
        FakeModel model = new FakeModel("m").text("hello").text("again");
        try (Runner runner = Runner.create(Agent.builder("a").model(model).build())) {
            List<AgentEvent> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
            AgentEvents.Subscription subscription = runner.events().subscribe(seen::add);
            RunHandle handle = runner.start("hi");
            assertThat(handle.await().output()).isEqualTo("hello");
            subscription.close();
            subscription.close();
            assertThat(runner.run("more").output()).isEqualTo("again");
            assertThat(seen).filteredOn(e -> e instanceof AgentEvent.RunCompleted).hasSize(1);
            assertThat(seen).last().isInstanceOfSatisfying(AgentEvent.RunCompleted.class,
                    c -> assertThat(c.result().output()).isEqualTo("hello"));
            assertThat(seen).anyMatch(e -> e instanceof AgentEvent.TextDelta t && t.text().equals("hello"));
            assertThat(handle.await().output()).isEqualTo("hello");
        }
    }

    @Test
    void systemPromptAddsDateAndEnvironment() {
        FakeModel model = new FakeModel("m").text("ok");
        Agent agent = Agent.builder("a").instruction("Base.").model(model).addDate(true).addEnvironmentInfo(true).build();
        Clock clock = Clock.fixed(Instant.parse("2030-01-02T10:00:00Z"), ZoneOffset.UTC);
        try (Runner runner = Runner.builder(agent).clock(clock).workingDirectory(java.nio.file.Path.of("/srv/app")).build()) {
            runner.run("x");
        }
        String system = ((SystemMessage) model.requests().get(0).messages().get(0)).text();
        assertThat(system).startsWith("Base.").contains("Today's date: 2030-01-02", "working directory: /srv/app");
    }

    @Test
    void modelReferencesResolveOnceThroughTheResolver() {
        FakeModel model = new FakeModel("m").text("one").text("two");
        AtomicInteger resolved = new AtomicInteger();
        Agent agent = Agent.builder("a").model("openai/gpt-5").build();
        try (Runner runner = Runner.builder(agent).models(c -> {
            resolved.incrementAndGet();
            assertThat(c).isEqualTo(ModelConfig.of("openai", "gpt-5"));
            return model;
        }).build()) {
            runner.run("x");
            runner.run("y");
        }
        assertThat(resolved).hasValue(1);
        ModelRegistry noKeys = ModelRegistry.builder().environment(Map.of()).build();
        try (Runner runner = Runner.builder(agent).models(noKeys).build()) {
            assertThatThrownBy(() -> runner.run("x")).isInstanceOf(AgentException.class)
                    .hasMessageContaining("openai/gpt-5").hasMessageContaining("agent 'a'")
                    .hasMessageContaining("OPENAI_API_KEY");
        }
        Agent custom = Agent.builder("c").model(ModelConfig.of("mystery", "m").withTokenKey("MYSTERY_KEY")).build();
        try (Runner runner = Runner.builder(custom).models(noKeys).build()) {
            assertThatThrownBy(() -> runner.run("x")).hasMessageContaining("unknown model provider 'mystery'");
        }
        noKeys.close();
    }

    @Test
    void closesToolsetsOnceAndRefusesRunsAfterwards() {
        AtomicInteger closed = new AtomicInteger();
        Toolset set = new Toolset() {
            @Override
            public String name() {
                return "res";
            }

            @Override
            public List<Tool> tools() {
                return List.of();
            }

            @Override
            public void close() {
                closed.incrementAndGet();
            }
        };
        Agent sub = Agent.builder("sub").model(new FakeModel("s")).toolsets(set).build();
        Agent root = Agent.builder("root").model(new FakeModel("r")).toolsets(set).subAgents(sub).build();
        Runner runner = Runner.create(root);
        runner.close();
        runner.close();
        assertThat(closed).hasValue(1);
        assertThatThrownBy(() -> runner.run("x")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void nestedTeamsDelegateThroughSeveralLevels() {
        FakeModel leafModel = new FakeModel("leaf").text("leaf result");
        FakeModel midModel = new FakeModel("mid")
                .calls(call("m1", "transfer_task", "{\"agent\":\"leaf\",\"task\":\"dig\",\"expected_output\":\"\"}"))
                .then(req -> FakeModel.response(Message.assistant("mid saw: "
                        + ((ToolResultMessage) req.messages().get(req.messages().size() - 1)).content())));
        FakeModel rootModel = new FakeModel("root")
                .calls(call("r1", "transfer_task", "{\"agent\":\"mid\",\"task\":\"plan\",\"expected_output\":\"\"}"))
                .then(req -> FakeModel.response(Message.assistant("root saw: "
                        + ((ToolResultMessage) req.messages().get(req.messages().size() - 1)).content())));
        Agent leaf = Agent.builder("leaf").model(leafModel).build();
        Agent mid = Agent.builder("mid").model(midModel).subAgents(leaf).build();
        Agent root = Agent.builder("root").model(rootModel).subAgents(mid).build();
        try (Runner runner = runner(root)) {
            AgentResult r = runner.run("go");
            assertThat(r.output()).isEqualTo("root saw: mid saw: leaf result");
            assertThat(r.usage().totalTokens()).isEqualTo(5 * 15);
        }
        assertThat(leafModel.requests().get(0).messages()).containsExactly(new SystemMessage(""), new UserMessage("dig"));
        List<String> sessions = events.stream().map(AgentEvent::sessionId).distinct().toList();
        assertThat(sessions).hasSize(3);
        assertThat(events).filteredOn(e -> e instanceof AgentEvent.DelegationStarted)
                .extracting(e -> ((AgentEvent.DelegationStarted) e).agent() + ">" + ((AgentEvent.DelegationStarted) e).subAgent())
                .containsExactly("root>mid", "mid>leaf");
    }

    @Test
    void agentDefinitionsAreValidated() {
        FakeModel m = new FakeModel("m");
        Agent a = Agent.builder("a").model(m).build();
        assertThatThrownBy(() -> Agent.builder("bad name").model(m).build()).hasMessageContaining("'bad name'");
        assertThatThrownBy(() -> Agent.builder("x").build()).hasMessageContaining("agent 'x' has no model");
        assertThatThrownBy(() -> Agent.builder("x").model(m).subAgents(a, a).build()).hasMessageContaining("sub-agent 'a' twice");
        assertThatThrownBy(() -> Agent.builder("x").model(m).maxIterations(0)).hasMessageContaining("maxIterations");
        Agent other = Agent.builder("a").model(new FakeModel("n")).build();
        assertThatThrownBy(() -> Runner.create(Agent.builder("root").model(m).subAgents(a)
                .handoffs(other).build())).hasMessageContaining("two different agents are named 'a'");
        assertThat(a.toBuilder().build()).isEqualTo(a).hasSameHashCodeAs(a);
        assertThat(Agent.builder("r").model("openai/gpt-5").subAgents(a).build().toString())
                .isEqualTo("Agent[r, model=openai/gpt-5, toolsets=[], subAgents=[a], handoffs=[]]");
    }

    @Test
    void aFailingSubAgentIsAToolErrorTheParentCanHandle() {
        FakeModel broken = new FakeModel("broken").then(req -> {
            throw new ModelException.RateLimited("fake", "slow down", null);
        });
        FakeModel rootModel = new FakeModel("root")
                .calls(call("r1", "transfer_task", "{\"agent\":\"flaky\",\"task\":\"t\",\"expected_output\":\"\"}"))
                .then(req -> FakeModel.response(Message.assistant("handled: "
                        + ((ToolResultMessage) req.messages().get(req.messages().size() - 1)).content())));
        Agent flaky = Agent.builder("flaky").model(broken).build();
        Agent root = Agent.builder("root").model(rootModel).subAgents(flaky).build();
        try (Runner runner = runner(root)) {
            assertThat(runner.run("go").output()).startsWith("handled: agent 'flaky' failed:").contains("slow down");
        }
        assertThat(events).anyMatch(e -> e instanceof AgentEvent.DelegationFinished f && f.error());
        assertThat(events).noneMatch(e -> e instanceof AgentEvent.RunFailed);
    }

    @Test
    void hugeToolResultsAreCut() {
        Tool big = Tool.of(ToolSpec.of("big", "returns a lot"), true, (a, c) -> ToolResult.ok("x".repeat(5000)));
        FakeModel model = new FakeModel("m").calls(call("1", "big", "{}")).text("ok");
        Agent agent = Agent.builder("a").model(model).toolsets(Toolset.of("t", big)).build();
        try (Runner runner = Runner.builder(agent).maxToolResultChars(100).build()) {
            runner.run("go");
        }
        String content = ((ToolResultMessage) model.requests().get(1).messages().get(3)).content();
        assertThat(content).startsWith("x".repeat(100) + "\n[truncated: 4900 more characters]").hasSize(100 + 34);
    }

    @Test
    void eventSubscriptionsEndWhenClosedAndRenderDrawsTheSameTree() {
        java.util.function.Supplier<Agent> team = () -> {
            FakeModel subModel = new FakeModel("s").calls(call("e", "echo", "{\"text\":\"hi\"}")).text("sub done");
            FakeModel rootModel = new FakeModel("r")
                    .calls(call("t", "transfer_task", "{\"agent\":\"sub\",\"task\":\"say hi\",\"expected_output\":\"\"}"))
                    .text("all done").text("second run");
            Agent sub = Agent.builder("sub").model(subModel).toolsets(Toolset.of("t", echo(new AtomicInteger()))).build();
            return Agent.builder("root").model(rootModel).subAgents(sub).build();
        };
        java.io.ByteArrayOutputStream buffer = new java.io.ByteArrayOutputStream();
        java.io.PrintStream original = System.out;
        List<AgentEvent> seen = new CopyOnWriteArrayList<>();
        try (Runner runner = Runner.builder(team.get()).yolo(true).build()) {
            System.setOut(new java.io.PrintStream(buffer, true, java.nio.charset.StandardCharsets.UTF_8));
            try (AgentEvents.Subscription view = runner.events().subscribe(ConsoleView::render);
                 AgentEvents.Subscription log = runner.events().subscribe(seen::add)) {
                runner.run("go");
            } finally {
                System.setOut(original);
            }
            int count = seen.size();
            assertThat(count).isGreaterThan(5);
            assertThat(runner.run(Session.create(), "again").output()).isEqualTo("second run");
            assertThat(seen).as("closed subscriptions get nothing").hasSize(count);
        }
        String[] lines = buffer.toString(java.nio.charset.StandardCharsets.UTF_8).split("\n");
        assertThat(lines[0]).isEqualTo("▶ root → sub: say hi");
        assertThat(lines[1]).isEqualTo("    [sub] echo {\"text\":\"hi\"}");
        assertThat(lines[3]).isEqualTo("◀ sub answered: sub done");
        assertThat(seen.get(seen.size() - 1)).isInstanceOf(AgentEvent.RunCompleted.class);
    }

    @Test
    void consoleViewDrawsTheDelegationTree() {
        FakeModel subModel = new FakeModel("s").calls(call("e", "echo", "{\"text\":\"hi\"}")).text("sub done");
        FakeModel rootModel = new FakeModel("r")
                .calls(call("t", "transfer_task", "{\"agent\":\"sub\",\"task\":\"say hi\",\"expected_output\":\"\"}"))
                .text("all done");
        Agent sub = Agent.builder("sub").model(subModel).toolsets(Toolset.of("t", echo(new AtomicInteger()))).build();
        Agent root = Agent.builder("root").model(rootModel).subAgents(sub).build();
        java.io.ByteArrayOutputStream buffer = new java.io.ByteArrayOutputStream();
        try (Runner runner = Runner.builder(root).yolo(true).build()) {
            runner.events().subscribe(ConsoleView.to(new java.io.PrintStream(buffer, true, java.nio.charset.StandardCharsets.UTF_8)));
            runner.run("go");
        }
        String[] lines = buffer.toString(java.nio.charset.StandardCharsets.UTF_8).split("\n");
        assertThat(lines[0]).isEqualTo("▶ root → sub: say hi");
        assertThat(lines[1]).isEqualTo("    [sub] echo {\"text\":\"hi\"}");
        assertThat(lines[2]).startsWith("      = echo:hi (");
        assertThat(lines[3]).isEqualTo("◀ sub answered: sub done");
        assertThat(lines).contains("root finished after 2 model calls, 60 tokens:", "all done");
    }

    @Test
    void aSessionRunsOneTurnAtATime() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        FakeModel model = new FakeModel("m").then(req -> {
            entered.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return FakeModel.response(Message.assistant("first"));
        }).text("second");
        Session session = Session.create();
        try (Runner runner = Runner.create(Agent.builder("a").model(model).build())) {
            RunHandle first = runner.start(session, "one");
            assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
            assertThatThrownBy(() -> runner.run(session, "two")).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("already running");
            release.countDown();
            assertThat(first.await().output()).isEqualTo("first");
            assertThat(runner.run(session, "two").output()).isEqualTo("second");
        }
    }
}
