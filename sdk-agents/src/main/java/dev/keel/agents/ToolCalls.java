package dev.keel.agents;

import dev.keel.agents.AgentEvent.ApprovalSource;
import dev.keel.agents.StepInterceptor.ApprovalOutcome;
import dev.keel.agents.StepInterceptor.ApprovalStep;
import dev.keel.agents.StepInterceptor.Position;
import dev.keel.agents.StepInterceptor.ToolStep;
import dev.keel.agents.approval.Approval;
import dev.keel.agents.approval.ApprovalRequest;
import dev.keel.agents.hooks.HookEvent;
import dev.keel.agents.internal.ToolOutputBudget;
import dev.keel.agents.hooks.HookResult;
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
    private final RunHooks hooks;

    ToolCalls(AgentLoop loop, RunSettings settings, Steps steps, RunHooks hooks) {
        this.loop = loop;
        this.settings = settings;
        this.steps = steps;
        this.hooks = hooks;
    }

    /**
     * The results of one turn's calls, in call order, and why the run must stop after them ({@code post_tool_use}
     * hooks that blocked), or null.
     */
    record Batch(List<ToolResultMessage> results, String stopReason) {}

    /**
     * Decides and runs {@code calls}. Calls the session's journal already answered (a run resumed after a crash or a
     * suspension) are not run again, and a recorded approval is not asked for again (the hooks still run when the call
     * runs, and may still refuse it). When a call must wait for someone's decision, the calls approved before it
     * still run, and then the run suspends ({@link Suspension}).
     */
    Batch run(Position at, Session session, List<ToolCall> calls, Map<String, Tool> tools, ApprovalPolicy policy) {
        return run(at, session, calls, tools, policy, -1);
    }

    /**
     * As {@link #run(Position, Session, List, Map, ApprovalPolicy)}; {@code nestedIndex >= 0} marks the one call of a
     * code-mode program (its step index): a decision that would suspend the run refuses the call instead, since a
     * running program cannot wait for it.
     */
    private Batch run(Position at, Session session, List<ToolCall> calls, Map<String, Tool> tools, ApprovalPolicy policy,
                      int nestedIndex) {
        Agent agent = loop.agent(at.agent());
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
            // Preemptive pre_tool_use hooks run before the permission rules: their deny or ask cannot be overridden.
            HookDispatch.Outcome early = hooks.dispatch().fire(HookEvent.PRE_TOOL_USE, agent, at.sessionId(), call.name(),
                    RunHooks.toolFields(call.name(), call.id(), arguments[i].value()), true);
            ApprovalOutcome outcome;
            if (early.denied()) {
                outcome = ApprovalOutcome.denied(early.reason());
            } else {
                if (early.updatedInput() != null) {
                    arguments[i] = ToolArguments.of(early.updatedInput());
                }
                // Ordinary pre_tool_use hooks run after the deny patterns: they may refuse, rewrite, approve a call
                // that would be asked about (an LLM judge), or ask about one that would run. Tool guards (evaluators)
                // then judge the call as it would run: a deny refuses it, an ask goes to the approver, an allow
                // approves it. A call already refused spares the evaluator's model call.
                HookDispatch.Outcome pre = HookDispatch.Outcome.NOTHING;
                HookDispatch.Outcome guard = HookDispatch.Outcome.NOTHING;
                if (policy.denial(call.name(), arguments[i].value()) == null) {
                    pre = hooks.dispatch().fire(HookEvent.PRE_TOOL_USE, agent, at.sessionId(), call.name(),
                            RunHooks.toolFields(call.name(), call.id(), arguments[i].value()), false);
                    if (pre.updatedInput() != null) {
                        arguments[i] = ToolArguments.of(pre.updatedInput());
                    }
                    // A call resumed with a person's decision is not judged again: the guard asked them.
                    if (!pre.denied() && (recorded == null || recorded.approval() == null)) {
                        guard = guard(at, agent, session, call, arguments[i]);
                    }
                }
                if (pre.denied() || guard.denied()) {
                    outcome = ApprovalOutcome.denied(pre.denied() ? pre.reason() : guard.reason());
                } else {
                    boolean forceAsk = early.decision() == HookResult.Decision.ASK || guard.decision() == HookResult.Decision.ASK
                            || pre.decision() == HookResult.Decision.ASK;
                    boolean allowed = pre.decision() == HookResult.Decision.ALLOW
                            || guard.decision() == HookResult.Decision.ALLOW;
                    int index = nestedIndex >= 0 ? nestedIndex : i;
                    // A decision the journal holds (a person's, given to resume; or one made before a crash) still
                    // passes the approval seam, so a recording and a trace of this runner see it.
                    outcome = recorded != null && recorded.approval() != null
                            ? steps.approval(new ApprovalStep(at, index, call, arguments[i], tool.readOnly()),
                                    recorded::approval)
                            : approve(at, index, session, call, tool, arguments[i], policy, forceAsk, !forceAsk && allowed);
                }
            }
            if (outcome.suspended() && nestedIndex >= 0) {
                outcome = ApprovalOutcome.denied("this call needs a decision that suspends the run, and a "
                        + CodeMode.TOOL + " program cannot wait for one; call the tool directly instead");
            } else if (outcome.suspended() && session.cannotSuspend() != null) {
                outcome = ApprovalOutcome.denied("this call needs a decision that suspends the run, and "
                        + session.cannotSuspend());
            }
            if (outcome.suspended()) {
                // What waits for a decision is the call as it would run, hooks' rewrites included.
                ToolCall asked = new ToolCall(call.id(), call.name(), arguments[i].json());
                suspended = new PendingApproval(ResumeTokens.create(session.conversationId()), session.id(),
                        at.agent(), asked, settings.clock().instant());
                break;
            }
            if (recorded == null || recorded.approval() == null) {
                session.recordApproval(call.id(), outcome);
            }
            hooks.dispatch().fire(HookEvent.ON_TOOL_APPROVAL_DECISION, agent, at.sessionId(), call.name(),
                    approvalFields(call, arguments[i], outcome));
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
        java.util.concurrent.atomic.AtomicReference<String> stop = new java.util.concurrent.atomic.AtomicReference<>();
        Suspension inner = executeApproved(agent, at, session, calls, tools, arguments, approved, results, stop, policy,
                nestedIndex);
        if (suspended != null) {
            session.suspend(suspended);
            throw new Suspension(suspended);
        }
        if (inner != null) {
            throw inner;
        }
        return new Batch(List.of(results), stop.get());
    }

    /** Runs the agent's tool guards on one call and reports what they decided (an event, and a log line). */
    private HookDispatch.Outcome guard(Position at, Agent agent, Session session, ToolCall call, ToolArguments args) {
        if (!hooks.dispatch().has(HookEvent.TOOL_GUARD, agent)) {
            return HookDispatch.Outcome.NOTHING;
        }
        HookDispatch.Outcome guard = hooks.dispatch().fire(HookEvent.TOOL_GUARD, agent, at.sessionId(), call.name(),
                RunHooks.toolFields(call.name(), call.id(), args.value()), null, session);
        if (guard == HookDispatch.Outcome.NOTHING) {
            return guard; // no guard matched this tool
        }
        String decision = guard.denied() ? "deny" : guard.decision() == null ? "none"
                : guard.decision().name().toLowerCase(java.util.Locale.ROOT);
        String reason = guard.reason() == null ? "" : dev.keel.agents.internal.Secrets.redact(guard.reason());
        GUARD_LOG.info("tool guard on tool '{}' of agent '{}' decided {}", call.name(), agent.name(), decision);
        loop.emit(new AgentEvent.ToolGuarded(at.agent(), at.sessionId(), call, decision, reason));
        return guard;
    }

    private static final org.slf4j.Logger GUARD_LOG = org.slf4j.LoggerFactory.getLogger(ToolCalls.class);

    private static Map<String, Object> approvalFields(ToolCall call, ToolArguments args, ApprovalOutcome outcome) {
        Map<String, Object> fields = RunHooks.toolFields(call.name(), call.id(), args.value());
        fields.put("approval_decision", outcome.approved() ? "allow" : "deny");
        fields.put("approval_source", outcome.approved() ? outcome.source().name().toLowerCase(java.util.Locale.ROOT)
                : "denied");
        return fields;
    }

    /**
     * Runs the approved calls (in parallel when there are several), each result recorded as soon as it is
     * known. A delegation that suspends does not stop the others: they finish (and are recorded) first, and the
     * suspension is returned for the caller to raise.
     */
    private Suspension executeApproved(Agent agent, Position at, Session session, List<ToolCall> calls,
                                       Map<String, Tool> tools, ToolArguments[] arguments, List<Integer> approved,
                                       ToolResultMessage[] results, java.util.concurrent.atomic.AtomicReference<String> stop,
                                       ApprovalPolicy policy, int nestedIndex) {
        if (approved.size() == 1) {
            int i = approved.get(0);
            try {
                results[i] = execute(agent, new ToolStep(at, nestedIndex >= 0 ? nestedIndex : i, calls.get(i),
                        tools.get(calls.get(i).name()), arguments[i]), session, stop, policy);
            } catch (Suspension s) {
                return s;
            }
            return null;
        }
        List<Future<ToolResultMessage>> futures = new ArrayList<>();
        for (int i : approved) {
            ToolStep step = new ToolStep(at, i, calls.get(i), tools.get(calls.get(i).name()), arguments[i]);
            futures.add(settings.executor().submit(steps.propagateCall(() -> execute(agent, step, session, stop, policy))));
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
                                    ToolArguments args, ApprovalPolicy policy, boolean forceAsk, boolean hookAllows) {
        ApprovalStep step = new ApprovalStep(at, index, call, args, tool.readOnly());
        return steps.approval(step, () -> {
            ApprovalPolicy.Verdict verdict = policy.evaluate(call.name(), args.value(), tool.readOnly(), forceAsk);
            if (verdict.deniedBecause() != null) {
                return ApprovalOutcome.denied(verdict.deniedBecause());
            }
            if (verdict.approvedBy() != null) {
                return ApprovalOutcome.approved(verdict.approvedBy());
            }
            if (hookAllows) {
                return ApprovalOutcome.approved(ApprovalSource.HOOK);
            }
            if (session.isAlwaysApproved(call.name()) && !forceAsk) {
                return ApprovalOutcome.approved(ApprovalSource.REMEMBERED);
            }
            // permission_request hooks answer before the approver would be asked.
            HookDispatch.Outcome request = hooks.dispatch().fire(HookEvent.PERMISSION_REQUEST, loop.agent(at.agent()),
                    at.sessionId(), call.name(), RunHooks.toolFields(call.name(), call.id(), args.value()));
            if (request.denied()) {
                return ApprovalOutcome.denied(request.reason());
            }
            if (request.decision() == HookResult.Decision.ALLOW) {
                return ApprovalOutcome.approved(ApprovalSource.HOOK);
            }
            if (policy.deniesInsteadOfAsking()) {
                return ApprovalOutcome.denied("the safety mode 'restricted' denies calls that no allow pattern approves");
            }
            return askApproverNow(at, session, call, tool);
        });
    }

    private ApprovalOutcome askApproverNow(Position at, Session session, ToolCall call, Tool tool) {
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
    }

    private ToolResultMessage execute(Agent agent, ToolStep step, Session session,
                                      java.util.concurrent.atomic.AtomicReference<String> stop, ApprovalPolicy policy) {
        ToolCall call = step.call();
        ToolContext ctx = new ToolContext(step.at().agent(), step.at().sessionId(), call.id(), session.state());
        long start = System.nanoTime();
        ToolResult result = steps.toolCall(step, () -> step.tool() instanceof CodeModeTool program
                ? runProgram(step, session, program, policy, stop) : invoke(step, ctx));
        if (result.content().length() > settings.maxToolResultChars()) {
            int dropped = result.content().length() - settings.maxToolResultChars();
            result = new ToolResult(result.content().substring(0, settings.maxToolResultChars())
                    + "\n[truncated: " + dropped + " more characters]", result.error());
        }
        if (agent.maxToolResultTokens() > 0) {
            result = new ToolResult(ToolOutputBudget.middleOut(result.content(), agent.maxToolResultTokens()), result.error());
        }
        Map<String, Object> fields = RunHooks.toolFields(call.name(), call.id(), step.arguments().value());
        fields.put("tool_response", result.content());
        HookDispatch.Outcome transformed = hooks.dispatch().fire(HookEvent.TOOL_RESPONSE_TRANSFORM, agent,
                step.at().sessionId(), call.name(), fields);
        if (transformed.updatedResponse() != null) {
            result = new ToolResult(transformed.updatedResponse(), result.error());
            fields.put("tool_response", result.content());
        }
        fields.put("tool_error", result.error());
        HookDispatch.Outcome post = hooks.dispatch().fire(HookEvent.POST_TOOL_USE, agent, step.at().sessionId(),
                call.name(), fields);
        if (post.blocked()) {
            stop.compareAndSet(null, post.reason());
        }
        if (!post.contexts().isEmpty()) {
            result = new ToolResult(result.content() + "\n\n" + post.context(), result.error());
        }
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        loop.emit(new AgentEvent.ToolCallFinished(step.at().agent(), step.at().sessionId(), call, result.content(),
                result.error(), took));
        ToolResultMessage message = new ToolResultMessage(call.id(), call.name(), result.content(), result.error());
        session.recordResult(call.id(), message);
        return message;
    }

    /**
     * Runs a code-mode program: each tool call it makes is decided and run here like a call of the model (one call,
     * its own id {@code <program call id>-js<n>}, its own step index), so nothing a program does escapes approval,
     * hooks, events or the journal. A post_tool_use hook that stops the run stops it after the program.
     */
    private ToolResult runProgram(ToolStep step, Session session, CodeModeTool program, ApprovalPolicy policy,
                                  java.util.concurrent.atomic.AtomicReference<String> stop) {
        java.util.concurrent.atomic.AtomicInteger made = new java.util.concurrent.atomic.AtomicInteger();
        return program.run(step.arguments(), (tool, args) -> {
            int n = made.incrementAndGet();
            ToolCall inner = new ToolCall(step.call().id() + "-js" + n, tool, args.toJson());
            // step indexes of a program's calls stay clear of the model's own calls in the same turn
            Batch b = run(step.at(), session, List.of(inner), program.tools(), policy, (step.index() + 1) * 10_000 + n);
            if (b.stopReason() != null) {
                stop.compareAndSet(null, b.stopReason());
            }
            ToolResultMessage r = b.results().get(0);
            return new dev.keel.agents.internal.codemode.ScriptRunner.Reply(r.content(), r.error());
        });
    }

    /** Calls the tool; an exception becomes an error result the model sees, cancellation propagates. */
    private static ToolResult invoke(ToolStep step, ToolContext ctx) {
        String name = step.call().name();
        try {
            ToolResult result = step.tool().call(step.arguments(), ctx);
            return result != null ? result : ToolResult.error("tool '" + name + "' returned no result");
        } catch (AgentException.Cancelled | Suspension | RecordingDivergenceException e) {
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
