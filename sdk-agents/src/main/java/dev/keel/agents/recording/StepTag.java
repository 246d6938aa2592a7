package dev.keel.agents.recording;

import java.util.Objects;

/**
 * Where a recorded step happened.
 *
 * @param agent   the agent that took the step
 * @param session the session, as a stable label: {@code s1} for the first top-level session of the
 *                recording, and for a delegated task the parent's label followed by
 *                {@code /<turn>.<call>:<sub-agent>} (so a label never depends on random ids or on the order in
 *                which parallel delegations finish)
 * @param turn    the model call of that session the step belongs to, from 0 (counted over every run of the
 *                session, so a follow-up run continues the count)
 * @param call    the index of the tool call in the model's list of calls, or -1 for a step of the whole turn
 */
public record StepTag(String agent, String session, int turn, int call) {
    /**
     * Checks the names are present.
     *
     * @param agent the agent that took the step
     * @param call the index of the tool call in the model's list of calls, or -1 for a step of the whole turn
     * @param session the session, as a stable label: {@code s1} for the first top-level session of the recording, and
     *     for a delegated task the parent's label followed by {@code /<turn>.<call>:<sub-agent>} (so a label never depends
     *     on random ids or on the order in which parallel delegations finish)
     * @param turn the model call of that session the step belongs to, from 0 (counted over every run of the session,
     *     so a follow-up run continues the count)
     */
    public StepTag {
        Objects.requireNonNull(agent, "agent");
        Objects.requireNonNull(session, "session");
    }

    /**
     * {@code agent 'root', turn 2, call 0 (session s1)}.
     *
     * @return {@code agent 'root', turn 2, call 0 (session s1)}
     */
    public String describe() {
        return "agent '" + agent + "', turn " + turn + (call >= 0 ? ", call " + call : "") + " (session " + session + ")";
    }
}
