package dev.keel.agents;

import dev.keel.agents.AgentEvent.ApprovalSource;
import dev.keel.agents.StepInterceptor.ApprovalOutcome;
import dev.keel.agents.StepInterceptor.ApprovalStep;
import dev.keel.agents.StepInterceptor.Position;
import dev.keel.agents.StepInterceptor.ToolStep;
import dev.keel.agents.approval.Approval;
import dev.keel.agents.approval.ApprovalRequest;
import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.ToolArgumentException;
import dev.keel.agents.tool.ToolArguments;
import dev.keel.agents.tool.ToolContext;
import dev.keel.agents.tool.ToolResult;
import dev.keel.core.message.Message;
import dev.keel.core.message.ToolCall;
import dev.keel.core.message.ToolResultMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * Runs one assistant turn's tool calls: each call's arguments are parsed and its approval decided (in call
 * order), then the approved calls run — in parallel when there are several — and the results come back in
 * call order. Every decision passes through the approval seam and every execution through the tool-call seam.
 */
final class ToolCalls {
    private final AgentLoop loop;
    private final RunSettings settings;
    private final Steps steps;

    ToolCalls(AgentLoop loop, RunSettings settings, Steps steps) {
        this.loop = loop;
        this.settings = settings;
        this.steps = steps;
    }

    List<ToolResultMessage> run(Position at, Session session, List<ToolCall> calls, Map<String, Tool> tools,
                                ApprovalPolicy policy) {
        ToolResultMessage[] results = new ToolResultMessage[calls.size()];
        List<Integer> approved = new ArrayList<>();
        ToolArguments[] arguments = new ToolArguments[calls.size()];
        for (int i = 0; i < calls.size(); i++) {
            ToolCall call = calls.get(i);
            loop.emit(new AgentEvent.ToolCallRequested(at.agent(), at.sessionId(), call));
            Tool tool = tools.get(call.name());
            String problem = null;
            if (tool == null) {
                problem = "unknown tool '" + call.name() + "'; available tools: " + tools.keySet();
            } else {
                try {
                    arguments[i] = ToolArguments.parse(call.arguments());
                } catch (ToolArgumentException e) {
                    problem = "invalid arguments for tool '" + call.name() + "': " + e.getMessage()
                            + ". Send the arguments as a JSON object matching the tool's schema.";
                }
            }
            if (problem != null) {
                results[i] = Message.toolError(call, problem);
                loop.emit(new AgentEvent.ToolCallFinished(at.agent(), at.sessionId(), call, problem, true, Duration.ZERO));
                continue;
            }
            ApprovalOutcome outcome = approve(at, i, session, call, tool, arguments[i], policy);
            if (!outcome.approved()) {
                results[i] = Message.toolError(call, "The tool call was denied: " + outcome.reason());
                loop.emit(new AgentEvent.ToolCallDenied(at.agent(), at.sessionId(), call, outcome.reason()));
                continue;
            }
            loop.emit(new AgentEvent.ToolCallApproved(at.agent(), at.sessionId(), call, outcome.source()));
            approved.add(i);
        }
        loop.checkCancelled();
        ToolContext ctx = new ToolContext(at.agent(), at.sessionId(), session.state());
        if (approved.size() == 1) {
            int i = approved.get(0);
            results[i] = execute(new ToolStep(at, i, calls.get(i), tools.get(calls.get(i).name()), arguments[i]), ctx);
        } else if (!approved.isEmpty()) {
            List<Future<ToolResultMessage>> futures = new ArrayList<>();
            for (int i : approved) {
                ToolStep step = new ToolStep(at, i, calls.get(i), tools.get(calls.get(i).name()), arguments[i]);
                futures.add(settings.executor().submit(() -> execute(step, ctx)));
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

    private ApprovalOutcome approve(Position at, int index, Session session, ToolCall call, Tool tool,
                                    ToolArguments args, ApprovalPolicy policy) {
        ApprovalStep step = new ApprovalStep(at, index, call, args, tool.readOnly());
        return steps.approval(step, () -> {
            ApprovalPolicy.Verdict verdict = policy.evaluate(call.name(), args.value(), tool.readOnly());
            if (verdict.deniedBecause() != null) {
                return ApprovalOutcome.denied(verdict.deniedBecause());
            }
            if (verdict.approvedBy() != null) {
                return ApprovalOutcome.approved(verdict.approvedBy());
            }
            if (session.isAlwaysApproved(call.name())) {
                return ApprovalOutcome.approved(ApprovalSource.REMEMBERED);
            }
            Approval answer;
            try {
                answer = settings.approver().decide(new ApprovalRequest(at.agent(), call, tool.readOnly()));
            } catch (RuntimeException e) {
                answer = Approval.deny("the approver failed: " + e.getMessage());
            }
            if (answer == null) {
                return ApprovalOutcome.denied("the approver gave no answer");
            }
            if (answer instanceof Approval.Deny d) {
                return ApprovalOutcome.denied(d.reason());
            }
            if (answer instanceof Approval.ApproveAlways) {
                session.approveAlways(call.name());
            }
            return ApprovalOutcome.approved(ApprovalSource.APPROVER);
        });
    }

    private ToolResultMessage execute(ToolStep step, ToolContext ctx) {
        ToolCall call = step.call();
        long start = System.nanoTime();
        ToolResult result = steps.toolCall(step, () -> invoke(step, ctx));
        if (result.content().length() > settings.maxToolResultChars()) {
            int dropped = result.content().length() - settings.maxToolResultChars();
            result = new ToolResult(result.content().substring(0, settings.maxToolResultChars())
                    + "\n[truncated: " + dropped + " more characters]", result.error());
        }
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        loop.emit(new AgentEvent.ToolCallFinished(step.at().agent(), step.at().sessionId(), call, result.content(),
                result.error(), took));
        return new ToolResultMessage(call.id(), call.name(), result.content(), result.error());
    }

    /** Calls the tool; an exception becomes an error result the model sees, cancellation propagates. */
    private static ToolResult invoke(ToolStep step, ToolContext ctx) {
        String name = step.call().name();
        try {
            ToolResult result = step.tool().call(step.arguments(), ctx);
            return result != null ? result : ToolResult.error("tool '" + name + "' returned no result");
        } catch (AgentException.Cancelled | RecordingDivergenceException e) {
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AgentException.Cancelled("run cancelled during tool '" + name + "'");
        } catch (Exception e) {
            String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            return ToolResult.error("tool '" + name + "' failed: " + msg);
        }
    }
}
