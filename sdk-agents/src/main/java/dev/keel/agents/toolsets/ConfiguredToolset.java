package dev.keel.agents.toolsets;

import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.Toolset;
import java.util.List;
import java.util.Objects;

/**
 * A toolset narrowed to some of its tools and/or given its own instruction — a team file's {@code tools:},
 * {@code instruction:} and {@code readonly:} on a toolset (or {@code readonly:} on an agent). Closing closes
 * the delegate. Thread-safe when the delegate is.
 *
 * @param delegate     the toolset
 * @param only         tool names to keep; empty = all
 * @param instruction  instruction replacing the delegate's, or null to keep it
 * @param readOnlyOnly keep only the tools that declare themselves read-only
 */
public record ConfiguredToolset(Toolset delegate, List<String> only, String instruction, boolean readOnlyOnly)
        implements Toolset {
    /**
     * Creates the value, checking its components.
     *
     * @param delegate the toolset
     * @param only tool names to keep; empty = all
     * @param instruction instruction replacing the delegate's, or null to keep it
     * @param readOnlyOnly keep only the tools that declare themselves read-only
     */
    public ConfiguredToolset {
        Objects.requireNonNull(delegate, "delegate");
        only = List.copyOf(only == null ? List.of() : only);
    }

    /**
     * Narrowed by name and/or with its own instruction; read-write tools kept.
     *
     * @param delegate the toolset narrowed
     * @param only tool names kept, empty for all
     * @param instruction guidance for the agent, or empty
     */
    public ConfiguredToolset(Toolset delegate, List<String> only, String instruction) {
        this(delegate, only, instruction, false);
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public List<Tool> tools() {
        List<Tool> all = delegate.tools();
        if (only.isEmpty() && !readOnlyOnly) {
            return all;
        }
        return all.stream().filter(t -> only.isEmpty() || only.contains(t.spec().name()))
                .filter(t -> !readOnlyOnly || t.readOnly()).toList();
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
