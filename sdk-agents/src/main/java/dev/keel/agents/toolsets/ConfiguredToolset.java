package dev.keel.agents.toolsets;

import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.Toolset;
import dev.keel.core.models.ModelSpec;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A toolset narrowed to some of its tools and/or given its own instruction, name or model — a team file's
 * {@code tools:}, {@code instruction:}, {@code readonly:}, {@code name:} and {@code model:} on a toolset (or
 * {@code readonly:} on an agent). The {@link #model()} handles the model call that follows a call of one of these
 * tools, once (docker-agent's per-toolset model: a cheaper model reads the tool's output). Closing closes the
 * delegate. Thread-safe when the delegate is.
 *
 * <pre>{@code
 * Toolset readOnlyFiles = ConfiguredToolset.builder(Toolsets.filesystem(dir)).readOnlyOnly(true).build();
 * }</pre>
 */
public final class ConfiguredToolset implements Toolset {
    private final Toolset delegate;
    private final List<String> only;
    private final String instruction;
    private final boolean readOnlyOnly;
    private final String name;
    private final ModelSpec model;

    private ConfiguredToolset(Builder b) {
        delegate = b.delegate;
        only = b.only;
        instruction = b.instruction;
        readOnlyOnly = b.readOnlyOnly;
        name = b.name;
        model = b.model;
    }

    /**
     * A builder holding this toolset's settings, to change some of them.
     *
     * @return a builder with every setting of this toolset
     */
    public Builder toBuilder() {
        return builder(delegate).only(only).instruction(instruction).readOnlyOnly(readOnlyOnly).name(name).model(model);
    }

    /**
     * The model for the call after one of these tools ran, if set.
     *
     * @return the model, if set
     */
    public Optional<ModelSpec> model() {
        return Optional.ofNullable(model);
    }

    /**
     * Starts configuring {@code delegate}; with nothing set, it behaves exactly like the delegate.
     *
     * @param delegate the delegate
     * @return the builder
     */
    public static Builder builder(Toolset delegate) {
        return new Builder(delegate);
    }

    /**
     * The configured toolset.
     *
     * @return the configured toolset
     */
    public Toolset delegate() {
        return delegate;
    }

    /**
     * Tool names kept; empty = all.
     *
     * @return tool names kept; empty = all
     */
    public List<String> only() {
        return only;
    }

    /**
     * The instruction replacing the delegate's, or {@code null} when the delegate's is kept.
     *
     * @return the instruction replacing the delegate's, or {@code null} when the delegate's is kept
     */
    public String instructionOverride() {
        return instruction;
    }

    /**
     * Whether only tools that declare themselves read-only are kept.
     *
     * @return whether only tools that declare themselves read-only are kept
     */
    public boolean readOnlyOnly() {
        return readOnlyOnly;
    }

    @Override
    public String name() {
        return name != null ? name : delegate.name();
    }

    @Override
    public List<Tool> tools() {
        return dev.keel.agents.internal.SessionTools.kept(delegate.tools(), only, readOnlyOnly);
    }

    @Override
    public String instructions() {
        return instruction != null ? instruction : delegate.instructions();
    }

    @Override
    public void close() {
        delegate.close();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConfiguredToolset other && delegate.equals(other.delegate) && only.equals(other.only)
                && Objects.equals(instruction, other.instruction) && readOnlyOnly == other.readOnlyOnly
                && Objects.equals(name, other.name) && Objects.equals(model, other.model);
    }

    @Override
    public int hashCode() {
        return Objects.hash(delegate, only, instruction, readOnlyOnly, name, model);
    }

    @Override
    public String toString() {
        return "ConfiguredToolset[" + delegate + (only.isEmpty() ? "" : ", only=" + only)
                + (instruction == null ? "" : ", own instruction") + (readOnlyOnly ? ", read-only tools" : "")
                + (name == null ? "" : ", name=" + name) + (model == null ? "" : ", model=" + model.label()) + "]";
    }

    /** Builds a {@link ConfiguredToolset}. Setters replace what was set before. Not thread-safe. */
    public static final class Builder {
        private final Toolset delegate;
        private List<String> only = List.of();
        private String instruction;
        private boolean readOnlyOnly;
        private String name;
        private ModelSpec model;

        private Builder(Toolset delegate) {
            this.delegate = Objects.requireNonNull(delegate, "delegate");
        }

        /**
         * Keeps only the tools with these names (replaces); empty keeps all.
         *
         * @param toolNames the tool names
         * @return this builder
         */
        public Builder only(List<String> toolNames) {
            this.only = List.copyOf(Objects.requireNonNull(toolNames, "toolNames"));
            return this;
        }

        /**
         * Replaces the delegate's instructions; {@code null} keeps them.
         *
         * @param instruction the instruction
         * @return this builder
         */
        public Builder instruction(String instruction) {
            this.instruction = instruction;
            return this;
        }

        /**
         * Keeps only the tools that declare themselves read-only.
         *
         * @param readOnlyOnly the read only only
         * @return this builder
         */
        public Builder readOnlyOnly(boolean readOnlyOnly) {
            this.readOnlyOnly = readOnlyOnly;
            return this;
        }

        /**
         * The name logs and errors use instead of the delegate's; {@code null} keeps the delegate's.
         *
         * @param name the name
         * @return this builder
         */
        public Builder name(String name) {
            this.name = name == null || name.isBlank() ? null : name;
            return this;
        }

        /**
         * The model that handles the model call after one of these tools ran (once); {@code null} for the agent's.
         *
         * @param model the model
         * @return this builder
         */
        public Builder model(ModelSpec model) {
            this.model = model;
            return this;
        }

        /**
         * The configured toolset.
         *
         * @return the configured toolset
         */
        public ConfiguredToolset build() {
            return new ConfiguredToolset(this);
        }
    }
}
