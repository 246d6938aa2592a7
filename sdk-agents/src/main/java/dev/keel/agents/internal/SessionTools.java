package dev.keel.agents.internal;

import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.Toolset;
import dev.keel.agents.toolsets.ConfiguredToolset;
import dev.keel.agents.toolsets.DeferredToolset;
import dev.keel.core.json.JsonValue;
import java.util.List;
import java.util.Map;

/**
 * The session's own tools of a toolset ({@link SessionScopedToolset}), looked for through the wrappers a team file
 * puts around it: a configuration's {@code tools:} and {@code readonly} filter them as they filter the fixed tools, a
 * {@code toon} wrapper re-encodes their output, and a deferral shows them directly (the session added them on purpose,
 * so there is nothing left to load). Not API.
 */
public final class SessionTools {
    private SessionTools() {}

    /**
     * The tools {@code sessionState} adds to {@code set}; empty for a toolset that keeps nothing per session.
     *
     * @param set          the toolset an agent has
     * @param sessionState the session's state
     * @return the session's own tools, filtered and wrapped as the toolset's fixed ones are
     */
    public static List<Tool> of(Toolset set, Map<String, JsonValue> sessionState) {
        if (set instanceof SessionScopedToolset s) {
            return s.sessionTools(sessionState);
        }
        if (set instanceof ConfiguredToolset c) {
            return kept(of(c.delegate(), sessionState), c.only(), c.readOnlyOnly());
        }
        if (set instanceof DeferredToolset d) {
            return of(d.delegate(), sessionState);
        }
        if (set instanceof ToonToolset t) {
            return t.wrap(of(t.delegate(), sessionState));
        }
        return List.of();
    }

    /**
     * The tools a configuration keeps: those named in {@code only} (all when it is empty), and with
     * {@code readOnlyOnly} only those that declare themselves read-only.
     *
     * @param tools        the tools
     * @param only         the names kept; empty keeps every name
     * @param readOnlyOnly whether only read-only tools are kept
     * @return the kept tools, in order
     */
    public static List<Tool> kept(List<Tool> tools, List<String> only, boolean readOnlyOnly) {
        if (only.isEmpty() && !readOnlyOnly) {
            return tools;
        }
        return tools.stream().filter(t -> only.isEmpty() || only.contains(t.spec().name()))
                .filter(t -> !readOnlyOnly || t.readOnly()).toList();
    }
}
