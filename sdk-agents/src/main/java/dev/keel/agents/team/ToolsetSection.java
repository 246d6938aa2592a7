package dev.keel.agents.team;

import dev.keel.agents.internal.YamlTree.Entry;
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
    /** Fields Keel reads but does not act on yet: a warning each. */
    private static final Set<String> PENDING = Set.of("defer", "model", "toon", "post_edit", "ignore_vcs", "allow_list",
            "deny_list", "sandbox", "sudo_askpass", "blocked_domains", "allow_private_ips", "headers", "escape_html",
            "version", "working_dir", "lifecycle", "config", "env_file", "name");

    private final TeamFields f;
    private final Map<String, Entry> mcps;
    private final Map<String, Entry> sharedToolsets;
    /** Top-level {@code toolsets} built once, so agents that use one share the same instance. */
    private final Map<String, Toolset> builtShared = new LinkedHashMap<>();
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
        register("mcp", Set.of("command", "args", "env", "env_file", "ref", "remote", "config", "timeout", "version",
                "working_dir", "lifecycle", "allow_private_ips"), (m, path) -> mcp(m, path, null));
        register("api", Set.of("api_config", "timeout", "allow_private_ips"), http::api);
        register("openapi", Set.of("url", "headers", "timeout", "allow_private_ips"), http::openapi);
        register("a2a", Set.of("url", "headers", "timeout", "allow_private_ips", "name"), http::a2a);
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
                f.warn(t.line() + ": " + path + ".type: toolset type '" + type + "' is not supported by Keel yet; "
                        + "the toolset is left out");
                return null;
            }
            throw f.error(t.line(), path + ".type", "toolset type '" + type + "' is unknown; the types are "
                    + new java.util.TreeSet<>(TeamSchema.TOOLSET_TYPES));
        }
        Set<String> applicable = new HashSet<>(COMMON);
        applicable.addAll(registered.fields());
        f.onlyFor(m, path, applicable, "a '" + type + "' toolset");
        pending(m, path, type);
        return configure(registered.reader().read(m, path), m, path);
    }

    private void pending(MapNode m, String path, String type) {
        Set<String> actedOn = HttpToolsetSection.ACTS_ON.getOrDefault(type, Set.of());
        for (Entry e : m.entries().values()) {
            if (PENDING.contains(e.key()) && !actedOn.contains(e.key())) {
                f.warn(e.line() + ": " + path + "." + e.key() + ": read, but Keel does not act on it yet");
            }
        }
    }

    private Toolset filesystem(MapNode m, String path) {
        return Toolsets.filesystem(f.optString(m, "path", path).map(f::resolveWorkPath)
                .orElse(f.options().workingDirectory()));
    }

    private Toolset shell(MapNode m, String path) {
        TeamFields.EnvMap env = f.envMap(m, path, "env");
        Integer timeout = f.optInt(m, "timeout", path);
        Supplier<Toolset> build = () -> {
            ShellToolset.Builder shell = ShellToolset.builder(f.options().commandRunner()).env(env.resolve());
            if (timeout != null) {
                shell.timeout(Duration.ofSeconds(timeout));
            }
            return shell.build();
        };
        return env.complete() ? build.get() : new StartTimeToolset("shell", "", build);
    }

    private Toolset fetch(MapNode m, String path) {
        List<String> hosts = f.strings(m, m.entries().containsKey("allowed_domains") ? "allowed_domains" : "allowed_hosts",
                path);
        FetchToolset.Builder fetch = FetchToolset.builder(f.options().httpClient()).allowedHosts(hosts);
        Integer timeout = f.optInt(m, "timeout", path);
        if (timeout != null) {
            fetch.timeout(Duration.ofSeconds(timeout));
        }
        return fetch.build();
    }

    /** Applies {@code tools}, {@code instruction} and {@code readonly} of a toolset entry. */
    private Toolset configure(Toolset t, MapNode m, String path) {
        if (t == null) {
            return null;
        }
        List<String> only = f.strings(m, "tools", path);
        String instruction = f.optString(m, "instruction", path).orElse(null);
        Toolset configured = only.isEmpty() && instruction == null ? t
                : ConfiguredToolset.builder(t).only(only).instruction(instruction).build();
        return readOnly(configured, f.optBool(m, "readonly", path).orElse(false));
    }

    /** {@code readonly: true}: only the tools that declare themselves read-only stay. */
    static Toolset readOnly(Toolset t, boolean readOnly) {
        if (!readOnly || t == null) {
            return t;
        }
        return t instanceof ConfiguredToolset c
                ? ConfiguredToolset.builder(c.delegate()).only(c.only()).instruction(c.instructionOverride()).readOnlyOnly(true).build()
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
        Map<String, String> common = f.envMap(m, path, "env").values();
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
        ScriptToolset.Builder script = ScriptToolset.builder(f.options().commandRunner()).scripts(commands);
        Integer timeout = f.optInt(m, "timeout", path);
        if (timeout != null) {
            script.timeout(Duration.ofSeconds(timeout));
        }
        return script.build();
    }

    private Toolset mcp(MapNode m, String path, String refName) {
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
                return configure(mcp(tm, "mcps." + name, name), tm, "mcps." + name);
            }
            if (!name.startsWith("docker:")) {
                throw f.error(ref.line(), path + ".ref", "unknown MCP server '" + name + "'; declared servers are "
                        + mcps.keySet() + ", and a Docker MCP catalog server is written docker:NAME");
            }
            TeamFields.EnvMap env = f.envMap(m, path, "env");
            Integer timeout = f.optInt(m, "timeout", path);
            TeamResolver resolver = f.options().resolver();
            String toolsetName = "mcp:" + (refName != null ? refName : name);
            return new StartTimeToolset(toolsetName, "", () -> {
                McpToolset.Builder b = McpToolset.builder(resolver.mcpServer(name, env.resolve())).name(toolsetName);
                if (timeout != null) {
                    b.requestTimeout(Duration.ofSeconds(timeout));
                }
                return b.build();
            });
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
            transport = switch (kind) {
                case "sse" -> () -> new McpTransport.Sse(url, headers.resolve());
                case "streamable", "streamable-http", "streamable_http", "streamableHttp", "http" ->
                        () -> new McpTransport.StreamableHttp(url, headers.resolve());
                default -> throw f.error(r.entries().get("transport_type").line(), rp + ".transport_type",
                        "unknown MCP transport '" + kind + "'; use sse or streamable");
            };
        } else {
            Entry command = m.entries().get("command");
            if (command == null) {
                throw f.error(m.line(), path, "an MCP toolset needs 'command', 'remote' or 'ref'");
            }
            String cmd = f.scalarText(command.value(), path + ".command");
            List<String> args = f.strings(m, "args", path);
            TeamFields.EnvMap env = f.envMap(m, path, "env");
            complete = env.complete();
            transport = () -> new McpTransport.Stdio(cmd, args, env.resolve());
        }
        Integer timeout = f.optInt(m, "timeout", path);
        String toolsetName = refName != null ? "mcp:" + refName : null;
        Supplier<Toolset> build = () -> {
            McpToolset.Builder b = McpToolset.builder(transport.get());
            if (toolsetName != null) {
                b.name(toolsetName);
            }
            if (timeout != null) {
                b.requestTimeout(Duration.ofSeconds(timeout));
            }
            return b.build();
        };
        return complete ? build.get() : new StartTimeToolset(toolsetName != null ? toolsetName : "mcp", "", build);
    }
}
