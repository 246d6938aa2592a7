package dev.keel.agents.toolsets;

import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.Toolset;
import dev.keel.core.json.JsonArray;
import dev.keel.core.json.JsonValue;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * docker-agent's {@code defer}: a toolset whose tools (all of them, or the named ones) are not shown to the model
 * up front. The runner gives an agent with deferred toolsets two tools: {@code search_tool(query)} finds deferred
 * tools by a fuzzy match on name and description (the query's characters in order, as docker-agent matches), and
 * {@code add_tool(name)} activates one for the rest of the session, from the next model call on. With everything
 * deferred, the delegate (an MCP server, say) is not started until a search needs its tool list. Which tools a
 * session activated is kept in its state under {@value #ACTIVE_STATE}, so a saved session keeps them. Thread-safe
 * when the delegate is.
 *
 * <pre>{@code
 * Toolset github = DeferredToolset.all(McpToolset.builder(transport).build());
 * Toolset files = DeferredToolset.only(Toolsets.filesystem(dir), List.of("write_file", "edit_file"));
 * }</pre>
 */
public final class DeferredToolset implements Toolset {
    /** The session-state key listing the names of the tools a session activated. */
    public static final String ACTIVE_STATE = "keel.deferred_tools";

    private final Toolset delegate;
    private final Set<String> deferredNames;

    private DeferredToolset(Toolset delegate, List<String> names) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.deferredNames = Set.copyOf(Objects.requireNonNull(names, "names"));
    }

    /**
     * Defers every tool of {@code delegate}.
     *
     * @param delegate the toolset
     * @return the deferred toolset
     */
    public static DeferredToolset all(Toolset delegate) {
        return new DeferredToolset(delegate, List.of());
    }

    /**
     * Defers the named tools of {@code delegate}; the others are shown as usual.
     *
     * @param delegate the toolset
     * @param names    the tools to defer (not empty)
     * @return the deferred toolset
     * @throws IllegalArgumentException when {@code names} is empty
     */
    public static DeferredToolset only(Toolset delegate, List<String> names) {
        if (names.isEmpty()) {
            throw new IllegalArgumentException("name at least one tool to defer, or defer them all");
        }
        return new DeferredToolset(delegate, names);
    }

    /**
     * The toolset whose tools are deferred.
     *
     * @return the delegate
     */
    public Toolset delegate() {
        return delegate;
    }

    /**
     * The names of the deferred tools; empty when every tool is deferred.
     *
     * @return the names, sorted
     */
    public List<String> deferredNames() {
        return new java.util.TreeSet<>(deferredNames).stream().toList();
    }

    /**
     * Whether every tool is deferred.
     *
     * @return whether every tool is deferred
     */
    public boolean defersAll() {
        return deferredNames.isEmpty();
    }

    @Override
    public String name() {
        return delegate.name();
    }

    /**
     * The tools shown up front: none when everything is deferred, else the delegate's tools that are not named.
     *
     * @return the tools shown up front
     */
    @Override
    public List<Tool> tools() {
        return defersAll() ? List.of()
                : delegate.tools().stream().filter(t -> !deferredNames.contains(t.spec().name())).toList();
    }

    /**
     * The tools that load on demand (lists the delegate's tools, starting it if it has to).
     *
     * @return the deferred tools
     */
    public List<Tool> deferredTools() {
        return defersAll() ? delegate.tools()
                : delegate.tools().stream().filter(t -> deferredNames.contains(t.spec().name())).toList();
    }

    /**
     * The deferred tools a session activated, in the order they were activated.
     *
     * @param sessionState the session's state
     * @return the activated tools of this toolset
     */
    public List<Tool> activeTools(Map<String, JsonValue> sessionState) {
        Set<String> active = activeNames(sessionState);
        if (active.isEmpty()) {
            return List.of();
        }
        List<Tool> out = new ArrayList<>();
        List<Tool> deferred = deferredTools();
        for (String name : active) {
            deferred.stream().filter(t -> t.spec().name().equals(name)).findFirst().ifPresent(out::add);
        }
        return out;
    }

    /**
     * The names of the tools a session activated (of every deferred toolset).
     *
     * @param sessionState the session's state
     * @return the names, in activation order
     */
    public static Set<String> activeNames(Map<String, JsonValue> sessionState) {
        Set<String> names = new LinkedHashSet<>();
        if (sessionState.get(ACTIVE_STATE) instanceof JsonArray a) {
            a.items().forEach(v -> v.asString().ifPresent(names::add));
        }
        return names;
    }

    @Override
    public String instructions() {
        return delegate.instructions();
    }

    @Override
    public void close() {
        delegate.close();
    }

    @Override
    public String toString() {
        return "DeferredToolset[" + delegate.name() + (defersAll() ? ", all" : ", " + new java.util.TreeSet<>(deferredNames))
                + "]";
    }
}
