package dev.keel.agents.team;

import dev.keel.agents.internal.ToonToolset;
import dev.keel.agents.internal.lsp.LspToolset;
import dev.keel.agents.internal.YamlTree.Entry;
import dev.keel.agents.internal.YamlTree.MapNode;
import dev.keel.agents.internal.YamlTree.Node;
import dev.keel.agents.internal.YamlTree.Scalar;
import dev.keel.agents.mcp.McpRestartPolicy;
import dev.keel.agents.mcp.McpToolset;
import dev.keel.agents.mcp.McpTransport;
import dev.keel.agents.tool.Toolset;
import dev.keel.agents.toolsets.ConfiguredToolset;
import dev.keel.agents.toolsets.DeferredToolset;
import dev.keel.agents.internal.YamlTree.ListNode;
import dev.keel.agents.toolsets.FetchToolset;
import dev.keel.agents.toolsets.FilesystemToolset;
import dev.keel.agents.toolsets.ScriptToolset;
import dev.keel.agents.toolsets.ShellToolset;
import dev.keel.agents.toolsets.Toolsets;
import dev.keel.agents.toolsets.UserPromptToolset;
import dev.keel.agents.internal.YamlTree;
import dev.keel.core.json.JsonNull;
import dev.keel.core.json.JsonValue;
import dev.keel.core.models.ModelSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The toolset entries of agents, the top-level {@code toolsets} (built once and shared) and {@code mcps}:
 * each entry's {@code type} picks a reader; {@code tools}, {@code instruction} (with
 * {@code {ORIGINAL_INSTRUCTIONS}}) and {@code readonly} apply to every type. A field that does not apply to
 * the entry's type is a warning. What can only be known when the team starts (a Docker MCP catalog server, an
 * unset header variable) is built then ({@link StartTimeToolset}). One per load; not thread-safe.
 */
final class ToolsetSection {
    /** Fields every toolset type takes. */
    static final Set<String> COMMON = Set.of("type", "tools", "instruction", "readonly", "defer", "model", "toon",
            "name");
    /**
     * Fields that cannot mean anything for an embedded JVM library, or that Keel does not act on yet: a warning
     * each, saying why.
     */
    private static final Map<String, String> NOT_ACTED_ON = Map.of();

    /** Toolset types of the schema Keel leaves out, and why. */
    private static final Map<String, String> LEFT_OUT = Map.of();

    private final TeamFields f;
    private final Map<String, Entry> mcps;
    private final Map<String, Entry> sharedToolsets;
    /** Top-level {@code toolsets} built once, so agents that use one share the same instance. */
    private final Map<String, Toolset> builtShared = new LinkedHashMap<>();
    /** Resolves a toolset's {@code model}; set by the loader before any toolset is read. */
    private ModelSection models;
    /** What {@code runtime.sandbox} and a shell's {@code sandbox} ask for; set by the loader before any toolset is read. */
    private TeamSandboxes sandboxes;
    /** The {@code api}, {@code openapi} and {@code a2a} readers. */
    private final HttpToolsetSection http;

    ToolsetSection(TeamFields f, Map<String, Entry> mcps, Map<String, Entry> sharedToolsets) {
        this.f = f;
        this.mcps = mcps;
        this.sharedToolsets = sharedToolsets;
        this.http = new HttpToolsetSection(f);
        register("think", Set.of("shared"), (m, path) -> Toolsets.think());
        register("todo", Set.of("shared"), (m, path) -> Toolsets.todo());
        register("memory", Set.of("path"), (m, path) -> Toolsets.memory(
                f.resolvePath(f.optString(m, "path", path).orElse("memory.jsonl"))));
        register("filesystem", Set.of("path", "post_edit", "ignore_vcs", "allow_list", "deny_list"), this::filesystem);
        register("shell", Set.of("env", "timeout", "env_file", "sandbox", "sudo_askpass", "safer"), this::shell);
        register("script", Set.of("shell", "timeout", "env", "env_file"), this::script);
        register("fetch", Set.of("timeout", "allowed_hosts", "allowed_domains", "blocked_domains", "allow_private_ips",
                "headers", "escape_html"), this::fetch);
        register("plan", Set.of(), (m, path) -> Toolsets.plan());
        register("user_prompt", Set.of(), (m, path) -> f.options().services().userPrompter()
                .map(UserPromptToolset::of).orElseGet(UserPromptToolset::headless));
        register("session_plan", Set.of(), (m, path) -> Toolsets.sessionPlan());
        register("environment", Set.of(), (m, path) -> commands(sandboxes.forRuntime(),
                dev.keel.agents.internal.EnvironmentInfoToolset::new));
        register("git", Set.of(), (m, path) -> commands(sandboxes.forRuntime(),
                runner -> new dev.keel.agents.internal.GitToolset(runner, f.options().workingDirectory())));
        register("model_picker", Set.of("models"), this::modelPicker);
        register("background_agents", Set.of(), (m, path) -> dev.keel.agents.BackgroundAgents.create());
        register("background_jobs", Set.of("recall"), this::backgroundJobs);
        register("tasks", Set.of("path"), (m, path) -> Toolsets.tasks(
                f.resolvePath(f.optString(m, "path", path).orElse("tasks.json"))));
        register("open_url", Set.of("url"), this::openUrl);
        register("webhook", Set.of("webhook_config", "timeout", "allow_private_ips"), this::webhook);
        // The schema gives 'file' the filesystem toolset's options (allow_list, deny_list, post_edit): read alike.
        register("file", Set.of("path", "post_edit", "ignore_vcs", "allow_list", "deny_list"), this::filesystem);
        register("mcp", Set.of("command", "args", "env", "env_file", "ref", "remote", "config", "timeout", "version",
                "working_dir", "lifecycle", "allow_private_ips"), (m, path) -> mcp(m, path, null));
        register("api", Set.of("api_config", "timeout", "allow_private_ips"), http::api);
        register("openapi", Set.of("url", "headers", "timeout", "allow_private_ips"), http::openapi);
        register("a2a", Set.of("url", "headers", "timeout", "allow_private_ips", "name"), http::a2a);
        register("session_context", Set.of(), (m, path) -> dev.keel.agents.internal.session.SessionContextToolset
                .of(f.options().services().sessionHistory().orElse(null)));
        register("scheduler", Set.of(), (m, path) -> dev.keel.agents.toolsets.SchedulerToolset.builder()
                .clock(f.options().services().clock().orElse(java.time.Clock.systemUTC()))
                .listener(f.options().services().scheduleListener().orElse(null)).build());
        register("mcp_catalog", Set.of("allowed_servers", "blocked_servers", "allow_private_ips"), this::mcpCatalog);
        register("lsp", Set.of("command", "args", "env", "env_file", "file_types", "working_dir", "version",
                "lifecycle"), this::lsp);
    }

    /**
     * {@code mcp_catalog}: the remote MCP servers of the host's catalog ({@link TeamServices#mcpCatalog()}), narrowed
     * by {@code allowed_servers} and {@code blocked_servers} (block wins); an id the catalog lacks is a warning. Without
     * a catalog the file loads as is and the tools answer that none is configured.
     */
    private Toolset mcpCatalog(MapNode m, String path) {
        List<String> allowed = f.strings(m, "allowed_servers", path);
        List<String> blocked = f.strings(m, "blocked_servers", path);
        dev.keel.agents.mcp.McpCatalog catalog = f.options().services().mcpCatalog().orElse(null);
        if (catalog != null) {
            for (String key : List.of("allowed_servers", "blocked_servers")) {
                Entry e = m.entries().get(key);
                List<String> unknown = e == null ? List.of()
                        : dev.keel.agents.internal.McpCatalogToolset.unknownIds(catalog, f.strings(m, key, path));
                if (!unknown.isEmpty()) {
                    f.warn(e.line() + ": " + path + "." + key + ": " + unknown + " not in the host's MCP catalog, "
                            + "ignored; its servers are " + catalog.servers().stream()
                            .map(dev.keel.agents.mcp.McpCatalog.Server::id).toList());
                }
            }
        }
        return dev.keel.agents.internal.McpCatalogToolset.of(catalog, allowed, blocked,
                f.optBool(m, "allow_private_ips", path).orElse(false));
    }

    /** The models a toolset's {@code model} may name. */
    void models(ModelSection models) {
        this.models = models;
    }

    /** The sandboxes the file asks for ({@code runtime.sandbox}, a shell's {@code sandbox}). */
    void sandboxes(TeamSandboxes sandboxes) {
        this.sandboxes = sandboxes;
    }

    /** Commands on the host (the options' runner), or in {@code sandbox}, whose start and close the toolset follows. */
    private Toolset commands(TeamSandbox sandbox, java.util.function.Function<dev.keel.core.exec.CommandRunner, Toolset> build) {
        if (sandbox == null) {
            return build.apply(f.options().commandRunner());
        }
        return new SandboxedToolset(build.apply(sandbox.runner()), sandbox);
    }

    /** Reads one toolset type's own fields. */
    @FunctionalInterface
    interface Reader {
        Toolset read(MapNode m, String path);
    }

    private record Registered(Set<String> fields, Reader reader) {}

    private final Map<String, Registered> types = new LinkedHashMap<>();

    /** Adds a toolset type: the fields it takes besides {@link #COMMON}, and how to read it. */
    void register(String type, Set<String> fields, Reader reader) {
        types.put(type, new Registered(fields, reader));
    }

    /** The toolset an entry declares, or null when the entry is skipped (reported as a warning). */
    Toolset toolset(Node node, String path) {
        MapNode m = f.map(node, path);
        String type = f.requiredString(m, "type", path);
        Registered registered = types.get(type);
        if (registered == null) {
            Entry t = m.entries().get("type");
            if (TeamSchema.TOOLSET_TYPES.contains(type)) {
                f.warn(t.line() + ": " + path + ".type: toolset type '" + type + "' is left out: "
                        + LEFT_OUT.getOrDefault(type, "Keel does not build it yet"));
                return null;
            }
            throw f.error(t.line(), path + ".type", "toolset type '" + type + "' is unknown; the types are "
                    + new java.util.TreeSet<>(TeamSchema.TOOLSET_TYPES));
        }
        Set<String> applicable = new HashSet<>(COMMON);
        applicable.addAll(registered.fields());
        f.onlyFor(m, path, applicable, "a '" + type + "' toolset");
        pending(m, path, type);
        return configure(toon(registered.reader().read(m, path), m, path), m, path);
    }

    /**
     * {@code toon}: comma-separated regular expressions; the JSON output of the tools whose names match reaches
     * the model as TOON. The wrapper goes under any deferral and configuration already applied (an {@code mcps}
     * entry's), so the loop still sees those.
     */
    private Toolset toon(Toolset t, MapNode m, String path) {
        Entry e = m.entries().get("toon");
        if (e == null || t == null) {
            return t;
        }
        String text = f.scalarText(e.value(), path + ".toon");
        List<java.util.regex.Pattern> patterns;
        try {
            patterns = ToonToolset.patterns(text);
        } catch (java.util.regex.PatternSyntaxException ex) {
            throw f.error(e.line(), path + ".toon", "'" + ex.getPattern() + "' is not a regular expression: "
                    + ex.getDescription());
        }
        return patterns.isEmpty() ? t : toon(t, patterns);
    }

    private static Toolset toon(Toolset t, List<java.util.regex.Pattern> patterns) {
        if (t instanceof DeferredToolset d) {
            Toolset inner = toon(d.delegate(), patterns);
            return d.defersAll() ? DeferredToolset.all(inner) : DeferredToolset.only(inner, d.deferredNames());
        }
        if (t instanceof ConfiguredToolset c) {
            return ConfiguredToolset.builder(toon(c.delegate(), patterns)).only(c.only())
                    .instruction(c.instructionOverride()).readOnlyOnly(c.readOnlyOnly()).name(c.name())
                    .model(c.model().orElse(null)).build();
        }
        return ToonToolset.of(t, patterns);
    }

    private void pending(MapNode m, String path, String type) {
        Set<String> actedOn = HttpToolsetSection.ACTS_ON.getOrDefault(type, Set.of());
        for (Entry e : m.entries().values()) {
            String why = NOT_ACTED_ON.get(e.key());
            if (why != null && !actedOn.contains(e.key())) {
                f.warn(e.line() + ": " + path + "." + e.key() + ": ignored: " + why);
            }
        }
    }

    /**
     * {@code env_file}: dotenv files ({@code KEY=value} lines, {@code #} comments, optional {@code export} and
     * quotes) relative to the working directory, read at load; the toolset's own {@code env} wins over them.
     */
    private Map<String, String> envFiles(MapNode m, String path) {
        Map<String, String> out = new LinkedHashMap<>();
        Entry e = m.entries().get("env_file");
        if (e == null) {
            return out;
        }
        for (String name : f.strings(m, "env_file", path)) {
            Path file = f.resolveWorkPath(name);
            List<String> lines;
            try {
                lines = java.nio.file.Files.readAllLines(file);
            } catch (java.io.IOException ex) {
                throw f.error(e.line(), path + ".env_file", "cannot read " + file + ": " + ex.getClass().getSimpleName());
            }
            for (String line : lines) {
                String l = line.strip();
                if (l.isEmpty() || l.startsWith("#")) {
                    continue;
                }
                l = l.startsWith("export ") ? l.substring(7).strip() : l;
                int eq = l.indexOf('=');
                if (eq <= 0) {
                    throw f.error(e.line(), path + ".env_file", file + ": '" + l.split("=", 2)[0]
                            + "' is not a KEY=value line");
                }
                String v = l.substring(eq + 1).strip();
                if (v.length() >= 2 && (v.startsWith("\"") && v.endsWith("\"") || v.startsWith("'") && v.endsWith("'"))) {
                    v = v.substring(1, v.length() - 1);
                }
                out.put(l.substring(0, eq).strip(), v);
            }
        }
        return out;
    }

    /** The toolset's {@code env} over its {@code env_file} variables. */
    private static Map<String, String> withEnvFiles(Map<String, String> files, Map<String, String> env) {
        if (files.isEmpty()) {
            return env;
        }
        Map<String, String> all = new LinkedHashMap<>(files);
        all.putAll(env);
        return all;
    }

    /**
     * {@code lifecycle}: {@code startup_timeout} and {@code call_timeout} bound the server's start and each call;
     * {@code profile}, {@code restart}, {@code max_restarts} and {@code backoff} are the {@link McpRestartPolicy}
     * (docker-agent's defaults: {@code resilient}, at most 5 restarts in a row, 1 s doubling to 32 s). Without
     * {@code lifecycle}, a stopped server is restarted at its next use, as Keel's MCP toolsets do.
     */
    private record Lifecycle(Duration startup, Duration call, McpRestartPolicy restart) {
        void apply(McpToolset.Builder b) {
            if (startup != null) {
                b.startupTimeout(startup);
            }
            if (call != null) {
                b.requestTimeout(call);
            }
            if (restart != null) {
                b.restart(restart);
            }
        }
    }

    private Lifecycle lifecycle(MapNode m, String path) {
        Entry e = m.entries().get("lifecycle");
        if (e == null) {
            return new Lifecycle(null, null, null);
        }
        String lp = path + ".lifecycle";
        MapNode lm = f.map(e.value(), lp);
        Duration startup = null;
        Duration call = null;
        McpRestartPolicy base = McpRestartPolicy.resilient();
        Entry profile = lm.entries().get("profile");
        if (profile != null) {
            String name = f.scalarText(profile.value(), lp + ".profile");
            base = switch (name) {
                case "resilient" -> McpRestartPolicy.resilient();
                case "strict", "best-effort" -> McpRestartPolicy.never();
                default -> throw f.error(profile.line(), lp + ".profile", "unknown profile '" + name
                        + "'; use resilient, strict or best-effort");
            };
        }
        McpRestartPolicy.Mode mode = base.mode();
        int max = base.maxRestarts();
        Duration initial = base.initialBackoff().isZero() ? Duration.ofSeconds(1) : base.initialBackoff();
        Duration maxWait = base.maxBackoff().isZero() ? Duration.ofSeconds(32) : base.maxBackoff();
        double multiplier = base.multiplier() == 1 ? 2 : base.multiplier();
        for (Entry k : lm.entries().values()) {
            String field = lp + "." + k.key();
            switch (k.key()) {
                case "startup_timeout" -> startup = positive(f.goDuration(k.value(), field)).orElse(null);
                case "call_timeout" -> call = positive(f.goDuration(k.value(), field)).orElse(null);
                case "restart" -> {
                    String r = f.scalarText(k.value(), field);
                    mode = switch (r) {
                        case "never" -> McpRestartPolicy.Mode.NEVER;
                        case "on_failure" -> McpRestartPolicy.Mode.ON_FAILURE;
                        case "always" -> McpRestartPolicy.Mode.ALWAYS;
                        default -> throw f.error(k.line(), field, "unknown restart '" + r
                                + "'; use never, on_failure or always");
                    };
                }
                case "max_restarts" -> {
                    int v = f.integer(k.value(), field);
                    if (v < -1) {
                        throw f.error(k.line(), field, "must be -1 (unlimited), 0 (the profile's default) or more");
                    }
                    max = v == 0 ? (base.maxRestarts() == 0 ? 5 : base.maxRestarts()) : v;
                }
                case "backoff" -> {
                    for (Entry bk : f.map(k.value(), field).entries().values()) {
                        String bf = field + "." + bk.key();
                        switch (bk.key()) {
                            case "initial" -> initial = f.goDuration(bk.value(), bf);
                            case "max" -> maxWait = f.goDuration(bk.value(), bf);
                            case "multiplier" -> {
                                Double v = f.optDouble(f.map(k.value(), field), "multiplier", field);
                                multiplier = v == null ? multiplier : Math.max(1, v);
                            }
                            default -> { } // jitter: restarts happen at a use, so several servers never fire together
                        }
                    }
                }
                default -> { } // profile: read above; required: a toolset that cannot start fails the run anyway
            }
        }
        if (mode != McpRestartPolicy.Mode.NEVER && max == 0) {
            max = 5; // an explicit restart under a no-restart profile: docker-agent's default count
        }
        try {
            return new Lifecycle(startup, call, new McpRestartPolicy(mode, max, initial,
                    maxWait.compareTo(initial) < 0 ? initial : maxWait, multiplier));
        } catch (IllegalArgumentException ex) {
            throw f.error(e.line(), lp, ex.getMessage());
        }
    }

    private static java.util.Optional<Duration> positive(Duration d) {
        return d.isZero() || d.isNegative() ? java.util.Optional.empty() : java.util.Optional.of(d);
    }

    /**
     * {@code version}: docker-agent installs a missing command from the aqua registry; an embedded library never
     * downloads binaries, so a command that is not on the PATH fails at start naming the package to install.
     */
    private static void checkCommand(String cmd, String version) {
        if (version == null || version.equals("false") || version.equals("off") || cmd.contains("/")) {
            return;
        }
        String pathVar = System.getenv("PATH");
        for (String dir : (pathVar == null ? "" : pathVar).split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty() && java.nio.file.Files.isExecutable(Path.of(dir, cmd))) {
                return;
            }
        }
        throw new MissingPrerequisiteException(cmd, "the command '" + cmd + "', which is not on the PATH",
                "install " + version + " (Keel does not download tools) so that '" + cmd + "' is on the PATH");
    }

    /**
     * docker-agent's filesystem options: {@code allow_list}/{@code deny_list} entries are {@code .} (the working
     * directory), {@code ~}, variables, absolute paths or paths relative to the working directory; denial wins.
     * Without an allow list the tools stay in the working directory (Keel's default; docker-agent's is the whole
     * disk). {@code ignore_vcs} defaults to true as in docker-agent; {@code post_edit} commands run through the
     * team's command runner.
     */
    private Toolset filesystem(MapNode m, String path) {
        Path root = f.optString(m, "path", path).map(f::resolveWorkPath).orElse(f.options().workingDirectory());
        Entry postEdit = m.entries().get("post_edit");
        return commands(postEdit == null ? null : sandboxes.forRuntime(), runner -> filesystem(m, path, root, postEdit, runner));
    }

    private Toolset filesystem(MapNode m, String path, Path root, Entry postEdit, dev.keel.core.exec.CommandRunner runner) {
        FilesystemToolset.Builder b = FilesystemToolset.builder(root)
                .allowed(workPaths(m, "allow_list", path)).denied(workPaths(m, "deny_list", path))
                .ignoreVcs(f.optBool(m, "ignore_vcs", path).orElse(true));
        if (postEdit != null) {
            List<FilesystemToolset.PostEdit> rules = new java.util.ArrayList<>();
            ListNode list = f.list(postEdit.value(), path + ".post_edit");
            for (int i = 0; i < list.items().size(); i++) {
                String rp = path + ".post_edit[" + i + "]";
                MapNode rule = f.map(list.items().get(i), rp);
                rules.add(new FilesystemToolset.PostEdit(f.requiredString(rule, "path", rp),
                        f.requiredString(rule, "cmd", rp)));
            }
            b.postEdit(rules, runner);
        }
        return b.build();
    }

    /**
     * {@code models}: names of the team's models or inline {@code provider/model} specs; the model picks among
     * them by the name as written.
     */
    private Toolset modelPicker(MapNode m, String path) {
        Entry e = m.entries().get("models");
        List<String> names = f.strings(m, "models", path);
        if (e == null || names.isEmpty()) {
            throw f.error(e == null ? m.line() : e.line(), path + ".models", "a model_picker toolset needs 'models', "
                    + "the models the agent may switch to");
        }
        Map<String, ModelSpec> models = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            models.put(names.get(i), this.models.choose(names.get(i), e.line(), path + ".models[" + i + "]").spec());
        }
        return Toolsets.modelPicker(models);
    }

    /**
     * Background shell jobs through the team's command runner; with {@code recall: true} a job started with
     * {@code recall} is told to its session when it ends (a message before the next model call).
     */
    private Toolset backgroundJobs(MapNode m, String path) {
        boolean recall = f.optBool(m, "recall", path).orElse(false);
        if (sandboxes.runtime()) {
            f.warn(m.entries().get("type").line() + ": " + path + ".type: background jobs run on the host: "
                    + "runtime.sandbox puts Keel's shell, script and post_edit commands in the sandbox, not background jobs");
        }
        return dev.keel.agents.toolsets.BackgroundJobsToolset.of(f.options().commandRunner(), Map.of(),
                Duration.ofHours(1), recall);
    }

    /** {@code url} (variables expanded) opened through the host's {@code UrlOpener}; {@code name} names the tool. */
    private Toolset openUrl(MapNode m, String path) {
        Entry u = m.entries().get("url");
        if (u == null) {
            throw f.error(m.line(), path + ".url", "an open_url toolset needs 'url', the page it opens");
        }
        String url = f.expandVars(f.rawText(u.value(), path + ".url"), u.line(), path + ".url");
        String tool = f.optString(m, "name", path).orElse("open_url");
        try {
            java.net.URI uri = new java.net.URI(url);
            return f.options().services().urlOpener()
                    .map(o -> dev.keel.agents.toolsets.OpenUrlToolset.of(uri, tool, o))
                    .orElseGet(() -> dev.keel.agents.toolsets.OpenUrlToolset.headless(uri, tool));
        } catch (java.net.URISyntaxException | IllegalArgumentException ex) {
            throw f.error(u.line(), path + ".url", "'" + url + "' is not an absolute URL: " + ex.getMessage());
        }
    }

    /**
     * {@code webhook_config}: {@code provider}, {@code url} and {@code chat_id} (variables read when the team
     * starts, so an unset one fails then, naming it), {@code headers}; the toolset's {@code timeout} and
     * {@code allow_private_ips}.
     */
    private Toolset webhook(MapNode m, String path) {
        Entry config = m.entries().get("webhook_config");
        if (config == null) {
            throw f.error(m.line(), path + ".webhook_config", "a webhook toolset needs 'webhook_config' with the "
                    + "endpoint's url");
        }
        String cp = path + ".webhook_config";
        MapNode c = f.map(config.value(), cp);
        if (!c.entries().containsKey("url")) {
            throw f.error(c.line(), cp + ".url", "missing required field 'url'");
        }
        TeamFields.EnvMap fields = f.envFields(c, cp, List.of("url", "chat_id"));
        TeamFields.EnvMap headers = f.envMap(c, cp, "headers");
        String provider = f.optString(c, "provider", cp).orElse("generic");
        Integer timeout = f.optInt(m, "timeout", path);
        boolean privateIps = f.optBool(m, "allow_private_ips", path).orElse(false);
        Supplier<Toolset> build = () -> {
            Map<String, String> v = fields.resolve();
            dev.keel.agents.toolsets.WebhookToolset.Builder b = dev.keel.agents.toolsets.WebhookToolset
                    .builder(f.options().httpClient(), provider, v.get("url")).chatId(v.get("chat_id"))
                    .headers(headers.resolve()).allowPrivateAddresses(privateIps);
            if (timeout != null) {
                b.timeout(Duration.ofSeconds(timeout));
            }
            return b.build();
        };
        try {
            // the provider, a telegram chat id and, when known now, the URL and headers are checked at load
            Map<String, String> known = fields.complete() ? fields.values() : Map.of("url", "https://example.invalid/",
                    "chat_id", c.entries().containsKey("chat_id") ? "set" : "");
            dev.keel.agents.toolsets.WebhookToolset.builder(f.options().httpClient(), provider, known.get("url"))
                    .chatId(known.get("chat_id")).headers(headers.complete() ? headers.values() : Map.of()).build();
        } catch (IllegalArgumentException ex) {
            throw f.error(config.line(), cp, ex.getMessage());
        }
        return fields.complete() && headers.complete() ? build.get() : new StartTimeToolset("webhook", "", build);
    }

    /** A list of directories: {@code .} is the working directory, {@code ~} the home folder, variables expanded. */
    private List<Path> workPaths(MapNode m, String key, String path) {
        return f.strings(m, key, path).stream().map(f::resolveWorkPath).toList();
    }

    private Toolset shell(MapNode m, String path) {
        TeamFields.EnvMap env = f.envMap(m, path, "env");
        Map<String, String> files = envFiles(m, path);
        Integer timeout = f.optInt(m, "timeout", path);
        TeamSandbox sandbox = sandboxes.forShell(m, path);
        boolean askpass = sudoAskpass(m, path, sandbox);
        return commands(sandbox, runner -> {
            Supplier<Toolset> build = () -> {
                ShellToolset.Builder shell = ShellToolset.builder(runner).env(withEnvFiles(files, env.resolve()))
                        .sudoAskpass(askpass).sudoPrompter(f.options().services().sudoPrompter().orElse(null));
                if (timeout != null) {
                    shell.timeout(Duration.ofSeconds(timeout));
                }
                return shell.build();
            };
            return env.complete() ? build.get() : new StartTimeToolset("shell", "", build);
        });
    }

    /**
     * {@code sudo_askpass}: sudo asks the host application ({@link TeamServices#sudoPrompter()}) for its password.
     * Commands in a microVM sandbox cannot reach the host's helper, and Windows has no sudo: a located warning each.
     */
    private boolean sudoAskpass(MapNode m, String path, TeamSandbox sandbox) {
        if (!f.optBool(m, "sudo_askpass", path).orElse(false)) {
            return false;
        }
        int line = m.entries().get("sudo_askpass").line();
        if (sandbox != null) {
            f.warn(line + ": " + path + ".sudo_askpass: ignored: this shell's commands run in a microVM sandbox, "
                    + "which cannot reach the host application's password helper (and the host's password would not "
                    + "be the guest's); sudo in the sandbox fails as without the option");
            return false;
        }
        if (System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).startsWith("windows")) {
            f.warn(line + ": " + path + ".sudo_askpass: ignored: no effect on Windows, which has no sudo");
            return false;
        }
        return true;
    }

    /**
     * docker-agent's fetch options: {@code allowed_domains} or {@code blocked_domains} (not both), private
     * addresses refused unless {@code allow_private_ips}, static {@code headers} (variables read when the team
     * starts), {@code escape_html}.
     */
    private Toolset fetch(MapNode m, String path) {
        String allowKey = m.entries().containsKey("allowed_domains") ? "allowed_domains" : "allowed_hosts";
        List<String> hosts = f.strings(m, allowKey, path);
        List<String> blocked = f.strings(m, "blocked_domains", path);
        if (!hosts.isEmpty() && !blocked.isEmpty()) {
            throw f.error(m.entries().get("blocked_domains").line(), path + ".blocked_domains",
                    "cannot be combined with '" + allowKey + "'; a fetch toolset has an allow list or a block list");
        }
        TeamFields.EnvMap headers = f.envMap(m, path, "headers");
        Integer timeout = f.optInt(m, "timeout", path);
        boolean privateIps = f.optBool(m, "allow_private_ips", path).orElse(false);
        boolean escape = f.optBool(m, "escape_html", path).orElse(false);
        FetchToolset.Builder fetch = FetchToolset.builder(f.options().httpClient()).allowPrivateAddresses(privateIps)
                .escapeHtml(escape);
        try {
            fetch.allowedHosts(hosts).blockedHosts(blocked);
        } catch (IllegalArgumentException ex) {
            Entry e = m.entries().get(hosts.isEmpty() ? "blocked_domains" : allowKey);
            throw f.error(e.line(), path + "." + e.key(), ex.getMessage());
        }
        if (timeout != null) {
            fetch.timeout(Duration.ofSeconds(timeout));
        }
        Supplier<Toolset> build = () -> fetch.headers(headers.resolve()).build();
        return headers.complete() ? build.get() : new StartTimeToolset("fetch", "", build);
    }

    /**
     * Applies the fields every type takes: {@code tools}, {@code instruction}, {@code name}, {@code model} (the
     * model for the call after one of these tools ran), {@code readonly} and {@code defer}.
     */
    private Toolset configure(Toolset t, MapNode m, String path) {
        if (t == null) {
            return null;
        }
        List<String> only = f.strings(m, "tools", path);
        String instruction = f.optString(m, "instruction", path).orElse(null);
        String name = f.optString(m, "name", path).orElse(null);
        ModelSpec model = null;
        Entry me = m.entries().get("model");
        if (me != null) {
            model = models.choose(f.scalarText(me.value(), path + ".model"), me.line(), path + ".model").spec();
        }
        Toolset configured = only.isEmpty() && instruction == null && name == null && model == null ? t
                : ConfiguredToolset.builder(t).only(only).instruction(instruction).name(name).model(model).build();
        return defer(f, readOnly(configured, f.optBool(m, "readonly", path).orElse(false)), m, path);
    }

    /**
     * {@code defer: true} defers every tool, {@code defer: [names]} the named ones; also read for a top-level
     * {@code rag:} entry.
     */
    static Toolset defer(TeamFields f, Toolset t, MapNode m, String path) {
        Entry d = m.entries().get("defer");
        if (d == null) {
            return t;
        }
        if (d.value() instanceof ListNode) {
            List<String> names = f.strings(m, "defer", path);
            return names.isEmpty() ? t : DeferredToolset.only(t, names);
        }
        return f.optBool(m, "defer", path).orElse(false) ? DeferredToolset.all(t) : t;
    }

    /** {@code readonly: true}: only the tools that declare themselves read-only stay (deferred ones too). */
    static Toolset readOnly(Toolset t, boolean readOnly) {
        if (!readOnly || t == null) {
            return t;
        }
        if (t instanceof DeferredToolset d) {
            Toolset inner = readOnly(d.delegate(), true);
            return d.defersAll() ? DeferredToolset.all(inner) : DeferredToolset.only(inner, d.deferredNames());
        }
        return t instanceof ConfiguredToolset c ? c.toBuilder().readOnlyOnly(true).build()
                : ConfiguredToolset.builder(t).readOnlyOnly(true).build();
    }

    Toolset sharedToolset(String name, int line, String field) {
        if (builtShared.containsKey(name)) {
            return builtShared.get(name);
        }
        Entry e = sharedToolsets.get(name);
        if (e == null) {
            throw f.error(line, field, "unknown toolset '" + name + "'; the top-level toolsets are " + sharedToolsets.keySet());
        }
        Toolset t = toolset(e.value(), "toolsets." + name);
        builtShared.put(name, t);
        return t;
    }

    private Toolset script(MapNode m, String path) {
        Entry shell = m.entries().get("shell");
        if (shell == null) {
            throw f.error(m.line(), path + ".shell", "a script toolset needs 'shell' with named commands");
        }
        Map<String, String> common = withEnvFiles(envFiles(m, path), f.envMap(m, path, "env").values());
        Map<String, ScriptToolset.Script> commands = new LinkedHashMap<>();
        for (Entry c : f.map(shell.value(), path + ".shell").entries().values()) {
            String cp = path + ".shell." + c.key();
            MapNode cm = f.map(c.value(), cp);
            Map<String, String> args = new LinkedHashMap<>();
            Entry a = cm.entries().get("args");
            if (a != null) {
                for (Entry arg : f.map(a.value(), cp + ".args").entries().values()) {
                    String desc = arg.value() instanceof MapNode am && am.entries().containsKey("description")
                            ? f.scalarText(am.entries().get("description").value(), cp + ".args." + arg.key() + ".description")
                            : arg.value() instanceof Scalar s && s.value() != null ? f.expand(String.valueOf(s.value()), arg.line(), cp)
                            : arg.key();
                    args.put(arg.key(), desc);
                }
            }
            try {
                dev.keel.core.tool.ToolSpec.of(c.key(), "");
            } catch (IllegalArgumentException ex) {
                throw f.error(c.line(), cp, ex.getMessage());
            }
            Map<String, String> env = new LinkedHashMap<>(common);
            env.putAll(f.envMap(cm, cp, "env").values());
            commands.put(c.key(), new ScriptToolset.Script(f.requiredString(cm, "cmd", cp),
                    f.optString(cm, "description", cp).orElse(null), args, env, f.optString(cm, "working_dir", cp).orElse(null)));
        }
        if (commands.isEmpty()) {
            throw f.error(shell.line(), path + ".shell", "declare at least one command");
        }
        Integer timeout = f.optInt(m, "timeout", path);
        return commands(sandboxes.forRuntime(), runner -> {
            ScriptToolset.Builder script = ScriptToolset.builder(runner).scripts(commands);
            if (timeout != null) {
                script.timeout(Duration.ofSeconds(timeout));
            }
            return script.build();
        });
    }

    /**
     * {@code working_dir}: where a stdio server (a command or a Docker MCP catalog server) starts; relative to the
     * team's working directory as in docker-agent, {@code ~} and variables expanded. Checked when the server starts.
     */
    private Path mcpWorkingDirectory(MapNode m, String path) {
        Entry e = m.entries().get("working_dir");
        if (e == null) {
            return null;
        }
        String dir = f.expandVars(f.rawText(e.value(), path + ".working_dir"), e.line(), path + ".working_dir");
        return f.resolveWorkPath(dir);
    }

    private Toolset mcp(MapNode m, String path, String refName) {
        Entry privateIpsEntry = m.entries().get("allow_private_ips");
        boolean privateIps = f.optBool(m, "allow_private_ips", path).orElse(false);
        if (privateIpsEntry != null && !m.entries().containsKey("remote")) {
            f.warn(privateIpsEntry.line() + ": " + path + ".allow_private_ips: ignored: it applies to remote MCP "
                    + "servers, and this one is not remote");
        }
        Path workingDir = mcpWorkingDirectory(m, path);
        Entry ref = m.entries().get("ref");
        if (ref != null) {
            String name = f.scalarText(ref.value(), path + ".ref");
            Entry target = mcps.get(name);
            if (target != null) {
                MapNode tm = f.map(target.value(), "mcps." + name);
                if (tm.entries().containsKey("ref") && !f.scalarText(tm.entries().get("ref").value(),
                        "mcps." + name + ".ref").startsWith("docker:")) {
                    throw f.error(tm.entries().get("ref").line(), "mcps." + name + ".ref",
                            "an 'mcps' entry can refer to a Docker MCP catalog server (docker:NAME) only");
                }
                Set<String> applicable = new HashSet<>(COMMON);
                applicable.addAll(types.get("mcp").fields());
                f.onlyFor(tm, "mcps." + name, applicable, "an MCP server");
                pending(tm, "mcps." + name, "mcp");
                return configure(toon(mcp(tm, "mcps." + name, name), tm, "mcps." + name), tm, "mcps." + name);
            }
            if (!name.startsWith("docker:")) {
                throw f.error(ref.line(), path + ".ref", "unknown MCP server '" + name + "'; declared servers are "
                        + mcps.keySet() + ", and a Docker MCP catalog server is written docker:NAME");
            }
            TeamFields.EnvMap env = f.envMap(m, path, "env");
            Integer timeout = f.optInt(m, "timeout", path);
            Lifecycle lifecycle = lifecycle(m, path);
            TeamResolver resolver = f.options().resolver();
            Entry configEntry = m.entries().get("config");
            JsonValue config = configEntry == null ? JsonNull.INSTANCE : YamlTree.json(configEntry.value());
            String toolsetName = "mcp:" + (refName != null ? refName : name);
            return new StartTimeToolset(toolsetName, "", () -> {
                TeamResolver.CatalogServer resolved = resolver.mcpServer(name, env.resolve(), config);
                try {
                    McpTransport server = resolved.transport();
                    if (workingDir != null && server instanceof McpTransport.Stdio stdio) {
                        server = stdio.withWorkingDirectory(workingDir);
                    }
                    McpToolset.Builder b = McpToolset.builder(server).name(toolsetName);
                    if (timeout != null) {
                        b.requestTimeout(Duration.ofSeconds(timeout));
                    }
                    lifecycle.apply(b);
                    return new ClosingWith(b.build(), resolved);
                } catch (RuntimeException e) {
                    resolved.close();
                    throw e;
                }
            });
        }
        Entry configEntry = m.entries().get("config");
        if (configEntry != null) {
            f.warn(configEntry.line() + ": " + path + ".config: ignored: it configures a Docker MCP catalog server "
                    + "(ref: docker:NAME); give this server its settings through env or args");
        }
        Supplier<McpTransport> transport;
        boolean complete;
        Entry remote = m.entries().get("remote");
        if (remote != null) {
            String rp = path + ".remote";
            MapNode r = f.map(remote.value(), rp);
            String url = f.expandVars(f.rawText(r.entries().containsKey("url") ? r.entries().get("url").value()
                    : new Scalar(null, r.line()), rp + ".url"), r.line(), rp + ".url");
            String kind = f.optString(r, "transport_type", rp).orElse("streamable");
            TeamFields.EnvMap headers = f.envMap(r, rp, "headers");
            complete = headers.complete();
            if (workingDir != null) {
                Entry wd = m.entries().get("working_dir");
                f.warn(wd.line() + ": " + path + ".working_dir: ignored: a remote MCP server has no local process");
            }
            Supplier<McpTransport> direct = switch (kind) {
                case "sse" -> () -> new McpTransport.Sse(url, headers.resolve());
                case "streamable", "streamable-http", "streamable_http", "streamableHttp", "http" ->
                        () -> new McpTransport.StreamableHttp(url, headers.resolve());
                default -> throw f.error(r.entries().get("transport_type").line(), rp + ".transport_type",
                        "unknown MCP transport '" + kind + "'; use sse or streamable");
            };
            if (privateIps) {
                transport = direct;
            } else {
                // As docker-agent's protected clients: a remote server on a private address needs the opt-in. The
                // address is looked up when the team starts (never at load), so the toolset starts then too.
                transport = () -> {
                    McpTransport t = direct.get(); // unset header variables are named before any lookup
                    PrivateAddresses.refuse(url, rp + ".url");
                    return t;
                };
                complete = false;
            }
        } else {
            Entry command = m.entries().get("command");
            if (command == null) {
                throw f.error(m.line(), path, "an MCP toolset needs 'command', 'remote' or 'ref'");
            }
            String cmd = f.scalarText(command.value(), path + ".command");
            if (sandboxes.runtime()) {
                f.warn(command.line() + ": " + path + ".command: runs on the host: runtime.sandbox puts Keel's shell, "
                        + "script and post_edit commands in the sandbox, not MCP servers");
            }
            List<String> args = f.strings(m, "args", path);
            TeamFields.EnvMap env = f.envMap(m, path, "env");
            Map<String, String> files = envFiles(m, path);
            String version = f.optString(m, "version", path).orElse(null);
            complete = env.complete();
            transport = () -> {
                checkCommand(cmd, version);
                return new McpTransport.Stdio(cmd, args, withEnvFiles(files, env.resolve()), workingDir);
            };
        }
        Integer timeout = f.optInt(m, "timeout", path);
        String toolsetName = refName != null ? "mcp:" + refName : null;
        Lifecycle lifecycle = lifecycle(m, path);
        boolean version = m.entries().containsKey("version");
        Supplier<Toolset> build = () -> {
            McpToolset.Builder b = McpToolset.builder(transport.get());
            if (toolsetName != null) {
                b.name(toolsetName);
            }
            if (timeout != null) {
                b.requestTimeout(Duration.ofSeconds(timeout));
            }
            lifecycle.apply(b);
            return b.build();
        };
        // A pinned command is checked when the team starts, so a missing one is a start error, not a load error.
        return complete && !version ? build.get()
                : new StartTimeToolset(toolsetName != null ? toolsetName : "mcp", "", build);
    }

    /**
     * A language server over stdio ({@link LspToolset}): {@code command}, {@code args}, {@code env} and
     * {@code env_file} as for an MCP server, {@code working_dir} the workspace root (default: the team's working
     * directory), {@code file_types} the extensions it handles, {@code lifecycle} its start and call limits and
     * restarts. A pinned {@code version} is checked when the team starts, as for MCP servers.
     */
    private Toolset lsp(MapNode m, String path) {
        Entry command = m.entries().get("command");
        if (command == null) {
            throw f.error(m.line(), path + ".command", "an lsp toolset needs 'command', the language server to start");
        }
        String cmd = f.scalarText(command.value(), path + ".command");
        if (sandboxes.runtime()) {
            f.warn(command.line() + ": " + path + ".command: runs on the host: runtime.sandbox puts Keel's shell, "
                    + "script and post_edit commands in the sandbox, not language servers");
        }
        List<String> args = f.strings(m, "args", path);
        TeamFields.EnvMap env = f.envMap(m, path, "env");
        Map<String, String> files = envFiles(m, path);
        List<String> fileTypes = f.strings(m, "file_types", path);
        Path workingDir = mcpWorkingDirectory(m, path);
        Path root = workingDir != null ? workingDir : f.options().workingDirectory();
        String version = f.optString(m, "version", path).orElse(null);
        Lifecycle lifecycle = lifecycle(m, path);
        String name = "lsp:" + Path.of(cmd).getFileName();
        Supplier<Toolset> build = () -> {
            checkCommand(cmd, version);
            return LspToolset.of(new LspToolset.Config(name, cmd, args, withEnvFiles(files, env.resolve()), root,
                    fileTypes, lifecycle.startup() != null ? lifecycle.startup() : Duration.ofSeconds(60),
                    lifecycle.call() != null ? lifecycle.call() : Duration.ofSeconds(60),
                    lifecycle.restart() != null ? lifecycle.restart() : McpRestartPolicy.resilient()));
        };
        // A pinned command is checked when the team starts, so a missing one is a start error, not a load error.
        return env.complete() && version == null ? build.get() : new StartTimeToolset(name, "", build);
    }
}
