package dev.keel.agents;

import dev.keel.agents.StepInterceptor.DelegationStep;
import dev.keel.agents.StepInterceptor.HandoffStep;
import dev.keel.agents.StepInterceptor.ModelStep;
import dev.keel.agents.StepInterceptor.Position;
import dev.keel.agents.StepInterceptor.RunStep;
import dev.keel.agents.StepInterceptor.ToolsetStep;
import dev.keel.agents.StepInterceptor.TurnStep;
import dev.keel.agents.internal.HistoryWindow;
import dev.keel.agents.internal.ToolOutputBudget;
import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.ToolResult;
import dev.keel.agents.tool.Toolset;
import dev.keel.core.CacheBreakpoint;
import dev.keel.core.ChatModel;
import dev.keel.core.ChatRequest;
import dev.keel.core.ChatResponse;
import dev.keel.core.KeelException;
import dev.keel.core.ModelException;
import dev.keel.core.StreamListener;
import dev.keel.core.Usage;
import dev.keel.core.message.Message;
import dev.keel.core.message.ToolCall;
import dev.keel.core.message.ToolResultMessage;
import dev.keel.core.tool.ToolSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One run of the agent loop: model call → tool calls → results → repeat, until a final answer, the
 * iteration limit, cancellation or an error. Delegations run the same loop for the sub-agent in a forked
 * session. Model calls, delegations and handoffs pass through the runner's step seams here; tool calls
 * and approvals in {@link ToolCalls}. Not shared between runs.
 */
final class AgentLoop {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(AgentLoop.class);
    private final Runner runner;
    private final RunSettings settings;
    private final Steps steps;
    private final RunHandle handle;
    private final ToolCalls toolCalls;
    private final RunHooks hooks;
    private final Compactor compactor;
    private final Budgets budgets;
    private final Budgets.Spend spend;
    private final Recalls recalls;

    AgentLoop(Runner runner, RunHandle handle, Session session) {
        this.runner = runner;
        this.settings = runner.settings();
        this.steps = runner.steps();
        this.handle = handle;
        this.hooks = new RunHooks(new HookDispatch(runner));
        this.toolCalls = new ToolCalls(this, settings, steps, hooks);
        this.compactor = new Compactor(runner, hooks);
        this.budgets = runner.budgets();
        this.spend = budgets.startRun(session);
        this.recalls = Recalls.of(runner.agents());
    }

    void emit(AgentEvent e) {
        runner.emit(e);
    }

    /** The agent called {@code name} in this run. */
    Agent agent(String name) {
        return runner.agentNamed(name);
    }

    void checkCancelled() {
        if (handle.isCancelled() || Thread.currentThread().isInterrupted()) {
            throw new AgentException.Cancelled("run cancelled");
        }
    }

    /** Runs {@code input} as the session's next user turn; one run at a time per session. */
    AgentResult runTop(Session session, String input) {
        return top(session, input);
    }

    /**
     * Continues the session's last run from its journal: the turn in flight is finished (recorded results are
     * reused, the model is not asked again), then the loop goes on as usual.
     */
    AgentResult resumeTop(Session session) {
        return top(session, null);
    }

    private AgentResult top(Session session, String input) {
        runner.checkOpen();
        session.begin();
        recalls.runStarted(session.id());
        try {
            Agent agent = session.currentAgent().map(runner::agentNamed).orElse(runner.root());
            return steps.run(new RunStep(agent.name(), session.id(), input == null), () -> runStarted(session, input));
        } finally {
            session.end();
            recalls.runEnded(session.id()); // after end(): a scheduler may wake the host to run the session again
        }
    }

    /** Runs {@code input} as the next user turn, or with {@code input == null} continues the journalled run. */
    private AgentResult runStarted(Session session, String input) {
        Agent agent = session.currentAgent().map(runner::agentNamed).orElse(runner.root());
        boolean firstRun = session.currentAgent().isEmpty() && session.messages().isEmpty();
        session.currentAgent(agent.name());
        Usage before = session.usage();
        try {
            AgentResult r = input == null ? loop(agent, session, before, "", null)
                    : newTurn(agent, session, input, firstRun, before);
            session.checkpoint();
            emit(new AgentEvent.RunCompleted(r.agent(), session.id(), r));
            return r;
        } catch (Suspension s) {
            PendingApproval p = s.pending();
            emit(new AgentEvent.RunSuspended(p.agent(), p.sessionId(), p));
            Agent now = session.currentAgent().map(runner::agentNamed).orElse(agent);
            return result("", now, AgentResult.StopReason.SUSPENDED, 0, session, before);
        } catch (AgentException e) {
            emit(new AgentEvent.RunFailed(session.currentAgent().orElse(agent.name()), session.id(), e.getMessage(), e));
            throw e;
        } catch (RuntimeException e) {
            AgentException wrapped = new AgentException("agent run failed: " + e, e);
            emit(new AgentEvent.RunFailed(agent.name(), session.id(), wrapped.getMessage(), e));
            throw wrapped;
        }
    }

    private AgentResult newTurn(Agent agent, Session session, String input, boolean firstRun, Usage before) {
        // A turn a failed run left unfinished is not continued under new input: its reply stays in the history.
        session.abandonTurn();
        if (firstRun) {
            hooks.sessionStart(agent, session);
        }
        session.append(Message.user(input));
        HookDispatch.Outcome submitted = hooks.userPromptSubmit(agent, session, input);
        if (submitted.blocked()) {
            return result(submitted.reason(), agent, AgentResult.StopReason.BLOCKED, 0, session, before);
        }
        java.util.Optional<String> cached = agent.responseCache().flatMap(c -> c.lookup(input));
        if (cached.isPresent()) {
            // docker-agent's response cache: the stored answer, without a model call
            dev.keel.core.message.AssistantMessage answer = new dev.keel.core.message.AssistantMessage(cached.get(),
                    List.of());
            session.append(answer);
            emit(new AgentEvent.MessageCompleted(agent.name(), session.id(), answer));
            return result(cached.get(), agent, AgentResult.StopReason.COMPLETED, 0, session, before);
        }
        AgentResult r = loop(agent, session, before, submitted.context(), null);
        if (r.stopReason() == AgentResult.StopReason.COMPLETED && r.agent().equals(agent.name())) {
            agent.responseCache().ifPresent(c -> c.store(input, r.output()));
        }
        return r;
    }

    /** What a turn sends besides the history; depends only on the agent, so it is rebuilt only after a handoff. */
    private record Prepared(Agent agent, Map<String, Tool> tools, List<ToolSpec> specs, Message system,
                            ApprovalPolicy policy, Map<String, dev.keel.core.models.ModelSpec> toolModels) {}

    /**
     * Runs {@code agent} on its session until it answers; a workflow agent runs its workflow instead. {@code exit} is
     * the exit of the loop workflow the agent runs in (its tool is added to the agent's), or {@code null}.
     */
    AgentResult loop(Agent agent, Session session, Usage before, String runContext, LoopExit exit) {
        if (agent.workflow().isPresent()) {
            return WorkflowRun.run(this, settings, agent, session, before, exit);
        }
        HookDispatch.Outcome starting = hooks.beforeAgentRun(agent, session);
        if (starting.blocked()) {
            return result(starting.reason(), agent, AgentResult.StopReason.BLOCKED, 0, session, before);
        }
        Turns t = new Turns(agent, session, before, runContext, exit);
        while (true) {
            checkCancelled();
            if (t.iterations >= t.agent.maxIterations()) {
                emit(new AgentEvent.MaxIterationsReached(t.agent.name(), session.id(), t.agent.maxIterations()));
                hooks.maxIterations(t.agent, session, t.agent.maxIterations());
                return finished(t.agent, session, result(t.lastText, t.agent, AgentResult.StopReason.MAX_ITERATIONS,
                        t.iterations, session, before));
            }
            budgets.charge(spend, session.takeSideSpend(), t.agent);
            Budgets.Exceeded over = budgets.exceeded(spend, t.agent);
            if (over != null) {
                emit(new AgentEvent.BudgetExceeded(t.agent.name(), session.id(), over.scope(), over.name(),
                        over.budget(), over.tokens(), over.costUsd(), over.time()));
                return finished(t.agent, session, result(t.lastText, t.agent, AgentResult.StopReason.BUDGET_EXCEEDED,
                        t.iterations, session, before));
            }
            t.handoffTo.set(null);
            if (t.prepared == null || t.prepared.agent() != t.agent) {
                t.prepared = prepare(t.agent, session, t.handoffTo, t.answer, exit, t.exitCalled);
            }
            Position at = new Position(t.agent.name(), session.id(), t.iterations, session.state());
            Agent working = t.agent;
            java.time.Instant turnStarted = settings.clock().instant();
            AgentResult done;
            try {
                done = steps.turn(new TurnStep(at), () -> turn(at, t));
            } finally {
                budgets.worked(spend, working, java.time.Duration.between(turnStarted, settings.clock().instant()));
            }
            if (done != null) {
                return done;
            }
        }
    }

    /** The state of one agent's loop across its turns. */
    private final class Turns {
        final Session session;
        final Usage before;
        final String runContext;
        final LoopExit exit;
        Agent agent;
        int iterations;
        String lastText = "";
        final AtomicReference<Agent> handoffTo = new AtomicReference<>();
        final AtomicReference<dev.keel.core.json.JsonValue> answer = new AtomicReference<>();
        int corrections;
        Prepared prepared;
        final RepeatedCalls repeated = new RepeatedCalls();
        // A toolset's own model handles the turn after one of its tools ran (docker-agent's per-toolset model).
        dev.keel.core.models.ModelSpec toolModel;
        final java.util.concurrent.atomic.AtomicBoolean exitCalled = new java.util.concurrent.atomic.AtomicBoolean();
        final ContextSize context = new ContextSize();
        // The model that answered the last call (a fallback's, a router's or a picker's choice): what it is priced at.
        final AtomicReference<String> answeredBy = new AtomicReference<>();

        Turns(Agent agent, Session session, Usage before, String runContext, LoopExit exit) {
            this.agent = agent;
            this.session = session;
            this.before = before;
            this.runContext = runContext;
            this.exit = exit;
        }

        AgentResult result(String output, AgentResult.StopReason reason) {
            return finished(agent, session, AgentLoop.this.result(output, agent, reason, iterations, session, before));
        }
    }

    /**
     * One turn: a model call and the tool calls it asks for, their results added to the session. A turn the
     * session's journal holds (the run stopped in it: a crash or a suspension) is finished instead, its reply taken
     * from the journal. Returns the run's result when the agent is done, or null to go on.
     */
    private AgentResult turn(Position at, Turns t) {
        Agent agent = t.agent;
        Session session = t.session;
        Prepared prepared = t.prepared;
        ChatResponse response = session.inFlightReply();
        if (response != null) {
            t.iterations++;
        } else {
            recalls.deliver(this, steps, at, session, false); // jobs that ended, schedules due: before the model is asked
            t.context.compactIfDue(agent, session, prepared.system());
            String turnContext = join(t.runContext, hooks.turnStart(agent, session, settings.workingDirectory()));
            HookDispatch.Outcome gate = hooks.beforeLlmCall(agent, session, t.iterations + 1);
            if (gate.blocked()) {
                hooks.turnEnd(agent, session, "hook_blocked");
                return t.result(gate.reason(), AgentResult.StopReason.BLOCKED);
            }
            try {
                response = callModelOrCompact(at, agent, prepared, session, turnContext, t.context, t.toolModel,
                        t.answeredBy);
                t.toolModel = null;
            } catch (AgentException e) {
                hooks.error(agent, session, e.getMessage());
                hooks.turnEnd(agent, session, e instanceof AgentException.Cancelled ? "canceled" : "error");
                throw e;
            }
            t.iterations++;
            session.contextReported(response.usage().inputTokens()
                    + Math.max(0, response.usage().outputTokens() - response.usage().reasoningTokens()));
            hooks.afterLlmCall(agent, session, response.text());
            String pricedModel = t.answeredBy.get();
            ModelPrice price = settings.price(pricedModel);
            budgets.record(spend, response.usage(), price, pricedModel, agent);
            session.addUsage(response.usage(), price);
            emit(new AgentEvent.UsageReported(agent.name(), session.id(), response.usage(), session.usage(),
                    session.cost().isPresent() ? session.cost().getAsDouble() : null));
            session.append(response.message());
            emit(new AgentEvent.MessageCompleted(agent.name(), session.id(), response.message()));
            AgentResult done = answered(at, t, response);
            if (done != null || !response.message().hasToolCalls()) {
                return done;
            }
            if (t.repeated.count(response.toolCalls()) > agent.maxConsecutiveToolCalls()
                    && agent.maxConsecutiveToolCalls() > 0) {
                String why = "agent '" + agent.name() + "' repeated the same tool call " + t.repeated.times()
                        + " times in a row; stopped (max_consecutive_tool_calls " + agent.maxConsecutiveToolCalls() + ")";
                hooks.error(agent, session, why);
                hooks.turnEnd(agent, session, "loop_detected");
                for (dev.keel.core.message.ToolCall c : response.toolCalls()) {
                    session.append(Message.toolError(c, why));
                }
                return t.result(why, AgentResult.StopReason.LOOP_DETECTED);
            }
            session.startTurn(agent.name(), response); // saved before any tool runs
        }
        if (!response.text().isEmpty()) {
            t.lastText = response.text();
        }
        long toolList = dev.keel.agents.internal.ToolListChange.version(session.state());
        ToolCalls.Batch batch = toolCalls.run(at, session, response.toolCalls(), prepared.tools(), prepared.policy());
        session.finishTurn(batch.results());
        for (dev.keel.core.message.ToolCall c : response.toolCalls()) {
            if (prepared.toolModels().containsKey(c.name())) {
                t.toolModel = prepared.toolModels().get(c.name());
                break;
            }
        }
        if (dev.keel.agents.internal.ToolListChange.version(session.state()) != toolList) {
            t.prepared = null; // a call changed the session's tools (add_tool, a catalog server): list them again
        }
        StructuredOutput so = agent.structuredOutput().orElse(null);
        if (so != null && t.answer.get() != null) {
            String text = t.answer.get().toJson();
            hooks.stop(agent, session, text);
            hooks.turnEnd(agent, session, "normal");
            return finished(agent, session, new AgentResult(text, agent.name(), AgentResult.StopReason.COMPLETED,
                    t.iterations, session.usage().minus(t.before), session, t.answer.get()));
        }
        if (so != null && batch.results().stream().anyMatch(r -> r.toolName().equals(StructuredOutputs.TOOL)
                && r.error())) {
            if (t.corrections++ >= so.retries()) {
                ToolResultMessage failed = batch.results().stream().filter(r -> r.toolName().equals(StructuredOutputs.TOOL))
                        .findFirst().orElseThrow();
                throw new StructuredOutputException(agent.name(), failed.content(), List.of(failed.content()));
            }
        }
        if (t.exit != null && batch.results().stream().anyMatch(r -> r.toolName().equals(t.exit.toolName())
                && !r.error())) {
            // Also when the exit's result was recorded before the run stopped, so the tool did not run again now.
            t.exitCalled.set(true);
            t.exit.request(agent.name());
        }
        if (t.exitCalled.get()) {
            // The agent ended its loop workflow: its run ends with this turn.
            hooks.stop(agent, session, response.text());
            hooks.turnEnd(agent, session, "normal");
            return t.result(response.text(), AgentResult.StopReason.COMPLETED);
        }
        if (batch.stopReason() != null) {
            hooks.turnEnd(agent, session, "hook_blocked");
            return t.result(batch.stopReason(), AgentResult.StopReason.BLOCKED);
        }
        hooks.turnEnd(agent, session, "continue");
        Agent next = t.handoffTo.get();
        if (next != null) {
            handOff(at, agent, next, session);
            t.agent = next;
            t.toolModel = null;
        }
        return null;
    }

    /**
     * A reply without tool calls: the final answer (checked against the structured output, if any), a correction
     * asked for, or a forced handoff. Returns the result when the agent is done, otherwise null.
     */
    private AgentResult answered(Position at, Turns t, ChatResponse response) {
        Agent agent = t.agent;
        Session session = t.session;
        if (!response.text().isEmpty()) {
            t.lastText = response.text();
        }
        if (response.message().hasToolCalls()) {
            return null;
        }
        StructuredOutput so = agent.structuredOutput().orElse(null);
        if (so != null) {
            boolean nativeMode = StructuredOutputs.nativeMode(agent, so);
            dev.keel.core.json.JsonValue value = nativeMode ? StructuredOutputs.parse(response.text()) : null;
            List<String> problems = nativeMode ? StructuredOutputs.problems(so, value)
                    : List.of("the answer was not given with the " + StructuredOutputs.TOOL + " tool");
            if (!problems.isEmpty()) {
                if (t.corrections++ >= so.retries()) {
                    throw new StructuredOutputException(agent.name(), response.text(), problems);
                }
                session.append(Message.user(StructuredOutputs.correction(so, problems, nativeMode)));
                hooks.turnEnd(agent, session, "continue");
                return null;
            }
            hooks.stop(agent, session, response.text());
            hooks.turnEnd(agent, session, "normal");
            return finished(agent, session, new AgentResult(response.text(), agent.name(),
                    AgentResult.StopReason.COMPLETED, t.iterations, session.usage().minus(t.before), session, value));
        }
        hooks.stop(agent, session, response.text());
        Agent forced = agent.forceHandoff().map(runner::agentNamed).orElse(null);
        if (forced != null) {
            hooks.turnEnd(agent, session, "continue");
            handOff(at, agent, forced, session);
            t.agent = forced;
            return null;
        }
        if (recalls.deliver(this, steps, at, session, true) > 0) {
            // A recalled job ended or a schedule came due while the model answered: the run goes on with it, as
            // docker-agent's does.
            hooks.turnEnd(agent, session, "continue");
            return null;
        }
        hooks.turnEnd(agent, session, "normal");
        return t.result(response.text(), AgentResult.StopReason.COMPLETED);
    }

    /**
     * The agent's model options with what the agent adds per call: its structured output's response format (native
     * mode) and its tool choice ({@code required} and a named tool on a run's first call only).
     */
    private static dev.keel.core.ChatOptions requestOptions(Agent agent, int turn, boolean withTools) {
        dev.keel.core.ChatOptions options = agent.model().options();
        StructuredOutput so = agent.structuredOutput().orElse(null);
        dev.keel.core.ToolChoice choice = agent.toolChoice().orElse(null);
        boolean once = choice instanceof dev.keel.core.ToolChoice.Required || choice instanceof dev.keel.core.ToolChoice.Named;
        boolean sendChoice = choice != null && withTools && (!once || turn == 0);
        boolean sendFormat = so != null && StructuredOutputs.nativeMode(agent, so);
        if (!sendChoice && !sendFormat) {
            return options;
        }
        dev.keel.core.ChatOptions.Builder b = options.toBuilder();
        if (sendChoice) {
            b.toolChoice(choice);
        }
        if (sendFormat) {
            b.responseFormat(StructuredOutputs.format(so));
        }
        return b.build();
    }

    /** Automatic compaction before model calls; after a failed compaction, no more in this run. One per run. */
    private final class ContextSize {
        private boolean failed;

        long tokens(Session session, Message system) {
            return session.contextTokens(dev.keel.agents.internal.ContextTokens.estimate(system));
        }

        /** Compacts before a model call when the context has reached the threshold. */
        void compactIfDue(Agent agent, Session session, Message system) {
            long tokens = tokens(session, system);
            if (failed || !compactor.due(agent, tokens)) {
                return;
            }
            compact(agent, session, system, Compaction.Reason.THRESHOLD, tokens);
        }

        boolean compact(Agent agent, Session session, Message system, Compaction.Reason reason, long tokens) {
            return compactor.compact(agent, session, reason, tokens,
                    dev.keel.agents.internal.ContextTokens.estimate(system), e -> failed = true).isPresent();
        }
    }

    /**
     * A model call; when the provider refuses it as too long and the agent compacts automatically, the session is
     * compacted and the call made once more (docker-agent's overflow recovery).
     */
    private ChatResponse callModelOrCompact(Position at, Agent agent, Prepared prepared, Session session,
                                            String turnContext, ContextSize context,
                                            dev.keel.core.models.ModelSpec override, AtomicReference<String> answeredBy) {
        try {
            return callModel(at, agent, prepared, session, turnContext, override, answeredBy);
        } catch (AgentException e) {
            if (!(e.getCause() instanceof ModelException.ContextTooLong) || !agent.compaction().enabled()
                    || !runner.sessionCompaction()
                    || !context.compact(agent, session, prepared.system(), Compaction.Reason.OVERFLOW,
                            context.tokens(session, prepared.system()))) {
                throw e;
            }
            return callModel(at, agent, prepared, session, turnContext, override, answeredBy);
        }
    }

    /** Counts turns in a row whose tool calls are the same (names and arguments). */
    private static final class RepeatedCalls {
        private List<String> last = List.of();
        private int times;

        int count(List<dev.keel.core.message.ToolCall> calls) {
            List<String> now = calls.stream().map(c -> c.name() + " " + c.arguments()).toList();
            times = now.equals(last) ? times + 1 : 1;
            last = now;
            return times;
        }

        int times() {
            return times;
        }
    }

    private void handOff(Position at, Agent from, Agent to, Session session) {
        steps.handoff(new HandoffStep(at, to.name()), () -> {
            emit(new AgentEvent.HandedOff(from.name(), session.id(), to.name()));
            session.currentAgent(to.name());
        });
        hooks.agentSwitch(from, session.id(), to.name(), "handoff");
    }

    private AgentResult finished(Agent agent, Session session, AgentResult r) {
        hooks.afterAgentComplete(agent, session, r.output());
        return r;
    }

    private static String join(String a, String b) {
        if (a == null || a.isBlank()) {
            return b == null ? "" : b;
        }
        return b == null || b.isBlank() ? a : a + "\n\n" + b;
    }

    /**
     * One model call; {@code answeredBy} is set to the model that answered ({@code provider/model} as a composite
     * model reports it, else the label of the model asked), so the call is priced at that model's price.
     */
    private ChatResponse callModel(Position at, Agent agent, Prepared prepared, Session session, String turnContext,
                                   dev.keel.core.models.ModelSpec override, AtomicReference<String> answeredBy) {
        // model_picker: the model the agent switched to serves its turns for the rest of the session.
        dev.keel.core.models.ModelSpec chosen = override != null ? override
                : dev.keel.agents.internal.ChosenModel.of(agent.toolsets(), agent.name(), session.state()).orElse(null);
        String label = chosen != null ? chosen.label() : agent.model().label();
        answeredBy.set(label);
        List<Message> history = ToolOutputBudget.oldToolCalls(HistoryWindow.trim(session.contextMessages(),
                agent.numHistoryItems()), agent.maxOldToolCallTokens());
        List<Message> messages = new ArrayList<>(history.size() + 2);
        messages.add(prepared.system());
        messages.addAll(history);
        String context = join(session.state().get(RunHooks.SESSION_CONTEXT) instanceof dev.keel.core.json.JsonString s
                ? s.value() : "", turnContext);
        if (!context.isBlank()) {
            // Context from hooks is sent after the history, so the cached prefix (tools + system prompt) stays put.
            messages.add(Message.system(context));
        }
        // The tools and the system prompt are the same on every turn: mark them as the cacheable prefix.
        ChatRequest request = new ChatRequest(HookDispatch.redacted(agent, messages), prepared.specs(),
                chosen != null ? chosen.requestOptions() : requestOptions(agent, at.turn(), !prepared.specs().isEmpty()),
                List.of(CacheBreakpoint.system()));
        try {
            StreamListener listener = new StreamListener() {
                @Override
                public void onText(String delta) {
                    emit(new AgentEvent.TextDelta(agent.name(), session.id(), delta));
                }

                @Override
                public void onModelEvent(dev.keel.core.ModelEvent event) {
                    if (event instanceof dev.keel.core.ModelEvent.Selected selected) {
                        answeredBy.set(selected.model());
                    } else if (event instanceof dev.keel.core.ModelEvent.Answered answered) {
                        answeredBy.set(answered.model());
                    }
                    emit(new AgentEvent.ModelDecision(agent.name(), session.id(), event));
                }
            };
            // The model is resolved inside the step, so a step answered from a recording needs no model (nor key).
            return steps.modelCall(new ModelStep(at, label, request, listener, answeredBy::get), () -> (chosen != null
                    ? runner.model(chosen, agent.name()) : runner.model(agent)).stream(request, listener));
        } catch (ModelException e) {
            checkCancelled();
            throw new AgentException("model " + label + " of agent '" + agent.name() + "' failed: "
                    + e.getMessage(), e);
        }
    }

    private AgentResult result(String output, Agent agent, AgentResult.StopReason reason, int iterations, Session session,
                               Usage before) {
        Usage used = session.usage().minus(before);
        return new AgentResult(output, agent.name(), reason, iterations, used, session);
    }

    private Prepared prepare(Agent agent, Session session, AtomicReference<Agent> handoffTo,
                             AtomicReference<dev.keel.core.json.JsonValue> answer, LoopExit exit,
                             java.util.concurrent.atomic.AtomicBoolean exitCalled) {
        Map<String, Tool> tools = new LinkedHashMap<>();
        Map<String, String> owner = new LinkedHashMap<>();
        Map<String, dev.keel.core.models.ModelSpec> toolModels = new LinkedHashMap<>();
        List<dev.keel.agents.toolsets.DeferredToolset> deferred = new ArrayList<>();
        for (Toolset set : agent.toolsets()) {
            List<Tool> list;
            try {
                list = steps.toolsetTools(new ToolsetStep(agent.name(), set), set::tools);
                if (set instanceof dev.keel.agents.toolsets.DeferredToolset d) {
                    deferred.add(d);
                    list = new ArrayList<>(list);
                    list.addAll(d.activeTools(session.state()));
                }
                List<Tool> own = dev.keel.agents.internal.SessionTools.of(set, session.state());
                if (!own.isEmpty()) {
                    list = new ArrayList<>(list);
                    list.addAll(own); // what this session's calls added (a catalog server it enabled): its alone
                }
            } catch (KeelException e) {
                throw new AgentException("toolset '" + set.name() + "' of agent '" + agent.name() + "' failed: "
                        + e.getMessage(), e);
            }
            for (Tool t : list) {
                if (t instanceof BackgroundAgents.Unbound u) {
                    t = u.bind(agent, settings.executor(), (sub, task, expected) -> background(agent, session, sub, task,
                            expected));
                }
                if (agent.addDescriptionParameter()) {
                    t = dev.keel.agents.internal.DescriptionParameter.add(t);
                }
                String name = t.spec().name();
                if (tools.putIfAbsent(name, t) != null) {
                    // docker-agent's rule: the first toolset that provides a name wins.
                    log.debug("agent '{}': tool '{}' of toolset '{}' is shadowed by the one of '{}'", agent.name(), name,
                            set.name(), owner.get(name));
                    continue;
                }
                owner.put(name, set.name());
                toolsetModel(set).ifPresent(m -> toolModels.put(name, m));
            }
        }
        if (agent.codeMode().isPresent()) {
            // code_mode_tools: the toolsets' tools become functions of one JavaScript tool; the team's own tools
            // (transfer_task, handoff, skills, deferred loading, structured output, a loop's exit) stay direct.
            Map<String, Tool> program = CodeModeTool.wrap(tools, agent.codeMode().get());
            tools.clear();
            tools.putAll(program);
        }
        DeferredTools.add(tools, deferred);
        SkillTools.add(tools, agent, (fork, task) -> delegate(agent, session, fork, task, "", null));
        if (!agent.subAgents().isEmpty()) {
            tools.put(TeamTools.TRANSFER_TASK, TeamTools.transferTask(agent,
                    (sub, task, expected, callId) -> delegate(agent, session, sub, task, expected, callId)));
        }
        if (!agent.handoffTargets().isEmpty()) {
            tools.put(TeamTools.HANDOFF, TeamTools.handoff(agent, runner::agentNamed, handoffTo));
        }
        if (exit != null) {
            if (tools.containsKey(exit.toolName())) {
                throw new AgentException("agent '" + agent.name() + "' has a tool named '" + exit.toolName()
                        + "', the exit tool of the loop it runs in; give the loop another exit tool name");
            }
            tools.put(exit.toolName(), exit.tool(agent.name(), exitCalled));
        }
        agent.structuredOutput().filter(so -> !StructuredOutputs.nativeMode(agent, so))
                .ifPresent(so -> tools.put(StructuredOutputs.TOOL, StructuredOutputs.tool(so, answer)));
        return new Prepared(agent, tools, tools.values().stream().map(Tool::spec).toList(),
                Message.system(SystemPrompt.of(agent, settings, runner::agentNamed)), ApprovalPolicy.of(agent, settings),
                toolModels);
    }

    /** The model a toolset names for the turn after its tools ran, looking through deferral. */
    private static java.util.Optional<dev.keel.core.models.ModelSpec> toolsetModel(Toolset set) {
        Toolset t = set instanceof dev.keel.agents.toolsets.DeferredToolset d ? d.delegate() : set;
        return t instanceof dev.keel.agents.toolsets.ConfiguredToolset c ? c.model() : java.util.Optional.empty();
    }

    /**
     * A {@code transfer_task} (or a forked skill, {@code callId} null): the sub-agent runs in a forked session; its
     * usage counts for the parent. A delegation's session is kept in the parent's journal under the call's id, so a
     * resumed run continues it.
     */
    /**
     * A background task: no run waits for it, so a run of it that suspended could never be resumed; a call in it
     * that needs such a decision is denied instead, and the agent goes on.
     */
    private ToolResult background(Agent agent, Session session, Agent sub, String task, String expected) {
        Session child = session.fork();
        child.cannotSuspend("a background agent cannot wait for one (no run would resume it); do without the call, "
                + "or say in your answer that it needs a person's decision");
        return delegate(agent, session, child, sub, task, expected);
    }

    private ToolResult delegate(Agent agent, Session session, Agent sub, String task, String expected, String callId) {
        return delegate(agent, session, callId == null ? session.fork() : session.delegation(callId), sub, task,
                expected);
    }

    private ToolResult delegate(Agent agent, Session session, Session child, Agent sub, String task, String expected) {
        boolean fresh = child.messages().isEmpty();
        if (fresh) {
            child.currentAgent(sub.name());
        }
        DelegationStep step = new DelegationStep(agent.name(), session.id(), sub.name(), child.id(), task, expected);
        emit(new AgentEvent.DelegationStarted(agent.name(), session.id(), sub.name(), child.id(), task));
        if (fresh) {
            hooks.agentSwitch(agent, session.id(), sub.name(), "transfer_task");
            child.append(Message.user(expected.isBlank() ? task : task + "\n\nExpected output: " + expected));
        }
        boolean suspended = false;
        try {
            AgentResult r = steps.delegation(step, () -> loop(sub, child, Usage.ZERO, "", null));
            String out = switch (r.stopReason()) {
                case MAX_ITERATIONS -> "(agent '" + sub.name() + "' stopped at its iteration limit) " + r.output();
                case BUDGET_EXCEEDED -> "(agent '" + sub.name() + "' stopped: the budget is spent) " + r.output();
                case BLOCKED -> "(agent '" + sub.name() + "' was stopped by a hook) " + r.output();
                default -> r.output();
            };
            emit(new AgentEvent.DelegationFinished(agent.name(), session.id(), sub.name(), child.id(), out, false));
            hooks.subagentStop(agent, session.id(), sub.name(), r.output());
            hooks.agentSwitch(sub, child.id(), agent.name(), "transfer_task_return");
            return ToolResult.ok(out);
        } catch (Suspension e) {
            suspended = true; // the delegation goes on when the run resumes; its usage counts then
            throw e;
        } catch (AgentException.Cancelled | RecordingDivergenceException e) {
            throw e;
        } catch (AgentException e) {
            String msg = "agent '" + sub.name() + "' failed: " + e.getMessage();
            emit(new AgentEvent.DelegationFinished(agent.name(), session.id(), sub.name(), child.id(), msg, true));
            return ToolResult.error(msg);
        } finally {
            if (!suspended) {
                session.addUsage(child.usage(), child.cost().isPresent() ? child.cost().getAsDouble() : null);
            }
        }
    }
}
