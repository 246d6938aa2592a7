package dev.keel.agents.tool;

import dev.keel.core.json.JsonValue;
import java.util.Map;
import java.util.Objects;

/**
 * What a tool knows about the call it serves.
 *
 * @param agent     name of the agent calling the tool
 * @param sessionId id of the session the call belongs to
 * @param callId    the model's id of this call: stable when a run resumes after a crash, so a tool with outside
 *                  effects can use it as an idempotency key (empty when the tool is called outside a run)
 * @param state     the session's state: a thread-safe map that tools may read and update (for example the
 *                  todo list). A delegated sub-agent works on its own copy, so parallel delegations never
 *                  race on it. Values are immutable: update an entry with {@code compute} to stay safe
 *                  against parallel tool calls.
 */
public record ToolContext(String agent, String sessionId, String callId, Map<String, JsonValue> state) {
    /**
     * Creates the value, checking its components.
     *
     * @param agent name of the agent calling the tool
     * @param sessionId id of the session the call belongs to
     * @param callId the model's id of this call (empty outside a run)
     * @param state the session's state: a thread-safe map that tools may read and update (for example the todo
     *     list). A delegated sub-agent works on its own copy, so parallel delegations never race on it.
     */
    public ToolContext {
        Objects.requireNonNull(agent, "agent");
        Objects.requireNonNull(sessionId, "sessionId");
        Objects.requireNonNull(callId, "callId");
        Objects.requireNonNull(state, "state");
    }

    /**
     * A context outside a run's tool call (no call id).
     *
     * @param agent name of the agent calling the tool
     * @param sessionId id of the session the call belongs to
     * @param state the session's state
     */
    public ToolContext(String agent, String sessionId, Map<String, JsonValue> state) {
        this(agent, sessionId, "", state);
    }
}
