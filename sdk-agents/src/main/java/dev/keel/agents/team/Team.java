package dev.keel.agents.team;

import dev.keel.agents.Agent;
import dev.keel.agents.AgentModel;
import dev.keel.agents.Runner;
import dev.keel.agents.approval.Permissions;
import dev.keel.core.ChatModel;
import dev.keel.core.models.ModelConfig;
import dev.keel.core.models.ModelRegistry;
import dev.keel.core.models.ModelResolver;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A loaded team: the root agent (the file's first agent) with its whole graph, every agent by name, the
 * team-level permissions, and warnings about cagent fields that Keel reads but does not act on.
 *
 * @param root        the root agent
 * @param agents      every agent of the file by name, in file order
 * @param permissions team-level permission patterns
 * @param warnings    {@code file:line: field: note} lines for ignored cagent fields
 */
public record Team(Agent root, Map<String, Agent> agents, Permissions permissions, List<String> warnings) {
    /**
     * Creates the value, checking its components.
     *
     * @param root the root agent
     * @param agents every agent of the file by name, in file order
     * @param permissions team-level permission patterns
     * @param warnings {@code file:line: field: note} lines for ignored cagent fields
     */
    public Team {
        Objects.requireNonNull(root, "root");
        agents = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(agents));
        Objects.requireNonNull(permissions, "permissions");
        warnings = List.copyOf(warnings);
    }

    /**
     * A runner builder for the root with the team's permissions; add an approver, and the models to use if
     * not the built-in providers over the process environment:
     *
     * <pre>{@code
     * try (ScriptedModelServer llm = ScriptedModelServer.start();
     *      Runner runner = team.runner().models(llm.models()).build()) { … }
     * }</pre>
     *
     * @return a runner builder for the root with the team's permissions; add an approver, and the models to use if not the built-in providers over the process environment:  <pre>{@code try (ScriptedModelServer llm = ScriptedModelServer.start(); Runner runner = team.runner().models(llm.models()).build()) { … } }</pre> /
     */
    public Runner.Builder runner() {
        return Runner.builder(root).permissions(permissions);
    }

    /**
     * Checks up front what would otherwise fail when a model is first called: every model the team's agents
     * name resolves through the built-in providers over the process environment (known provider or a
     * {@code base_url}, key variable set). Nothing is sent.
     *
     * @throws TeamValidationException listing every agent whose model cannot be resolved, and why
     */
    public void validate() {
        try (ModelRegistry registry = ModelRegistry.defaults()) {
            validate(registry);
        }
    }

    /**
     * Like {@link #validate()}, resolving through {@code models} (for example a registry with your own
     * environment). Models resolved for the check are closed again.
     *
     * @param models the models
     * @throws TeamValidationException listing every agent whose model cannot be resolved, and why
     */
    public void validate(ModelResolver models) {
        Map<ModelConfig, List<String>> users = new LinkedHashMap<>();
        for (Agent a : agents.values()) {
            if (a.model() instanceof AgentModel.Configured c) {
                users.computeIfAbsent(c.config(), k -> new ArrayList<>()).add(a.name());
            }
        }
        List<String> problems = new ArrayList<>();
        users.forEach((config, names) -> {
            try (ChatModel ignored = models.resolve(config)) {
                // resolvable: nothing to report
            } catch (RuntimeException e) {
                problems.add("model '" + config.reference() + "' of " + names + ": " + e.getMessage());
            }
        });
        if (!problems.isEmpty()) {
            throw new TeamValidationException(root.name(), problems);
        }
    }

    @Override
    public String toString() {
        return "Team[root=" + root.name() + ", agents=" + agents.keySet() + "]";
    }
}
