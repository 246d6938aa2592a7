package dev.keel.agents.team;

import dev.keel.agents.internal.YamlTree.Entry;
import dev.keel.agents.internal.YamlTree.ListNode;
import dev.keel.agents.internal.YamlTree.MapNode;
import dev.keel.agents.internal.YamlTree.Node;
import dev.keel.agents.internal.YamlTree.Scalar;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * Brings a document of an older docker-agent schema version to the current shape, step by step as
 * docker-agent's own upgraders do, so that readers know one shape only:
 * <ul>
 *   <li>v0 → v1: a model's {@code type} is its {@code provider}; an agent's {@code think: true},
 *       {@code todo: true|{shared}} and {@code memory: {path}} become {@code think}, {@code todo} and
 *       {@code memory} toolsets, in that order before the agent's own;</li>
 *   <li>v3 → v4: agents keep their document order (Keel always does);</li>
 *   <li>v7 → v8: an agent's {@code rag: [names]} becomes {@code type: rag, ref: NAME} toolsets.</li>
 * </ul>
 * A v0/v1 {@code env} (top level or model) and a toolset's {@code env_file} need no migration: Keel reads them
 * as they are. A field migrated from a version older than the file declares is a warning (docker-agent would
 * refuse it), but it is still read. Stateless apart from the warnings it reports.
 */
final class Migrations {
    private final TeamFields f;
    private final int version;

    Migrations(TeamFields f, int version) {
        this.f = f;
        this.version = version;
    }

    MapNode apply(MapNode top) {
        MapNode out = mapEach(top, "models", (name, m) -> model(m, "models." + name));
        return agents(out);
    }

    private MapNode model(MapNode m, String path) {
        Entry type = m.entries().get("type");
        if (type != null) {
            old(type, path + ".type", 0, "read as 'provider'");
            Map<String, Entry> entries = new LinkedHashMap<>(m.entries());
            entries.remove("type");
            if (!entries.containsKey("provider")) {
                entries = putFirst(entries, new Entry("provider", type.line(), type.value()));
            }
            m = new MapNode(entries, m.line());
        }
        return m;
    }

    private MapNode agents(MapNode top) {
        Entry agents = top.entries().get("agents");
        if (agents == null) {
            return top;
        }
        Node migrated;
        if (agents.value() instanceof MapNode m) {
            migrated = mapEach(m, (name, a) -> agent(a, "agents." + name));
        } else if (agents.value() instanceof ListNode l) {
            List<Node> items = new ArrayList<>();
            for (int i = 0; i < l.items().size(); i++) {
                Node n = l.items().get(i);
                items.add(n instanceof MapNode a ? agent(a, "agents[" + i + "]") : n);
            }
            migrated = new ListNode(items, l.line());
        } else {
            return top;
        }
        return with(top, new Entry("agents", agents.line(), migrated));
    }

    private MapNode agent(MapNode a, String path) {
        List<Node> added = new ArrayList<>();
        Map<String, Entry> entries = new LinkedHashMap<>(a.entries());
        Entry todo = entries.remove("todo");
        if (todo != null) {
            old(todo, path + ".todo", 0, "read as a todo toolset");
            Node v = todo.value();
            if (v instanceof MapNode t) {
                Map<String, Entry> ts = new LinkedHashMap<>();
                ts.put("type", new Entry("type", todo.line(), new Scalar("todo", todo.line())));
                if (t.entries().containsKey("shared")) {
                    ts.put("shared", t.entries().get("shared"));
                }
                added.add(new MapNode(ts, todo.line()));
            } else if (v instanceof Scalar s && Boolean.TRUE.equals(s.value())) {
                added.add(toolset("todo", todo.line(), null, null));
            }
        }
        Entry think = entries.remove("think");
        if (think != null) {
            old(think, path + ".think", 0, "read as a think toolset");
            if (think.value() instanceof Scalar s && Boolean.TRUE.equals(s.value())) {
                added.add(toolset("think", think.line(), null, null));
            }
        }
        Entry memory = entries.remove("memory");
        if (memory != null) {
            old(memory, path + ".memory", 0, "read as a memory toolset");
            if (memory.value() instanceof MapNode mm && mm.entries().get("path") != null) {
                added.add(toolset("memory", memory.line(), "path", mm.entries().get("path").value()));
            }
        }
        List<Node> after = new ArrayList<>();
        Entry rag = entries.remove("rag");
        if (rag != null) {
            old(rag, path + ".rag", 7, "read as rag toolsets");
            if (rag.value() instanceof ListNode names) {
                for (Node n : names.items()) {
                    after.add(toolset("rag", n.line(), "ref", n));
                }
            } else if (rag.value() instanceof Scalar one && one.value() != null) {
                after.add(toolset("rag", rag.line(), "ref", one));
            } else if (!(rag.value() instanceof Scalar)) {
                throw f.error(rag.line(), path + ".rag", "expected a list of names of top-level rag entries");
            }
        }
        if (added.isEmpty() && after.isEmpty()) {
            return a;
        }
        Entry toolsets = entries.get("toolsets");
        List<Node> all = new ArrayList<>(added);
        if (toolsets != null && toolsets.value() instanceof ListNode l) {
            all.addAll(l.items());
        }
        all.addAll(after);
        int line = toolsets != null ? toolsets.line() : a.line();
        entries.put("toolsets", new Entry("toolsets", line, new ListNode(all, line)));
        return new MapNode(entries, a.line());
    }

    private static MapNode toolset(String type, int line, String key, Node value) {
        Map<String, Entry> ts = new LinkedHashMap<>();
        ts.put("type", new Entry("type", line, new Scalar(type, line)));
        if (key != null) {
            ts.put(key, new Entry(key, line, value));
        }
        return new MapNode(ts, line);
    }

    /** A field of schema {@code lastVersion} or earlier: fine in such a file, a warning in a newer one. */
    private void old(Entry e, String field, int lastVersion, String how) {
        if (version > lastVersion) {
            f.warn(e.line() + ": " + field + ": a field of docker-agent schema version " + lastVersion
                    + (lastVersion == 0 ? "" : " and earlier") + " (this file declares " + version + "); " + how);
        }
    }

    private static MapNode mapEach(MapNode top, String key, BiFunction<String, MapNode, MapNode> fn) {
        Entry e = top.entries().get(key);
        if (e == null || !(e.value() instanceof MapNode m)) {
            return top;
        }
        return with(top, new Entry(key, e.line(), mapEach(m, fn)));
    }

    private static MapNode mapEach(MapNode m, BiFunction<String, MapNode, MapNode> fn) {
        Map<String, Entry> out = new LinkedHashMap<>();
        for (Entry e : m.entries().values()) {
            Node v = e.value() instanceof MapNode mm ? fn.apply(e.key(), mm) : e.value();
            out.put(e.key(), new Entry(e.key(), e.line(), v));
        }
        return new MapNode(out, m.line());
    }

    private static MapNode with(MapNode m, Entry replaced) {
        Map<String, Entry> out = new LinkedHashMap<>(m.entries());
        out.put(replaced.key(), replaced);
        return new MapNode(out, m.line());
    }

    private static Map<String, Entry> putFirst(Map<String, Entry> m, Entry first) {
        Map<String, Entry> out = new LinkedHashMap<>();
        out.put(first.key(), first);
        out.putAll(m);
        return out;
    }
}
