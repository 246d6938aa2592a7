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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The toolset entries of agents, the top-level {@code toolsets} (built once and shared) and {@code mcps}:
 * each entry's {@code type} picks a reader from the schema table; {@code tools}, {@code instruction} and
 * {@code readonly} apply to every type. One per load; not thread-safe.
 */
final class ToolsetSection {
    private final TeamFields f;
    private final Map<String, Entry> mcps;
    private final Map<String, Entry> sharedToolsets;
    /** Top-level {@code toolsets} built once, so agents that use one share the same instance. */
    private final Map<String, Toolset> builtShared = new LinkedHashMap<>();
    private final Map<String, Reader> readers = readers();

    ToolsetSection(TeamFields f, Map<String, Entry> mcps, Map<String, Entry> sharedToolsets) {
        this.f = f;
        this.mcps = mcps;
        this.sharedToolsets = sharedToolsets;
    }

    /** Reads one toolset type's own fields; the fields were checked against the schema table first. */
    @FunctionalInterface
    private interface Reader {
        Toolset read(MapNode m, String path);
    }

    /** One reader per toolset type of {@link TeamSchema#TOOLSET}: a new type is one entry here and one there. */
    private Map<String, Reader> readers() {
        return Map.of(
                "think", (m, path) -> Toolsets.think(),
                "todo", (m, path) -> Toolsets.todo(),
                "memory", (m, path) -> Toolsets.memory(f.resolvePath(f.requiredString(m, "path", path))),
                "filesystem", this::filesystem,
                "shell", this::shell,
                "script", this::script,
                "fetch", this::fetch,
                "mcp", (m, path) -> mcp(m, path, null));
    }

    Toolset toolset(Node node, String path) {
        MapNode m = f.map(node, path);
        String type = f.requiredString(m, "type", path);
        Set<String> specific = TeamSchema.TOOLSET.get(type);
        Reader reader = readers.get(type);
        if (specific == null || reader == null) {
            Entry t = m.entries().get("type");
            String why = TeamSchema.KNOWN_UNSUPPORTED_TOOLSETS.contains(type) ? "is not supported by Keel"
                    : "is unknown; supported types are " + new java.util.TreeSet<>(TeamSchema.TOOLSET.keySet());
            throw f.error(t.line(), path + ".type", "toolset type '" + type + "' " + why);
        }
        Set<String> allowed = new java.util.HashSet<>(TeamSchema.TOOLSET_COMMON);
        allowed.addAll(specific);
        f.checkFields(m, path, allowed, TeamSchema.TOOLSET_IGNORED);
        return configure(reader.read(m, path), m, path);
    }

    private Toolset filesystem(MapNode m, String path) {
        if (m.entries().containsKey("post_edit")) {
            f.warn(m.entries().get("post_edit").line() + ": " + path + ".post_edit: not supported, ignored");
        }
        return Toolsets.filesystem(f.optString(m, "path", path).map(f::resolvePath).orElse(f.options().baseDirectory()));
    }

    private Toolset shell(MapNode m, String path) {
        ShellToolset.Builder shell = ShellToolset.builder(f.options().commandRunner()).env(f.env(m, path));
        Integer timeout = f.optInt(m, "timeout", path);
        if (timeout != null) {
            shell.timeout(Duration.ofSeconds(timeout));
        }
        return shell.build();
    }

    private Toolset fetch(MapNode m, String path) {
        FetchToolset.Builder fetch = FetchToolset.builder(f.options().httpClient())
                .allowedHosts(f.strings(m, "allowed_hosts", path));
        Integer timeout = f.optInt(m, "timeout", path);
        if (timeout != null) {
            fetch.timeout(Duration.ofSeconds(timeout));
        }
        return fetch.build();
    }

    /** Applies {@code tools}, {@code instruction} and {@code readonly} of a toolset entry. */
    private Toolset configure(Toolset t, MapNode m, String path) {
        List<String> only = f.strings(m, "tools", path);
        String instruction = f.optString(m, "instruction", path).orElse(null);
        Toolset configured = only.isEmpty() && instruction == null ? t
                : ConfiguredToolset.builder(t).only(only).instruction(instruction).build();
        return readOnly(configured, f.optBool(m, "readonly", path).orElse(false));
    }


    /** {@code readonly: true}: only the tools that declare themselves read-only stay. */
    static Toolset readOnly(Toolset t, boolean readOnly) {
        if (!readOnly) {
            return t;
        }
        return t instanceof ConfiguredToolset c
                ? ConfiguredToolset.builder(c.delegate()).only(c.only()).instruction(c.instructionOverride()).readOnlyOnly(true).build()
                : ConfiguredToolset.builder(t).readOnlyOnly(true).build();
    }

    Toolset sharedToolset(String name, int line, String field) {
        Toolset done = builtShared.get(name);
        if (done != null) {
            return done;
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
        Map<String, ScriptToolset.Script> commands = new LinkedHashMap<>();
        for (Entry c : f.map(shell.value(), path + ".shell").entries().values()) {
            String cp = path + ".shell." + c.key();
            MapNode cm = f.map(c.value(), cp);
            f.checkFields(cm, cp, Set.of("cmd", "description", "args", "required", "env", "working_dir"), Set.of());
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
            commands.put(c.key(), new ScriptToolset.Script(f.requiredString(cm, "cmd", cp),
                    f.optString(cm, "description", cp).orElse(null), args, f.env(cm, cp), f.optString(cm, "working_dir", cp).orElse(null)));
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
            if (target == null) {
                String hint = name.startsWith("docker:") ? "Docker MCP catalog references are not supported; declare the server under 'mcps'"
                        : "declared servers are " + mcps.keySet();
                throw f.error(ref.line(), path + ".ref", "unknown MCP server '" + name + "'; " + hint);
            }
            MapNode tm = f.map(target.value(), "mcps." + name);
            f.checkFields(tm, "mcps." + name, TeamSchema.union(TeamSchema.MCP, TeamSchema.TOOLSET_COMMON), TeamSchema.TOOLSET_IGNORED);
            if (tm.entries().containsKey("ref")) {
                throw f.error(tm.entries().get("ref").line(), "mcps." + name + ".ref", "an 'mcps' entry cannot itself be a ref");
            }
            return configure(mcp(tm, "mcps." + name, name), tm, "mcps." + name);
        }
        McpTransport transport;
        Entry remote = m.entries().get("remote");
        if (remote != null) {
            String rp = path + ".remote";
            MapNode r = f.map(remote.value(), rp);
            f.checkFields(r, rp, Set.of("url", "transport_type", "headers"), Set.of());
            String url = f.requiredString(r, "url", rp);
            String kind = f.optString(r, "transport_type", rp).orElse("streamable");
            Map<String, String> headers = f.env(r, rp, "headers");
            transport = switch (kind) {
                case "sse" -> new McpTransport.Sse(url, headers);
                case "streamable", "streamable-http", "streamableHttp", "http" -> new McpTransport.StreamableHttp(url, headers);
                default -> throw f.error(r.entries().get("transport_type").line(), rp + ".transport_type",
                        "unknown MCP transport '" + kind + "'; use sse or streamable");
            };
        } else {
            Entry command = m.entries().get("command");
            if (command == null) {
                throw f.error(m.line(), path, "an MCP toolset needs 'command', 'remote' or 'ref'");
            }
            transport = new McpTransport.Stdio(f.scalarText(command.value(), path + ".command"), f.strings(m, "args", path), f.env(m, path));
        }
        McpToolset.Builder b = McpToolset.builder(transport);
        if (refName != null) {
            b.name("mcp:" + refName);
        }
        Integer timeout = f.optInt(m, "timeout", path);
        if (timeout != null) {
            b.requestTimeout(Duration.ofSeconds(timeout));
        }
        return b.build();
    }
}
