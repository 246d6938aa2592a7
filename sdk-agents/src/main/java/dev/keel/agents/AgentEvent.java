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
     * The agent's tool guards ({@code tool_guard} hooks, such as evaluators) decided on a tool call before it ran.
     * A guard that failed (an evaluator error, timeout or unreadable verdict) counts as {@code deny}.
     *
     * @param agent the agent the event comes from
     * @param sessionId the session it works in
     * @param call the tool call
     * @param decision {@code allow}, {@code ask}, {@code deny}, or {@code none} when no guard decided
     * @param reason why (the evaluator's verdict and reason, or the failure), secret-looking values redacted
     */
    record ToolGuarded(String agent, String sessionId, ToolCall call, String decision, String reason)
            implements AgentEvent {}

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
     * A model made of several models (a fallback chain, routing, alternates, first available) picked a member,
     * retried, or moved to the next model after a failure.
     *
     * @param agent     the agent whose model it is
     * @param sessionId the session
     * @param event     what the model decided
     */
    record ModelDecision(String agent, String sessionId, dev.keel.core.ModelEvent event) implements AgentEvent {}

    /**
     * A workflow agent started one of its steps, which works in its own session {@code stepSessionId}.
     *
     * @param agent         the workflow agent
     * @param sessionId     the session the workflow runs in
     * @param step          the step agent's name
     * @param stepSessionId the step's own session
     * @param iteration     the loop pass the step belongs to, from 1 (always 1 outside a loop)
     * @param input         the message the step is given
     */
    record WorkflowStepStarted(String agent, String sessionId, String step, String stepSessionId, int iteration,
                               String input) implements AgentEvent {}

    /**
     * A step of a workflow agent ended: with its result, or (with {@code error}) failed or cancelled.
     *
     * @param agent         the workflow agent
     * @param sessionId     the session the workflow runs in
     * @param step          the step agent's name
     * @param stepSessionId the step's own session
     * @param iteration     the loop pass the step belongs to, from 1 (always 1 outside a loop)
     * @param output        the step's output, or what went wrong
     * @param usage         the tokens the step used (up to its failure)
     * @param error         whether the step failed or was cancelled
     */
    record WorkflowStepFinished(String agent, String sessionId, String step, String stepSessionId, int iteration,
                                String output, Usage usage, boolean error) implements AgentEvent {}

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
     * The older part of the session was summarised; the next model calls carry the summary instead of those
     * turns ({@link Session#summary()}).
     *
     * @param agent the agent whose session it is
     * @param sessionId the session
     * @param reason why it was compacted
     * @param model the model that wrote the summary
     * @param tokensBefore estimated tokens of the context before (the provider's count when it reported a larger one)
     * @param tokensAfter estimated tokens of the context after: the summary and the turns kept verbatim
     * @param compactedMessages how many messages the summary replaced
     * @param summary the summary
     */
    record SessionCompacted(String agent, String sessionId, Compaction.Reason reason, String model, long tokensBefore,
                            long tokensAfter, int compactedMessages, String summary) implements AgentEvent {
        /**
         * Tokens the compaction saved on every following model call.
         *
         * @return {@code tokensBefore - tokensAfter}
         */
        public long tokensSaved() {
            return tokensBefore - tokensAfter;
        }
    }

    /**
     * A compaction failed (the summarising model failed or gave no summary); the session is untouched and the run
     * carries on with the full context.
     *
     * @param agent the agent whose session it is
     * @param sessionId the session
     * @param reason why it was being compacted
     * @param message what went wrong
     * @param cause the failure, or null when the model answered with an empty summary
     */
    record CompactionFailed(String agent, String sessionId, Compaction.Reason reason, String message, Throwable cause)
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
     * A background job started with {@code recall: true} ended, and its recall (how it ended and the end of its
     * output) was added to the session as a user message before the agent's next model call.
     *
     * @param agent the agent about to call its model
     * @param sessionId the session the recall was added to
     * @param jobId the job's id
     * @param command the job's command, secrets redacted
     * @param state how the job ended: {@code completed}, {@code failed}, {@code timed out} or {@code stopped}
     * @param exitCode the job's exit code, or -1 when it has none
     */
    record BackgroundJobRecalled(String agent, String sessionId, String jobId, String command, String state,
                                 int exitCode) implements AgentEvent {}

    /**
     * A schedule of a {@code scheduler} toolset came due, and its prompt ({@code Scheduled task <label> is due:} and
     * the prompt) was added to the session as a user message before the agent's next model call.
     *
     * @param agent the agent about to call its model
     * @param sessionId the session the prompt was added to
     * @param scheduleId the schedule's id ({@code sched-N})
     * @param name the schedule's label, secrets redacted, or empty
     * @param dueAt when it was due (a recurring schedule's logical due time)
     */
    record ScheduleFired(String agent, String sessionId, String scheduleId, String name, java.time.Instant dueAt)
            implements AgentEvent {}

    /**
     * The run stopped at a tool call that needs someone's decision; the call is stored in the session and the
     * run resumes with {@link Runner#resume(String, Decision)}. Always the last event of its run.
     *
     * @param agent the agent that wants the call
     * @param sessionId the session the call belongs to
     * @param pending the call waiting for a decision
     */
    record RunSuspended(String agent, String sessionId, PendingApproval pending) implements AgentEvent {}

    /**
     * A budget is spent: the run stops before its next model call.
     *
     * @param agent the agent that was about to call its model
     * @param sessionId the session it works in
     * @param scope which budget (run, session or team); a named budget is a {@code RUN} budget
     * @param name the named budget's name ({@code Runner.Builder.budget(String, Budget, Collection)}), or empty for
     *             the scope's own budget
     * @param budget the budget's limits
     * @param spentTokens tokens spent against it
     * @param spentCostUsd cost spent against it in US dollars, or null when it limits no cost
     * @param spentTime working time spent against it ({@link java.time.Duration#ZERO} for session and team budgets)
     */
    record BudgetExceeded(String agent, String sessionId, Budget.Scope scope, String name, Budget budget,
                          long spentTokens, Double spentCostUsd, java.time.Duration spentTime) implements AgentEvent {}

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
        REMEMBERED,
        /** A {@code permission_request} or {@code pre_tool_use} hook approved it. */
        HOOK
    }
}
