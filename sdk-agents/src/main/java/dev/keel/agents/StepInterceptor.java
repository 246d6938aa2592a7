package dev.keel.agents;

import dev.keel.agents.AgentEvent.ApprovalSource;
import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.ToolArguments;
import dev.keel.agents.tool.ToolResult;
import dev.keel.agents.tool.Toolset;
import dev.keel.core.ChatRequest;
import dev.keel.core.ChatResponse;
import dev.keel.core.StreamListener;
import dev.keel.core.json.JsonValue;
import dev.keel.core.message.ToolCall;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The seams of a run: every model call, tool execution, delegation, handoff, approval decision, toolset
 * listing and recall (a background job's end or a schedule's fire told to a session) of every agent passes through
 * exactly one method here, in the thread that performs it. An interceptor may look at the step, answer it itself
 * (replay), or call {@code next.proceed()} and look at the outcome (record, trace, persist). The runner applies its
 * interceptors in order, the first outermost. Not API yet: this is where recording, tracing and durable steps plug
 * in. Implementations must be thread-safe (parallel tool calls and delegations run on several threads).
 */
interface StepInterceptor {

    /** The rest of the chain (the next interceptor, or the step itself). */
    @FunctionalInterface
    interface Proceed<T> {
        /** Performs the step. */
        T proceed();
    }

    /**
     * Where a step happens: the agent, its session (a delegation has its own), the model call count of this run,
     * and the session's state (saved with the session), where an interceptor keeps what must outlive the runner —
     * a recording's numbering of a session that a restarted service resumes; null where there is no session.
     */
    record Position(String agent, String sessionId, int turn, Map<String, JsonValue> sessionState) {
        public Position {
            Objects.requireNonNull(agent, "agent");
            Objects.requireNonNull(sessionId, "sessionId");
        }

        /** A position without session state. */
        Position(String agent, String sessionId, int turn) {
            this(agent, sessionId, turn, null);
        }

        @Override
        public String toString() {
            return "Position[" + agent + " in " + sessionId + ", turn " + turn + "]";
        }
    }

    /**
     * A run of a session on the runner: {@code input} added as the next user turn, or ({@code resumed}) an
     * interrupted or suspended run continued from the session's last persisted step.
     */
    record RunStep(String agent, String sessionId, boolean resumed) {}

    /** One turn of an agent: its model call and the tool calls the answer asks for. */
    record TurnStep(Position at) {}

    /**
     * One model call: the request as it will be sent, and the listener the streamed answer goes to (an
     * interceptor that answers the call itself passes the answer's text through it, as the model would).
     * {@code answeredBy}, read once the call returned, names the model that answered: a fallback chain's, a
     * router's or alternates' choice as the composite reported it, else {@code model} — the one a call is priced at.
     */
    record ModelStep(Position at, String model, ChatRequest request, StreamListener listener,
                     java.util.function.Supplier<String> answeredBy) {
        /** A call whose answering model is the one asked. */
        ModelStep(Position at, String model, ChatRequest request, StreamListener listener) {
            this(at, model, request, listener, () -> model);
        }
    }

    /** The tools of one of {@code agent}'s toolsets are listed (this may start a server). */
    record ToolsetStep(String agent, Toolset toolset) {}

    /** One approved tool call about to run; {@code index} is its place in the model's list of calls. */
    record ToolStep(Position at, int index, ToolCall call, Tool tool, ToolArguments arguments) {}

    /**
     * A {@code transfer_task} of {@code agent} in {@code sessionId}: {@code subAgent} works on {@code task} in
     * session {@code subSessionId}. It runs inside the {@link ToolStep} of the {@code transfer_task} call,
     * which carries the turn and call index.
     */
    record DelegationStep(String agent, String sessionId, String subAgent, String subSessionId, String task,
                          String expectedOutput) {}

    /** The conversation passes from {@code at.agent()} to {@code toAgent}. */
    record HandoffStep(Position at, String toAgent) {}

    /**
     * The point between model calls where the messages of ended background jobs and due schedules are told to
     * {@code at.sessionId()}: before its next model call, or ({@code afterAnswer}) right after the model gave what
     * would be its final answer (a message told there makes the run go on).
     */
    record RecallStep(Position at, boolean afterAnswer) {}

    /**
     * One message told at a {@link RecallStep}: the user message added to the session, and the event that says so
     * ({@link AgentEvent.BackgroundJobRecalled} or {@link AgentEvent.ScheduleFired}).
     */
    record Recalled(String message, AgentEvent event) {
        public Recalled {
            Objects.requireNonNull(message, "message");
            if (!(event instanceof AgentEvent.BackgroundJobRecalled) && !(event instanceof AgentEvent.ScheduleFired)) {
                throw new IllegalArgumentException("not a recall event: " + event);
            }
        }
    }

    /** A tool call whose fate is decided (patterns, read-only, yolo, remembered answers, the approver). */
    record ApprovalStep(Position at, int index, ToolCall call, ToolArguments arguments, boolean readOnly) {}

    /**
     * What an approval step decided: approved by {@code source}, denied for {@code reason}, or (neither) the run
     * suspends until someone decides ({@link Runner#resume}).
     */
    record ApprovalOutcome(ApprovalSource source, String reason) {
        static ApprovalOutcome approved(ApprovalSource source) {
            return new ApprovalOutcome(Objects.requireNonNull(source, "source"), null);
        }

        static ApprovalOutcome denied(String reason) {
            return new ApprovalOutcome(null, Objects.requireNonNull(reason, "reason"));
        }

        static ApprovalOutcome suspend() {
            return new ApprovalOutcome(null, null);
        }

        boolean approved() {
            return source != null;
        }

        boolean suspended() {
            return source == null && reason == null;
        }
    }

    default AgentResult run(RunStep step, Proceed<AgentResult> next) {
        return next.proceed();
    }

    default <T> T turn(TurnStep step, Proceed<T> next) {
        return next.proceed();
    }

    /**
     * {@code task}, about to run on another thread (a background run, a parallel tool call or delegation),
     * carrying what this interceptor needs of the submitting thread (for example its trace context).
     */
    default Runnable propagate(Runnable task) {
        return task;
    }

    default ChatResponse modelCall(ModelStep step, Proceed<ChatResponse> next) {
        return next.proceed();
    }

    default ToolResult toolCall(ToolStep step, Proceed<ToolResult> next) {
        return next.proceed();
    }

    default AgentResult delegation(DelegationStep step, Proceed<AgentResult> next) {
        return next.proceed();
    }

    default Void handoff(HandoffStep step, Proceed<Void> next) {
        return next.proceed();
    }

    default List<Tool> toolsetTools(ToolsetStep step, Proceed<List<Tool>> next) {
        return next.proceed();
    }

    default ApprovalOutcome approval(ApprovalStep step, Proceed<ApprovalOutcome> next) {
        return next.proceed();
    }

    /**
     * The messages told to the session at {@code step}; {@code next} takes them from the toolsets (taking empties
     * their queues). An interceptor may answer with other messages (replay) without taking the live ones.
     */
    default List<Recalled> recalls(RecallStep step, Proceed<List<Recalled>> next) {
        return next.proceed();
    }
}
