package dev.keel.agents.team;

import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.Toolset;
import dev.keel.agents.tool.ToolsetException;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A toolset a team file declares whose parts are only known when the team starts — a Docker MCP catalog
 * server, a remote MCP server whose header variables are not set yet, a sandboxed shell, a knowledge base —
 * built on the first {@link #tools()} call. A failure is not remembered: the next call tries again (the
 * variable may be set by then), and reaches the agent loop as a {@link ToolsetException} naming the toolset
 * and what is missing. Closing closes what was built. Thread-safe.
 */
final class StartTimeToolset implements Toolset, dev.keel.agents.internal.SessionScopedToolset {
    private final String name;
    private final String instructions;
    private final Supplier<Toolset> factory;
    private Toolset built;
    private boolean closed;

    StartTimeToolset(String name, String instructions, Supplier<Toolset> factory) {
        this.name = Objects.requireNonNull(name, "name");
        this.instructions = instructions == null ? "" : instructions;
        this.factory = Objects.requireNonNull(factory, "factory");
    }

    /** The toolset, built now if it was not yet. */
    synchronized Toolset started() {
        if (closed) {
            throw new ToolsetException("toolset '" + name + "' is closed");
        }
        if (built == null) {
            try {
                built = Objects.requireNonNull(factory.get(), "factory returned null");
            } catch (ToolsetException e) {
                throw e;
            } catch (RuntimeException e) {
                throw new ToolsetException("toolset '" + name + "' cannot start: " + e.getMessage(), e);
            }
        }
        return built;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public List<Tool> tools() {
        return started().tools();
    }

    /** The built toolset's session tools; none before it is built (listing its tools builds it). */
    @Override
    public List<Tool> sessionTools(java.util.Map<String, dev.keel.core.json.JsonValue> sessionState) {
        Toolset t;
        synchronized (this) {
            t = built;
        }
        return t == null ? List.of() : dev.keel.agents.internal.SessionTools.of(t, sessionState);
    }

    @Override
    public String instructions() {
        Toolset t;
        synchronized (this) {
            t = built;
        }
        return t != null ? t.instructions() : instructions;
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (built != null) {
            built.close();
            built = null;
        }
    }

    @Override
    public String toString() {
        return "StartTimeToolset[" + name + (built != null ? ", started" : "") + "]";
    }
}
