package dev.keel.agents;

import dev.keel.core.message.ToolCall;
import java.time.Instant;
import java.util.Objects;

/**
 * A tool call a suspended run waits on: exactly what will run when someone approves it.
 *
 * @param token       the run's resume token for this call ({@link Runner#resume(String, Decision)})
 * @param sessionId   the session the call belongs to (a delegated sub-agent's own session, or the run's)
 * @param agent       the agent that wants to call the tool
 * @param call        the call: tool name, exact arguments and the model's call id
 * @param requestedAt when the run suspended
 */
public record PendingApproval(String token, String sessionId, String agent, ToolCall call, Instant requestedAt) {
    /**
     * Checks the values.
     *
     * @param token the run's resume token for this call
     * @param sessionId the session the call belongs to
     * @param agent the agent that wants to call the tool
     * @param call the call
     * @param requestedAt when the run suspended
     */
    public PendingApproval {
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(sessionId, "sessionId");
        Objects.requireNonNull(agent, "agent");
        Objects.requireNonNull(call, "call");
        Objects.requireNonNull(requestedAt, "requestedAt");
    }

    /**
     * The tool's name.
     *
     * @return the tool's name
     */
    public String tool() {
        return call.name();
    }

    @Override
    public String toString() {
        // The token is a credential for this call: never in logs.
        return "PendingApproval[" + agent + " wants " + call.name() + " (call " + call.id() + ") in " + sessionId
                + " since " + requestedAt + "]";
    }
}
