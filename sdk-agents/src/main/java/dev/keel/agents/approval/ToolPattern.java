package dev.keel.agents.approval;

import dev.keel.core.json.JsonArray;
import dev.keel.core.json.JsonObject;
import dev.keel.core.json.JsonString;
import dev.keel.core.json.JsonValue;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One parsed permission pattern: {@code tool-glob[:arg=glob]...}. Immutable and thread-safe.
 *
 * @param tool      glob over the tool name
 * @param arguments argument name → glob over its value
 */
public record ToolPattern(String tool, Map<String, String> arguments) {
    private static final Pattern ARG_SPLIT = Pattern.compile(":(?=[A-Za-z_][A-Za-z0-9_.-]*=)");

    /**
     * Creates the value, checking its components.
     *
     * @param tool glob over the tool name
     * @param arguments argument name → glob over its value
     */
    public ToolPattern {
        Objects.requireNonNull(tool, "tool");
        arguments = Map.copyOf(arguments);
    }

    /**
     * Parses {@code text}.
     *
     * @param text the pattern, {@code tool} or {@code tool(arg=glob, ...)}
     * @return the parsed pattern
     * @throws IllegalArgumentException when the pattern is empty or an argument part has no {@code =}
     */
    public static ToolPattern parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("a permission pattern cannot be empty");
        }
        String[] parts = ARG_SPLIT.split(text.strip(), -1);
        String tool = parts[0];
        if (tool.isEmpty() || tool.contains("=")) {
            throw new IllegalArgumentException("permission pattern '" + text + "' must start with a tool name glob");
        }
        Map<String, String> args = new LinkedHashMap<>();
        for (int i = 1; i < parts.length; i++) {
            int eq = parts[i].indexOf('=');
            args.put(parts[i].substring(0, eq), parts[i].substring(eq + 1));
        }
        if (parts.length == 1 && tool.contains(":")) {
            throw new IllegalArgumentException("permission pattern '" + text + "': expected tool:argument=glob");
        }
        return new ToolPattern(tool, args);
    }

    /**
     * Whether a call of {@code toolName} with {@code args} matches. A missing argument never matches.
     *
     * @param args the args
     * @param toolName the tool name
     * @return whether a call of {@code toolName} with {@code args} matches
     */
    public boolean matches(String toolName, JsonObject args) {
        if (!glob(tool, toolName)) {
            return false;
        }
        for (Map.Entry<String, String> e : arguments.entrySet()) {
            JsonValue value = args == null ? null : args.get(e.getKey()).orElse(null);
            if (value == null || value.isNull()) {
                return false;
            }
            List<String> candidates = new ArrayList<>();
            if (value instanceof JsonArray array) {
                // Any element may match, so "fetch:urls=*evil*" catches one bad URL among several.
                array.items().forEach(v -> candidates.add(text(v)));
            } else {
                candidates.add(text(value));
            }
            if (candidates.stream().noneMatch(c -> glob(e.getValue(), c))) {
                return false;
            }
        }
        return true;
    }

    private static String text(JsonValue v) {
        return v instanceof JsonString s ? s.value() : v.toJson();
    }

    /**
     * Glob match where {@code *} is any run of characters and {@code ?} one character.
     *
     * @param glob the pattern
     * @param text the text to match
     * @return whether the whole text matches
     */
    public static boolean glob(String glob, String text) {
        return match(glob, 0, text, 0);
    }

    private static boolean match(String g, int gi, String t, int ti) {
        // Iterative with single backtrack point: linear enough for short patterns and safe from blow-up.
        int star = -1;
        int mark = 0;
        while (ti < t.length()) {
            if (gi < g.length() && (g.charAt(gi) == '?' || g.charAt(gi) == t.charAt(ti))) {
                gi++;
                ti++;
            } else if (gi < g.length() && g.charAt(gi) == '*') {
                star = gi++;
                mark = ti;
            } else if (star >= 0) {
                gi = star + 1;
                ti = ++mark;
            } else {
                return false;
            }
        }
        while (gi < g.length() && g.charAt(gi) == '*') {
            gi++;
        }
        return gi == g.length();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(tool);
        arguments.forEach((k, v) -> sb.append(':').append(k).append('=').append(v));
        return sb.toString();
    }
}
