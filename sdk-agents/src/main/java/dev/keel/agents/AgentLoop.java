package dev.keel.agents;

import dev.keel.agents.AgentEvent.ApprovalSource;
import dev.keel.agents.approval.Approval;
import dev.keel.agents.approval.ApprovalRequest;
import dev.keel.agents.approval.Permissions;
import dev.keel.agents.approval.ToolPattern;
import dev.keel.agents.internal.HistoryWindow;
import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.ToolArgumentException;
import dev.keel.agents.tool.ToolArguments;
import dev.keel.agents.tool.ToolContext;
import dev.keel.agents.tool.ToolResult;
import dev.keel.agents.tool.Toolset;
import dev.keel.core.ChatModel;
import dev.keel.core.ChatOptions;
import dev.keel.core.ChatRequest;
import dev.keel.core.ChatResponse;
import dev.keel.core.KeelException;
import dev.keel.core.ModelException;
import dev.keel.core.StreamListener;
import dev.keel.core.Usage;
import dev.keel.core.message.Message;
import dev.keel.core.message.ToolCall;
import dev.keel.core.message.ToolResultMessage;
import dev.keel.core.tool.JsonSchema;
import dev.keel.core.tool.ToolSpec;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;

/** One run of the agent loop: model → tool calls → results → repeat. Not shared between runs. */
final class AgentLoop {
    static final String TRANSFER_TASK = "transfer_task";
    static final String HANDOFF = "handoff";

    private final Runner runner;
    private final RunHandle handle;
    private final boolean toHandle;

    AgentLoop(Runner runner, RunHandle handle, boolean toHandle) {
        this.runner = runner;
        this.handle = handle;
        this.toHandle = toHandle;
    }

    private void emit(AgentEvent e) {
        runner.emit(e, handle, toHandle);
    }

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

    private void checkCancelled() {
        if (handle.isCancelled() || Thread.currentThread().isInterrupted()) {
            throw new AgentException.Cancelled("run cancelled");
        }
    }

    private AgentResult loop(Agent agent, Session session, Usage before) {
        int iterations = 0;
        String lastText = "";
        AtomicReference<Agent> handoffTo = new AtomicReference<>();
        // What a turn sends besides the history depends only on the agent: built again only after a handoff.
        Agent prepared = null;
        Map<String, Tool> tools = Map.of();
        List<ToolSpec> specs = List.of();
        Message system = null;
        ChatOptions options = null;
        while (true) {
            checkCancelled();
            if (iterations >= agent.maxIterations()) {
                emit(new AgentEvent.MaxIterationsReached(agent.name(), session.id(), agent.maxIterations()));
                return result(lastText, agent, AgentResult.StopReason.MAX_ITERATIONS, iterations, session, before);
            }
            Agent current = agent;
            ChatModel model = runner.model(agent);
            handoffTo.set(null);
            if (prepared != agent) {
                tools = tools(agent, session, handoffTo);
                specs = tools.values().stream().map(Tool::spec).toList();
                system = Message.system(systemPrompt(agent));
                options = agent.modelConfig() == null ? ChatOptions.defaults() : agent.modelConfig().options();
                prepared = agent;
            }
            List<Message> history = HistoryWindow.trim(session.messages(), agent.numHistoryItems());
            List<Message> messages = new ArrayList<>(history.size() + 1);
            messages.add(system);
            messages.addAll(history);
            ChatRequest request = new ChatRequest(messages, specs, options);
            ChatResponse response;
            try {
                response = model.stream(request, new StreamListener() {
                    @Override
                    public void onText(String delta) {
                        emit(new AgentEvent.TextDelta(current.name(), session.id(), delta));
                    }
                });
            } catch (ModelException e) {
                checkCancelled();
                throw new AgentException("model " + agent.modelLabel() + " of agent '" + agent.name() + "' failed: "
                        + e.getMessage(), e);
            }
            iterations++;
            ModelPrice price = runner.price(agent);
            session.addUsage(response.usage(), price);
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
            for (ToolResultMessage r : callTools(agent, session, response.toolCalls(), tools)) {
                session.append(r);
            }
            Agent next = handoffTo.get();
            if (next != null) {
                emit(new AgentEvent.HandedOff(agent.name(), session.id(), next.name()));
                session.currentAgent(next.name());
                agent = next;
            }
        }
    }

    private AgentResult result(String output, Agent agent, AgentResult.StopReason reason, int iterations, Session session,
                               Usage before) {
        Usage now = session.usage();
        Usage used = new Usage(now.inputTokens() - before.inputTokens(), now.outputTokens() - before.outputTokens());
        return new AgentResult(output, agent.name(), reason, iterations, used, session);
    }

    String systemPrompt(Agent agent) {
        StringBuilder sb = new StringBuilder(agent.instruction());
        for (Toolset t : agent.toolsets()) {
            String extra = t.instructions();
            if (!extra.isBlank()) {
                sb.append("\n\n").append(extra.strip());
            }
        }
        if (!agent.subAgents().isEmpty()) {
            sb.append("\n\nYou lead a team. Delegate tasks with the transfer_task tool to one of these agents:");
            agent.subAgents().forEach(a -> sb.append("\n- ").append(a.name()).append(": ").append(a.description()));
        }
        if (!agent.handoffs().isEmpty()) {
            sb.append("\n\nYou can hand the conversation over with the handoff tool to one of these agents:");
            agent.handoffs().forEach(a -> sb.append("\n- ").append(a.name()).append(": ").append(a.description()));
        }
        if (agent.addDate()) {
            sb.append("\n\nToday's date: ").append(LocalDate.now(runner.clock));
        }
        if (agent.addEnvironmentInfo()) {
            sb.append("\n\nEnvironment:\n- working directory: ").append(runner.workingDirectory)
                    .append("\n- operating system: ").append(System.getProperty("os.name"));
        }
        return sb.toString().strip();
    }

    private Map<String, Tool> tools(Agent agent, Session session, AtomicReference<Agent> handoffTo) {
        Map<String, Tool> tools = new LinkedHashMap<>();
        Map<String, String> owner = new LinkedHashMap<>();
        for (Toolset set : agent.toolsets()) {
            List<Tool> list;
            try {
                list = set.tools();
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
            tools.put(TRANSFER_TASK, transferTask(agent, session));
        }
        if (!agent.handoffs().isEmpty()) {
            tools.put(HANDOFF, handoff(agent, handoffTo));
        }
        return tools;
    }

    private Tool transferTask(Agent agent, Session session) {
        List<String> names = agent.subAgents().stream().map(Agent::name).toList();
        ToolSpec spec = ToolSpec.of(TRANSFER_TASK,
                "Delegate a task to one of your team members. The member works in its own context and its final "
                        + "answer is returned.",
                JsonSchema.object()
                        .required("agent", JsonSchema.enumOf(names.toArray(String[]::new))
                                .describedAs("The name of the agent to delegate to"))
                        .required("task", JsonSchema.string("A clear and concise description of the task"))
                        .required("expected_output", JsonSchema.string("The expected output of the task"))
                        .build());
        return Tool.of(spec, true, (args, ctx) -> {
            String name = args.string("agent", "");
            Agent sub = agent.subAgents().stream().filter(a -> a.name().equals(name)).findFirst().orElse(null);
            if (sub == null) {
                return ToolResult.error("unknown agent '" + name + "'; choose one of " + names);
            }
            String task = args.string("task", "");
            String expected = args.string("expected_output", "");
            Session child = session.fork();
            child.currentAgent(sub.name());
            emit(new AgentEvent.DelegationStarted(agent.name(), session.id(), sub.name(), child.id(), task));
            child.append(Message.user(expected.isBlank() ? task : task + "\n\nExpected output: " + expected));
            try {
                AgentResult r = loop(sub, child, Usage.ZERO);
                String out = r.stopReason() == AgentResult.StopReason.MAX_ITERATIONS
                        ? "(agent '" + sub.name() + "' stopped at its iteration limit) " + r.output() : r.output();
                emit(new AgentEvent.DelegationFinished(agent.name(), session.id(), sub.name(), child.id(), out, false));
                return ToolResult.ok(out);
            } catch (AgentException.Cancelled e) {
                throw e;
            } catch (AgentException e) {
                String msg = "agent '" + sub.name() + "' failed: " + e.getMessage();
                emit(new AgentEvent.DelegationFinished(agent.name(), session.id(), sub.name(), child.id(), msg, true));
                return ToolResult.error(msg);
            } finally {
                session.addUsage(child.usage(), child.cost().isPresent() ? child.cost().getAsDouble() : null);
            }
        });
    }

    private Tool handoff(Agent agent, AtomicReference<Agent> handoffTo) {
        List<String> names = agent.handoffs().stream().map(Agent::name).toList();
        ToolSpec spec = ToolSpec.of(HANDOFF,
                "Hand the conversation over to another agent, which continues with the full history.",
                JsonSchema.object().required("agent", JsonSchema.enumOf(names.toArray(String[]::new))
                        .describedAs("The name of the agent to hand off to")).build());
        return Tool.of(spec, true, (args, ctx) -> {
            String name = args.string("agent", "");
            Agent to = agent.handoffs().stream().filter(a -> a.name().equals(name)).findFirst().orElse(null);
            if (to == null) {
                return ToolResult.error("unknown agent '" + name + "'; choose one of " + names);
            }
            if (!handoffTo.compareAndSet(null, to)) {
                return ToolResult.error("only one handoff per turn; already handing off to " + handoffTo.get().name());
            }
            return ToolResult.ok("Handed off to " + name + ".");
        });
    }

    /** Approves, then runs the approved calls (in parallel when there are several); results in call order. */
    private List<ToolResultMessage> callTools(Agent agent, Session session, List<ToolCall> calls, Map<String, Tool> tools) {
        ToolResultMessage[] results = new ToolResultMessage[calls.size()];
        List<Integer> approved = new ArrayList<>();
        List<ToolArguments> arguments = new ArrayList<>();
        for (int i = 0; i < calls.size(); i++) {
            ToolCall call = calls.get(i);
            emit(new AgentEvent.ToolCallRequested(agent.name(), session.id(), call));
            Tool tool = tools.get(call.name());
            ToolArguments args = null;
            String problem = null;
            if (tool == null) {
                problem = "unknown tool '" + call.name() + "'; available tools: " + tools.keySet();
            } else {
                try {
                    args = ToolArguments.parse(call.arguments());
                } catch (ToolArgumentException e) {
                    problem = "invalid arguments for tool '" + call.name() + "': " + e.getMessage()
                            + ". Send the arguments as a JSON object matching the tool's schema.";
                }
            }
            if (problem != null) {
                results[i] = Message.toolError(call, problem);
                emit(new AgentEvent.ToolCallFinished(agent.name(), session.id(), call, problem, true, Duration.ZERO));
                arguments.add(null);
                continue;
            }
            String denial = approve(agent, session, call, tool, args);
            if (denial != null) {
                String text = "The tool call was denied: " + denial;
                results[i] = Message.toolError(call, text);
                emit(new AgentEvent.ToolCallDenied(agent.name(), session.id(), call, denial));
                arguments.add(null);
                continue;
            }
            approved.add(i);
            arguments.add(args);
        }
        checkCancelled();
        ToolContext ctx = new ToolContext(agent.name(), session.id(), session.state());
        if (approved.size() == 1) {
            int i = approved.get(0);
            results[i] = execute(agent, session, calls.get(i), tools.get(calls.get(i).name()), arguments.get(i), ctx);
        } else if (!approved.isEmpty()) {
            List<Future<ToolResultMessage>> futures = new ArrayList<>();
            for (int i : approved) {
                ToolCall call = calls.get(i);
                ToolArguments args = arguments.get(i);
                futures.add(runner.executor().submit(() -> execute(agent, session, call, tools.get(call.name()), args, ctx)));
            }
            for (int k = 0; k < approved.size(); k++) {
                try {
                    results[approved.get(k)] = futures.get(k).get();
                } catch (InterruptedException e) {
                    futures.forEach(f -> f.cancel(true));
                    Thread.currentThread().interrupt();
                    throw new AgentException.Cancelled("run cancelled");
                } catch (ExecutionException e) {
                    futures.forEach(f -> f.cancel(true));
                    if (e.getCause() instanceof AgentException a) {
                        throw a;
                    }
                    throw new AgentException("tool execution failed: " + e.getCause(), e.getCause());
                }
            }
        }
        return List.of(results);
    }

    private ToolResultMessage execute(Agent agent, Session session, ToolCall call, Tool tool, ToolArguments args,
                                      ToolContext ctx) {
        long start = System.nanoTime();
        ToolResult result;
        try {
            result = tool.call(args, ctx);
            if (result == null) {
                result = ToolResult.error("tool '" + call.name() + "' returned no result");
            }
        } catch (AgentException.Cancelled e) {
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AgentException.Cancelled("run cancelled during tool '" + call.name() + "'");
        } catch (Exception e) {
            String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            result = ToolResult.error("tool '" + call.name() + "' failed: " + msg);
        }
        if (result.content().length() > runner.maxToolResultChars) {
            int dropped = result.content().length() - runner.maxToolResultChars;
            result = new ToolResult(result.content().substring(0, runner.maxToolResultChars)
                    + "\n[truncated: " + dropped + " more characters]", result.error());
        }
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        emit(new AgentEvent.ToolCallFinished(agent.name(), session.id(), call, result.content(), result.error(), took));
        return new ToolResultMessage(call.id(), call.name(), result.content(), result.error());
    }

    /** Null when approved (the approval event is emitted), else the reason shown to the model. */
    private String approve(Agent agent, Session session, ToolCall call, Tool tool, ToolArguments args) {
        Permissions p = runner.permissions.merge(agent.permissions());
        String name = call.name();
        for (String d : p.deny()) {
            if (ToolPattern.parse(d).matches(name, args.value())) {
                return "it matches the deny pattern '" + d + "'";
            }
        }
        ApprovalSource how = null;
        for (String a : p.allow()) {
            if (ToolPattern.parse(a).matches(name, args.value())) {
                how = ApprovalSource.ALLOWED;
                break;
            }
        }
        if (how == null) {
            boolean mustAsk = p.ask().stream().anyMatch(a -> ToolPattern.parse(a).matches(name, args.value()));
            if (!mustAsk && tool.readOnly()) {
                how = ApprovalSource.READ_ONLY;
            } else if (!mustAsk && runner.yolo) {
                how = ApprovalSource.YOLO;
            } else if (runner.alwaysApproved.contains(name)) {
                how = ApprovalSource.REMEMBERED;
            } else {
                Approval answer;
                try {
                    answer = runner.approver.decide(new ApprovalRequest(agent.name(), call, tool.readOnly()));
                } catch (RuntimeException e) {
                    answer = Approval.deny("the approver failed: " + e.getMessage());
                }
                if (answer instanceof Approval.Deny d) {
                    return d.reason();
                }
                if (answer instanceof Approval.ApproveAlways) {
                    runner.alwaysApproved.add(name);
                }
                if (answer == null) {
                    return "the approver gave no answer";
                }
                how = ApprovalSource.APPROVER;
            }
        }
        emit(new AgentEvent.ToolCallApproved(agent.name(), session.id(), call, how));
        return null;
    }
}
