package dev.keel.agents.team;

import dev.keel.agents.Agent;
import dev.keel.agents.Workflow;
import dev.keel.agents.internal.YamlTree.Entry;
import dev.keel.agents.internal.YamlTree.ListNode;
import dev.keel.agents.internal.YamlTree.MapNode;
import dev.keel.agents.internal.YamlTree.Node;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads Keel's extension {@value TeamSchema#WORKFLOW} on an agent: exactly one of {@code sequential},
 * {@code parallel} (with an optional {@code join}) or {@code loop} (with optional {@code max_iterations} and
 * {@code exit_tool}), each a list of agent names of the same file. A workflow agent has a name, a description and
 * its workflow; anything a model agent has is a located error, so a file never runs a workflow agent as something
 * else. Step names are resolved through the loader, which builds them first and refuses cycles. Stateless.
 */
final class WorkflowSection {
    /** Builds the agent called {@code name}, referenced at {@code line} by {@code field}. */
    @FunctionalInterface
    interface AgentRefs {
        Agent agent(String name, int line, String field);
    }

    private static final Set<String> KINDS = Set.of("sequential", "parallel", "loop");
    private static final Set<String> WORKFLOW_AGENT_FIELDS = Set.of("name", "description", TeamSchema.WORKFLOW);

    private final TeamFields f;
    private final AgentRefs refs;

    WorkflowSection(TeamFields f, AgentRefs refs) {
        this.f = f;
        this.refs = refs;
    }

    Agent agent(String name, int line, MapNode agentNode, Entry workflowEntry, String path) {
        String field = path + "." + TeamSchema.WORKFLOW;
        for (Entry other : agentNode.entries().values()) {
            if (!WORKFLOW_AGENT_FIELDS.contains(other.key())) {
                throw f.error(other.line(), path + "." + other.key(), "a workflow agent (" + TeamSchema.WORKFLOW
                        + ") runs other agents and has only a name and a description; '" + other.key()
                        + "' belongs on its steps");
            }
        }
        MapNode w = f.map(workflowEntry.value(), field);
        List<Entry> kinds = w.entries().values().stream().filter(e -> KINDS.contains(e.key())).toList();
        if (kinds.isEmpty()) {
            throw f.error(workflowEntry.line(), field, "needs one of sequential, parallel or loop, each a list of agents");
        }
        if (kinds.size() > 1) {
            throw f.error(kinds.get(1).line(), field + "." + kinds.get(1).key(), "a workflow is one of sequential, "
                    + "parallel or loop, not both '" + kinds.get(0).key() + "' and '" + kinds.get(1).key()
                    + "'; nest them as agents of their own");
        }
        Entry kind = kinds.get(0);
        only(w, field, "join", "parallel", kind.key());
        only(w, field, "max_iterations", "loop", kind.key());
        only(w, field, "exit_tool", "loop", kind.key());
        List<Agent> steps = steps(kind, field + "." + kind.key(), kind.key().equals("parallel"));
        Workflow workflow;
        try {
            workflow = switch (kind.key()) {
                case "sequential" -> Workflow.sequential(steps);
                case "parallel" -> Workflow.parallel(steps).join(join(w, field));
                default -> loop(w, field, Workflow.loop(steps));
            };
        } catch (IllegalArgumentException ex) {
            throw f.error(kind.line(), field + "." + kind.key(), ex.getMessage());
        }
        Agent.Builder b = Agent.builder(name).workflow(workflow);
        f.optString(agentNode, "description", path).ifPresent(b::description);
        try {
            return b.build();
        } catch (IllegalArgumentException ex) {
            throw f.error(line, path, ex.getMessage());
        }
    }

    private List<Agent> steps(Entry kind, String field, boolean unique) {
        ListNode list = f.list(kind.value(), field);
        if (list.items().isEmpty()) {
            throw f.error(kind.line(), field, "lists no agents; a workflow needs at least one");
        }
        List<Agent> steps = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < list.items().size(); i++) {
            Node n = list.items().get(i);
            String item = field + "[" + i + "]";
            String target = f.scalarText(n, item);
            Integer first = seen.putIfAbsent(target, i);
            if (unique && first != null) {
                throw f.error(n.line(), item, "agent '" + target + "' is already branch " + first
                        + "; a parallel workflow runs each agent once");
            }
            steps.add(refs.agent(target, n.line(), item));
        }
        return steps;
    }

    private Agent join(MapNode w, String field) {
        Entry join = w.entries().get("join");
        if (join == null) {
            return null;
        }
        String target = f.scalarText(join.value(), field + ".join");
        return refs.agent(target, join.line(), field + ".join");
    }

    private Workflow.Loop loop(MapNode w, String field, Workflow.Loop loop) {
        Entry max = w.entries().get("max_iterations");
        if (max != null) {
            int n = f.integer(max.value(), field + ".max_iterations");
            if (n <= 0) {
                throw f.error(max.line(), field + ".max_iterations", "must be positive, was " + n);
            }
            loop = loop.maxIterations(n);
        }
        Entry exit = w.entries().get("exit_tool");
        if (exit != null) {
            try {
                loop = loop.exitTool(f.scalarText(exit.value(), field + ".exit_tool"));
            } catch (IllegalArgumentException ex) {
                throw f.error(exit.line(), field + ".exit_tool", ex.getMessage());
            }
        }
        return loop;
    }

    private void only(MapNode w, String field, String key, String kind, String actual) {
        Entry e = w.entries().get(key);
        if (e != null && !kind.equals(actual)) {
            throw f.error(e.line(), field + "." + key, "applies to a " + kind + " workflow, not to " + actual);
        }
    }

    @Override
    public String toString() {
        return "WorkflowSection";
    }
}
