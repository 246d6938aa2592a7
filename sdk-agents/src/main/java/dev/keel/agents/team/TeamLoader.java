package dev.keel.agents.team;

import dev.keel.agents.Agent;
import dev.keel.agents.ModelConfig;
import dev.keel.agents.approval.Permissions;
import dev.keel.agents.approval.ToolPattern;
import dev.keel.agents.internal.YamlTree;
import dev.keel.agents.internal.YamlTree.Entry;
import dev.keel.agents.internal.YamlTree.ListNode;
import dev.keel.agents.internal.YamlTree.MapNode;
import dev.keel.agents.internal.YamlTree.Node;
import dev.keel.agents.internal.YamlTree.Scalar;
import dev.keel.agents.mcp.McpToolset;
import dev.keel.agents.mcp.McpTransport;
import dev.keel.agents.tool.Toolset;
import dev.keel.agents.toolsets.ConfiguredToolset;
import dev.keel.agents.toolsets.FetchToolset;
import dev.keel.agents.toolsets.ScriptToolset;
import dev.keel.agents.toolsets.ShellToolset;
import dev.keel.agents.toolsets.Toolsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Turns one team file into a {@link Team}. One instance per load; not thread-safe. */
final class TeamLoader {
    private static final Set<String> TOP = Set.of("version", "agents", "models", "providers", "mcps", "permissions",
            "metadata", "toolsets");
    /** Top-level cagent / Docker Agent sections Keel accepts but does not act on: reported as warnings. */
    private static final Set<String> TOP_IGNORED = Set.of("rag", "commands", "skills", "runtime", "budget", "budgets",
            "flavors");
    private static final Set<String> AGENT = Set.of("name", "model", "description", "instruction", "instruction_file",
            "toolsets", "use_toolsets", "sub_agents", "handoffs", "add_date", "add_environment_info", "max_iterations",
            "num_history_items", "permissions", "readonly");
    /** cagent agent fields Keel accepts but does not act on: reported as warnings. */
    private static final Set<String> AGENT_IGNORED = Set.of("welcome_message", "commands", "add_prompt_files",
            "add_prompt_files_depth", "code_mode_tools", "structured_output", "skills", "hooks", "fallback", "rag",
            "add_description_parameter", "max_consecutive_tool_calls", "max_old_tool_call_tokens",
            "max_tool_result_tokens", "session_compaction", "compaction_threshold", "compaction_model",
            "conversation_starters", "harness", "force_handoff", "safety", "redact_secrets", "budgets", "cache",
            "use_commands", "use_skills");
    /** Generation options a model (or, as defaults, a provider) may set. */
    private static final Set<String> OPTIONS = Set.of("temperature", "max_tokens", "top_p", "frequency_penalty",
            "presence_penalty", "thinking_budget", "parallel_tool_calls");
    private static final Set<String> MODEL = union(OPTIONS, Set.of("provider", "model", "base_url", "token_key"));
    private static final Set<String> MODEL_IGNORED = Set.of("provider_opts", "track_usage", "routing", "task_budget",
            "auth", "compaction_model", "compaction_threshold");
    private static final Set<String> PROVIDER = union(OPTIONS, Set.of("provider", "api_type", "base_url", "token_key"));
    private static final Set<String> PROVIDER_IGNORED = Set.of("provider_opts", "track_usage", "task_budget", "auth",
            "compaction_model", "unload_api");
    private static final Set<String> TOOLSET_COMMON = Set.of("type", "tools", "instruction", "readonly");
    private static final Set<String> TOOLSET_IGNORED = Set.of("toon", "defer", "sandbox", "lifecycle");
    private static final Map<String, Set<String>> TOOLSET = Map.of(
            "think", Set.of("shared"), "todo", Set.of("shared"), "memory", Set.of("path"),
            "filesystem", Set.of("path", "post_edit", "ignore_vcs"), "shell", Set.of("env", "timeout"),
            "script", Set.of("shell", "timeout"), "fetch", Set.of("timeout", "allowed_hosts"),
            "mcp", Set.of("command", "args", "env", "ref", "remote", "config", "timeout"));
    private static final Set<String> KNOWN_UNSUPPORTED_TOOLSETS = Set.of("api", "a2a", "lsp", "rag", "user_prompt",
            "openapi", "tasks", "background_agents");
    private static final Set<String> MCP = Set.of("command", "args", "env", "remote", "ref", "config", "timeout");
    private static final Map<String, String> DEFAULT_KEYS = Map.of("openai", "OPENAI_API_KEY",
            "anthropic", "ANTHROPIC_API_KEY", "google", "GOOGLE_API_KEY", "mistral", "MISTRAL_API_KEY", "xai", "XAI_API_KEY");
    private static final Pattern ENV_REF = Pattern.compile("\\$\\{env\\.([A-Za-z_][A-Za-z0-9_]*)}");
    private static final Pattern VAR_REF = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}|\\$([A-Za-z_][A-Za-z0-9_]*)");

    private final String file;
    private final TeamOptions options;
    private final Set<String> warnings = new LinkedHashSet<>();
    private final Map<String, Entry> agentNodes = new LinkedHashMap<>();
    private final Map<String, Agent> built = new LinkedHashMap<>();
    private final Set<String> building = new LinkedHashSet<>();
    private Map<String, Entry> models = Map.of();
    private Map<String, Entry> providers = Map.of();
    private Map<String, Entry> mcps = Map.of();
    private Map<String, Entry> sharedToolsets = Map.of();
    /** Top-level {@code toolsets} built once, so agents that use one share the same instance. */
    private final Map<String, Toolset> builtShared = new LinkedHashMap<>();

    TeamLoader(String file, TeamOptions options) {
        this.file = file;
        this.options = options;
    }

    private TeamFileException error(int line, String field, String problem) {
        return new TeamFileException(file, line, field, problem);
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
            throw error(e.line(), "", "invalid YAML: " + e.getMessage());
        }
        MapNode top = map(doc, "");
        checkFields(top, "", TOP, TOP_IGNORED);
        Entry version = top.entries().get("version");
        if (version != null) {
            String v = scalarText(version.value(), "version");
            // cagent schemas 0-6 and Docker Agent's later ones up to 15 share the fields Keel reads.
            if (!v.matches("[0-9]|1[0-5]")) {
                warnings.add(file + ":" + version.line() + ": version: '" + v + "' is not a known cagent schema version");
            }
        }
        models = entries(top, "models");
        providers = entries(top, "providers");
        mcps = entries(top, "mcps");
        sharedToolsets = entries(top, "toolsets");
        models.values().forEach(e -> checkFields(map(e.value(), "models." + e.key()), "models." + e.key(), MODEL, MODEL_IGNORED));
        providers.values().forEach(e -> checkProvider(e));
        readAgents(top);
        Permissions permissions = permissions(top.entries().get("permissions"), "permissions");
        for (String name : agentNodes.keySet()) {
            agent(name, agentNodes.get(name).line(), "agents");
        }
        Agent root = built.get(agentNodes.keySet().iterator().next());
        Map<String, Agent> ordered = new LinkedHashMap<>();
        agentNodes.keySet().forEach(n -> ordered.put(n, built.get(n)));
        return new Team(root, ordered, permissions, List.copyOf(warnings));
    }

    private void readAgents(MapNode top) {
        Entry agents = top.entries().get("agents");
        if (agents == null) {
            throw error(top.line(), "agents", "a team file needs at least one agent");
        }
        if (agents.value() instanceof ListNode list) {
            // The list form: agents: [{name: root, ...}, ...]
            int i = 0;
            for (Node n : list.items()) {
                MapNode m = map(n, "agents[" + i + "]");
                Entry name = m.entries().get("name");
                if (name == null) {
                    throw error(m.line(), "agents[" + i + "]", "an agent in list form needs a 'name'");
                }
                String key = scalarText(name.value(), "agents[" + i + "].name");
                if (agentNodes.put(key, new Entry(key, m.line(), m)) != null) {
                    throw error(m.line(), "agents[" + i + "].name", "duplicate agent '" + key + "'");
                }
                i++;
            }
        } else {
            agentNodes.putAll(map(agents.value(), "agents").entries());
        }
        if (agentNodes.isEmpty()) {
            throw error(agents.line(), "agents", "a team file needs at least one agent");
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
            throw error(refLine, refField, "unknown agent '" + name + "'; agents are " + agentNodes.keySet());
        }
        if (!building.add(name)) {
            List<String> cycle = new ArrayList<>(building);
            cycle = cycle.subList(cycle.indexOf(name), cycle.size());
            throw error(refLine, refField, "cycle in sub_agents/handoffs: " + String.join(" -> ", cycle) + " -> " + name);
        }
        String path = "agents." + name;
        MapNode m = map(e.value(), path);
        checkFields(m, path, AGENT, AGENT_IGNORED);
        Agent.Builder b;
        try {
            b = Agent.builder(name);
        } catch (IllegalArgumentException ex) {
            throw error(e.line(), path, ex.getMessage());
        }
        Entry model = m.entries().get("model");
        if (model == null) {
            throw error(m.line(), path + ".model", "agent '" + name + "' has no model");
        }
        b.model(model(scalarText(model.value(), path + ".model"), model.line(), path + ".model"));
        optString(m, "description", path).ifPresent(b::description);
        optString(m, "instruction", path).ifPresent(b::instruction);
        Entry instructionFile = m.entries().get("instruction_file");
        if (instructionFile != null) {
            if (m.entries().containsKey("instruction")) {
                throw error(instructionFile.line(), path + ".instruction_file", "cannot be combined with 'instruction'");
            }
            b.instruction(instructionFiles(instructionFile, path + ".instruction_file"));
        }
        optBool(m, "add_date", path).ifPresent(b::addDate);
        optBool(m, "add_environment_info", path).ifPresent(b::addEnvironmentInfo);
        Entry maxIt = m.entries().get("max_iterations");
        if (maxIt != null) {
            int v = integer(maxIt.value(), path + ".max_iterations");
            if (v > 0) {
                b.maxIterations(v);
            }
        }
        Entry hist = m.entries().get("num_history_items");
        if (hist != null) {
            int v = integer(hist.value(), path + ".num_history_items");
            if (v < 0) {
                throw error(hist.line(), path + ".num_history_items", "must not be negative");
            }
            b.numHistoryItems(v);
        }
        Entry perms = m.entries().get("permissions");
        if (perms != null) {
            b.permissions(permissions(perms, path + ".permissions"));
        }
        boolean readOnlyAgent = optBool(m, "readonly", path).orElse(false);
        Entry toolsets = m.entries().get("toolsets");
        if (toolsets != null) {
            ListNode list = list(toolsets.value(), path + ".toolsets");
            for (int i = 0; i < list.items().size(); i++) {
                b.toolsets(readOnly(toolset(list.items().get(i), path + ".toolsets[" + i + "]"), readOnlyAgent));
            }
        }
        Entry uses = m.entries().get("use_toolsets");
        if (uses != null) {
            ListNode list = list(uses.value(), path + ".use_toolsets");
            for (int i = 0; i < list.items().size(); i++) {
                Node n = list.items().get(i);
                b.toolsets(readOnly(sharedToolset(scalarText(n, path + ".use_toolsets[" + i + "]"), n.line(),
                        path + ".use_toolsets[" + i + "]"), readOnlyAgent));
            }
        }
        for (String[] kind : new String[][] {{"sub_agents", "sub"}, {"handoffs", "hand"}}) {
            Entry refs = m.entries().get(kind[0]);
            if (refs == null) {
                continue;
            }
            ListNode list = list(refs.value(), path + "." + kind[0]);
            List<Agent> agents = new ArrayList<>();
            for (int i = 0; i < list.items().size(); i++) {
                Node n = list.items().get(i);
                String field = path + "." + kind[0] + "[" + i + "]";
                agents.add(agent(scalarText(n, field), n.line(), field));
            }
            try {
                if (kind[1].equals("sub")) {
                    b.subAgents(agents);
                } else {
                    b.handoffs(agents);
                }
            } catch (IllegalArgumentException ex) {
                throw error(refs.line(), path + "." + kind[0], ex.getMessage());
            }
        }
        Agent agent;
        try {
            agent = b.build();
        } catch (IllegalArgumentException ex) {
            throw error(e.line(), path, ex.getMessage());
        }
        building.remove(name);
        built.put(name, agent);
        return agent;
    }

    private ModelConfig model(String ref, int line, String field) {
        Entry named = models.get(ref);
        ModelConfig config;
        int keyLine = line;
        String keyField = field;
        if (named != null) {
            String path = "models." + ref;
            MapNode m = map(named.value(), path);
            String provider = requiredString(m, "provider", path);
            String modelName = requiredString(m, "model", path);
            String baseUrl = optString(m, "base_url", path).orElse(null);
            String tokenKey = optString(m, "token_key", path).orElse(null);
            MapNode p = providerNode(provider);
            if (p != null) {
                if (baseUrl == null) {
                    baseUrl = optString(p, "base_url", "providers." + provider).orElse(null);
                }
                if (tokenKey == null) {
                    tokenKey = optString(p, "token_key", "providers." + provider).orElse(null);
                }
            }
            config = withOptions(provider, modelName, baseUrl, tokenKey, m, path, p, "providers." + provider, named.line());
            Entry tk = m.entries().get("token_key");
            if (tk != null) {
                keyLine = tk.line();
                keyField = path + ".token_key";
            } else {
                keyLine = named.line();
                keyField = path;
            }
        } else if (ref.contains("/")) {
            try {
                config = ModelConfig.parse(ref);
            } catch (IllegalArgumentException ex) {
                throw error(line, field, ex.getMessage());
            }
            MapNode p = providerNode(config.provider());
            if (p != null) {
                String pp = "providers." + config.provider();
                config = withOptions(config.provider(), config.model(), optString(p, "base_url", pp).orElse(null),
                        optString(p, "token_key", pp).orElse(null), new MapNode(Map.of(), line), field, p, pp, line);
            }
        } else {
            throw error(line, field, "unknown model '" + ref + "'; use provider/model or one of " + models.keySet());
        }
        String key = config.tokenKey() != null ? config.tokenKey() : DEFAULT_KEYS.get(config.provider());
        if (options.checkKeys() && key != null && (options.env().get(key) == null || options.env().get(key).isBlank())) {
            throw error(keyLine, keyField, "model '" + config.reference() + "' needs the environment variable " + key
                    + ", which is not set");
        }
        return config;
    }

    private Toolset toolset(Node node, String path) {
        MapNode m = map(node, path);
        String type = requiredString(m, "type", path);
        Set<String> specific = TOOLSET.get(type);
        if (specific == null) {
            Entry t = m.entries().get("type");
            String why = KNOWN_UNSUPPORTED_TOOLSETS.contains(type) ? "is not supported by Keel"
                    : "is unknown; supported types are " + new java.util.TreeSet<>(TOOLSET.keySet());
            throw error(t.line(), path + ".type", "toolset type '" + type + "' " + why);
        }
        Set<String> allowed = new java.util.HashSet<>(TOOLSET_COMMON);
        allowed.addAll(specific);
        checkFields(m, path, allowed, TOOLSET_IGNORED);
        Toolset t = switch (type) {
            case "think" -> Toolsets.think();
            case "todo" -> Toolsets.todo();
            case "memory" -> Toolsets.memory(resolvePath(requiredString(m, "path", path)));
            case "filesystem" -> {
                if (m.entries().containsKey("post_edit")) {
                    warnings.add(file + ":" + m.entries().get("post_edit").line() + ": " + path + ".post_edit: not supported, ignored");
                }
                yield Toolsets.filesystem(optString(m, "path", path).map(this::resolvePath).orElse(options.baseDirectory()));
            }
            case "shell" -> {
                ShellToolset.Builder shell = ShellToolset.builder(options.commandRunner()).env(env(m, path));
                Integer timeout = optInt(m, "timeout", path);
                if (timeout != null) {
                    shell.timeout(Duration.ofSeconds(timeout));
                }
                yield shell.build();
            }
            case "script" -> script(m, path);
            case "fetch" -> {
                FetchToolset.Builder fetch = FetchToolset.builder(options.httpClient())
                        .allowedHosts(strings(m, "allowed_hosts", path));
                Integer timeout = optInt(m, "timeout", path);
                if (timeout != null) {
                    fetch.timeout(Duration.ofSeconds(timeout));
                }
                yield fetch.build();
            }
            default -> mcp(m, path, null);
        };
        return configure(t, m, path);
    }

    /** Applies {@code tools}, {@code instruction} and {@code readonly} of a toolset entry. */
    private Toolset configure(Toolset t, MapNode m, String path) {
        List<String> only = strings(m, "tools", path);
        String instruction = optString(m, "instruction", path).orElse(null);
        Toolset configured = only.isEmpty() && instruction == null ? t
                : ConfiguredToolset.builder(t).only(only).instruction(instruction).build();
        return readOnly(configured, optBool(m, "readonly", path).orElse(false));
    }

    /** {@code readonly: true}: only the tools that declare themselves read-only stay. */
    private static Toolset readOnly(Toolset t, boolean readOnly) {
        if (!readOnly) {
            return t;
        }
        return t instanceof ConfiguredToolset c
                ? ConfiguredToolset.builder(c.delegate()).only(c.only()).instruction(c.instructionOverride()).readOnlyOnly(true).build()
                : ConfiguredToolset.builder(t).readOnlyOnly(true).build();
    }

    private Toolset sharedToolset(String name, int line, String field) {
        Toolset done = builtShared.get(name);
        if (done != null) {
            return done;
        }
        Entry e = sharedToolsets.get(name);
        if (e == null) {
            throw error(line, field, "unknown toolset '" + name + "'; the top-level toolsets are " + sharedToolsets.keySet());
        }
        Toolset t = toolset(e.value(), "toolsets." + name);
        builtShared.put(name, t);
        return t;
    }

    /** The files' contents, in order, separated by a blank line; paths stay inside the base directory. */
    private String instructionFiles(Entry e, String field) {
        List<String> names = new ArrayList<>();
        if (e.value() instanceof ListNode l) {
            for (int i = 0; i < l.items().size(); i++) {
                names.add(scalarText(l.items().get(i), field + "[" + i + "]"));
            }
        } else {
            names.add(scalarText(e.value(), field));
        }
        List<String> parts = new ArrayList<>();
        for (String name : names) {
            Path rel = Path.of(name);
            if (rel.isAbsolute() || rel.normalize().startsWith("..")) {
                throw error(e.line(), field, "'" + name + "' must be a relative path inside " + options.baseDirectory());
            }
            Path file = options.baseDirectory().resolve(rel).normalize();
            try {
                parts.add(java.nio.file.Files.readString(file).strip());
            } catch (java.io.IOException | RuntimeException ex) {
                throw error(e.line(), field, "cannot read instruction file " + file + ": " + ex.getClass().getSimpleName());
            }
        }
        return String.join("\n\n", parts);
    }

    private void checkProvider(Entry e) {
        String path = "providers." + e.key();
        MapNode p = map(e.value(), path);
        checkFields(p, path, PROVIDER, PROVIDER_IGNORED);
        Entry type = p.entries().get("provider");
        if (type != null && !"openai".equals(scalarText(type.value(), path + ".provider"))) {
            warnings.add(file + ":" + type.line() + ": " + path + ".provider: Keel talks to custom providers as "
                    + "OpenAI-compatible endpoints; '" + scalarText(type.value(), path + ".provider") + "' ignored");
        }
        Entry api = p.entries().get("api_type");
        if (api != null && !"openai_chatcompletions".equals(scalarText(api.value(), path + ".api_type"))) {
            warnings.add(file + ":" + api.line() + ": " + path + ".api_type: only openai_chatcompletions is supported; '"
                    + scalarText(api.value(), path + ".api_type") + "' ignored");
        }
    }

    private MapNode providerNode(String provider) {
        Entry e = providers.get(provider);
        return e == null ? null : map(e.value(), "providers." + provider);
    }

    /** A model's generation options; unset ones fall back to its provider's ({@code p}, may be null). */
    private ModelConfig withOptions(String provider, String model, String baseUrl, String tokenKey, MapNode m, String path,
                                    MapNode p, String providerPath, int line) {
        try {
            ModelConfig config = new ModelConfig(provider, model, baseUrl, tokenKey,
                    inherit(m, path, p, providerPath, "temperature", this::optDouble),
                    inherit(m, path, p, providerPath, "max_tokens", this::optInt),
                    inherit(m, path, p, providerPath, "top_p", this::optDouble),
                    inherit(m, path, p, providerPath, "presence_penalty", this::optDouble),
                    inherit(m, path, p, providerPath, "frequency_penalty", this::optDouble),
                    inherit(m, path, p, providerPath, "thinking_budget", this::thinkingBudget),
                    inherit(m, path, p, providerPath, "parallel_tool_calls", (n, k, pt) -> optBool(n, k, pt).orElse(null)));
            config.options();
            return config;
        } catch (IllegalArgumentException ex) {
            throw error(line, path, ex.getMessage());
        }
    }

    private interface OptionReader<T> {
        T read(MapNode m, String key, String path);
    }

    private static <T> T inherit(MapNode m, String path, MapNode p, String providerPath, String key, OptionReader<T> reader) {
        if (m.entries().containsKey(key)) {
            return reader.read(m, key, path);
        }
        return p == null ? null : reader.read(p, key, providerPath);
    }

    /** A token budget; effort levels ("low", "high", …) are not budgets and become a warning. */
    private Integer thinkingBudget(MapNode m, String key, String path) {
        Entry tb = m.entries().get(key);
        if (tb == null) {
            return null;
        }
        if (tb.value() instanceof Scalar s && s.value() instanceof Number) {
            return integer(tb.value(), path + "." + key);
        }
        String level = scalarText(tb.value(), path + "." + key);
        if (level.equals("none")) {
            return 0;
        }
        warnings.add(file + ":" + tb.line() + ": " + path + "." + key + ": effort levels are passed only as token budgets; '"
                + level + "' ignored");
        return null;
    }

    private Toolset script(MapNode m, String path) {
        Entry shell = m.entries().get("shell");
        if (shell == null) {
            throw error(m.line(), path + ".shell", "a script toolset needs 'shell' with named commands");
        }
        Map<String, ScriptToolset.Script> commands = new LinkedHashMap<>();
        for (Entry c : map(shell.value(), path + ".shell").entries().values()) {
            String cp = path + ".shell." + c.key();
            MapNode cm = map(c.value(), cp);
            checkFields(cm, cp, Set.of("cmd", "description", "args", "required", "env", "working_dir"), Set.of());
            Map<String, String> args = new LinkedHashMap<>();
            Entry a = cm.entries().get("args");
            if (a != null) {
                for (Entry arg : map(a.value(), cp + ".args").entries().values()) {
                    String desc = arg.value() instanceof MapNode am && am.entries().containsKey("description")
                            ? scalarText(am.entries().get("description").value(), cp + ".args." + arg.key() + ".description")
                            : arg.value() instanceof Scalar s && s.value() != null ? expand(String.valueOf(s.value()), arg.line(), cp)
                            : arg.key();
                    args.put(arg.key(), desc);
                }
            }
            try {
                dev.keel.core.tool.ToolSpec.of(c.key(), "");
            } catch (IllegalArgumentException ex) {
                throw error(c.line(), cp, ex.getMessage());
            }
            commands.put(c.key(), new ScriptToolset.Script(requiredString(cm, "cmd", cp),
                    optString(cm, "description", cp).orElse(null), args, env(cm, cp), optString(cm, "working_dir", cp).orElse(null)));
        }
        if (commands.isEmpty()) {
            throw error(shell.line(), path + ".shell", "declare at least one command");
        }
        ScriptToolset.Builder script = ScriptToolset.builder(options.commandRunner()).scripts(commands);
        Integer timeout = optInt(m, "timeout", path);
        if (timeout != null) {
            script.timeout(Duration.ofSeconds(timeout));
        }
        return script.build();
    }

    private Toolset mcp(MapNode m, String path, String refName) {
        Entry ref = m.entries().get("ref");
        if (ref != null) {
            String name = scalarText(ref.value(), path + ".ref");
            Entry target = mcps.get(name);
            if (target == null) {
                String hint = name.startsWith("docker:") ? "Docker MCP catalog references are not supported; declare the server under 'mcps'"
                        : "declared servers are " + mcps.keySet();
                throw error(ref.line(), path + ".ref", "unknown MCP server '" + name + "'; " + hint);
            }
            MapNode tm = map(target.value(), "mcps." + name);
            checkFields(tm, "mcps." + name, union(MCP, TOOLSET_COMMON), TOOLSET_IGNORED);
            if (tm.entries().containsKey("ref")) {
                throw error(tm.entries().get("ref").line(), "mcps." + name + ".ref", "an 'mcps' entry cannot itself be a ref");
            }
            return configure(mcp(tm, "mcps." + name, name), tm, "mcps." + name);
        }
        McpTransport transport;
        Entry remote = m.entries().get("remote");
        if (remote != null) {
            String rp = path + ".remote";
            MapNode r = map(remote.value(), rp);
            checkFields(r, rp, Set.of("url", "transport_type", "headers"), Set.of());
            String url = requiredString(r, "url", rp);
            String kind = optString(r, "transport_type", rp).orElse("streamable");
            Map<String, String> headers = env(r, rp, "headers");
            transport = switch (kind) {
                case "sse" -> new McpTransport.Sse(url, headers);
                case "streamable", "streamable-http", "streamableHttp", "http" -> new McpTransport.StreamableHttp(url, headers);
                default -> throw error(r.entries().get("transport_type").line(), rp + ".transport_type",
                        "unknown MCP transport '" + kind + "'; use sse or streamable");
            };
        } else {
            Entry command = m.entries().get("command");
            if (command == null) {
                throw error(m.line(), path, "an MCP toolset needs 'command', 'remote' or 'ref'");
            }
            transport = new McpTransport.Stdio(scalarText(command.value(), path + ".command"), strings(m, "args", path), env(m, path));
        }
        McpToolset.Builder b = McpToolset.builder(transport);
        if (refName != null) {
            b.name("mcp:" + refName);
        }
        Integer timeout = optInt(m, "timeout", path);
        if (timeout != null) {
            b.requestTimeout(Duration.ofSeconds(timeout));
        }
        return b.build();
    }

    private Permissions permissions(Entry e, String path) {
        if (e == null) {
            return Permissions.none();
        }
        MapNode m = map(e.value(), path);
        checkFields(m, path, Set.of("allow", "ask", "deny"), Set.of());
        List<List<String>> lists = new ArrayList<>();
        for (String kind : List.of("allow", "ask", "deny")) {
            List<String> patterns = strings(m, kind, path);
            Entry k = m.entries().get(kind);
            for (String p : patterns) {
                try {
                    ToolPattern.parse(p);
                } catch (IllegalArgumentException ex) {
                    throw error(k.line(), path + "." + kind, ex.getMessage());
                }
            }
            lists.add(patterns);
        }
        return new Permissions(lists.get(0), lists.get(1), lists.get(2));
    }

    // ---- helpers ------------------------------------------------------------------------------

    private Path resolvePath(String p) {
        Path path = Path.of(p.startsWith("~/") ? System.getProperty("user.home") + p.substring(1) : p);
        return path.isAbsolute() ? path : options.baseDirectory().resolve(path).normalize();
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new java.util.HashSet<>(a);
        all.addAll(b);
        return Set.copyOf(all);
    }

    private void checkFields(MapNode m, String path, Set<String> known, Set<String> ignored) {
        for (Entry e : m.entries().values()) {
            String field = path.isEmpty() ? e.key() : path + "." + e.key();
            if (ignored.contains(e.key())) {
                warnings.add(file + ":" + e.line() + ": " + field + ": not supported by Keel, ignored");
            } else if (!known.contains(e.key())) {
                throw error(e.line(), field, "unknown field '" + e.key() + "'");
            }
        }
    }

    private Map<String, Entry> entries(MapNode top, String key) {
        Entry e = top.entries().get(key);
        return e == null ? Map.of() : map(e.value(), key).entries();
    }

    private MapNode map(Node n, String field) {
        if (n instanceof MapNode m) {
            return m;
        }
        if (n instanceof Scalar s && s.value() == null) {
            return new MapNode(Map.of(), s.line());
        }
        throw error(n.line(), field, "expected a mapping");
    }

    private ListNode list(Node n, String field) {
        if (n instanceof ListNode l) {
            return l;
        }
        if (n instanceof Scalar s && s.value() == null) {
            return new ListNode(List.of(), s.line());
        }
        throw error(n.line(), field, "expected a list");
    }

    private String scalarText(Node n, String field) {
        if (n instanceof Scalar s && s.value() != null) {
            return expand(String.valueOf(s.value()), s.line(), field);
        }
        throw error(n.line(), field, "expected a value");
    }

    private String requiredString(MapNode m, String key, String path) {
        Entry e = m.entries().get(key);
        if (e == null) {
            throw error(m.line(), path + "." + key, "missing required field '" + key + "'");
        }
        return scalarText(e.value(), path + "." + key);
    }

    private java.util.Optional<String> optString(MapNode m, String key, String path) {
        Entry e = m.entries().get(key);
        return e == null || (e.value() instanceof Scalar s && s.value() == null) ? java.util.Optional.empty()
                : java.util.Optional.of(scalarText(e.value(), path + "." + key));
    }

    private java.util.Optional<Boolean> optBool(MapNode m, String key, String path) {
        Entry e = m.entries().get(key);
        if (e == null) {
            return java.util.Optional.empty();
        }
        if (e.value() instanceof Scalar s && s.value() instanceof Boolean b) {
            return java.util.Optional.of(b);
        }
        throw error(e.line(), path + "." + key, "expected true or false");
    }

    private int integer(Node n, String field) {
        if (n instanceof Scalar s && s.value() instanceof Number num && num.doubleValue() == Math.rint(num.doubleValue())) {
            return num.intValue();
        }
        throw error(n.line(), field, "expected a whole number");
    }

    private Integer optInt(MapNode m, String key, String path) {
        Entry e = m.entries().get(key);
        return e == null ? null : integer(e.value(), path + "." + key);
    }

    private Double optDouble(MapNode m, String key, String path) {
        Entry e = m.entries().get(key);
        if (e == null) {
            return null;
        }
        if (e.value() instanceof Scalar s && s.value() instanceof Number num) {
            return num.doubleValue();
        }
        throw error(e.line(), path + "." + key, "expected a number");
    }

    private List<String> strings(MapNode m, String key, String path) {
        Entry e = m.entries().get(key);
        if (e == null) {
            return List.of();
        }
        ListNode l = list(e.value(), path + "." + key);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < l.items().size(); i++) {
            out.add(scalarText(l.items().get(i), path + "." + key + "[" + i + "]"));
        }
        return out;
    }

    private Map<String, String> env(MapNode m, String path) {
        return env(m, path, "env");
    }

    /** A string map whose values may use $VAR / ${VAR} / ${env.VAR}; an unset variable is an error. */
    private Map<String, String> env(MapNode m, String path, String key) {
        Entry e = m.entries().get(key);
        if (e == null) {
            return Map.of();
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Entry v : map(e.value(), path + "." + key).entries().values()) {
            String field = path + "." + key + "." + v.key();
            String raw = scalarText(v.value(), field);
            Matcher mt = VAR_REF.matcher(raw);
            StringBuilder sb = new StringBuilder();
            while (mt.find()) {
                String name = mt.group(1) != null ? mt.group(1) : mt.group(2);
                String value = options.env().get(name);
                if (value == null) {
                    throw error(v.line(), field, "environment variable " + name + " is not set");
                }
                mt.appendReplacement(sb, Matcher.quoteReplacement(value));
            }
            mt.appendTail(sb);
            out.put(v.key(), sb.toString());
        }
        return out;
    }

    /** Expands ${env.X} in any string; an unset variable is an error naming it. */
    private String expand(String text, int line, String field) {
        if (!text.contains("${env.")) {
            return text;
        }
        Matcher mt = ENV_REF.matcher(text);
        StringBuilder sb = new StringBuilder();
        while (mt.find()) {
            String value = options.env().get(mt.group(1));
            if (value == null) {
                throw error(line, field, "environment variable " + mt.group(1) + " is not set");
            }
            mt.appendReplacement(sb, Matcher.quoteReplacement(value));
        }
        mt.appendTail(sb);
        return sb.toString();
    }

}
