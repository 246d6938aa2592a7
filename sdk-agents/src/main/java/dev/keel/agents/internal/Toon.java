package dev.keel.agents.internal;

import dev.keel.core.json.JsonArray;
import dev.keel.core.json.JsonBoolean;
import dev.keel.core.json.JsonNull;
import dev.keel.core.json.JsonNumber;
import dev.keel.core.json.JsonObject;
import dev.keel.core.json.JsonString;
import dev.keel.core.json.JsonValue;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Writes a JSON value as TOON (Token-Oriented Object Notation, https://github.com/toon-format/spec), the form
 * docker-agent's toolset {@code toon} field gives tool output: objects as indented {@code key: value} lines,
 * arrays of primitives inline ({@code tags[3]: a,b,c}), arrays of objects with the same primitive fields as a
 * table ({@code users[2]{id,name}:} and one row per object), other arrays as {@code - } list items. Comma is the
 * delimiter, the indent two spaces, no trailing newline. A list-item object whose first field is a table has its
 * rows two levels under the hyphen (spec v3). Stateless and thread-safe. Not API.
 */
public final class Toon {
    /**
     * Numbers are written without an exponent, so {@code 1e999999} would be a million digits: beyond this many
     * digits the value is refused rather than expanded.
     */
    static final int MAX_PLAIN_DIGITS = 400;
    private static final Pattern UNQUOTED_KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_.]*");
    /** The spec's numeric-like strings, widened to forms other decoders read as numbers too (.5, 5., +1). */
    private static final Pattern NUMERIC_LIKE = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)(e[+-]?\\d+)?",
            Pattern.CASE_INSENSITIVE);
    private static final char DELIMITER = ',';

    private final StringBuilder out = new StringBuilder();

    private Toon() {}

    /**
     * The TOON text of {@code value}: an object's fields, a root array's header and items, or a single primitive.
     * An empty object is the empty text.
     *
     * @throws IllegalArgumentException when a number has more than {@value #MAX_PLAIN_DIGITS} digits written out
     */
    public static String encode(JsonValue value) {
        Toon t = new Toon();
        if (value instanceof JsonObject o) {
            t.fields(o, 0);
        } else if (value instanceof JsonArray a) {
            t.array("", a, 0, 1);
        } else {
            t.out.append(primitive(value));
        }
        return t.out.toString();
    }

    private void line(int depth, String text) {
        if (!out.isEmpty()) {
            out.append('\n');
        }
        out.append("  ".repeat(depth)).append(text);
    }

    private void fields(JsonObject o, int depth) {
        o.members().forEach((k, v) -> field(key(k), v, depth));
    }

    private void field(String key, JsonValue v, int depth) {
        if (v instanceof JsonObject o) {
            line(depth, key + ":");
            fields(o, depth + 1);
        } else if (v instanceof JsonArray a) {
            array(key, a, depth, depth + 1);
        } else {
            line(depth, key + ": " + primitive(v));
        }
    }

    /**
     * An array whose header starts with {@code lead} (a key, {@code - }, {@code - key} or nothing) at {@code depth};
     * rows or items go at {@code childDepth}.
     */
    private void array(String lead, JsonArray a, int depth, int childDepth) {
        String head = lead + "[" + a.size() + "]";
        List<JsonValue> items = a.items();
        if (items.isEmpty()) {
            line(depth, head + ":");
            return;
        }
        if (items.stream().allMatch(Toon::isPrimitive)) {
            line(depth, head + ": " + row(items));
            return;
        }
        List<String> table = tableFields(items);
        if (table != null) {
            line(depth, head + "{" + String.join(",", table.stream().map(Toon::key).toList()) + "}:");
            for (JsonValue item : items) {
                Map<String, JsonValue> m = ((JsonObject) item).members();
                line(childDepth, row(table.stream().map(m::get).toList()));
            }
            return;
        }
        line(depth, head + ":");
        for (JsonValue item : items) {
            listItem(item, childDepth);
        }
    }

    private void listItem(JsonValue v, int depth) {
        if (v instanceof JsonArray a) {
            array("- ", a, depth, depth + 1);
        } else if (v instanceof JsonObject o && o.isEmpty()) {
            line(depth, "-");
        } else if (v instanceof JsonObject o) {
            boolean first = true;
            for (Map.Entry<String, JsonValue> e : o.members().entrySet()) {
                if (!first) {
                    field(key(e.getKey()), e.getValue(), depth + 1);
                    continue;
                }
                first = false;
                String lead = "- " + key(e.getKey());
                // The first field's children sit under the level of its sibling fields (depth + 1), so at + 2.
                if (e.getValue() instanceof JsonObject inner) {
                    line(depth, lead + ":");
                    fields(inner, depth + 2);
                } else if (e.getValue() instanceof JsonArray inner) {
                    array(lead, inner, depth, depth + 2);
                } else {
                    line(depth, lead + ": " + primitive(e.getValue()));
                }
            }
        } else {
            line(depth, "- " + primitive(v));
        }
    }

    /** The shared field names when every item is an object with the same non-empty set of primitive fields. */
    private static List<String> tableFields(List<JsonValue> items) {
        if (!(items.get(0) instanceof JsonObject first) || first.isEmpty()) {
            return null;
        }
        for (JsonValue item : items) {
            if (!(item instanceof JsonObject o) || !o.names().equals(first.names())
                    || !o.members().values().stream().allMatch(Toon::isPrimitive)) {
                return null;
            }
        }
        return List.copyOf(first.names());
    }

    private static String row(List<JsonValue> values) {
        StringBuilder sb = new StringBuilder();
        for (JsonValue v : values) {
            if (!sb.isEmpty()) {
                sb.append(DELIMITER);
            }
            sb.append(primitive(v));
        }
        return sb.toString();
    }

    private static boolean isPrimitive(JsonValue v) {
        return !(v instanceof JsonObject) && !(v instanceof JsonArray);
    }

    private static String primitive(JsonValue v) {
        if (v instanceof JsonString s) {
            return string(s.value());
        }
        if (v instanceof JsonNumber n) {
            return number(n.value());
        }
        if (v instanceof JsonBoolean b) {
            return String.valueOf(b.value());
        }
        if (v instanceof JsonNull) {
            return "null";
        }
        throw new IllegalArgumentException("not a primitive: " + v.getClass().getSimpleName());
    }

    /** Canonical decimal: no exponent, no trailing fractional zeros, -0 as 0. */
    static String number(BigDecimal value) {
        if (value.signum() == 0) {
            return "0";
        }
        BigDecimal v = value.stripTrailingZeros();
        long digits = Math.max(v.precision(), Math.abs((long) v.scale()) + 1);
        if (digits > MAX_PLAIN_DIGITS) {
            throw new IllegalArgumentException("a number of " + digits + " digits cannot be written without an exponent");
        }
        return v.toPlainString();
    }

    private static String string(String s) {
        return needsQuotes(s) ? quote(s) : s;
    }

    private static boolean needsQuotes(String s) {
        if (s.isEmpty() || isSpace(s.charAt(0)) || isSpace(s.charAt(s.length() - 1)) || s.charAt(0) == '-'
                || s.equals("true") || s.equals("false") || s.equals("null") || NUMERIC_LIKE.matcher(s).matches()) {
            return true;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == ':' || c == '"' || c == '\\' || c == '[' || c == ']' || c == '{' || c == '}' || c == DELIMITER
                    || c < 0x20 || c == 0x7f) {
                return true;
            }
        }
        return false;
    }

    private static boolean isSpace(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c);
    }

    private static String key(String k) {
        return UNQUOTED_KEY.matcher(k).matches() ? k : quote(k);
    }

    /** Quoted with the spec's five escapes; other characters as they are. */
    private static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> sb.append("\\\\");
                case '"' -> sb.append("\\\"");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> sb.append(c);
            }
        }
        return sb.append('"').toString();
    }
}
