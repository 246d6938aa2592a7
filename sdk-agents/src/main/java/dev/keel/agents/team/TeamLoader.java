package dev.keel.agents.team;

import dev.keel.agents.Agent;
import dev.keel.agents.approval.Permissions;
import dev.keel.agents.approval.ToolPattern;
import dev.keel.agents.internal.YamlTree;
import dev.keel.agents.internal.YamlTree.Entry;
import dev.keel.agents.internal.YamlTree.ListNode;
import dev.keel.agents.internal.YamlTree.MapNode;
import dev.keel.agents.internal.YamlTree.Node;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns one team file into a {@link Team}: parses the YAML, checks the top level against the
 * {@link TeamSchema}, hands {@code models}/{@code providers} to the {@link ModelSection} and toolset entries
 * to the {@link ToolsetSection}, and builds the agent graph (sub-agents and handoffs first, cycles
 * refused). Field access and located errors are {@link TeamFields}'. One instance per load; not thread-safe.
 */
final class TeamLoader {
    private final TeamFields f;
    private final Map<String, Entry> agentNodes = new LinkedHashMap<>();
    private final Map<String, Agent> built = new LinkedHashMap<>();
    private final Set<String> building = new LinkedHashSet<>();
    private ModelSection modelSection;
    private ToolsetSection toolsetSection;

    TeamLoader(String file, TeamOptions options) {
        this.f = new TeamFields(file, options);
    }

    Team load(String yaml) {
        // A leading "#!" line (an executable team file) is a comment to YAML already; blank it to be sure
        // while keeping line numbers.
        if (yaml.startsWith("#!")) {
            int nl = yaml.indexOf('\n');
            yaml = nl < 0 ? "" : yaml.substring(nl);
        }
        Node doc;
        try {
            doc = YamlTree.parse(yaml);
        } catch (YamlTree.SyntaxException e) {
            throw f.error(e.line(), "", "invalid YAML: " + e.getMessage());
        }
        MapNode top = f.map(doc, "");
        f.checkFields(top, "", TeamSchema.TOP, TeamSchema.TOP_IGNORED);
        Entry version = top.entries().get("version");
        if (version != null) {
            String v = f.scalarText(version.value(), "version");
            // cagent schemas 0-6 and Docker Agent's later ones up to 15 share the fields Keel reads.
            if (!v.matches("[0-9]|1[0-5]")) {
                f.warn(version.line() + ": version: '" + v + "' is not a known cagent schema version");
            }
        }
        modelSection = new ModelSection(f, f.entries(top, "models"), f.entries(top, "providers"));
        modelSection.checkAll();
        toolsetSection = new ToolsetSection(f, f.entries(top, "mcps"), f.entries(top, "toolsets"));
        readAgents(top);
        Permissions permissions = permissions(top.entries().get("permissions"), "permissions");
        for (String name : agentNodes.keySet()) {
            agent(name, agentNodes.get(name).line(), "agents");
        }
        Agent root = built.get(agentNodes.keySet().iterator().next());
        Map<String, Agent> ordered = new LinkedHashMap<>();
        agentNodes.keySet().forEach(n -> ordered.put(n, built.get(n)));
        return new Team(root, ordered, permissions, f.warnings());
    }

    private void readAgents(MapNode top) {
        Entry agents = top.entries().get("agents");
        if (agents == null) {
            throw f.error(top.line(), "agents", "a team file needs at least one agent");
        }
        if (agents.value() instanceof ListNode list) {
            // The list form: agents: [{name: root, ...}, ...]
            int i = 0;
            for (Node n : list.items()) {
                MapNode m = f.map(n, "agents[" + i + "]");
                Entry name = m.entries().get("name");
                if (name == null) {
                    throw f.error(m.line(), "agents[" + i + "]", "an agent in list form needs a 'name'");
                }
                String key = f.scalarText(name.value(), "agents[" + i + "].name");
                if (agentNodes.put(key, new Entry(key, m.line(), m)) != null) {
                    throw f.error(m.line(), "agents[" + i + "].name", "duplicate agent '" + key + "'");
                }
                i++;
            }
        } else {
            agentNodes.putAll(f.map(agents.value(), "agents").entries());
        }
        if (agentNodes.isEmpty()) {
            throw f.error(agents.line(), "agents", "a team file needs at least one agent");
        }
    }


    /** Builds agent {@code name}, its sub-agents and handoffs first; detects cycles. */
    private Agent agent(String name, int refLine, String refField) {
        Agent done = built.get(name);
        if (done != null) {
            return done;
        }
        Entry e = agentNodes.get(name);
        if (e == null) {
            throw f.error(refLine, refField, "unknown agent '" + name + "'; agents are " + agentNodes.keySet());
        }
        if (!building.add(name)) {
            List<String> cycle = new ArrayList<>(building);
            cycle = cycle.subList(cycle.indexOf(name), cycle.size());
            throw f.error(refLine, refField, "cycle in sub_agents/handoffs: " + String.join(" -> ", cycle) + " -> " + name);
        }
        String path = "agents." + name;
        MapNode m = f.map(e.value(), path);
        f.checkFields(m, path, TeamSchema.AGENT, TeamSchema.AGENT_IGNORED);
        Agent.Builder b;
        try {
            b = Agent.builder(name);
        } catch (IllegalArgumentException ex) {
            throw f.error(e.line(), path, ex.getMessage());
        }
        Entry model = m.entries().get("model");
        if (model == null) {
            throw f.error(m.line(), path + ".model", "agent '" + name + "' has no model");
        }
        b.model(modelSection.model(f.scalarText(model.value(), path + ".model"), model.line(), path + ".model"));
        f.optString(m, "description", path).ifPresent(b::description);
        f.optString(m, "instruction", path).ifPresent(b::instruction);
        Entry instructionFile = m.entries().get("instruction_file");
        if (instructionFile != null) {
            if (m.entries().containsKey("instruction")) {
                throw f.error(instructionFile.line(), path + ".instruction_file", "cannot be combined with 'instruction'");
            }
            b.instruction(instructionFiles(instructionFile, path + ".instruction_file"));
        }
        f.optBool(m, "add_date", path).ifPresent(b::addDate);
        f.optBool(m, "add_environment_info", path).ifPresent(b::addEnvironmentInfo);
        Entry maxIt = m.entries().get("max_iterations");
        if (maxIt != null) {
            int v = f.integer(maxIt.value(), path + ".max_iterations");
            if (v > 0) {
                b.maxIterations(v);
            }
        }
        Entry hist = m.entries().get("num_history_items");
        if (hist != null) {
            int v = f.integer(hist.value(), path + ".num_history_items");
            if (v < 0) {
                throw f.error(hist.line(), path + ".num_history_items", "must not be negative");
            }
            b.numHistoryItems(v);
        }
        Entry perms = m.entries().get("permissions");
        if (perms != null) {
            b.permissions(permissions(perms, path + ".permissions"));
        }
        boolean readOnlyAgent = f.optBool(m, "readonly", path).orElse(false);
        Entry toolsets = m.entries().get("toolsets");
        if (toolsets != null) {
            ListNode list = f.list(toolsets.value(), path + ".toolsets");
            for (int i = 0; i < list.items().size(); i++) {
                b.addToolset(ToolsetSection.readOnly(toolsetSection.toolset(list.items().get(i), path + ".toolsets[" + i + "]"), readOnlyAgent));
            }
        }
        Entry uses = m.entries().get("use_toolsets");
        if (uses != null) {
            ListNode list = f.list(uses.value(), path + ".use_toolsets");
            for (int i = 0; i < list.items().size(); i++) {
                Node n = list.items().get(i);
                b.addToolset(ToolsetSection.readOnly(toolsetSection.sharedToolset(f.scalarText(n, path + ".use_toolsets[" + i + "]"), n.line(),
                        path + ".use_toolsets[" + i + "]"), readOnlyAgent));
            }
        }
        for (String[] kind : new String[][] {{"sub_agents", "sub"}, {"handoffs", "hand"}}) {
            Entry refs = m.entries().get(kind[0]);
            if (refs == null) {
                continue;
            }
            ListNode list = f.list(refs.value(), path + "." + kind[0]);
            List<Agent> agents = new ArrayList<>();
            for (int i = 0; i < list.items().size(); i++) {
                Node n = list.items().get(i);
                String field = path + "." + kind[0] + "[" + i + "]";
                agents.add(agent(f.scalarText(n, field), n.line(), field));
            }
            try {
                if (kind[1].equals("sub")) {
                    b.subAgents(agents);
                } else {
                    b.handoffs(agents);
                }
            } catch (IllegalArgumentException ex) {
                throw f.error(refs.line(), path + "." + kind[0], ex.getMessage());
            }
        }
        Agent agent;
        try {
            agent = b.build();
        } catch (IllegalArgumentException ex) {
            throw f.error(e.line(), path, ex.getMessage());
        }
        building.remove(name);
        built.put(name, agent);
        return agent;
    }


    /** The files' contents, in order, separated by a blank line; paths stay inside the base directory. */
    private String instructionFiles(Entry e, String field) {
        List<String> names = new ArrayList<>();
        if (e.value() instanceof ListNode l) {
            for (int i = 0; i < l.items().size(); i++) {
                names.add(f.scalarText(l.items().get(i), field + "[" + i + "]"));
            }
        } else {
            names.add(f.scalarText(e.value(), field));
        }
        List<String> parts = new ArrayList<>();
        for (String name : names) {
            Path rel = Path.of(name);
            if (rel.isAbsolute() || rel.normalize().startsWith("..")) {
                throw f.error(e.line(), field, "'" + name + "' must be a relative path inside " + f.options().baseDirectory());
            }
            Path file = f.options().baseDirectory().resolve(rel).normalize();
            try {
                parts.add(java.nio.file.Files.readString(file).strip());
            } catch (java.io.IOException | RuntimeException ex) {
                throw f.error(e.line(), field, "cannot read instruction file " + file + ": " + ex.getClass().getSimpleName());
            }
        }
        return String.join("\n\n", parts);
    }

    private Permissions permissions(Entry e, String path) {
        if (e == null) {
            return Permissions.none();
        }
        MapNode m = f.map(e.value(), path);
        f.checkFields(m, path, Set.of("allow", "ask", "deny"), Set.of());
        List<List<String>> lists = new ArrayList<>();
        for (String kind : List.of("allow", "ask", "deny")) {
            List<String> patterns = f.strings(m, kind, path);
            Entry k = m.entries().get(kind);
            for (String p : patterns) {
                try {
                    ToolPattern.parse(p);
                } catch (IllegalArgumentException ex) {
                    throw f.error(k.line(), path + "." + kind, ex.getMessage());
                }
            }
            lists.add(patterns);
        }
        return new Permissions(lists.get(0), lists.get(1), lists.get(2));
    }
}
