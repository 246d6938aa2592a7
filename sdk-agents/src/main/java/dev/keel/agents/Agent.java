package dev.keel.agents;

import dev.keel.agents.approval.Permissions;
import dev.keel.agents.tool.Toolset;
import dev.keel.core.ChatModel;
import dev.keel.core.models.ModelConfig;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * An immutable agent definition: who it is (name, description), what it is told (instruction), which
 * {@link AgentModel} it uses (a {@link ChatModel} instance, or a {@link ModelConfig} such as
 * {@code openai/gpt-5} resolved by the runner), its toolsets, the sub-agents it may delegate to with {@code transfer_task},
 * the agents it may hand the conversation to with {@code handoff}, and its limits. Thread-safe.
 *
 * <pre>{@code
 * Agent engineer = Agent.builder("engineer")
 *         .description("Implements features")
 *         .instruction("Write clean, tested code.")
 *         .model("openai/gpt-5")
 *         .toolsets(Toolsets.filesystem(workspace), Toolsets.shell(runner))
 *         .build();
 * }</pre>
 *
 * <p>Two agents are equal when all their fields are equal (toolsets by their own {@code equals}, model
 * instances by identity), so a team loaded from YAML equals the same team built in Java.
 *
 * <p>Builder convention (all of Keel's builders): a plural setter such as {@link Builder#toolsets} sets the
 * whole list, replacing what was set before; nothing appends implicitly.
 */
public final class Agent {
    /** Default iteration limit: model calls per run before the loop stops. */
    public static final int DEFAULT_MAX_ITERATIONS = 25;
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9_.-]{1,64}");

    private final String name;
    private final String description;
    private final String instruction;
    private final AgentModel model;
    private final List<Toolset> toolsets;
    private final List<Agent> subAgents;
    private final List<Agent> handoffs;
    private final int maxIterations;
    private final int numHistoryItems;
    private final boolean addDate;
    private final boolean addEnvironmentInfo;
    private final Permissions permissions;

    private Agent(Builder b) {
        name = b.name;
        description = b.description;
        instruction = b.instruction;
        model = b.model;
        toolsets = List.copyOf(b.toolsets);
        subAgents = List.copyOf(b.subAgents);
        handoffs = List.copyOf(b.handoffs);
        maxIterations = b.maxIterations;
        numHistoryItems = b.numHistoryItems;
        addDate = b.addDate;
        addEnvironmentInfo = b.addEnvironmentInfo;
        permissions = b.permissions;
    }

    /**
     * Starts an agent called {@code name} (1–64 of {@code [a-zA-Z0-9_.-]}).
     *
     * @param name the agent's name
     * @return a builder with nothing but the name set
     */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /**
     * A builder initialised with this agent's fields.
     *
     * @return a new builder holding this agent's settings
     */
    public Builder toBuilder() {
        Builder b = new Builder(name);
        b.description = description;
        b.instruction = instruction;
        b.model = model;
        b.toolsets.addAll(toolsets);
        b.subAgents.addAll(subAgents);
        b.handoffs.addAll(handoffs);
        b.maxIterations = maxIterations;
        b.numHistoryItems = numHistoryItems;
        b.addDate = addDate;
        b.addEnvironmentInfo = addEnvironmentInfo;
        b.permissions = permissions;
        return b;
    }

    /**
     * The agent's name, unique in its team.
     *
     * @return the name
     */
    public String name() { return name; }

    /**
     * What the agent does, shown to agents that may delegate to it.
     *
     * @return what the agent does, shown to agents that may delegate to it
     */
    public String description() { return description; }

    /**
     * The system instruction.
     *
     * @return the system instruction
     */
    public String instruction() { return instruction; }

    /**
     * The model: an instance, or a configuration the runner resolves.
     *
     * @return the model: an instance, or a configuration the runner resolves
     */
    public AgentModel model() { return model; }

    /**
     * The agent's toolsets, in order.
     *
     * @return the toolsets
     */
    public List<Toolset> toolsets() { return toolsets; }

    /**
     * Agents reachable with {@code transfer_task}.
     *
     * @return agents reachable with {@code transfer_task}
     */
    public List<Agent> subAgents() { return subAgents; }

    /**
     * Agents reachable with {@code handoff}.
     *
     * @return agents reachable with {@code handoff}
     */
    public List<Agent> handoffs() { return handoffs; }

    /**
     * Model calls allowed per run before the loop stops with {@code MAX_ITERATIONS}.
     *
     * @return model calls allowed per run before the loop stops with {@code MAX_ITERATIONS}
     */
    public int maxIterations() { return maxIterations; }

    /**
     * How many non-user messages of history are sent to the model; 0 = all.
     *
     * @return how many non-user messages of history are sent to the model; 0 = all
     */
    public int numHistoryItems() { return numHistoryItems; }

    /**
     * Whether today's date is added to the system prompt.
     *
     * @return whether today's date is added to the system prompt
     */
    public boolean addDate() { return addDate; }

    /**
     * Whether the working directory and operating system are added to the system prompt.
     *
     * @return whether the working directory and operating system are added to the system prompt
     */
    public boolean addEnvironmentInfo() { return addEnvironmentInfo; }

    /**
     * Agent-level permission patterns, merged with the runner's.
     *
     * @return agent-level permission patterns, merged with the runner's
     */
    public Permissions permissions() { return permissions; }

    @Override
    public boolean equals(Object o) {
        return o instanceof Agent a && name.equals(a.name) && description.equals(a.description)
                && instruction.equals(a.instruction) && model.equals(a.model)
                && toolsets.equals(a.toolsets) && subAgents.equals(a.subAgents) && handoffs.equals(a.handoffs)
                && maxIterations == a.maxIterations && numHistoryItems == a.numHistoryItems && addDate == a.addDate
                && addEnvironmentInfo == a.addEnvironmentInfo && permissions.equals(a.permissions);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, description, instruction, model, toolsets,
                subAgents, handoffs, maxIterations, numHistoryItems, addDate, addEnvironmentInfo, permissions);
    }

    @Override
    public String toString() {
        return "Agent[" + name + ", model=" + model.label() + ", toolsets=" + toolsets.stream().map(Toolset::name).toList()
                + ", subAgents=" + subAgents.stream().map(Agent::name).toList()
                + ", handoffs=" + handoffs.stream().map(Agent::name).toList() + "]";
    }

    /** Builder for {@link Agent}. Not thread-safe. */
    public static final class Builder {
        private final String name;
        private String description = "";
        private String instruction = "";
        private AgentModel model;
        private final List<Toolset> toolsets = new ArrayList<>();
        private final List<Agent> subAgents = new ArrayList<>();
        private final List<Agent> handoffs = new ArrayList<>();
        private int maxIterations = DEFAULT_MAX_ITERATIONS;
        private int numHistoryItems;
        private boolean addDate;
        private boolean addEnvironmentInfo;
        private Permissions permissions = Permissions.none();

        private Builder(String name) {
            Objects.requireNonNull(name, "name");
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("agent name '" + name + "' must be 1-64 characters of [a-zA-Z0-9_.-]");
            }
            this.name = name;
        }

        /**
         * A short description, shown to a parent agent choosing whom to delegate to.
         *
         * @param description what this agent does
         * @return this builder
         */
        public Builder description(String description) {
            this.description = Objects.requireNonNullElse(description, "");
            return this;
        }

        /**
         * The system instruction.
         *
         * @param instruction what the agent is told before every conversation
         * @return this builder
         */
        public Builder instruction(String instruction) {
            this.instruction = Objects.requireNonNullElse(instruction, "");
            return this;
        }

        /**
         * Uses the model (replacing any set before).
         *
         * @param model the model
         * @return this builder
         */
        public Builder model(AgentModel model) {
            this.model = Objects.requireNonNull(model, "model");
            return this;
        }

        /**
         * Uses this model instance; the caller keeps owning it.
         *
         * @param model the model
         * @return this builder
         */
        public Builder model(ChatModel model) {
            return model(AgentModel.of(model));
        }

        /**
         * Uses the model {@code provider/model}, resolved by the runner's model resolver.
         *
         * @param reference the reference
         * @return this builder
         */
        public Builder model(String reference) {
            return model(AgentModel.parse(reference));
        }

        /**
         * Uses a model configuration, resolved by the runner's model resolver.
         *
         * @param config the config
         * @return this builder
         */
        public Builder model(ModelConfig config) {
            return model(AgentModel.of(config));
        }

        /**
         * Sets the toolsets, replacing any set before.
         *
         * @param toolsets the toolsets
         * @return this builder
         */
        public Builder toolsets(Toolset... toolsets) {
            return toolsets(List.of(toolsets));
        }

        /**
         * Sets the toolsets, replacing any set before.
         *
         * @param toolsets the toolsets
         * @return this builder
         */
        public Builder toolsets(List<? extends Toolset> toolsets) {
            List<Toolset> copy = List.copyOf(toolsets);
            this.toolsets.clear();
            this.toolsets.addAll(copy);
            return this;
        }

        /**
         * Adds one toolset after those already set.
         *
         * @param toolset the toolset
         * @return this builder
         */
        public Builder addToolset(Toolset toolset) {
            toolsets.add(Objects.requireNonNull(toolset, "toolset"));
            return this;
        }

        /**
         * Sets the agents reachable with {@code transfer_task}, replacing any set before.
         *
         * @param agents the agents
         * @return this builder
         */
        public Builder subAgents(Agent... agents) {
            return subAgents(List.of(agents));
        }

        /**
         * Sets the agents reachable with {@code transfer_task}, replacing any set before.
         *
         * @param agents the agents
         * @return this builder
         */
        public Builder subAgents(List<Agent> agents) {
            List<Agent> copy = List.copyOf(agents);
            subAgents.clear();
            subAgents.addAll(copy);
            return this;
        }

        /**
         * Sets the agents reachable with {@code handoff}, replacing any set before.
         *
         * @param agents the agents
         * @return this builder
         */
        public Builder handoffs(Agent... agents) {
            return handoffs(List.of(agents));
        }

        /**
         * Sets the agents reachable with {@code handoff}, replacing any set before.
         *
         * @param agents the agents
         * @return this builder
         */
        public Builder handoffs(List<Agent> agents) {
            List<Agent> copy = List.copyOf(agents);
            handoffs.clear();
            handoffs.addAll(copy);
            return this;
        }

        /**
         * Model calls allowed per run (default {@link Agent#DEFAULT_MAX_ITERATIONS}).
         *
         * @param maxIterations a positive limit
         * @return this builder
         */
        public Builder maxIterations(int maxIterations) {
            if (maxIterations <= 0) {
                throw new IllegalArgumentException("maxIterations must be positive, was " + maxIterations);
            }
            this.maxIterations = maxIterations;
            return this;
        }

        /**
         * Sends only the last {@code n} non-user messages to the model (0 = all). System and user messages
         * are never trimmed, and a tool result is never sent without the assistant message that requested it.
         *
         * @param n the n
         * @return this builder
         */
        public Builder numHistoryItems(int n) {
            if (n < 0) {
                throw new IllegalArgumentException("numHistoryItems cannot be negative, was " + n);
            }
            this.numHistoryItems = n;
            return this;
        }

        /**
         * Adds today's date to the system prompt.
         *
         * @param addDate whether to add it
         * @return this builder
         */
        public Builder addDate(boolean addDate) {
            this.addDate = addDate;
            return this;
        }

        /**
         * Adds the working directory and operating system to the system prompt.
         *
         * @param addEnvironmentInfo whether to add them
         * @return this builder
         */
        public Builder addEnvironmentInfo(boolean addEnvironmentInfo) {
            this.addEnvironmentInfo = addEnvironmentInfo;
            return this;
        }

        /**
         * Permission patterns of this agent, merged with the runner's.
         *
         * @param permissions the patterns
         * @return this builder
         */
        public Builder permissions(Permissions permissions) {
            this.permissions = Objects.requireNonNull(permissions, "permissions");
            return this;
        }

        /**
         * Builds the agent.
         *
         * @return the agent
         * @throws IllegalArgumentException when no model is set, or sub-agent / handoff names repeat
         */
        public Agent build() {
            if (model == null) {
                throw new IllegalArgumentException("agent '" + name + "' has no model");
            }
            checkUnique("sub-agent", subAgents);
            checkUnique("handoff", handoffs);
            return new Agent(this);
        }

        private void checkUnique(String what, List<Agent> agents) {
            Set<String> seen = new HashSet<>();
            for (Agent a : agents) {
                if (!seen.add(a.name())) {
                    throw new IllegalArgumentException("agent '" + name + "' lists " + what + " '" + a.name() + "' twice");
                }
            }
        }
    }
}
