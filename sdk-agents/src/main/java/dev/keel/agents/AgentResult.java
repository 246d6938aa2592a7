package dev.keel.agents;

import dev.keel.core.Usage;
import java.util.Objects;

/**
 * The outcome of one {@code Runner.run}.
 *
 * @param output     the final answer's text (for {@link StopReason#MAX_ITERATIONS}, the last text seen)
 * @param agent      the agent that produced it (differs from the root after a handoff)
 * @param stopReason why the loop ended
 * @param iterations model calls made by that run (delegated sub-agents' calls not included)
 * @param usage      tokens used by this run, sub-agents included
 * @param session    the session, for a follow-up run or serialisation
 */
public record AgentResult(String output, String agent, StopReason stopReason, int iterations, Usage usage,
                          Session session) {
    /**
     * Creates the value, checking its components.
     *
     * @param output the final answer's text (for {@link StopReason#MAX_ITERATIONS}, the last text seen)
     * @param agent the agent that produced it (differs from the root after a handoff)
     * @param stopReason why the loop ended
     * @param iterations model calls made by that run (delegated sub-agents' calls not included)
     * @param usage tokens used by this run, sub-agents included
     * @param session the session, for a follow-up run or serialisation
     */
    public AgentResult {
        Objects.requireNonNull(output, "output");
        Objects.requireNonNull(agent, "agent");
        Objects.requireNonNull(stopReason, "stopReason");
        Objects.requireNonNull(usage, "usage");
        Objects.requireNonNull(session, "session");
    }

    /** Why an agent loop ended. */
    public enum StopReason {
        /** The model gave a final answer. */
        COMPLETED,
        /** The agent's iteration limit was reached before a final answer. */
        MAX_ITERATIONS
    }

    @Override
    public String toString() {
        return "AgentResult[" + stopReason + " by " + agent + " after " + iterations + " iterations, " + usage.totalTokens()
                + " tokens: " + (output.length() > 80 ? output.substring(0, 80) + "…" : output) + "]";
    }
}
