package dev.keel.agents.team;

import dev.keel.agents.Agent;
import dev.keel.agents.approval.Permissions;
import dev.keel.agents.approval.ToolPattern;
import dev.keel.agents.internal.YamlTree;
import dev.keel.agents.internal.YamlTree.Entry;
import dev.keel.agents.internal.YamlTree.ListNode;
import dev.keel.agents.internal.YamlTree.MapNode;
import dev.keel.agents.internal.YamlTree.Node;
import dev.keel.agents.internal.YamlTree.Scalar;
import dev.keel.agents.tool.Toolset;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns one team file into a {@link Team}: parses the YAML, applies the requested {@code flavors}, migrates
 * an older schema version to the current one ({@link Migrations}), checks every field against the
 * {@link TeamSchema} ({@link SchemaWalk}), hands {@code models}/{@code providers} to the {@link ModelSection}
 * and toolset entries to the {@link ToolsetSection}, and builds the agent graph (sub-agents and handoffs first,
 * cycles refused). Field access and located errors are {@link TeamFields}'. One instance per load; not
 * thread-safe.
 */
final class TeamLoader {
    /** Agent fields Keel reads but does not act on yet: a warning each. */
    private static final Set<String> AGENT_PENDING = Set.of();
    /** Top-level sections Keel reads but does not act on yet: a warning each. */
    private static final Set<String> TOP_PENDING = Set.of();
    /** docker-agent's default for {@code max_consecutive_tool_calls}. */
    private static final int DEFAULT_MAX_CONSECUTIVE_TOOL_CALLS = 5;
    /** Memories injected per turn when {@code inject_memories} is on and {@code max_inject_memories} is 0 or unset. */
    static final int DEFAULT_INJECT_MEMORIES = 5;

    private final TeamFields f;
    private final Map<String, Entry> agentNodes = new LinkedHashMap<>();
    private final Map<String, Agent> built = new LinkedHashMap<>();
    private final Set<String> building = new LinkedHashSet<>();
    private ModelSection modelSection;
    private ToolsetSection toolsetSection;
    private HookSection hookSection;
    private CommandSection commandSection;
    private SkillSection skillSection;
    private CompactionSection compactionSection;
    private BudgetSection budgetSection;
    private final Map<String, ModelDefinition> agentModels = new LinkedHashMap<>();
    private int version = TeamSchema.LATEST_VERSION;
    private dev.keel.agents.approval.Safety defaultSafety;

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
        Flavors.Applied flavors = Flavors.apply(f, f.map(doc, ""), f.options().flavors());
        MapNode top = flavors.document();
        version = version(top);
        top = new Migrations(f, version).apply(top);
        top = (MapNode) new SchemaWalk(f).walk(top, TeamSchema.TOP, "");
        Entry fileEnv = top.entries().get("env");
        if (fileEnv != null) {
            f.fileEnv(f.env(top, "", "env"));
        }
        for (String section : TOP_PENDING) {
            Entry e = top.entries().get(section);
            if (e != null) {
                f.warn(e.line() + ": " + section + ": read, but Keel does not act on it yet");
            }
        }
        modelSection = new ModelSection(f, f.entries(top, "models"), f.entries(top, "providers"));
        modelSection.checkAll();
        toolsetSection = new ToolsetSection(f, f.entries(top, "mcps"), f.entries(top, "toolsets"));
        toolsetSection.models(modelSection);
        toolsetSection.sandboxes(new TeamSandboxes(f, top.entries().get("runtime")));
        knowledgeBases(top);
        Map<String, Evaluator> evaluators = EvaluatorSection.read(f, f.entries(top, "evaluators"), modelSection);
        hookSection = new HookSection(f, modelSection, evaluators);
        commandSection = new CommandSection(f, f.entries(top, "commands"));
        skillSection = new SkillSection(f, f.entries(top, "skills"), modelSection, toolsetSection,
                f.entries(top, "toolsets"));
        compactionSection = new CompactionSection(f, modelSection);
        defaultSafety = runtimeSafety(top);
        budgetSection = new BudgetSection(f, top);
        readAgents(top);
        Permissions permissions = permissions(top.entries().get("permissions"), "permissions");
        for (String name : agentNodes.keySet()) {
            agent(name, agentNodes.get(name).line(), "agents");
        }
        Agent root = built.get(agentNodes.keySet().iterator().next());
        Map<String, Agent> ordered = new LinkedHashMap<>();
        agentNodes.keySet().forEach(n -> ordered.put(n, built.get(n)));
        budgetSection.warnUnused();
        return new Team(root, ordered, permissions, f.warnings(), modelSection.prices(), version,
                f.options().workingDirectory(), evaluators, budgetSection.run(), budgetSection.named(), flavors.applied());
    }

    /**
     * The top-level {@code rag:} knowledge bases and {@code type: rag} toolsets ({@link RagSection}), checked now
     * when the file has any. They need {@code dev.keel.rag}: without it, a file that uses them fails to load with an
     * error naming the module, and {@link RagSection} (which touches its types) is never loaded.
     */
    private void knowledgeBases(MapNode top) {
        Entry rag = top.entries().get("rag");
        RagSection[] section = new RagSection[1];
        java.util.function.BiFunction<Integer, String, RagSection> needed = (line, field) -> {
            if (section[0] == null) {
                if (!ragAvailable()) {
                    throw f.error(line, field, "knowledge bases need the module dev.keel.rag (Maven artifact "
                            + "dev.keel:sdk-rag), which is not on the class or module path: add the dependency "
                            + "(on the module path, also 'requires dev.keel.rag' or --add-modules dev.keel.rag)");
                }
                section[0] = new RagSection(f, modelSection, f.entries(top, "rag"));
            }
            return section[0];
        };
        toolsetSection.register("rag", Set.of("ref", "rag_config"), (m, path) -> needed.apply(m.line(), path).toolset(m, path));
        if (rag != null) {
            needed.apply(rag.line(), "rag").checkAll();
        }
    }

    /** Whether {@code dev.keel.rag} can be loaded next to this module; touches none of its types. */
    private static boolean ragAvailable() {
        try {
            Class.forName("dev.keel.rag.knowledge.KnowledgeBase", false, TeamLoader.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** The declared schema version; absent is the latest (docker-agent's behaviour). */
    private int version(MapNode top) {
        Entry v = top.entries().get("version");
        if (v == null) {
            return TeamSchema.LATEST_VERSION;
        }
        String text = v.value() instanceof Scalar s && s.value() != null ? String.valueOf(s.value()).strip() : "";
        if (!text.matches("\\d{1,3}")) {
            f.warn(v.line() + ": version: '" + text + "' is not a schema version; read as the latest ("
                    + TeamSchema.LATEST_VERSION + ")");
            return TeamSchema.LATEST_VERSION;
        }
        int n = Integer.parseInt(text);
        if (n > TeamSchema.LATEST_VERSION) {
            f.warn(v.line() + ": version: schema version " + n + " is newer than Keel knows ("
                    + TeamSchema.LATEST_VERSION + "); read as " + TeamSchema.LATEST_VERSION
                    + ", fields Keel does not know are warnings");
            return TeamSchema.LATEST_VERSION;
        }
        return n;
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
            for (Entry e : agentNodes.values()) {
                if (e.value() instanceof MapNode m && m.entries().get("name") != null) {
                    String written = f.scalarText(m.entries().get("name").value(), "agents." + e.key() + ".name");
                    if (!written.equals(e.key())) {
                        f.warn(m.entries().get("name").line() + ": agents." + e.key() + ".name: the key names the agent; '"
                                + written + "' ignored");
                    }
                }
            }
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
            String what = refField.contains(TeamSchema.WORKFLOW) ? "cycle in workflow steps: " : "cycle in sub_agents/handoffs: ";
            throw f.error(refLine, refField, what + String.join(" -> ", cycle) + " -> " + name);
        }
        String path = "agents." + name;
        MapNode m = f.map(e.value(), path);
        Entry workflowEntry = m.entries().get(TeamSchema.WORKFLOW);
        if (workflowEntry != null) {
            Agent agent = new WorkflowSection(f, this::agent).agent(name, e.line(), m, workflowEntry, path);
            building.remove(name);
            built.put(name, agent);
            return agent;
        }
        budgetSection.agent(name, m, path);
        for (String pending : AGENT_PENDING) {
            Entry p = m.entries().get(pending);
            if (p != null) {
                f.warn(p.line() + ": " + path + "." + pending + ": read, but Keel does not act on it yet");
            }
        }
        Agent.Builder b;
        try {
            b = Agent.builder(name);
        } catch (IllegalArgumentException ex) {
            throw f.error(e.line(), path, ex.getMessage());
        }
        Entry model = m.entries().get("model");
        Entry harness = m.entries().get("harness");
        if (harness != null) {
            // docker-agent runs a harness agent's turns in a coding-agent CLI; Keel loads it and fails at its first turn.
            MapNode h = f.map(harness.value(), path + ".harness");
            String type = f.requiredString(h, "type", path + ".harness");
            b.model(new dev.keel.agents.AgentModel.Instance(new HarnessModel(name, type,
                    f.optString(h, "command", path + ".harness").orElse(null)), dev.keel.core.ChatOptions.defaults()));
            f.warn(harness.line() + ": " + path + ".harness: agent '" + name + "' runs in the " + type
                    + " CLI, which Keel does not drive: the team loads, and the agent's first turn fails naming it");
        } else if (model == null) {
            throw f.error(m.line(), path + ".model", "agent '" + name + "' has no model");
        } else {
            ModelSection.ModelChoice choice = modelSection.choose(f.scalarText(model.value(), path + ".model"),
                    model.line(), path + ".model");
            b.model(fallback(m, path, choice.spec()));
            agentModels.put(name, choice.primary());
            b.compaction(compactionSection.read(m, path, choice.primary()));
        }
        f.optString(m, "welcome_message", path).ifPresent(b::welcomeMessage);
        b.promptFiles(f.strings(m, "add_prompt_files", path));
        AgentExtras.read(f, m, path, b);
        b.redactSecrets(f.optBool(m, "redact_secrets", path).orElse(true));
        Entry safety = m.entries().get("safety");
        if (safety != null) {
            String mode = f.scalarText(safety.value(), path + ".safety");
            b.safety(dev.keel.agents.approval.Safety.named(mode).orElseThrow(() -> f.error(safety.line(), path + ".safety",
                    "unknown safety mode '" + mode + "'; use strict, balanced, restricted or autonomous")));
        } else if (defaultSafety != null) {
            b.safety(defaultSafety);
        }
        b.maxConsecutiveToolCalls(nonNegative(m, "max_consecutive_tool_calls", path, DEFAULT_MAX_CONSECUTIVE_TOOL_CALLS, true));
        b.maxToolResultTokens(nonNegative(m, "max_tool_result_tokens", path, 0, false));
        b.maxOldToolCallTokens(nonNegative(m, "max_old_tool_call_tokens", path, 0, false));
        f.optBool(m, "add_description_parameter", path).ifPresent(b::addDescriptionParameter);
        try {
            b.commands(commandSection.commands(m, path));
        } catch (IllegalArgumentException ex) {
            throw f.error(m.line(), path + ".commands", ex.getMessage());
        }
        b.skills(skillSection.skills(m, path));
        injectMemories(m, path, b);
        Entry structured = m.entries().get("structured_output");
        if (structured != null) {
            b.structuredOutput(structuredOutput(structured, path + ".structured_output"));
        }
        Entry toolChoice = m.entries().get("tool_choice");
        if (toolChoice != null) {
            b.toolChoice(dev.keel.core.ToolChoice.parse(f.scalarText(toolChoice.value(), path + ".tool_choice")));
        }
        Entry hooks = m.entries().get("hooks");
        if (hooks != null) {
            HookSection.Read read = hookSection.read(hooks, path + ".hooks", agentModels);
            b.hooks(read.hooks());
            if (read.redactsMessages()) {
                b.redactSecrets(true);
            }
        }
        f.optString(m, "description", path).ifPresent(b::description);
        instruction(m, path).ifPresent(b::instruction);
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
                Toolset t = toolsetSection.toolset(list.items().get(i), path + ".toolsets[" + i + "]");
                if (t != null) {
                    b.addToolset(ToolsetSection.readOnly(t, readOnlyAgent));
                }
            }
        }
        Entry uses = m.entries().get("use_toolsets");
        if (uses != null) {
            ListNode list = f.list(uses.value(), path + ".use_toolsets");
            for (int i = 0; i < list.items().size(); i++) {
                Node n = list.items().get(i);
                Toolset t = toolsetSection.sharedToolset(f.scalarText(n, path + ".use_toolsets[" + i + "]"), n.line(),
                        path + ".use_toolsets[" + i + "]");
                if (t != null) {
                    b.addToolset(ToolsetSection.readOnly(t, readOnlyAgent));
                }
            }
        }
        for (String[] kind : new String[][] {{"sub_agents", "sub"}, {"handoffs", "hand"}}) {
            Entry refs = m.entries().get(kind[0]);
            if (refs == null) {
                continue;
            }
            ListNode list = f.list(refs.value(), path + "." + kind[0]);
            List<Agent> agents = new ArrayList<>();
            List<String> byName = new ArrayList<>();
            for (int i = 0; i < list.items().size(); i++) {
                Node n = list.items().get(i);
                String field = path + "." + kind[0] + "[" + i + "]";
                String target = f.scalarText(n, field);
                if (kind[1].equals("hand") && isWorkflow(target)) {
                    throw f.error(n.line(), field, "'" + target + "' is a workflow agent (" + TeamSchema.WORKFLOW
                            + "); hand off to a model agent, or reach the workflow through sub_agents");
                }
                if (kind[1].equals("hand") && building.contains(target)) {
                    // A handoff back to an agent being built (A hands to B, B back to A): by name, resolved by the runner.
                    byName.add(target);
                } else {
                    agents.add(agent(target, n.line(), field));
                }
            }
            try {
                if (kind[1].equals("sub")) {
                    b.subAgents(agents);
                } else {
                    b.handoffs(agents);
                    b.handoffNames(byName);
                }
            } catch (IllegalArgumentException ex) {
                throw f.error(refs.line(), path + "." + kind[0], ex.getMessage());
            }
        }
        Entry forced = m.entries().get("force_handoff");
        if (forced != null) {
            String target = f.scalarText(forced.value(), path + ".force_handoff");
            if (!agentNodes.containsKey(target)) {
                throw f.error(forced.line(), path + ".force_handoff", "unknown agent '" + target + "'; agents are "
                        + agentNodes.keySet());
            }
            if (isWorkflow(target)) {
                throw f.error(forced.line(), path + ".force_handoff", "'" + target + "' is a workflow agent ("
                        + TeamSchema.WORKFLOW + "); hand off to a model agent, or reach the workflow through sub_agents");
            }
            checkForcedChain(name, forced.line(), path + ".force_handoff");
            try {
                b.forceHandoff(target);
            } catch (IllegalArgumentException ex) {
                throw f.error(forced.line(), path + ".force_handoff", ex.getMessage());
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


    /** An agent's {@code instruction}: a string, or a list of strings joined by blank lines (what {@code instruction+} makes). */
    private java.util.Optional<String> instruction(MapNode m, String path) {
        Entry e = m.entries().get("instruction");
        if (e == null || !(e.value() instanceof ListNode parts)) {
            return f.optString(m, "instruction", path);
        }
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < parts.items().size(); i++) {
            texts.add(f.scalarText(parts.items().get(i), path + ".instruction[" + i + "]"));
        }
        return java.util.Optional.of(String.join("\n\n", texts));
    }

    private boolean isWorkflow(String agent) {
        Entry e = agentNodes.get(agent);
        return e != null && e.value() instanceof MapNode m && m.entries().containsKey(TeamSchema.WORKFLOW);
    }

    private dev.keel.agents.StructuredOutput structuredOutput(Entry e, String path) {
        MapNode so = f.map(e.value(), path);
        String name = f.requiredString(so, "name", path);
        Entry schema = so.entries().get("schema");
        if (schema == null) {
            throw f.error(so.line(), path + ".schema", "missing required field 'schema'");
        }
        if (!(dev.keel.agents.internal.YamlTree.json(schema.value()) instanceof dev.keel.core.json.JsonObject json)) {
            throw f.error(schema.line(), path + ".schema", "expected a JSON schema object");
        }
        String mode = f.optString(so, "mode", path).orElse("native").toLowerCase(java.util.Locale.ROOT);
        if (!mode.equals("native") && !mode.equals("tool")) {
            throw f.error(so.entries().get("mode").line(), path + ".mode", "expected native or tool");
        }
        try {
            return new dev.keel.agents.StructuredOutput(name, f.optString(so, "description", path).orElse(""),
                    dev.keel.core.tool.JsonSchema.of(json), f.optBool(so, "strict", path).orElse(false),
                    mode.equals("tool") ? dev.keel.agents.StructuredOutput.Mode.TOOL : dev.keel.agents.StructuredOutput.Mode.NATIVE,
                    2);
        } catch (IllegalArgumentException ex) {
            throw f.error(e.line(), path, ex.getMessage());
        }
    }

    /** An agent's {@code fallback}: its model, then the listed ones, with retries and a cooldown (docker-agent's rules). */
    private dev.keel.core.models.ModelSpec fallback(MapNode m, String path, dev.keel.core.models.ModelSpec primary) {
        Entry e = m.entries().get("fallback");
        if (e == null) {
            return primary;
        }
        String fp = path + ".fallback";
        MapNode fb = f.map(e.value(), fp);
        List<dev.keel.core.models.ModelSpec> specs = new ArrayList<>();
        Entry list = fb.entries().get("models");
        for (String ref : f.strings(fb, "models", fp)) {
            for (String one : ref.split(",")) {
                if (!one.isBlank()) {
                    specs.add(modelSection.definition(one.strip(), list.line(), fp + ".models", false).spec());
                }
            }
        }
        Integer retries = f.optInt(fb, "retries", fp);
        int effective = retries == null || retries == 0 ? dev.keel.core.models.ModelSpec.Fallback.DEFAULT_RETRIES
                : retries < 0 ? 0 : retries;
        java.time.Duration cooldown = fb.entries().containsKey("cooldown")
                ? f.goDuration(fb.entries().get("cooldown").value(), fp + ".cooldown")
                : dev.keel.core.models.ModelSpec.Fallback.DEFAULT_COOLDOWN;
        try {
            return new dev.keel.core.models.ModelSpec.Fallback(primary, specs, effective, cooldown);
        } catch (IllegalArgumentException ex) {
            throw f.error(e.line(), fp, ex.getMessage());
        }
    }

    /** {@code inject_memories} with the {@code local} strategy, the only one docker-agent accepts. */
    private void injectMemories(MapNode m, String path, Agent.Builder b) {
        Entry strategy = m.entries().get("inject_memories_strategy");
        if (strategy != null) {
            String s = f.scalarText(strategy.value(), path + ".inject_memories_strategy");
            if (!s.isEmpty() && !s.equals("local")) {
                throw f.error(strategy.line(), path + ".inject_memories_strategy", "'" + s
                        + "' is not a strategy; the only one is local");
            }
        }
        int max = nonNegative(m, "max_inject_memories", path, DEFAULT_INJECT_MEMORIES, true);
        if (f.optBool(m, "inject_memories", path).orElse(false)) {
            b.injectMemories(max);
        }
    }

    private int nonNegative(MapNode m, String key, String path, int fallback, boolean zeroMeansDefault) {
        Entry e = m.entries().get(key);
        if (e == null) {
            return fallback;
        }
        int v = f.integer(e.value(), path + "." + key);
        if (v < -1) {
            throw f.error(e.line(), path + "." + key, "must be -1 or more");
        }
        return v == 0 && zeroMeansDefault ? fallback : Math.max(0, v);
    }

    /** {@code force_handoff} chains must not loop back (docker-agent's rule). */
    private void checkForcedChain(String start, int line, String field) {
        List<String> chain = new ArrayList<>(List.of(start));
        String at = start;
        while (true) {
            Entry e = agentNodes.get(at);
            if (e == null || !(e.value() instanceof MapNode m) || m.entries().get("force_handoff") == null) {
                return;
            }
            at = f.scalarText(m.entries().get("force_handoff").value(), "agents." + at + ".force_handoff");
            if (chain.contains(at)) {
                chain.add(at);
                throw f.error(line, field, "force_handoff chain loops: " + String.join(" -> ", chain));
            }
            chain.add(at);
        }
    }

    private dev.keel.agents.approval.Safety runtimeSafety(MapNode top) {
        Entry runtime = top.entries().get("runtime");
        if (runtime == null) {
            return null;
        }
        MapNode r = f.map(runtime.value(), "runtime"); // sandbox and network_allowlist: TeamSandboxes
        Entry safety = r.entries().get("safety");
        if (safety == null) {
            return null;
        }
        String mode = f.scalarText(safety.value(), "runtime.safety");
        return dev.keel.agents.approval.Safety.named(mode).orElseThrow(() -> f.error(safety.line(), "runtime.safety",
                "unknown safety mode '" + mode + "'; use strict, balanced, restricted or autonomous"));
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
