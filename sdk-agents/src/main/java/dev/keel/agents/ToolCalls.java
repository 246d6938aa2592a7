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
import dev.keel.core.KeelException;
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

    /**
     * Decides and runs {@code calls}, returning their results in call order. Calls the session's journal already
     * answered (a run resumed after a crash or a suspension) are not decided or run again. When a call must wait
     * for someone's decision, the calls approved before it still run, and then the run suspends.
     */
    List<ToolResultMessage> run(Position at, Session session, List<ToolCall> calls, Map<String, Tool> tools,
                                ApprovalPolicy policy) {
        ToolResultMessage[] results = new ToolResultMessage[calls.size()];
        List<Integer> approved = new ArrayList<>();
        ToolArguments[] arguments = new ToolArguments[calls.size()];
        PendingApproval suspended = null;
        for (int i = 0; i < calls.size() && suspended == null; i++) {
            ToolCall call = calls.get(i);
            RunJournal.CallRecord recorded = session.recordedCall(call.id());
            if (recorded != null && recorded.result() != null) {
                results[i] = recorded.result(); // finished before the run stopped: never run twice
                continue;
            }
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
            ApprovalOutcome outcome = recorded != null && recorded.approval() != null ? recorded.approval()
                    : approve(at, i, session, call, tool, arguments[i], policy);
            if (outcome.suspended()) {
                suspended = new PendingApproval(ResumeTokens.create(session.conversationId()), session.id(),
                        at.agent(), call, settings.clock().instant());
                break;
            }
            if (recorded == null || recorded.approval() == null) {
                session.recordApproval(call.id(), outcome);
            }
            if (!outcome.approved()) {
                results[i] = Message.toolError(call, "The tool call was denied: " + outcome.reason());
                session.recordResult(call.id(), results[i]);
                loop.emit(new AgentEvent.ToolCallDenied(at.agent(), at.sessionId(), call, outcome.reason()));
                continue;
            }
            loop.emit(new AgentEvent.ToolCallApproved(at.agent(), at.sessionId(), call, outcome.source()));
            approved.add(i);
        }
        loop.checkCancelled();
        Suspension inner = executeApproved(at, session, calls, tools, arguments, approved, results);
        if (suspended != null) {
            session.suspend(suspended);
            throw new Suspension(suspended);
        }
        if (inner != null) {
            throw inner;
        }
        return List.of(results);
    }

    /**
     * Runs the approved calls (in parallel when there are several), each result recorded as soon as it is
     * known. A delegation that suspends does not stop the others: they finish (and are recorded) first, and the
     * suspension is returned for the caller to raise.
     */
    private Suspension executeApproved(Position at, Session session, List<ToolCall> calls, Map<String, Tool> tools,
                                       ToolArguments[] arguments, List<Integer> approved, ToolResultMessage[] results) {
        if (approved.size() == 1) {
            int i = approved.get(0);
            try {
                results[i] = execute(new ToolStep(at, i, calls.get(i), tools.get(calls.get(i).name()), arguments[i]),
                        session);
            } catch (Suspension s) {
                return s;
            }
            return null;
        }
        List<Future<ToolResultMessage>> futures = new ArrayList<>();
        for (int i : approved) {
            ToolStep step = new ToolStep(at, i, calls.get(i), tools.get(calls.get(i).name()), arguments[i]);
            futures.add(settings.executor().submit(steps.propagateCall(() -> execute(step, session))));
        }
        Suspension suspension = null;
        for (int k = 0; k < approved.size(); k++) {
            try {
                results[approved.get(k)] = futures.get(k).get();
            } catch (InterruptedException e) {
                futures.forEach(f -> f.cancel(true));
                Thread.currentThread().interrupt();
                throw new AgentException.Cancelled("run cancelled");
            } catch (ExecutionException e) {
                if (e.getCause() instanceof Suspension s) {
                    suspension = suspension == null ? s : suspension;
                    continue;
                }
                futures.forEach(f -> f.cancel(true));
                if (e.getCause() instanceof KeelException a) {
                    throw a;
                }
                throw new AgentException("tool execution failed: " + e.getCause(), e.getCause());
            }
        }
        return suspension;
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
            if (answer instanceof Approval.Suspend) {
                return ApprovalOutcome.suspend();
            }
            if (answer instanceof Approval.ApproveAlways) {
                session.approveAlways(call.name());
            }
            return ApprovalOutcome.approved(ApprovalSource.APPROVER);
        });
    }

    private ToolResultMessage execute(ToolStep step, Session session) {
        ToolCall call = step.call();
        ToolContext ctx = new ToolContext(step.at().agent(), step.at().sessionId(), call.id(), session.state());
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
        ToolResultMessage message = new ToolResultMessage(call.id(), call.name(), result.content(), result.error());
        session.recordResult(call.id(), message);
        return message;
    }

    /** Calls the tool; an exception becomes an error result the model sees, cancellation propagates. */
    private static ToolResult invoke(ToolStep step, ToolContext ctx) {
        String name = step.call().name();
        try {
            ToolResult result = step.tool().call(step.arguments(), ctx);
            return result != null ? result : ToolResult.error("tool '" + name + "' returned no result");
        } catch (AgentException.Cancelled | Suspension e) {
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
