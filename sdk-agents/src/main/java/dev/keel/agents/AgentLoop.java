package dev.keel.agents;

import dev.keel.agents.StepInterceptor.DelegationStep;
import dev.keel.agents.StepInterceptor.HandoffStep;
import dev.keel.agents.StepInterceptor.ModelStep;
import dev.keel.agents.StepInterceptor.Position;
import dev.keel.agents.StepInterceptor.ToolsetStep;
import dev.keel.agents.internal.HistoryWindow;
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
    private final Runner runner;
    private final RunSettings settings;
    private final Steps steps;
    private final RunHandle handle;
    private final ToolCalls toolCalls;

    AgentLoop(Runner runner, RunHandle handle) {
        this.runner = runner;
        this.settings = runner.settings();
        this.steps = runner.steps();
        this.handle = handle;
        this.toolCalls = new ToolCalls(this, settings, steps);
    }

    void emit(AgentEvent e) {
        runner.emit(e);
    }

    void checkCancelled() {
        if (handle.isCancelled() || Thread.currentThread().isInterrupted()) {
            throw new AgentException.Cancelled("run cancelled");
        }
    }

    /** Runs {@code input} as the session's next user turn; one run at a time per session. */
    AgentResult runTop(Session session, String input) {
        runner.checkOpen();
        session.begin();
        try {
            return runStarted(session, input);
        } finally {
            session.end();
        }
    }

    private AgentResult runStarted(Session session, String input) {
        Agent agent = session.currentAgent().map(runner::agentNamed).orElse(runner.root());
        session.currentAgent(agent.name());
        Usage before = session.usage();
        session.append(Message.user(input));
        try {
            AgentResult r = loop(agent, session, before);
            emit(new AgentEvent.RunCompleted(r.agent(), session.id(), r));
            return r;
        } catch (AgentException e) {
            emit(new AgentEvent.RunFailed(session.currentAgent().orElse(agent.name()), session.id(), e.getMessage(), e));
            throw e;
        } catch (RuntimeException e) {
            AgentException wrapped = new AgentException("agent run failed: " + e, e);
            emit(new AgentEvent.RunFailed(agent.name(), session.id(), wrapped.getMessage(), e));
            throw wrapped;
        }
    }

    /** What a turn sends besides the history; depends only on the agent, so it is rebuilt only after a handoff. */
    private record Prepared(Agent agent, Map<String, Tool> tools, List<ToolSpec> specs, Message system,
                            ApprovalPolicy policy) {}

    private AgentResult loop(Agent agent, Session session, Usage before) {
        int iterations = 0;
        String lastText = "";
        AtomicReference<Agent> handoffTo = new AtomicReference<>();
        Prepared prepared = null;
        while (true) {
            checkCancelled();
            if (iterations >= agent.maxIterations()) {
                emit(new AgentEvent.MaxIterationsReached(agent.name(), session.id(), agent.maxIterations()));
                return result(lastText, agent, AgentResult.StopReason.MAX_ITERATIONS, iterations, session, before);
            }
            handoffTo.set(null);
            if (prepared == null || prepared.agent() != agent) {
                prepared = prepare(agent, session, handoffTo);
            }
            Position at = new Position(agent.name(), session.id(), iterations);
            ChatResponse response = callModel(at, agent, prepared, session);
            iterations++;
            session.addUsage(response.usage(), settings.price(agent));
            emit(new AgentEvent.UsageReported(agent.name(), session.id(), response.usage(), session.usage(),
                    session.cost().isPresent() ? session.cost().getAsDouble() : null));
            session.append(response.message());
            emit(new AgentEvent.MessageCompleted(agent.name(), session.id(), response.message()));
            if (!response.text().isEmpty()) {
                lastText = response.text();
            }
            if (!response.message().hasToolCalls()) {
                return result(response.text(), agent, AgentResult.StopReason.COMPLETED, iterations, session, before);
            }
            for (ToolResultMessage r : toolCalls.run(at, session, response.toolCalls(), prepared.tools(), prepared.policy())) {
                session.append(r);
            }
            Agent next = handoffTo.get();
            if (next != null) {
                Agent from = agent;
                steps.handoff(new HandoffStep(at, next.name()), () -> {
                    emit(new AgentEvent.HandedOff(from.name(), session.id(), next.name()));
                    session.currentAgent(next.name());
                });
                agent = next;
            }
        }
    }

    private ChatResponse callModel(Position at, Agent agent, Prepared prepared, Session session) {
        List<Message> history = HistoryWindow.trim(session.messages(), agent.numHistoryItems());
        List<Message> messages = new ArrayList<>(history.size() + 1);
        messages.add(prepared.system());
        messages.addAll(history);
        // The tools and the system prompt are the same on every turn: mark them as the cacheable prefix.
        ChatRequest request = new ChatRequest(messages, prepared.specs(), agent.model().options(),
                List.of(CacheBreakpoint.system()));
        try {
            StreamListener listener = new StreamListener() {
                @Override
                public void onText(String delta) {
                    emit(new AgentEvent.TextDelta(agent.name(), session.id(), delta));
                }
            };
            // The model is resolved inside the step, so a step answered from a recording needs no model (nor key).
            return steps.modelCall(new ModelStep(at, agent.model().label(), request, listener),
                    () -> runner.model(agent).stream(request, listener));
        } catch (ModelException e) {
            checkCancelled();
            throw new AgentException("model " + agent.model().label() + " of agent '" + agent.name() + "' failed: "
                    + e.getMessage(), e);
        }
    }

    private AgentResult result(String output, Agent agent, AgentResult.StopReason reason, int iterations, Session session,
                               Usage before) {
        Usage used = session.usage().minus(before);
        return new AgentResult(output, agent.name(), reason, iterations, used, session);
    }

    private Prepared prepare(Agent agent, Session session, AtomicReference<Agent> handoffTo) {
        Map<String, Tool> tools = new LinkedHashMap<>();
        Map<String, String> owner = new LinkedHashMap<>();
        for (Toolset set : agent.toolsets()) {
            List<Tool> list;
            try {
                list = steps.toolsetTools(new ToolsetStep(agent.name(), set), set::tools);
            } catch (KeelException e) {
                throw new AgentException("toolset '" + set.name() + "' of agent '" + agent.name() + "' failed: "
                        + e.getMessage(), e);
            }
            for (Tool t : list) {
                String name = t.spec().name();
                if (tools.putIfAbsent(name, t) != null) {
                    throw new AgentException("agent '" + agent.name() + "': tool '" + name + "' is provided by both '"
                            + owner.get(name) + "' and '" + set.name() + "'");
                }
                owner.put(name, set.name());
            }
        }
        if (!agent.subAgents().isEmpty()) {
            tools.put(TeamTools.TRANSFER_TASK, TeamTools.transferTask(agent,
                    (sub, task, expected) -> delegate(agent, session, sub, task, expected)));
        }
        if (!agent.handoffs().isEmpty()) {
            tools.put(TeamTools.HANDOFF, TeamTools.handoff(agent, handoffTo));
        }
        return new Prepared(agent, tools, tools.values().stream().map(Tool::spec).toList(),
                Message.system(SystemPrompt.of(agent, settings)), ApprovalPolicy.of(agent, settings));
    }

    /** A {@code transfer_task}: the sub-agent runs in a forked session; its usage counts for the parent. */
    private ToolResult delegate(Agent agent, Session session, Agent sub, String task, String expected) {
        Session child = session.fork();
        child.currentAgent(sub.name());
        DelegationStep step = new DelegationStep(agent.name(), session.id(), sub.name(), child.id(), task, expected);
        emit(new AgentEvent.DelegationStarted(agent.name(), session.id(), sub.name(), child.id(), task));
        child.append(Message.user(expected.isBlank() ? task : task + "\n\nExpected output: " + expected));
        try {
            AgentResult r = steps.delegation(step, () -> loop(sub, child, Usage.ZERO));
            String out = r.stopReason() == AgentResult.StopReason.MAX_ITERATIONS
                    ? "(agent '" + sub.name() + "' stopped at its iteration limit) " + r.output() : r.output();
            emit(new AgentEvent.DelegationFinished(agent.name(), session.id(), sub.name(), child.id(), out, false));
            return ToolResult.ok(out);
        } catch (AgentException.Cancelled | RecordingDivergenceException e) {
            throw e;
        } catch (AgentException e) {
            String msg = "agent '" + sub.name() + "' failed: " + e.getMessage();
            emit(new AgentEvent.DelegationFinished(agent.name(), session.id(), sub.name(), child.id(), msg, true));
            return ToolResult.error(msg);
        } finally {
            session.addUsage(child.usage(), child.cost().isPresent() ? child.cost().getAsDouble() : null);
        }
    }
}
