package dev.keel.agents;

import dev.keel.agents.approval.Permissions;
import dev.keel.agents.approval.Safety;
import dev.keel.agents.hooks.Hooks;
import dev.keel.agents.tool.Toolset;
import dev.keel.core.ChatModel;
import dev.keel.core.models.ModelConfig;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
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
    private final List<String> handoffNames;
    private final Hooks hooks;
    private final String welcomeMessage;
    private final Map<String, AgentCommand> commands;
    private final StructuredOutput structuredOutput;
    private final List<String> promptFiles;
    private final int injectMemories;
    private final boolean redactSecrets;
    private final Safety safety;
    private final int maxConsecutiveToolCalls;
    private final int maxToolResultTokens;
    private final int maxOldToolCallTokens;
    private final boolean addDescriptionParameter;
    private final String forceHandoff;
    private final dev.keel.core.ToolChoice toolChoice;
    private final dev.keel.agents.skills.Skills skills;
    private final Workflow workflow;
    private final Compaction compaction;
    private final int promptFilesDepth;
    private final List<String> conversationStarters;
    private final ResponseCache responseCache;
    private final CodeMode codeMode;

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
        handoffNames = List.copyOf(b.handoffNames);
        hooks = b.hooks;
        welcomeMessage = b.welcomeMessage;
        commands = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(b.commands));
        structuredOutput = b.structuredOutput;
        promptFiles = List.copyOf(b.promptFiles);
        injectMemories = b.injectMemories;
        redactSecrets = b.redactSecrets;
        safety = b.safety;
        maxConsecutiveToolCalls = b.maxConsecutiveToolCalls;
        maxToolResultTokens = b.maxToolResultTokens;
        maxOldToolCallTokens = b.maxOldToolCallTokens;
        addDescriptionParameter = b.addDescriptionParameter;
        forceHandoff = b.forceHandoff;
        toolChoice = b.toolChoice;
        skills = b.skills;
        workflow = b.workflow;
        compaction = b.compaction;
        promptFilesDepth = b.promptFilesDepth;
        conversationStarters = List.copyOf(b.conversationStarters);
        responseCache = b.responseCache;
        codeMode = b.codeMode;
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
        b.handoffNames.addAll(handoffNames);
        b.hooks = hooks;
        b.welcomeMessage = welcomeMessage;
        b.commands.putAll(commands);
        b.structuredOutput = structuredOutput;
        b.promptFiles.addAll(promptFiles);
        b.injectMemories = injectMemories;
        b.redactSecrets = redactSecrets;
        b.safety = safety;
        b.maxConsecutiveToolCalls = maxConsecutiveToolCalls;
        b.maxToolResultTokens = maxToolResultTokens;
        b.maxOldToolCallTokens = maxOldToolCallTokens;
        b.addDescriptionParameter = addDescriptionParameter;
        b.forceHandoff = forceHandoff;
        b.toolChoice = toolChoice;
        b.skills = skills;
        b.workflow = workflow;
        b.compaction = compaction;
        b.promptFilesDepth = promptFilesDepth;
        b.conversationStarters.addAll(conversationStarters);
        b.responseCache = responseCache;
        b.codeMode = codeMode;
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
     * The model: an instance, or a configuration the runner resolves; {@code null} only for a workflow agent
     * ({@link #workflow()}), which runs other agents instead of a model.
     *
     * @return the model, or {@code null} for a workflow agent
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

    /**
     * Agents reachable with {@code handoff} by name only, resolved by the runner among the agents it knows (a
     * team's agents); they let two agents hand the conversation back and forth, which objects cannot express.
     *
     * @return names of agents reachable with {@code handoff} besides {@link #handoffs()}
     */
    public List<String> handoffNames() { return handoffNames; }

    /**
     * Every agent name reachable with {@code handoff}: {@link #handoffs()} then {@link #handoffNames()}.
     *
     * @return the handoff targets by name
     */
    public List<String> handoffTargets() {
        List<String> all = new ArrayList<>(handoffs.stream().map(Agent::name).toList());
        handoffNames.stream().filter(n -> !all.contains(n)).forEach(all::add);
        return List.copyOf(all);
    }

    /**
     * Hooks that run for this agent, after the runner's.
     *
     * @return the agent's hooks
     */
    public Hooks hooks() { return hooks; }

    /**
     * A message for a host to show when a session with this agent starts (docker-agent's {@code welcome_message}).
     *
     * @return the welcome message, may be empty
     */
    public String welcomeMessage() { return welcomeMessage; }

    /**
     * Named prompts, run with {@link Runner#runCommand(Session, String, String...)}.
     *
     * @return commands by name, in declaration order
     */
    public Map<String, AgentCommand> commands() { return commands; }

    /**
     * The shape the final answer must have, if any.
     *
     * @return the structured output, or empty
     */
    public Optional<StructuredOutput> structuredOutput() { return Optional.ofNullable(structuredOutput); }

    /**
     * Files whose contents join the system prompt, looked up from the working directory upwards and in the
     * home directory, read on every turn (docker-agent's {@code add_prompt_files}).
     *
     * @return the file names
     */
    public List<String> promptFiles() { return promptFiles; }

    /**
     * How many memories of the agent's memory toolset are added to each turn, the most relevant to the latest
     * user message first; 0 = none (docker-agent's {@code inject_memories} / {@code max_inject_memories}).
     *
     * @return the number of memories injected per turn
     */
    public int injectMemories() { return injectMemories; }

    /**
     * Whether detected secrets are scrubbed from tool arguments, messages sent to the model and tool output.
     *
     * @return whether secrets are redacted
     */
    public boolean redactSecrets() { return redactSecrets; }

    /**
     * The agent's safety mode, overriding the runner's; empty when the runner's applies.
     *
     * @return the safety mode, or empty
     */
    public Optional<Safety> safety() { return Optional.ofNullable(safety); }

    /**
     * Identical tool calls in a row after which the run stops (a loop); 0 = no limit.
     *
     * @return the limit
     */
    public int maxConsecutiveToolCalls() { return maxConsecutiveToolCalls; }

    /**
     * Approximate tokens (characters / 4) kept of each tool result, cut in the middle; 0 = the runner's limit.
     *
     * @return the limit
     */
    public int maxToolResultTokens() { return maxToolResultTokens; }

    /**
     * Approximate tokens of older tool calls' arguments and results sent to the model; older content beyond it
     * is replaced with a placeholder; 0 = all.
     *
     * @return the budget
     */
    public int maxOldToolCallTokens() { return maxOldToolCallTokens; }

    /**
     * Whether every tool gets an optional {@code description} argument in which the model says why it calls
     * it (removed before the tool runs, shown in events).
     *
     * @return whether tools get a description argument
     */
    public boolean addDescriptionParameter() { return addDescriptionParameter; }

    /**
     * The agent that takes over whenever this one gives a final answer (docker-agent's {@code force_handoff}).
     *
     * @return the agent's name, or empty
     */
    public Optional<String> forceHandoff() { return Optional.ofNullable(forceHandoff); }

    /**
     * Whether and which tool the model must call (docker-agent's {@code tool_choice}). {@code none} and
     * {@code auto} apply to every model call; {@code required} and a named tool to the first call of each run
     * only, so that the agent can still answer once it has used a tool.
     *
     * @return the tool choice, or empty for the provider's default
     */
    public Optional<dev.keel.core.ToolChoice> toolChoice() { return Optional.ofNullable(toolChoice); }

    /**
     * The agent's skills (docker-agent's {@code skills}): listed in its system prompt, read with
     * {@code read_skill}, forked ones run with {@code run_skill}.
     *
     * @return the skills, {@link dev.keel.agents.skills.Skills#none()} by default
     */
    public dev.keel.agents.skills.Skills skills() { return skills; }

    /**
     * The workflow this agent runs instead of a model (Keel's extension; a team file's {@code x-keel-workflow}).
     *
     * @return the workflow, or empty for an agent with a model
     */
    public Optional<Workflow> workflow() { return Optional.ofNullable(workflow); }

    /**
     * How the agent's session is compacted when its context grows (docker-agent's {@code session_compaction},
     * {@code compaction_threshold}, {@code compaction_model}).
     *
     * @return the compaction settings, {@link Compaction#defaults()} unless set
     */
    public Compaction compaction() { return compaction; }

    /**
     * How many directory levels below the working directory are searched for more {@link #promptFiles()}, listed to
     * the model by path only (docker-agent's {@code add_prompt_files_depth}); 0 = none.
     *
     * @return the depth
     */
    public int promptFilesDepth() { return promptFilesDepth; }

    /**
     * Suggested first messages for a host's user interface to offer (docker-agent's {@code conversation_starters});
     * Keel itself sends none of them.
     *
     * @return the suggestions, in order
     */
    public List<String> conversationStarters() { return conversationStarters; }

    /**
     * The cache of answers replayed when a question is asked again (docker-agent's {@code cache}).
     *
     * @return the cache, or empty when answers are not cached
     */
    public Optional<ResponseCache> responseCache() { return Optional.ofNullable(responseCache); }

    /**
     * Code mode (docker-agent's {@code code_mode_tools}): the model gets one tool that runs a JavaScript program in
     * which each of the agent's tools is a function, instead of the tools themselves.
     *
     * @return the code mode's limits, or empty when the agent calls its tools directly
     */
    public Optional<CodeMode> codeMode() { return Optional.ofNullable(codeMode); }

    @Override
    public boolean equals(Object o) {
        return o instanceof Agent a && name.equals(a.name) && description.equals(a.description)
                && instruction.equals(a.instruction) && Objects.equals(model, a.model)
                && Objects.equals(workflow, a.workflow)
                && toolsets.equals(a.toolsets) && subAgents.equals(a.subAgents) && handoffs.equals(a.handoffs)
                && maxIterations == a.maxIterations && numHistoryItems == a.numHistoryItems && addDate == a.addDate
                && addEnvironmentInfo == a.addEnvironmentInfo && permissions.equals(a.permissions)
                && handoffNames.equals(a.handoffNames) && hooks.equals(a.hooks) && welcomeMessage.equals(a.welcomeMessage)
                && commands.equals(a.commands) && Objects.equals(structuredOutput, a.structuredOutput)
                && promptFiles.equals(a.promptFiles) && injectMemories == a.injectMemories
                && redactSecrets == a.redactSecrets && safety == a.safety
                && maxConsecutiveToolCalls == a.maxConsecutiveToolCalls && maxToolResultTokens == a.maxToolResultTokens
                && maxOldToolCallTokens == a.maxOldToolCallTokens && addDescriptionParameter == a.addDescriptionParameter
                && Objects.equals(forceHandoff, a.forceHandoff) && Objects.equals(toolChoice, a.toolChoice)
                && skills.equals(a.skills) && compaction.equals(a.compaction)
                && promptFilesDepth == a.promptFilesDepth && conversationStarters.equals(a.conversationStarters)
                && responseCache == a.responseCache && Objects.equals(codeMode, a.codeMode);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, description, instruction, model, workflow, toolsets,
                subAgents, handoffs, maxIterations, numHistoryItems, addDate, addEnvironmentInfo, permissions);
    }

    @Override
    public String toString() {
        if (workflow != null) {
            return "Agent[" + name + ", workflow=" + workflow + "]";
        }
        return "Agent[" + name + ", model=" + model.label() + ", toolsets=" + toolsets.stream().map(Toolset::name).toList()
                + ", subAgents=" + subAgents.stream().map(Agent::name).toList()
                + ", handoffs=" + handoffTargets() + "]";
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
        private final List<String> handoffNames = new ArrayList<>();
        private Hooks hooks = Hooks.none();
        private String welcomeMessage = "";
        private final Map<String, AgentCommand> commands = new LinkedHashMap<>();
        private StructuredOutput structuredOutput;
        private final List<String> promptFiles = new ArrayList<>();
        private int injectMemories;
        private boolean redactSecrets;
        private Safety safety;
        private int maxConsecutiveToolCalls;
        private int maxToolResultTokens;
        private int maxOldToolCallTokens;
        private boolean addDescriptionParameter;
        private String forceHandoff;
        private dev.keel.core.ToolChoice toolChoice;
        private dev.keel.agents.skills.Skills skills = dev.keel.agents.skills.Skills.none();
        private Workflow workflow;
        private Compaction compaction = Compaction.defaults();
        private int promptFilesDepth;
        private final List<String> conversationStarters = new ArrayList<>();
        private ResponseCache responseCache;
        private CodeMode codeMode;

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
         * Uses a model combination (fallback chain, routing, alternates, first available), resolved by the runner.
         *
         * @param spec the spec
         * @return this builder
         */
        public Builder model(dev.keel.core.models.ModelSpec spec) {
            return model(AgentModel.of(spec));
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
         * Sets agents reachable with {@code handoff} by name (replacing any set before), resolved by the runner
         * among the agents it knows; use it for agents that hand back and forth.
         *
         * @param names agent names
         * @return this builder
         */
        public Builder handoffNames(List<String> names) {
            List<String> copy = List.copyOf(names);
            handoffNames.clear();
            handoffNames.addAll(copy);
            return this;
        }

        /**
         * Hooks that run for this agent after the runner's (replaces).
         *
         * @param hooks the hooks
         * @return this builder
         */
        public Builder hooks(Hooks hooks) {
            this.hooks = Objects.requireNonNull(hooks, "hooks");
            return this;
        }

        /**
         * A message for a host to show when a session starts.
         *
         * @param message the message
         * @return this builder
         */
        public Builder welcomeMessage(String message) {
            this.welcomeMessage = Objects.requireNonNullElse(message, "");
            return this;
        }

        /**
         * Sets the named prompts (replacing any set before).
         *
         * @param commands the commands
         * @return this builder
         */
        public Builder commands(List<AgentCommand> commands) {
            Map<String, AgentCommand> copy = new LinkedHashMap<>();
            for (AgentCommand c : commands) {
                if (copy.put(c.name(), c) != null) {
                    throw new IllegalArgumentException("agent '" + name + "' has two commands named '" + c.name() + "'");
                }
            }
            this.commands.clear();
            this.commands.putAll(copy);
            return this;
        }

        /**
         * The shape the final answer must have ({@code null} for free text).
         *
         * @param output the structured output
         * @return this builder
         */
        public Builder structuredOutput(StructuredOutput output) {
            this.structuredOutput = output;
            return this;
        }

        /**
         * Files whose contents join the system prompt on every turn (replaces).
         *
         * @param files file names, looked up from the working directory upwards and in the home directory
         * @return this builder
         */
        public Builder promptFiles(List<String> files) {
            List<String> copy = List.copyOf(files);
            promptFiles.clear();
            promptFiles.addAll(copy);
            return this;
        }

        /**
         * Adds up to {@code max} relevant memories of the agent's memory toolset to each turn (0 = none).
         *
         * @param max memories per turn
         * @return this builder
         */
        public Builder injectMemories(int max) {
            if (max < 0) {
                throw new IllegalArgumentException("injectMemories cannot be negative, was " + max);
            }
            this.injectMemories = max;
            return this;
        }

        /**
         * Scrubs detected secrets from tool arguments, messages sent to the model and tool output.
         *
         * @param redact whether to redact
         * @return this builder
         */
        public Builder redactSecrets(boolean redact) {
            this.redactSecrets = redact;
            return this;
        }

        /**
         * The agent's safety mode ({@code null}: the runner's).
         *
         * @param safety the mode
         * @return this builder
         */
        public Builder safety(Safety safety) {
            this.safety = safety;
            return this;
        }

        /**
         * Stops the run after this many identical tool calls in a row (0 = no limit).
         *
         * @param max the limit
         * @return this builder
         */
        public Builder maxConsecutiveToolCalls(int max) {
            this.maxConsecutiveToolCalls = nonNegative(max, "maxConsecutiveToolCalls");
            return this;
        }

        /**
         * Keeps about this many tokens of each tool result, cut in the middle (0 = the runner's limit).
         *
         * @param max the limit
         * @return this builder
         */
        public Builder maxToolResultTokens(int max) {
            this.maxToolResultTokens = nonNegative(max, "maxToolResultTokens");
            return this;
        }

        /**
         * Sends about this many tokens of older tool calls; older content becomes a placeholder (0 = all).
         *
         * @param max the budget
         * @return this builder
         */
        public Builder maxOldToolCallTokens(int max) {
            this.maxOldToolCallTokens = nonNegative(max, "maxOldToolCallTokens");
            return this;
        }

        /**
         * Gives every tool an optional {@code description} argument for the model to say why it calls it.
         *
         * @param add whether to add it
         * @return this builder
         */
        public Builder addDescriptionParameter(boolean add) {
            this.addDescriptionParameter = add;
            return this;
        }

        /**
         * Hands the conversation to {@code agent} whenever this agent gives a final answer ({@code null}: never).
         *
         * @param agent the agent's name, resolved by the runner
         * @return this builder
         */
        public Builder forceHandoff(String agent) {
            if (name.equals(agent)) {
                throw new IllegalArgumentException("agent '" + name + "' cannot force a handoff to itself");
            }
            this.forceHandoff = agent;
            return this;
        }

        /**
         * Whether and which tool the model must call ({@code null}: the provider's default).
         *
         * @param choice the tool choice
         * @return this builder
         */
        public Builder toolChoice(dev.keel.core.ToolChoice choice) {
            this.toolChoice = choice;
            return this;
        }

        /**
         * The agent's skills.
         *
         * @param skills the skills
         * @return this builder
         */
        public Builder skills(dev.keel.agents.skills.Skills skills) {
            this.skills = Objects.requireNonNull(skills, "skills");
            return this;
        }

        /**
         * Makes this a workflow agent: it runs other agents as {@code workflow} says instead of calling a model
         * ({@code null}: an agent with a model). A workflow agent has a name and a description and nothing of a
         * model agent: {@link #build()} refuses a model, toolsets, sub-agents, handoffs, an instruction, a
         * structured output, a tool choice, commands and skills on it.
         *
         * @param workflow the workflow
         * @return this builder
         */
        public Builder workflow(Workflow workflow) {
            this.workflow = workflow;
            return this;
        }

        /**
         * How the agent's session is compacted (default {@link Compaction#defaults()}).
         *
         * @param compaction the settings
         * @return this builder
         */
        public Builder compaction(Compaction compaction) {
            this.compaction = Objects.requireNonNull(compaction, "compaction");
            return this;
        }

        /**
         * Also lists, by path only, the {@link #promptFiles prompt files} found up to {@code depth} directory levels
         * below the working directory (0, the default: none).
         *
         * @param depth the depth
         * @return this builder
         */
        public Builder promptFilesDepth(int depth) {
            this.promptFilesDepth = nonNegative(depth, "promptFilesDepth");
            return this;
        }

        /**
         * Sets the suggested first messages a host may offer (replaces).
         *
         * @param starters the suggestions
         * @return this builder
         */
        public Builder conversationStarters(List<String> starters) {
            List<String> copy = List.copyOf(starters);
            conversationStarters.clear();
            conversationStarters.addAll(copy);
            return this;
        }

        /**
         * Replays answers from this cache when a question is asked again ({@code null}: no cache).
         *
         * @param cache the cache
         * @return this builder
         */
        public Builder responseCache(ResponseCache cache) {
            this.responseCache = cache;
            return this;
        }

        /**
         * Turns code mode on with these limits ({@code null}: off, the default): the model calls the agent's tools
         * from a JavaScript program, each call approved and hooked as a direct call would be.
         *
         * @param limits the limits on one program, for example {@link CodeMode#defaults()}
         * @return this builder
         */
        public Builder codeMode(CodeMode limits) {
            this.codeMode = limits;
            return this;
        }

        private static int nonNegative(int v, String what) {
            if (v < 0) {
                throw new IllegalArgumentException(what + " cannot be negative, was " + v);
            }
            return v;
        }

        /**
         * Builds the agent.
         *
         * @return the agent
         * @throws IllegalArgumentException when no model is set (or one is set on a workflow agent, with anything
         *                                  else only a model agent has), or sub-agent / handoff names repeat
         */
        public Agent build() {
            if (workflow != null) {
                checkWorkflowAgent();
                return new Agent(this);
            }
            if (model == null) {
                throw new IllegalArgumentException("agent '" + name + "' has no model");
            }
            checkUnique("sub-agent", subAgents);
            checkUnique("handoff", handoffs);
            return new Agent(this);
        }

        private void checkWorkflowAgent() {
            List<String> modelOnly = new ArrayList<>();
            if (model != null) {
                modelOnly.add("a model");
            }
            if (!instruction.isEmpty()) {
                modelOnly.add("an instruction");
            }
            if (!toolsets.isEmpty()) {
                modelOnly.add("toolsets");
            }
            if (!subAgents.isEmpty()) {
                modelOnly.add("sub-agents");
            }
            if (!handoffs.isEmpty() || !handoffNames.isEmpty() || forceHandoff != null) {
                modelOnly.add("handoffs");
            }
            if (structuredOutput != null) {
                modelOnly.add("a structured output");
            }
            if (toolChoice != null) {
                modelOnly.add("a tool choice");
            }
            if (!commands.isEmpty()) {
                modelOnly.add("commands");
            }
            if (!skills.equals(dev.keel.agents.skills.Skills.none())) {
                modelOnly.add("skills");
            }
            if (!modelOnly.isEmpty()) {
                throw new IllegalArgumentException("workflow agent '" + name + "' runs other agents and cannot have "
                        + String.join(", ", modelOnly) + "; give them to its steps");
            }
            for (Agent step : workflow.agents()) {
                if (step.name().equals(name)) {
                    throw new IllegalArgumentException("workflow agent '" + name + "' lists an agent of its own name");
                }
            }
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
