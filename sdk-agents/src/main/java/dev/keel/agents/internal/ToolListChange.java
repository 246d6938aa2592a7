package dev.keel.agents.internal;

import dev.keel.core.json.JsonNumber;
import dev.keel.core.json.JsonValue;
import java.util.Map;

/**
 * The one signal that a tool call changed the session's tool list ({@code add_tool} loaded a deferred tool, a catalog
 * server was enabled, …): a counter in the session's state that such a tool bumps and the runner compares before and
 * after a batch of calls, to list the tools again for the next model call. Being state, it follows the session
 * (a delegated sub-agent's copy changes only the sub-agent's list) and needs no knowledge of which tool changed what.
 * Not API.
 */
public final class ToolListChange {
    /** The session-state key of the counter. */
    public static final String STATE = "keel.tool_list_version";

    private ToolListChange() {}

    /**
     * Records that the session's tool list changed; safe against parallel tool calls of one session.
     *
     * @param sessionState the session's state (a thread-safe map, as {@link dev.keel.agents.tool.ToolContext} gives)
     */
    public static void signal(Map<String, JsonValue> sessionState) {
        sessionState.compute(STATE, (k, v) -> JsonNumber.of(version(v) + 1));
    }

    /**
     * The session's tool-list version: it differs after a {@link #signal}.
     *
     * @param sessionState the session's state
     * @return the version (0 before any signal)
     */
    public static long version(Map<String, JsonValue> sessionState) {
        return version(sessionState.get(STATE));
    }

    private static long version(JsonValue v) {
        return v instanceof JsonNumber n ? n.value().longValue() : 0;
    }
}
