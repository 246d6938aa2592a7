package dev.keel.agents;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.agents.approval.Approval;
import dev.keel.agents.approval.Permissions;
import dev.keel.agents.hooks.HookEvent;
import dev.keel.agents.hooks.HookInput;
import dev.keel.agents.hooks.HookResult;
import dev.keel.agents.hooks.Hooks;
import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.ToolResult;
import dev.keel.agents.tool.Toolset;
import dev.keel.core.json.JsonObject;
import dev.keel.core.json.JsonValue;
import dev.keel.core.message.SystemMessage;
import dev.keel.core.message.ToolResultMessage;
import dev.keel.core.tool.JsonSchema;
import dev.keel.core.tool.ToolSpec;
import dev.keel.testing.model.RecordedChatRequest;
import dev.keel.testing.model.ScriptedModelServer;
import dev.keel.testing.model.ScriptedReply;
import dev.keel.testing.model.ScriptedToolCall;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Hooks registered in Java, on a runner and on agents, decide and observe a real run against the scripted
 * model server: every tool event can block, approve, ask or rewrite; run events can block or add context;
 * failures follow their policy and pre_tool_use fails closed.
 */
class HooksTest {
    private ScriptedModelServer llm;
    private final List<HookInput> seen = new CopyOnWriteArrayList<>();
    private final List<String> executed = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() {
        llm = ScriptedModelServer.start();
    }

    @AfterEach
    void stop() {
        llm.close();
    }

    private Tool tool(String name, boolean readOnly) {
        return Tool.of(ToolSpec.of(name, "Runs " + name, JsonSchema.object().required("cmd", JsonSchema.string()).build()),
                readOnly, (args, ctx) -> {
                    executed.add(name + ":" + args.string("cmd"));
                    return ToolResult.ok("ran " + args.string("cmd") + " with key sk-ant-api03-ABCDEFGHIJKLMNOPQRSTUV1234");
                });
    }

    private Agent.Builder agent(String name) {
        return Agent.builder(name).model("scripted/model").instruction("You are " + name + ".")
                .toolsets(Toolset.of("tools", tool("shell", false), tool("read", true)));
    }

    private HookResult record(HookInput in, HookResult result) {
        seen.add(in);
        return result;
    }

    private List<HookEvent> seenEvents() {
        return seen.stream().map(HookInput::event).toList();
    }

    @Test
    void preToolUseRewritesTheArgumentsTheToolRunsWith() {
        Hooks hooks = Hooks.builder().on(HookEvent.PRE_TOOL_USE, "shell", in -> record(in, HookResult.proceed()
                .withUpdatedInput(in.toolInput().with("cmd", "ls -la")))).build();
        llm.respond(ScriptedReply.toolCall("shell", Map.of("cmd", "rm -rf /"))).respond(ScriptedReply.text("done"));
        try (Runner runner = Runner.builder(agent("root").build()).yolo(true).hooks(hooks).models(llm.models()).build()) {
            assertThat(runner.run("clean up").output()).isEqualTo("done");
        }
        assertThat(executed).containsExactly("shell:ls -la");
        assertThat(seen).singleElement().satisfies(in -> {
            assertThat(in.toJson().get("hook_event_name")).contains(JsonValue.of("pre_tool_use"));
            assertThat(in.toJson().get("tool_use_id").flatMap(JsonValue::asString)).isPresent();
            assertThat(in.toolInput().get("cmd")).contains(JsonValue.of("rm -rf /"));
            assertThat(in.agent()).isEqualTo("root");
        });
        llm.assertNoFailures();
    }

    @Test
    void aDeniedCallNeverRunsAndTheModelSeesWhy() {
        Hooks hooks = Hooks.builder().on(HookEvent.PRE_TOOL_USE, "shell|write_.*", in -> HookResult.deny("no shell today"))
                .build();
        llm.respond(ScriptedReply.toolCalls(ScriptedToolCall.of("shell", Map.of("cmd", "date")),
                ScriptedToolCall.of("read", Map.of("cmd", "README")))).respond(ScriptedReply.text("ok"));
        try (Runner runner = Runner.builder(agent("root").build()).yolo(true).hooks(hooks).models(llm.models()).build()) {
            runner.run("go");
        }
        assertThat(executed).containsExactly("read:README");
        assertThat(llm.requests().get(1).messages()).filteredOn(ToolResultMessage.class::isInstance)
                .map(m -> ((ToolResultMessage) m).content())
                .containsExactly("The tool call was denied: no shell today", "ran README with key sk-ant-api03-ABCDEFGHIJKLMNOPQRSTUV1234");
    }

    @Test
    void aPreemptiveDenyBeatsYoloAndAllowPatternsWhileAnOrdinaryHookRunsAfterThem() {
        AtomicInteger ordinary = new AtomicInteger();
        Hooks hooks = Hooks.builder()
                .add(new Hooks.Registration(HookEvent.PRE_TOOL_USE, "shell", in -> HookResult.deny("policy"), "guard",
                        Hooks.OnError.WARN, true))
                .on(HookEvent.PRE_TOOL_USE, in -> {
                    ordinary.incrementAndGet();
                    return HookResult.proceed();
                }).build();
        llm.respond(ScriptedReply.toolCall("shell", Map.of("cmd", "date"))).respond(ScriptedReply.toolCall("read",
                Map.of("cmd", "x"))).respond(ScriptedReply.text("ok"));
        try (Runner runner = Runner.builder(agent("root").build()).yolo(true).permissions(Permissions.none().allowing("shell"))
                .hooks(hooks).models(llm.models()).build()) {
            runner.run("go");
        }
        assertThat(executed).containsExactly("read:x");
        assertThat(ordinary).hasValue(1); // the denied call never reached the ordinary hook
    }

    @Test
    void askMakesTheApproverDecideEvenForReadOnlyToolsAndPermissionRequestCanAnswerForIt() {
        List<String> asked = new CopyOnWriteArrayList<>();
        Hooks hooks = Hooks.builder()
                .on(HookEvent.PRE_TOOL_USE, "read", in -> HookResult.ask("reads of secrets need a human"))
                .on(HookEvent.PERMISSION_REQUEST, "shell", in -> in.toolInput().get("cmd").equals(java.util.Optional.of(
                        JsonValue.of("ls"))) ? HookResult.allow("safe") : HookResult.proceed())
                .build();
        llm.respond(ScriptedReply.toolCalls(ScriptedToolCall.of("read", Map.of("cmd", ".env")),
                ScriptedToolCall.of("shell", Map.of("cmd", "ls")), ScriptedToolCall.of("shell", Map.of("cmd", "rm x"))))
                .respond(ScriptedReply.text("ok"));
        List<AgentEvent> events = new CopyOnWriteArrayList<>();
        try (Runner runner = Runner.builder(agent("root").build()).hooks(hooks).models(llm.models())
                .approver(req -> {
                    asked.add(req.call().name() + " " + req.call().arguments());
                    return req.call().name().equals("read") ? Approval.deny("not now") : Approval.once();
                }).build();
             AgentEvents.Subscription s = runner.events().subscribe(events::add)) {
            runner.run("go");
        }
        assertThat(asked).hasSize(2).anySatisfy(a -> assertThat(a).startsWith("read"))
                .anySatisfy(a -> assertThat(a).contains("rm x"));
        assertThat(executed).containsExactlyInAnyOrder("shell:ls", "shell:rm x"); // parallel calls: no order
        assertThat(events).filteredOn(AgentEvent.ToolCallApproved.class::isInstance)
                .map(e -> ((AgentEvent.ToolCallApproved) e).how())
                .containsExactly(AgentEvent.ApprovalSource.HOOK, AgentEvent.ApprovalSource.APPROVER);
    }

    @Test
    void toolResponseTransformRewritesWhatTheModelSeesAndPostToolUseCanStopTheRun() {
        Hooks hooks = Hooks.builder()
                .on(HookEvent.TOOL_RESPONSE_TRANSFORM, in -> HookResult.proceed().withUpdatedToolResponse("[scrubbed]"))
                .on(HookEvent.POST_TOOL_USE, in -> record(in, HookResult.block("circuit breaker: enough tools")))
                .build();
        llm.respond(ScriptedReply.toolCall("shell", Map.of("cmd", "date")));
        AgentResult r;
        try (Runner runner = Runner.builder(agent("root").build()).yolo(true).hooks(hooks).models(llm.models()).build()) {
            r = runner.run("go");
        }
        assertThat(r.stopReason()).isEqualTo(AgentResult.StopReason.BLOCKED);
        assertThat(r.output()).isEqualTo("circuit breaker: enough tools");
        assertThat(llm.requests()).hasSize(1); // stopped after the batch: no second model call
        assertThat(r.session().messages()).filteredOn(ToolResultMessage.class::isInstance)
                .map(m -> ((ToolResultMessage) m).content()).containsExactly("[scrubbed]");
        assertThat(seen.get(0).text("tool_response")).contains("[scrubbed]");
        assertThat(seen.get(0).fields().get("tool_error")).contains(JsonValue.of(false));
    }

    @Test
    void userPromptSubmitBlocksBeforeAnyModelCallOrAddsContextForTheRun() {
        Hooks hooks = Hooks.builder().on(HookEvent.USER_PROMPT_SUBMIT, in -> in.text("prompt").orElse("").contains("password")
                ? HookResult.block("prompts with passwords are not sent") : HookResult.context("The user is on call."))
                .build();
        llm.respond(ScriptedReply.text("noted"));
        try (Runner runner = Runner.builder(agent("root").build()).hooks(hooks).models(llm.models()).build()) {
            AgentResult blocked = runner.run("my password is hunter2");
            assertThat(blocked.stopReason()).isEqualTo(AgentResult.StopReason.BLOCKED);
            assertThat(blocked.output()).isEqualTo("prompts with passwords are not sent");
            assertThat(llm.requests()).isEmpty();
            runner.run("status?");
        }
        RecordedChatRequest request = llm.requests().get(0);
        assertThat(request.lastMessage()).isEqualTo(new SystemMessage("The user is on call."));
        assertThat(request.systemPrompt()).isEqualTo("You are root."); // the cached prefix is untouched
    }

    @Test
    void sessionStartContextStaysForTheSessionAndTurnStartContextIsForOneCall() {
        AtomicInteger turns = new AtomicInteger();
        Hooks hooks = Hooks.builder()
                .on(HookEvent.SESSION_START, in -> record(in, HookResult.context("Session started for ada.")))
                .on(HookEvent.TURN_START, in -> HookResult.context("Turn " + turns.incrementAndGet() + "."))
                .build();
        llm.respond(ScriptedReply.toolCall("read", Map.of("cmd", "a"))).respond(ScriptedReply.text("one"))
                .respond(ScriptedReply.text("two"));
        Session session = Session.create();
        try (Runner runner = Runner.builder(agent("root").build()).hooks(hooks).models(llm.models()).build()) {
            runner.run(session, "first");
            runner.run(session, "second");
        }
        assertThat(seen).singleElement().satisfies(in -> assertThat(in.text("source")).contains("startup"));
        assertThat(llm.requests()).extracting(RecordedChatRequest::lastMessage).containsExactly(
                new SystemMessage("Session started for ada.\n\nTurn 1."), new SystemMessage("Session started for ada.\n\nTurn 2."),
                new SystemMessage("Session started for ada.\n\nTurn 3."));
        // Transient context is never stored in the session's history.
        assertThat(session.messages()).noneMatch(SystemMessage.class::isInstance);
    }

    @Test
    void modelCallHooksSeeEveryCallAndBeforeLlmCallCanStopTheRun() {
        Hooks hooks = Hooks.builder()
                .on(HookEvent.BEFORE_LLM_CALL, in -> record(in, in.fields().get("iteration").equals(java.util.Optional.of(
                        JsonValue.of(2))) ? HookResult.block("budget: one call") : HookResult.proceed()))
                .on(HookEvent.AFTER_LLM_CALL, in -> record(in, HookResult.proceed()))
                .on(HookEvent.TURN_END, in -> record(in, HookResult.proceed()))
                .build();
        llm.respond(ScriptedReply.toolCall("read", Map.of("cmd", "a")));
        AgentResult r;
        try (Runner runner = Runner.builder(agent("root").build()).hooks(hooks).models(llm.models()).build()) {
            r = runner.run("go");
        }
        assertThat(r.stopReason()).isEqualTo(AgentResult.StopReason.BLOCKED);
        assertThat(seenEvents()).containsExactly(HookEvent.BEFORE_LLM_CALL, HookEvent.AFTER_LLM_CALL, HookEvent.TURN_END,
                HookEvent.BEFORE_LLM_CALL, HookEvent.TURN_END);
        assertThat(seen.get(1).text("model_id")).contains("scripted/model");
        assertThat(seen.get(2).text("reason")).contains("continue");
        assertThat(seen.get(4).text("reason")).contains("hook_blocked");
    }

    @Test
    void delegationAndHandoffAreAgentSwitchesAndTheParentSeesTheSubAgentStop() {
        Hooks observe = Hooks.builder()
                .on(HookEvent.ON_AGENT_SWITCH, in -> record(in, HookResult.proceed()))
                .on(HookEvent.SUBAGENT_STOP, in -> record(in, HookResult.proceed()))
                .on(HookEvent.STOP, in -> record(in, HookResult.proceed()))
                .build();
        Agent helper = agent("helper").build();
        Agent support = agent("support").build();
        Agent root = agent("root").subAgents(helper).handoffs(support).build();
        llm.respondWith(req -> {
            String system = req.systemPrompt();
            if (system.startsWith("You are helper.")) {
                return ScriptedReply.text("helped");
            }
            if (system.startsWith("You are support.")) {
                return ScriptedReply.text("supported");
            }
            long results = req.messages().stream().filter(ToolResultMessage.class::isInstance).count();
            return results == 0 ? ScriptedReply.toolCall("transfer_task", Map.of("agent", "helper", "task", "help",
                    "expected_output", "")) : ScriptedReply.toolCall("handoff", Map.of("agent", "support"));
        });
        try (Runner runner = Runner.builder(root).hooks(observe).models(llm.models()).build()) {
            assertThat(runner.run("go").output()).isEqualTo("supported");
        }
        assertThat(seen).extracting(in -> in.event().eventName() + " " + in.agent() + " "
                + in.text("agent_switch_kind").or(() -> in.text("agent_name")).orElse("")).containsExactly(
                "on_agent_switch root transfer_task", "stop helper helper", "subagent_stop root helper",
                "on_agent_switch helper transfer_task_return", "on_agent_switch root handoff", "stop support support");
        assertThat(seen.get(2).text("stop_response")).contains("helped");
    }

    @Test
    void failedHooksFollowTheirPolicyAndAFailingPreToolUseHookFailsClosed() {
        Hook boom = in -> {
            throw new IllegalStateException("boom");
        };
        Hooks hooks = Hooks.builder()
                .add(new Hooks.Registration(HookEvent.TURN_START, "*", boom, "warns", Hooks.OnError.WARN, false))
                .add(new Hooks.Registration(HookEvent.PRE_TOOL_USE, "*", boom, "guard", Hooks.OnError.IGNORE, false))
                .build();
        llm.respond(ScriptedReply.toolCall("read", Map.of("cmd", "a"))).respond(ScriptedReply.text("ok"));
        try (Runner runner = Runner.builder(agent("root").build()).hooks(hooks).models(llm.models()).build()) {
            assertThat(runner.run("go").output()).isEqualTo("ok"); // the turn_start failure only warns
        }
        assertThat(executed).isEmpty();
        assertThat(((ToolResultMessage) llm.requests().get(1).lastMessage()).content())
                .isEqualTo("The tool call was denied: hook 'guard' on pre_tool_use failed: boom");

        Hooks blocking = Hooks.builder().add(new Hooks.Registration(HookEvent.USER_PROMPT_SUBMIT, "*", boom, "strict",
                Hooks.OnError.BLOCK, false)).build();
        try (Runner runner = Runner.builder(agent("root").build()).hooks(blocking).models(llm.models()).build()) {
            AgentResult r = runner.run("go");
            assertThat(r.stopReason()).isEqualTo(AgentResult.StopReason.BLOCKED);
            assertThat(r.output()).isEqualTo("hook 'strict' on user_prompt_submit failed: boom");
        }
    }

    @Test
    void agentHooksRunAfterTheRunnersAndOnlyForTheirAgent() {
        List<String> order = new CopyOnWriteArrayList<>();
        Agent helper = agent("helper").hooks(Hooks.builder().on(HookEvent.STOP, in -> {
            order.add("helper's own");
            return HookResult.proceed();
        }).build()).build();
        Agent root = agent("root").subAgents(helper).build();
        llm.respondWith(req -> req.systemPrompt().startsWith("You are helper.") ? ScriptedReply.text("h")
                : req.messages().stream().anyMatch(ToolResultMessage.class::isInstance) ? ScriptedReply.text("r")
                : ScriptedReply.toolCall("transfer_task", Map.of("agent", "helper", "task", "t", "expected_output", "")));
        Hooks runnerHooks = Hooks.builder().on(HookEvent.STOP, in -> {
            order.add("runner's for " + in.agent());
            return HookResult.proceed();
        }).build();
        try (Runner runner = Runner.builder(root).hooks(runnerHooks).models(llm.models()).build()) {
            runner.run("go");
        }
        assertThat(order).containsExactly("runner's for helper", "helper's own", "runner's for root");
    }

    @Test
    void redactSecretsScrubsToolArgumentsToolOutputAndWhatTheModelIsSent() {
        llm.respond(ScriptedReply.toolCall("shell", Map.of("cmd", "deploy --token=ghp_abcdefghijklmnopqrstuvwxyz0123456789")))
                .respond(ScriptedReply.text("deployed"));
        Agent agent = agent("root").redactSecrets(true).build();
        try (Runner runner = Runner.builder(agent).yolo(true).models(llm.models()).build()) {
            runner.run("deploy with key AKIAABCDEFGHIJKLMNOP please");
        }
        assertThat(executed).containsExactly("shell:deploy --token=[REDACTED]");
        String sent = llm.requests().get(1).body();
        assertThat(sent).doesNotContain("AKIAABCDEFGHIJKLMNOP", "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
                "sk-ant-api03-ABCDEFGHIJKLMNOPQRSTUV1234").contains("key [REDACTED] please", "with key [REDACTED]");
    }

    @Test
    void endSessionRunsSessionEndHooks() {
        Hooks hooks = Hooks.builder().on(HookEvent.SESSION_END, in -> record(in, HookResult.proceed())).build();
        try (Runner runner = Runner.builder(agent("root").build()).hooks(hooks).models(llm.models()).build()) {
            Session s = Session.create("s-1");
            runner.endSession(s);
        }
        assertThat(seen).singleElement().satisfies(in -> {
            assertThat(in.sessionId()).isEqualTo("s-1");
            assertThat(in.text("reason")).contains("other");
        });
        JsonObject json = seen.get(0).toJson();
        assertThat(json.names()).startsWith("session_id", "cwd", "hook_event_name");
    }

    private interface Hook extends dev.keel.agents.hooks.Hook {}
}
