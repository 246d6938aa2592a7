package dev.keel.agents;

import dev.keel.core.Usage;
import dev.keel.core.message.AssistantMessage;
import dev.keel.core.message.ToolCall;
import java.time.Duration;

/**
 * Something that happened during a run, for live views and logs. Every event names the agent it comes
 * from and the session it happened in (a delegated sub-agent has its own session id), so a view can draw
 * a tree of delegations even when they run in parallel. The hierarchy is closed: switch over it.
 */
public sealed interface AgentEvent {

    /**
     * Name of the agent the event comes from.
     *
     * @return the agent's name
     */
    String agent();

    /**
     * Id of the session the agent works in.
     *
     * @return the session id
     */
    String sessionId();

    /**
     * A piece of the model's answer text as it streams.
     *
     * @param agent the agent the event comes from
     * @param sessionId the session it works in
     * @param text the new text
     */
    record TextDelta(String agent, String sessionId, String text) implements AgentEvent {}

    /**
     * A complete assistant turn (text and requested tool calls).
     *
     * @param agent the agent the event comes from
     * @param sessionId the session it works in
     * @param message the assistant turn
     */
    record MessageCompleted(String agent, String sessionId, AssistantMessage message) implements AgentEvent {}

    /**
     * The model asked for a tool call.
     *
     * @param agent the agent the event comes from
     * @param sessionId the session it works in
     * @param call the tool call
     */
    record ToolCallRequested(String agent, String sessionId, ToolCall call) implements AgentEvent {}

    /**
     * A tool call was approved; {@code how} says by what.
     *
     * @param agent the agent the event comes from
     * @param sessionId the session it works in
     * @param call the tool call
     * @param how what approved it
     */
    record ToolCallApproved(String agent, String sessionId, ToolCall call, ApprovalSource how) implements AgentEvent {}

    /**
     * A tool call was refused; the model sees {@code reason}.
     *
     * @param agent the agent the event comes from
     * @param sessionId the session it works in
     * @param call the tool call
     * @param reason why, as the model sees it
     */
    record ToolCallDenied(String agent, String sessionId, ToolCall call, String reason) implements AgentEvent {}

    /**
     * A tool call finished (or failed); {@code result} is what the model sees.
     *
     * @param agent the agent the event comes from
     * @param sessionId the session it works in
     * @param call the tool call
     * @param result what the model sees
     * @param error whether the call failed
     * @param duration how long the call took
     */
    record ToolCallFinished(String agent, String sessionId, ToolCall call, String result, boolean error,
                            Duration duration) implements AgentEvent {}

    /**
     * {@code agent} delegated {@code task} to {@code subAgent}, whose own session is {@code subSessionId}.
     *
     * @param agent the agent the event comes from
     * @param sessionId the session it works in
     * @param subAgent the sub-agent's name
     * @param subSessionId the sub-agent's own session
     * @param task the task given to the sub-agent
     */
    record DelegationStarted(String agent, String sessionId, String subAgent, String subSessionId, String task)
            implements AgentEvent {}

    /**
     * A delegation ended; {@code result} is the sub-agent's final answer or the failure.
     *
     * @param agent the agent the event comes from
     * @param sessionId the session it works in
     * @param subAgent the sub-agent's name
     * @param subSessionId the sub-agent's own session
     * @param result the sub-agent's final answer, or the failure
     * @param error whether the delegation failed
     */
    record DelegationFinished(String agent, String sessionId, String subAgent, String subSessionId, String result,
                              boolean error) implements AgentEvent {}

    /**
     * The session continues with {@code toAgent}.
     *
     * @param agent the agent the event comes from
     * @param sessionId the session it works in
     * @param toAgent the agent that answers from now on
     */
    record HandedOff(String agent, String sessionId, String toAgent) implements AgentEvent {}

    /**
     * Tokens of one model call, the session's running total and its cost in USD when prices are known.
     *
     * @param agent the agent the event comes from
     * @param sessionId the session it works in
     * @param usage the tokens of this model call
     * @param sessionTotal the session's running total
     * @param sessionCost the session's cost in US dollars, or null when a price is unknown
     */
    record UsageReported(String agent, String sessionId, Usage usage, Usage sessionTotal, Double sessionCost)
            implements AgentEvent {}

    /**
     * The agent used up its iterations without a final answer.
     *
     * @param agent the agent the event comes from
     * @param sessionId the session it works in
     * @param maxIterations the limit that was reached
     */
    record MaxIterationsReached(String agent, String sessionId, int maxIterations) implements AgentEvent {}

    /**
     * The run failed; always the last event of its run.
     *
     * @param agent the agent the event comes from
     * @param sessionId the session it works in
     * @param message what went wrong
     * @param cause the failure
     */
    record RunFailed(String agent, String sessionId, String message, Throwable cause) implements AgentEvent {}

    /**
     * The run finished; always the last event of its run.
     *
     * @param agent the agent the event comes from
     * @param sessionId the session it works in
     * @param result the run's result
     */
    record RunCompleted(String agent, String sessionId, AgentResult result) implements AgentEvent {}

    /** What approved a tool call. */
    enum ApprovalSource {
        /** The tool is read-only. */
        READ_ONLY,
        /** An {@code allow} pattern matched. */
        ALLOWED,
        /** Auto-approve ("yolo") mode. */
        YOLO,
        /** The approver said yes for this call. */
        APPROVER,
        /** The approver earlier said "always" for this tool. */
        REMEMBERED
    }
}
