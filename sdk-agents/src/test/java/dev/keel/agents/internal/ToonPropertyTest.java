package dev.keel.agents.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.core.json.JsonArray;
import dev.keel.core.json.JsonBoolean;
import dev.keel.core.json.JsonNull;
import dev.keel.core.json.JsonNumber;
import dev.keel.core.json.JsonObject;
import dev.keel.core.json.JsonString;
import dev.keel.core.json.JsonValue;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * TOON written by {@link Toon} reads back as the same JSON value, through a strict decoder written here from the
 * spec (exact indentation, declared lengths and row widths checked, only the five escapes, no trailing spaces or
 * newline); and tables of three or more rows are never longer than the compact JSON.
 */
class ToonPropertyTest {
    private static final String HOSTILE_CHARS = "ab -:,\"\\[]{}\n\r\t#|1.eE0é日\u0001";
    private static final List<String> HOSTILE = List.of("", "-", "--", "- x", "true", "false", "null", "True", "  x",
            "x  ", " ", "42", "-7", "3.14", "1e5", "05", "0", ".5", "5.", "+1", "a:b", "a,b", "\"q\"", "\\", "[1]: x",
            "{a}", "x\ny", "tab\there", "héllo wörld 👋", "日本語", "#", "a|b", "key: value", "[3]{a,b}:", "\u2028");

    @Provide
    Arbitrary<JsonValue> values() {
        return value(4);
    }

    private static Arbitrary<String> strings() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, Arbitraries.of(HOSTILE)),
                net.jqwik.api.Tuple.of(3, Arbitraries.strings().withChars(HOSTILE_CHARS).ofMaxLength(8)),
                net.jqwik.api.Tuple.of(1, Arbitraries.strings().all().ofMaxLength(5)));
    }

    private static Arbitrary<JsonValue> numbers() {
        return Arbitraries.oneOf(
                Arbitraries.longs().map(JsonNumber::of),
                Arbitraries.doubles().map(JsonNumber::of),
                Arbitraries.bigDecimals().ofScale(4).between(new BigDecimal("-1000"), new BigDecimal("1000"))
                        .map(JsonNumber::of),
                Arbitraries.of("1e30", "-1E-12", "0.000", "-0", "1.50", "123456789012345678901234567890")
                        .map(s -> new JsonNumber(new BigDecimal(s))));
    }

    private static Arbitrary<JsonValue> primitives() {
        return Arbitraries.oneOf(strings().map(JsonString::new), numbers(),
                Arbitraries.of(JsonBoolean.TRUE, JsonBoolean.FALSE, JsonNull.INSTANCE));
    }

    /** Arrays of objects with the same keys and primitive values, so that tables appear often. */
    private static Arbitrary<JsonValue> tables() {
        return strings().list().uniqueElements().ofMinSize(1).ofMaxSize(3).flatMap(keys -> {
            Arbitrary<JsonValue> row = primitives().list().ofSize(keys.size()).map(vals -> {
                Map<String, JsonValue> m = new LinkedHashMap<>();
                for (int i = 0; i < keys.size(); i++) {
                    m.put(keys.get(i), vals.get(i));
                }
                return new JsonObject(m);
            });
            return row.list().ofMinSize(1).ofMaxSize(4).map(JsonArray::new);
        });
    }

    private static Arbitrary<JsonValue> value(int depth) {
        if (depth == 0) {
            return primitives();
        }
        Arbitrary<JsonValue> arrays = value(depth - 1).list().ofMaxSize(4).map(JsonArray::new);
        Arbitrary<JsonValue> objects = Arbitraries.maps(strings(), value(depth - 1)).ofMaxSize(4)
                .map(m -> new JsonObject(new LinkedHashMap<>(m)));
        // A list item whose first field is a table, the spec's trickiest layout.
        Arbitrary<JsonValue> tableFirst = Combinators.combine(strings(), tables(), value(depth - 1))
                .as((k, t, rest) -> JsonArray.of(JsonObject.of(Map.of()).with(k, t).with(k + "x", rest)));
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(3, primitives()), net.jqwik.api.Tuple.of(2, arrays),
                net.jqwik.api.Tuple.of(3, objects), net.jqwik.api.Tuple.of(2, tables()),
                net.jqwik.api.Tuple.of(1, tableFirst));
    }

    @Property(tries = 1000)
    void decodingTheEncodedTextGivesTheSameValue(@ForAll("values") JsonValue value) {
        String text = Toon.encode(value);
        assertThat(text).doesNotEndWith("\n");
        for (String line : text.split("\n", -1)) {
            assertThat(line).as("no trailing spaces in %s", text).doesNotEndWith(" ");
        }
        assertThat(Decoder.decode(text)).as("TOON:\n%s", text).isEqualTo(value);
    }

    @Provide
    Arbitrary<JsonValue> tabularData() {
        Arbitrary<JsonValue> cell = Arbitraries.oneOf(strings().map(JsonString::new),
                Arbitraries.longs().map(JsonNumber::of),
                // Decimals JSON writes without an exponent (TOON never uses one, so 1E+300 is longer in TOON).
                Arbitraries.bigDecimals().ofScale(3).between(new BigDecimal("-1e9"), new BigDecimal("1e9")).map(JsonNumber::of),
                Arbitraries.of(JsonBoolean.TRUE, JsonBoolean.FALSE, JsonNull.INSTANCE));
        return Arbitraries.strings().all().ofMaxLength(12).list().uniqueElements().ofMinSize(1).ofMaxSize(6)
                .flatMap(keys -> cell.list().ofSize(keys.size()).map(vals -> {
                    Map<String, JsonValue> m = new LinkedHashMap<>();
                    for (int i = 0; i < keys.size(); i++) {
                        m.put(keys.get(i), vals.get(i));
                    }
                    return (JsonValue) new JsonObject(m);
                }).list().ofMinSize(3).ofMaxSize(30).map(JsonArray::new))
                .flatMap(table -> Arbitraries.oneOf(Arbitraries.just(table),
                        strings().map(k -> JsonObject.of(Map.of()).with(k, table))));
    }

    @Property(tries = 500)
    void tablesOfThreeOrMoreRowsAreNeverLongerThanCompactJson(@ForAll("tabularData") JsonValue value) {
        String text = Toon.encode(value);
        assertThat(text.length()).as("TOON:\n%s\nJSON:\n%s", text, value.toJson()).isLessThanOrEqualTo(value.toJson().length());
        assertThat(Decoder.decode(text)).isEqualTo(value);
    }

    /** A strict TOON decoder for the comma-delimited, two-space form {@link Toon} writes. */
    static final class Decoder {
        private static final Pattern NUMBER = Pattern.compile("-?(0|[1-9]\\d*)(\\.\\d+)?([eE][+-]?\\d+)?");
        private final List<String> lines = new ArrayList<>();
        private final List<Integer> depths = new ArrayList<>();
        private int at;

        private Decoder(String text) {
            for (String raw : text.split("\n", -1)) {
                int spaces = 0;
                while (spaces < raw.length() && raw.charAt(spaces) == ' ') {
                    spaces++;
                }
                if (spaces % 2 != 0) {
                    throw new IllegalStateException("indentation of " + spaces + " spaces: " + raw);
                }
                if (raw.substring(spaces).isEmpty()) {
                    throw new IllegalStateException("blank line in " + text);
                }
                depths.add(spaces / 2);
                lines.add(raw.substring(spaces));
            }
        }

        static JsonValue decode(String text) {
            if (text.isEmpty()) {
                return JsonObject.of();
            }
            Decoder d = new Decoder(text);
            JsonValue v;
            String first = d.lines.get(0);
            if (first.startsWith("[")) {
                v = d.array(first, 0, 1);
            } else if (d.lines.size() == 1 && d.keyEnd(first) < 0) {
                v = primitive(first);
                d.at = 1;
            } else {
                v = d.object(0);
            }
            if (d.at != d.lines.size()) {
                throw new IllegalStateException("unread line " + d.at + ": " + d.lines.get(d.at));
            }
            return v;
        }

        private String line() {
            return lines.get(at);
        }

        private boolean more(int depth) {
            return at < lines.size() && depths.get(at) == depth;
        }

        /** Where a key (quoted or not) ends when the text starts with one followed by ':' or '[', else -1. */
        private int keyEnd(String s) {
            int end;
            if (s.startsWith("\"")) {
                end = quotedEnd(s, 0);
            } else {
                end = 0;
                while (end < s.length() && s.charAt(end) != ':' && s.charAt(end) != '[') {
                    end++;
                }
            }
            return end < s.length() && (s.charAt(end) == ':' || s.charAt(end) == '[') ? end : -1;
        }

        private static int quotedEnd(String s, int start) {
            for (int i = start + 1; i < s.length(); i++) {
                if (s.charAt(i) == '\\') {
                    i++;
                } else if (s.charAt(i) == '"') {
                    return i + 1;
                }
            }
            throw new IllegalStateException("unterminated string: " + s);
        }

        private static String key(String token) {
            if (token.startsWith("\"")) {
                return unquote(token);
            }
            if (!token.matches("[A-Za-z_][A-Za-z0-9_.]*")) {
                throw new IllegalStateException("key should have been quoted: " + token);
            }
            return token;
        }

        private JsonObject object(int depth) {
            Map<String, JsonValue> m = new LinkedHashMap<>();
            while (more(depth)) {
                field(line(), depth + 1, m);
            }
            return new JsonObject(m);
        }

        /** One {@code key: …} or {@code key[N]…} line (already located) whose children sit at {@code childDepth}. */
        private void field(String s, int childDepth, Map<String, JsonValue> into) {
            int end = keyEnd(s);
            if (end < 0) {
                throw new IllegalStateException("missing colon after key: " + s);
            }
            String k = key(s.substring(0, end));
            if (into.containsKey(k)) {
                throw new IllegalStateException("duplicate key " + k);
            }
            String rest = s.substring(end);
            if (rest.startsWith("[")) {
                into.put(k, array(rest, depths.get(at), childDepth));
                return;
            }
            at++;
            if (rest.equals(":")) {
                into.put(k, object(childDepth));
            } else if (rest.startsWith(": ")) {
                into.put(k, primitive(rest.substring(2)));
            } else {
                throw new IllegalStateException("bad field: " + s);
            }
        }

        /** An array header {@code [N]…:} (the text after any key) on the current line; items at {@code childDepth}. */
        private JsonArray array(String header, int depth, int childDepth) {
            int close = header.indexOf(']');
            int n = Integer.parseInt(header.substring(1, close));
            String rest = header.substring(close + 1);
            at++;
            List<JsonValue> items = new ArrayList<>();
            if (rest.startsWith("{")) {
                int fieldsEnd = closingBrace(rest);
                List<String> fields = split(rest.substring(1, fieldsEnd)).stream().map(Decoder::key).toList();
                if (!rest.substring(fieldsEnd + 1).equals(":")) {
                    throw new IllegalStateException("bad table header: " + header);
                }
                while (more(childDepth)) {
                    List<String> cells = split(line());
                    if (cells.size() != fields.size()) {
                        throw new IllegalStateException("expected " + fields.size() + " values in row " + line());
                    }
                    Map<String, JsonValue> m = new LinkedHashMap<>();
                    for (int i = 0; i < cells.size(); i++) {
                        m.put(fields.get(i), primitive(cells.get(i)));
                    }
                    items.add(new JsonObject(m));
                    at++;
                }
            } else if (rest.startsWith(": ")) {
                split(rest.substring(2)).forEach(t -> items.add(primitive(t)));
            } else if (rest.equals(":")) {
                while (more(childDepth) && (line().equals("-") || line().startsWith("- "))) {
                    items.add(listItem(childDepth));
                }
            } else {
                throw new IllegalStateException("bad array header: " + header);
            }
            if (items.size() != n) {
                throw new IllegalStateException("declared " + n + " items, found " + items.size() + ": " + header);
            }
            return new JsonArray(items);
        }

        private JsonValue listItem(int depth) {
            String s = line();
            if (s.equals("-")) {
                at++;
                return JsonObject.of();
            }
            String item = s.substring(2);
            if (item.startsWith("[")) {
                return array(item, depth, depth + 1);
            }
            if (keyEnd(item) < 0) {
                at++;
                return primitive(item);
            }
            Map<String, JsonValue> m = new LinkedHashMap<>();
            field(item, depth + 2, m);
            while (more(depth + 1)) {
                field(line(), depth + 2, m);
            }
            return new JsonObject(m);
        }

        private static int closingBrace(String s) {
            for (int i = 1; i < s.length(); i++) {
                if (s.charAt(i) == '"') {
                    i = quotedEnd(s, i) - 1;
                } else if (s.charAt(i) == '}') {
                    return i;
                }
            }
            throw new IllegalStateException("no closing brace: " + s);
        }

        /** Splits on unquoted commas; tokens are not trimmed (the encoder writes no padding). */
        private static List<String> split(String s) {
            List<String> out = new ArrayList<>();
            int start = 0;
            for (int i = 0; i < s.length(); i++) {
                if (s.charAt(i) == '"') {
                    i = quotedEnd(s, i) - 1;
                } else if (s.charAt(i) == ',') {
                    out.add(s.substring(start, i));
                    start = i + 1;
                }
            }
            out.add(s.substring(start));
            return out;
        }

        private static JsonValue primitive(String token) {
            if (token.startsWith("\"")) {
                return new JsonString(unquote(token));
            }
            if (token.isEmpty() || token.strip().length() != token.length()) {
                throw new IllegalStateException("unquoted token with padding: '" + token + "'");
            }
            switch (token) {
                case "true":
                    return JsonBoolean.TRUE;
                case "false":
                    return JsonBoolean.FALSE;
                case "null":
                    return JsonNull.INSTANCE;
                default:
                    break;
            }
            if (NUMBER.matcher(token).matches()) {
                return new JsonNumber(new BigDecimal(token));
            }
            for (char c : new char[] {':', '"', '\\', '[', ']', '{', '}', ',', '\n', '\r', '\t'}) {
                if (token.indexOf(c) >= 0 || token.startsWith("-")) {
                    throw new IllegalStateException("should have been quoted: " + token);
                }
            }
            return new JsonString(token);
        }

        private static String unquote(String token) {
            if (quotedEnd(token, 0) != token.length()) {
                throw new IllegalStateException("text after the closing quote: " + token);
            }
            StringBuilder sb = new StringBuilder();
            for (int i = 1; i < token.length() - 1; i++) {
                char c = token.charAt(i);
                if (c != '\\') {
                    sb.append(c);
                    continue;
                }
                char e = token.charAt(++i);
                switch (e) {
                    case '\\' -> sb.append('\\');
                    case '"' -> sb.append('"');
                    case 'n' -> sb.append('\n');
                    case 'r' -> sb.append('\r');
                    case 't' -> sb.append('\t');
                    default -> throw new IllegalStateException("invalid escape \\" + e);
                }
            }
            return sb.toString();
        }
    }
}
