package dev.keel.agents.internal;

import dev.keel.agents.tool.Tool;
import dev.keel.core.json.JsonValue;
import java.util.List;
import java.util.Map;

/**
 * A toolset some of whose tools belong to one session: what that session's own calls added (a catalog server it
 * enabled, say), kept in the session's state so that a saved and restored session has them again and no other session
 * ever sees them. The runner lists these next to {@link dev.keel.agents.tool.Toolset#tools()} for each model call of
 * the session, through the wrappers a team file puts around the toolset ({@link SessionTools#of}). A tool that changes
 * what this method returns tells the runner with {@link ToolListChange#signal}. Not API.
 */
public interface SessionScopedToolset {
    /**
     * The tools {@code sessionState} adds to the toolset's fixed ones; empty when it adds none. Never throws for a
     * resource that is unavailable: its tools are left out (and the toolset's own tools say why).
     *
     * @param sessionState the session's state
     * @return the session's own tools of this toolset
     */
    List<Tool> sessionTools(Map<String, JsonValue> sessionState);
}
