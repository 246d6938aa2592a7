package dev.keel.agents.team;

import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.Toolset;
import java.util.List;
import java.util.Objects;

/**
 * A toolset that is another one plus something the team adds around its life (a sandbox to hold, a file to
 * delete): name, tools (a session's own too) and instructions are the delegate's; subclasses add to
 * {@link #tools()} and {@link #close()}. Thread-safe when the delegate and the subclass are.
 */
abstract class ForwardingToolset implements Toolset, dev.keel.agents.internal.SessionScopedToolset {
    /** The wrapped toolset. */
    protected final Toolset delegate;

    ForwardingToolset(Toolset delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public List<Tool> tools() {
        return delegate.tools();
    }

    @Override
    public List<Tool> sessionTools(java.util.Map<String, dev.keel.core.json.JsonValue> sessionState) {
        return dev.keel.agents.internal.SessionTools.of(delegate, sessionState);
    }

    @Override
    public String instructions() {
        return delegate.instructions();
    }
}
