package dev.keel.agents;

import dev.keel.core.Usage;
import dev.keel.core.json.JsonValue;
import java.util.Objects;

/**
 * The outcome of one {@code Runner.run}.
 *
 * @param output     the final answer's text (for {@link StopReason#MAX_ITERATIONS}, the last text seen)
 * @param agent      the agent that produced it (differs from the root after a handoff)
 * @param stopReason why the loop ended
 * @param iterations model calls made by that run (delegated sub-agents' calls not included); for a workflow
 *                   agent, the passes it made (a loop's iterations, 1 for the others)
 * @param usage      tokens used by this run, sub-agents and workflow steps included
 * @param session    the session, for a follow-up run or serialisation
 * @param structured the validated answer when the agent has a {@link StructuredOutput}, else {@code null}
 * @param steps      for a workflow agent ({@link Agent#workflow()}), the result of every step it ran — in the
 *                   order they ran for a sequential workflow or a loop, in declaration order (join last) for a
 *                   parallel one — each with its own usage and, for a nested workflow, its own steps; empty
 *                   for an agent with a model
 */
public record AgentResult(String output, String agent, StopReason stopReason, int iterations, Usage usage,
                          Session session, JsonValue structured, java.util.List<AgentResult> steps) {
    /**
     * Creates the value, checking its components.
     *
     * @param output the final answer's text (for {@link StopReason#MAX_ITERATIONS}, the last text seen)
     * @param agent the agent that produced it (differs from the root after a handoff)
     * @param stopReason why the loop ended
     * @param iterations model calls made by that run (delegated sub-agents' calls not included)
     * @param usage tokens used by this run, sub-agents included
     * @param session the session, for a follow-up run or serialisation
     * @param structured the validated structured answer, or {@code null}
     * @param steps the results of a workflow's steps, empty for an agent with a model
     */
    public AgentResult {
        Objects.requireNonNull(output, "output");
        Objects.requireNonNull(agent, "agent");
        Objects.requireNonNull(stopReason, "stopReason");
        Objects.requireNonNull(usage, "usage");
        Objects.requireNonNull(session, "session");
        steps = java.util.List.copyOf(steps);
    }

    /**
     * A result without workflow steps.
     *
     * @param output     the final answer's text
     * @param agent      the agent that produced it
     * @param stopReason why the loop ended
     * @param iterations model calls made by that run
     * @param usage      tokens used by this run
     * @param session    the session
     * @param structured the validated structured answer, or {@code null}
     */
    public AgentResult(String output, String agent, StopReason stopReason, int iterations, Usage usage, Session session,
                       JsonValue structured) {
        this(output, agent, stopReason, iterations, usage, session, structured, java.util.List.of());
    }

    /**
     * A result without a structured answer.
     *
     * @param output     the final answer's text
     * @param agent      the agent that produced it
     * @param stopReason why the loop ended
     * @param iterations model calls made by that run
     * @param usage      tokens used by this run
     * @param session    the session
     */
    public AgentResult(String output, String agent, StopReason stopReason, int iterations, Usage usage, Session session) {
        this(output, agent, stopReason, iterations, usage, session, null, java.util.List.of());
    }

    /**
     * The structured answer bound to {@code type} (a record, or a class with setters or public fields).
     *
     * @param type the type
     * @param <T>  the type
     * @return the answer, or empty when the agent has no structured output
     * @throws dev.keel.agents.tool.ToolArgumentException naming the first property that does not fit
     */
    public <T> java.util.Optional<T> structuredAs(Class<T> type) {
        return structured instanceof dev.keel.core.json.JsonObject o
                ? java.util.Optional.of(dev.keel.agents.tool.ToolArguments.of(o).as(type)) : java.util.Optional.empty();
    }

    /** Why an agent loop ended. */
    public enum StopReason {
        /** The model gave a final answer. */
        COMPLETED,
        /** The agent's iteration limit was reached before a final answer. */
        MAX_ITERATIONS,
        /** A token or cost budget was spent before a final answer (see {@link AgentEvent.BudgetExceeded}). */
        BUDGET_EXCEEDED,
        /**
         * The run waits for a decision on a tool call ({@link Session#pendingApproval()}); resume it with
         * {@link Runner#resume(Session, String, Decision)} or, with a session store, {@link Runner#resume(String, Decision)}.
         */
        SUSPENDED,
        /** A hook stopped the run; the output is its reason. */
        BLOCKED,
        /** The agent repeated the same tool calls more often than its {@code maxConsecutiveToolCalls}. */
        LOOP_DETECTED
    }

    @Override
    public String toString() {
        return "AgentResult[" + stopReason + " by " + agent + " after " + iterations + " iterations, "
                + (steps.isEmpty() ? "" : steps.size() + " steps, ") + usage.totalTokens() + " tokens: "
                + (output.length() > 80 ? output.substring(0, 80) + "…" : output) + "]";
    }
}
