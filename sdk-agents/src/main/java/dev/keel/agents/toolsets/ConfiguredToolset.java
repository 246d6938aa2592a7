package dev.keel.agents.toolsets;

import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.Toolset;
import java.util.List;
import java.util.Objects;

/**
 * A toolset narrowed to some of its tools and/or given its own instruction — a team file's {@code tools:}
 * and {@code instruction:} on a toolset. Closing closes the delegate.
 *
 * @param delegate    the toolset
 * @param only        tool names to keep; empty = all
 * @param instruction instruction replacing the delegate's, or null to keep it
 */
public record ConfiguredToolset(Toolset delegate, List<String> only, String instruction) implements Toolset {
    public ConfiguredToolset {
        Objects.requireNonNull(delegate, "delegate");
        only = List.copyOf(only == null ? List.of() : only);
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public List<Tool> tools() {
        List<Tool> all = delegate.tools();
        if (only.isEmpty()) {
            return all;
        }
        return all.stream().filter(t -> only.contains(t.spec().name())).toList();
    }

    @Override
    public String instructions() {
        return instruction != null ? instruction : delegate.instructions();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
