package dev.keel.agents;

import java.time.Instant;
import java.util.Objects;

/**
 * A decision someone made on a suspended tool call, kept in the session as an audit trail
 * ({@link Session#decisions()}).
 *
 * @param sessionId the session the call belonged to
 * @param agent     the agent that wanted the call
 * @param callId    the model's call id
 * @param tool      the tool's name
 * @param approved  whether it was approved
 * @param by        who decided
 * @param at        when (the runner's clock)
 * @param reason    why (may be empty)
 */
public record ApprovalRecord(String sessionId, String agent, String callId, String tool, boolean approved, String by,
                             Instant at, String reason) {
    /**
     * Checks the values.
     *
     * @param sessionId the session the call belonged to
     * @param agent the agent that wanted the call
     * @param callId the model's call id
     * @param tool the tool's name
     * @param approved whether it was approved
     * @param by who decided
     * @param at when
     * @param reason why
     */
    public ApprovalRecord {
        Objects.requireNonNull(sessionId, "sessionId");
        Objects.requireNonNull(agent, "agent");
        Objects.requireNonNull(callId, "callId");
        Objects.requireNonNull(tool, "tool");
        Objects.requireNonNull(by, "by");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(reason, "reason");
    }
}
