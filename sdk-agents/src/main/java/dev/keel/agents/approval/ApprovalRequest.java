package dev.keel.agents.approval;

import dev.keel.core.message.ToolCall;
import java.util.Objects;

/**
 * A tool call waiting for a human (or policy) decision.
 *
 * @param agent    the agent that wants to call the tool
 * @param call     the call, with the model's arguments
 * @param readOnly whether the tool declares itself read-only
 */
public record ApprovalRequest(String agent, ToolCall call, boolean readOnly) {
    /**
     * Creates the value, checking its components.
     *
     * @param agent the agent that wants to call the tool
     * @param call the call, with the model's arguments
     * @param readOnly whether the tool declares itself read-only
     */
    public ApprovalRequest {
        Objects.requireNonNull(agent, "agent");
        Objects.requireNonNull(call, "call");
    }
}
