package dev.keel.agents.team;

import dev.keel.agents.internal.YamlTree.Entry;
import dev.keel.agents.internal.YamlTree.ListNode;
import dev.keel.agents.internal.YamlTree.MapNode;
import dev.keel.agents.internal.YamlTree.Node;
import dev.keel.agents.internal.YamlTree.Scalar;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Typed access to a team file's YAML with located errors: every read names the field's dotted path and
 * fails with a {@link TeamFileException} at the node's line when the value has the wrong shape; variables
 * are expanded from the load's environment; warnings are collected with their location. One per load;
 * not thread-safe.
 *
 * <p>Expansion: {@code ${env.X}} in any string (with a JavaScript-style default, {@code ${env.X || 'dev'}},
 * as docker-agent's commands and instructions allow); {@code $X} and {@code ${X}} as well in environment maps,
 * headers and URLs. An unset variable never fails a load: in text it becomes empty (with a warning); in an
 * environment map or header it is left for the team's start, which fails naming it ({@link EnvMap}).
 */
final class TeamFields {
    private static final Pattern ENV_REF = Pattern.compile(
            "\\$\\{env\\.([A-Za-z_][A-Za-z0-9_]*)\\s*(?:\\|\\|\\s*(?:'([^']*)'|\"([^\"]*)\"))?\\s*}");
    private static final Pattern VAR_REF = Pattern.compile(
            "\\$\\{(?:env\\.)?([A-Za-z_][A-Za-z0-9_]*)\\s*(?:\\|\\|\\s*(?:'([^']*)'|\"([^\"]*)\"))?\\s*}"
                    + "|\\$([A-Za-z_][A-Za-z0-9_]*)");

    private final String file;
    private final TeamOptions options;
    private final Set<String> warnings = new LinkedHashSet<>();
    private final Map<String, String> fileEnv = new HashMap<>();

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

    /** Variables a v0/v1 file defines in its top-level {@code env}; they win over the load's environment. */
    void fileEnv(Map<String, String> vars) {
        fileEnv.putAll(vars);
    }

    /** A variable's value: the file's own {@code env} first, then the load's environment; null when unset. */
    String variable(String name) {
        String v = fileEnv.get(name);
        return v != null ? v : options.env().get(name);
    }

    /** {@link #variable} as it answers now, without this object: the file's variables copied, the environment's kept. */
    java.util.function.Function<String, String> variables() {
        Map<String, String> file = Map.copyOf(fileEnv);
        Map<String, String> environment = options.env();
        return name -> {
            String v = file.get(name);
            return v != null ? v : environment.get(name);
        };
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

    /** A path from the file: {@code ~} is the home directory, relative paths start at the file's folder. */
    Path resolvePath(String p) {
        return resolve(p, options.baseDirectory());
    }

    /** A path for the tools: {@code ~} is the home directory, relative paths start at the working directory. */
    Path resolveWorkPath(String p) {
        return resolve(p, options.workingDirectory());
    }

    private static Path resolve(String p, Path base) {
        String s = p.equals("~") ? System.getProperty("user.home")
                : p.startsWith("~/") ? System.getProperty("user.home") + p.substring(1) : p;
        Path path = Path.of(s);
        return path.isAbsolute() ? path.normalize() : base.resolve(path).normalize();
    }

    /** Fields of {@code m} that the reader of this kind of entry ignores: a warning each, naming the kind. */
    void onlyFor(MapNode m, String path, Set<String> applicable, String kind) {
        for (Entry e : m.entries().values()) {
            if (!applicable.contains(e.key())) {
                warn(e.line() + ": " + path + "." + e.key() + ": does not apply to " + kind + ", ignored");
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

    /** The scalar's text exactly as written, without expansion (templates expanded later). */
    String rawText(Node n, String field) {
        if (n instanceof Scalar s && s.value() != null) {
            return String.valueOf(s.value());
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

    Optional<String> optString(MapNode m, String key, String path) {
        Entry e = m.entries().get(key);
        return e == null || (e.value() instanceof Scalar s && s.value() == null) ? Optional.empty()
                : Optional.of(scalarText(e.value(), path + "." + key));
    }

    Optional<Boolean> optBool(MapNode m, String key, String path) {
        Entry e = m.entries().get(key);
        if (e == null || (e.value() instanceof Scalar s0 && s0.value() == null)) {
            return Optional.empty();
        }
        if (e.value() instanceof Scalar s && s.value() instanceof Boolean b) {
            return Optional.of(b);
        }
        if (e.value() instanceof Scalar s && s.value() instanceof String text
                && (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false"))) {
            return Optional.of(Boolean.parseBoolean(text));
        }
        throw error(e.line(), path + "." + key, "expected true or false");
    }

    int integer(Node n, String field) {
        if (n instanceof Scalar s && s.value() instanceof Number num && num.doubleValue() == Math.rint(num.doubleValue())) {
            return num.intValue();
        }
        if (n instanceof Scalar s && s.value() instanceof String text && text.strip().matches("-?\\d+")) {
            return Integer.parseInt(text.strip());
        }
        throw error(n.line(), field, "expected a whole number");
    }

    Integer optInt(MapNode m, String key, String path) {
        Entry e = m.entries().get(key);
        return e == null || (e.value() instanceof Scalar s && s.value() == null) ? null : integer(e.value(), path + "." + key);
    }

    Double optDouble(MapNode m, String key, String path) {
        Entry e = m.entries().get(key);
        if (e == null || (e.value() instanceof Scalar s0 && s0.value() == null)) {
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
        if (e.value() instanceof Scalar s && s.value() != null) {
            return List.of(scalarText(s, path + "." + key)); // one value for a list of one, as docker-agent reads it
        }
        ListNode l = list(e.value(), path + "." + key);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < l.items().size(); i++) {
            out.add(scalarText(l.items().get(i), path + "." + key + "[" + i + "]"));
        }
        return out;
    }

    /**
     * A string map whose values may use {@code $VAR}, {@code ${VAR}} and {@code ${env.VAR}}, expanded now when
     * every variable is set, or left for the team's start (see {@link EnvMap#resolve()}).
     */
    EnvMap envMap(MapNode m, String path, String key) {
        Entry e = m.entries().get(key);
        if (e == null) {
            return new EnvMap(Map.of(), List.of());
        }
        Map<String, String> out = new LinkedHashMap<>();
        List<String> missing = new ArrayList<>();
        for (Entry v : map(e.value(), path + "." + key).entries().values()) {
            String raw = rawText(v.value(), path + "." + key + "." + v.key());
            out.put(v.key(), substitute(raw, VAR_REF, missing));
        }
        return new EnvMap(out, missing);
    }

    /** The scalar fields {@code keys} of {@code m} (those present), with variables as in {@link #envMap}. */
    EnvMap envFields(MapNode m, String path, List<String> keys) {
        Map<String, String> out = new LinkedHashMap<>();
        List<String> missing = new ArrayList<>();
        for (String key : keys) {
            Entry e = m.entries().get(key);
            if (e != null) {
                out.put(key, substitute(rawText(e.value(), path + "." + key), VAR_REF, missing));
            }
        }
        return new EnvMap(out, missing);
    }

    /** {@link #envMap} that must be complete now (for values the load itself needs). */
    Map<String, String> env(MapNode m, String path, String key) {
        EnvMap env = envMap(m, path, key);
        if (!env.missing().isEmpty()) {
            Entry e = m.entries().get(key);
            throw error(e.line(), path + "." + key, "environment variable " + env.missing().get(0) + " is not set");
        }
        return env.values();
    }

    /**
     * A Go duration ({@code 1m}, {@code 30s}, {@code 2m30s}, {@code 500ms}, {@code 1h}) or a number of seconds.
     *
     * @throws TeamFileException when the text is neither
     */
    java.time.Duration goDuration(Node n, String field) {
        if (n instanceof Scalar s && s.value() instanceof Number num) {
            return java.time.Duration.ofMillis(Math.round(num.doubleValue() * 1000));
        }
        String text = scalarText(n, field).strip();
        try {
            java.time.Duration d = dev.keel.agents.internal.GoDurations.parse(text);
            if (!d.isNegative()) {
                return d;
            }
        } catch (IllegalArgumentException e) {
            // named below, with the field and its line
        }
        throw error(n.line(), field, "'" + text + "' is not a duration like 30s, 1m or 2m30s");
    }

    /** A URL or other single value that may use {@code $VAR} / {@code ${VAR}} / {@code ${env.VAR}}. */
    String expandVars(String raw, int line, String field) {
        List<String> missing = new ArrayList<>();
        String out = substitute(raw, VAR_REF, missing);
        for (String name : missing) {
            warn(line + ": " + field + ": environment variable " + name + " is not set; expanded to ''");
        }
        return out;
    }

    /** Expands {@code ${env.X}} in any string; an unset variable without a default becomes '' with a warning. */
    String expand(String text, int line, String field) {
        if (!text.contains("${env.")) {
            return text;
        }
        List<String> missing = new ArrayList<>();
        String out = substitute(text, ENV_REF, missing);
        for (String name : missing) {
            warn(line + ": " + field + ": environment variable " + name + " is not set; expanded to ''");
        }
        return out;
    }

    private String substitute(String text, Pattern pattern, List<String> missing) {
        Matcher mt = pattern.matcher(text);
        StringBuilder sb = new StringBuilder();
        while (mt.find()) {
            String name = mt.group(1) != null ? mt.group(1) : mt.group(mt.groupCount());
            String fallback = mt.groupCount() >= 3 ? (mt.group(2) != null ? mt.group(2) : mt.group(3)) : null;
            String value = variable(name);
            if (value == null) {
                value = fallback;
            }
            if (value == null) {
                missing.add(name);
                value = "";
            }
            mt.appendReplacement(sb, Matcher.quoteReplacement(value));
        }
        mt.appendTail(sb);
        return sb.toString();
    }

    /**
     * An expanded environment or header map, and the variables it refers to that are unset. A toolset with a
     * missing variable is built when the team starts, where {@link #resolve()} fails naming the variable.
     */
    record EnvMap(Map<String, String> values, List<String> missing) {
        EnvMap {
            values = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(values));
            missing = List.copyOf(new LinkedHashSet<>(missing));
        }

        boolean complete() {
            return missing.isEmpty();
        }

        /** The values, or a failure naming the first unset variable. */
        Map<String, String> resolve() {
            if (!missing.isEmpty()) {
                throw new MissingPrerequisiteException("$" + missing.get(0), "the environment variable "
                        + missing.get(0) + ", which is not set", "set it before the team starts");
            }
            return values;
        }
    }
}
