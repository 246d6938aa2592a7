package dev.keel.agents.team;

import dev.keel.agents.Agent;
import dev.keel.agents.Runner;
import dev.keel.agents.approval.Permissions;
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
     * A runner builder for the root with the team's permissions; add a model resolver and approver.
     *
     * @return a new runner builder
     */
    public Runner.Builder runner() {
        return Runner.builder(root).permissions(permissions);
    }

    @Override
    public String toString() {
        return "Team[root=" + root.name() + ", agents=" + agents.keySet() + "]";
    }
}
