package dev.keel.agents.team;

import dev.keel.agents.internal.YamlTree.Entry;
import dev.keel.agents.internal.YamlTree.ListNode;
import dev.keel.agents.internal.YamlTree.MapNode;
import dev.keel.agents.internal.YamlTree.Node;
import dev.keel.agents.internal.YamlTree.Scalar;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Typed access to a team file's YAML with located errors: every read names the field's dotted path and
 * fails with a {@link TeamFileException} at the node's line when the value has the wrong shape; variables
 * are expanded from the load's environment; warnings are collected with their location. One per load;
 * not thread-safe.
 */
final class TeamFields {
    private static final Pattern ENV_REF = Pattern.compile("\\$\\{env\\.([A-Za-z_][A-Za-z0-9_]*)}");
    private static final Pattern VAR_REF = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}|\\$([A-Za-z_][A-Za-z0-9_]*)");

    private final String file;
    private final TeamOptions options;
    private final Set<String> warnings = new LinkedHashSet<>();

    TeamFields(String file, TeamOptions options) {
        this.file = file;
        this.options = options;
    }

    String file() {
        return file;
    }

    TeamOptions options() {
        return options;
    }

    /** A warning; {@code located} starts with the line: {@code "12: agents.root.x: note"}. */
    void warn(String located) {
        warnings.add(file + ":" + located);
    }

    List<String> warnings() {
        return List.copyOf(warnings);
    }

    TeamFileException error(int line, String field, String problem) {
        return new TeamFileException(file, line, field, problem);
    }

    Path resolvePath(String p) {
        Path path = Path.of(p.startsWith("~/") ? System.getProperty("user.home") + p.substring(1) : p);
        return path.isAbsolute() ? path : options.baseDirectory().resolve(path).normalize();
    }


    void checkFields(MapNode m, String path, Set<String> known, Set<String> ignored) {
        for (Entry e : m.entries().values()) {
            String field = path.isEmpty() ? e.key() : path + "." + e.key();
            if (ignored.contains(e.key())) {
                warn(e.line() + ": " + field + ": not supported by Keel, ignored");
            } else if (!known.contains(e.key())) {
                throw error(e.line(), field, "unknown field '" + e.key() + "'");
            }
        }
    }

    Map<String, Entry> entries(MapNode top, String key) {
        Entry e = top.entries().get(key);
        return e == null ? Map.of() : map(e.value(), key).entries();
    }

    MapNode map(Node n, String field) {
        if (n instanceof MapNode m) {
            return m;
        }
        if (n instanceof Scalar s && s.value() == null) {
            return new MapNode(Map.of(), s.line());
        }
        throw error(n.line(), field, "expected a mapping");
    }

    ListNode list(Node n, String field) {
        if (n instanceof ListNode l) {
            return l;
        }
        if (n instanceof Scalar s && s.value() == null) {
            return new ListNode(List.of(), s.line());
        }
        throw error(n.line(), field, "expected a list");
    }

    String scalarText(Node n, String field) {
        if (n instanceof Scalar s && s.value() != null) {
            return expand(String.valueOf(s.value()), s.line(), field);
        }
        throw error(n.line(), field, "expected a value");
    }

    String requiredString(MapNode m, String key, String path) {
        Entry e = m.entries().get(key);
        if (e == null) {
            throw error(m.line(), path + "." + key, "missing required field '" + key + "'");
        }
        return scalarText(e.value(), path + "." + key);
    }

    java.util.Optional<String> optString(MapNode m, String key, String path) {
        Entry e = m.entries().get(key);
        return e == null || (e.value() instanceof Scalar s && s.value() == null) ? java.util.Optional.empty()
                : java.util.Optional.of(scalarText(e.value(), path + "." + key));
    }

    java.util.Optional<Boolean> optBool(MapNode m, String key, String path) {
        Entry e = m.entries().get(key);
        if (e == null) {
            return java.util.Optional.empty();
        }
        if (e.value() instanceof Scalar s && s.value() instanceof Boolean b) {
            return java.util.Optional.of(b);
        }
        throw error(e.line(), path + "." + key, "expected true or false");
    }

    int integer(Node n, String field) {
        if (n instanceof Scalar s && s.value() instanceof Number num && num.doubleValue() == Math.rint(num.doubleValue())) {
            return num.intValue();
        }
        throw error(n.line(), field, "expected a whole number");
    }

    Integer optInt(MapNode m, String key, String path) {
        Entry e = m.entries().get(key);
        return e == null ? null : integer(e.value(), path + "." + key);
    }

    Double optDouble(MapNode m, String key, String path) {
        Entry e = m.entries().get(key);
        if (e == null) {
            return null;
        }
        if (e.value() instanceof Scalar s && s.value() instanceof Number num) {
            return num.doubleValue();
        }
        throw error(e.line(), path + "." + key, "expected a number");
    }

    List<String> strings(MapNode m, String key, String path) {
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

    Map<String, String> env(MapNode m, String path) {
        return env(m, path, "env");
    }

    /** A string map whose values may use $VAR / ${VAR} / ${env.VAR}; an unset variable is an error. */
    Map<String, String> env(MapNode m, String path, String key) {
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
    String expand(String text, int line, String field) {
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
