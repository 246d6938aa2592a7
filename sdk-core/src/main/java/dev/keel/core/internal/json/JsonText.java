package dev.keel.core.internal.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keel.core.json.JsonArray;
import dev.keel.core.json.JsonBoolean;
import dev.keel.core.json.JsonNull;
import dev.keel.core.json.JsonNumber;
import dev.keel.core.json.JsonObject;
import dev.keel.core.json.JsonParseException;
import dev.keel.core.json.JsonString;
import dev.keel.core.json.JsonValue;
import java.io.IOException;
import java.lang.reflect.Array;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Parsing, writing and conversion of Keel's {@link JsonValue}s. Stateless; thread-safe. */
public final class JsonText {
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    private static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);

    private JsonText() {}

    /** See {@link JsonValue#parse(String)}. */
    public static JsonValue parse(String text) {
        if (text == null) {
            throw new JsonParseException("no JSON text (null)");
        }
        try (JsonParser p = FACTORY.createParser(text)) {
            JsonToken first = p.nextToken();
            if (first == null) {
                throw new JsonParseException("empty JSON text");
            }
            JsonValue value = read(p, first);
            JsonToken extra = p.nextToken();
            if (extra != null) {
                throw new JsonParseException("invalid JSON: unexpected " + extra.asString() + " after the value at "
                        + where(p));
            }
            return value;
        } catch (StreamReadException e) {
            throw new JsonParseException("invalid JSON: " + e.getOriginalMessage() + " at " + where(e.getProcessor()), e);
        } catch (IOException e) {
            throw new JsonParseException("invalid JSON: " + e.getMessage(), e);
        }
    }

    private static String where(Object processor) {
        if (processor instanceof JsonParser p) {
            return "line " + p.currentLocation().getLineNr() + ", column " + p.currentLocation().getColumnNr();
        }
        return "an unknown position";
    }

    private static JsonValue read(JsonParser p, JsonToken token) throws IOException {
        switch (token) {
            case START_OBJECT: {
                LinkedHashMap<String, JsonValue> members = new LinkedHashMap<>();
                for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
                    String name = p.currentName();
                    members.put(name, read(p, p.nextToken()));
                }
                return new JsonObject(members);
            }
            case START_ARRAY: {
                List<JsonValue> items = new ArrayList<>();
                for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                    items.add(read(p, t));
                }
                return new JsonArray(items);
            }
            case VALUE_STRING:
                return new JsonString(p.getText());
            case VALUE_NUMBER_INT:
                return new JsonNumber(new BigDecimal(p.getBigIntegerValue()));
            case VALUE_NUMBER_FLOAT:
                return new JsonNumber(p.getDecimalValue());
            case VALUE_TRUE:
                return JsonBoolean.TRUE;
            case VALUE_FALSE:
                return JsonBoolean.FALSE;
            case VALUE_NULL:
                return JsonNull.INSTANCE;
            default:
                throw new JsonParseException("invalid JSON: unexpected " + token + " at " + where(p));
        }
    }

    /** Compact JSON text. */
    public static String write(JsonValue value) {
        StringBuilder sb = new StringBuilder();
        write(value, sb);
        return sb.toString();
    }

    private static void write(JsonValue value, StringBuilder sb) {
        if (value instanceof JsonObject o) {
            sb.append('{');
            boolean first = true;
            for (Map.Entry<String, JsonValue> e : o.members().entrySet()) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                quote(e.getKey(), sb);
                sb.append(':');
                write(e.getValue(), sb);
            }
            sb.append('}');
        } else if (value instanceof JsonArray a) {
            sb.append('[');
            for (int i = 0; i < a.items().size(); i++) {
                if (i > 0) {
                    sb.append(',');
                }
                write(a.items().get(i), sb);
            }
            sb.append(']');
        } else if (value instanceof JsonString s) {
            quote(s.value(), sb);
        } else {
            sb.append(value.toJson());
        }
    }

    private static void quote(String s, StringBuilder sb) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    // Control characters must be escaped; U+2028/2029 are escaped too so the text is safe to
                    // embed in JavaScript.
                    if (c < 0x20 || c == '\u2028' || c == '\u2029') {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    /** See {@link JsonValue#of(Object)}. */
    public static JsonValue fromJava(Object value) {
        if (value == null) {
            return JsonNull.INSTANCE;
        } else if (value instanceof JsonValue v) {
            return v;
        } else if (value instanceof CharSequence || value instanceof Character) {
            return new JsonString(value.toString());
        } else if (value instanceof Enum<?> e) {
            return new JsonString(e.name());
        } else if (value instanceof Boolean b) {
            return JsonBoolean.of(b);
        } else if (value instanceof Integer || value instanceof Long || value instanceof Short
                || value instanceof Byte) {
            return JsonNumber.of(((Number) value).longValue());
        } else if (value instanceof Double || value instanceof Float) {
            return JsonNumber.of(((Number) value).doubleValue());
        } else if (value instanceof BigDecimal d) {
            return JsonNumber.of(d);
        } else if (value instanceof BigInteger i) {
            return JsonNumber.of(new BigDecimal(i));
        } else if (value instanceof Map<?, ?> map) {
            LinkedHashMap<String, JsonValue> members = new LinkedHashMap<>();
            // Maps without an order of their own (Map.of, HashMap) are written sorted by key, so the text
            // is the same on every run.
            Iterable<? extends Map.Entry<?, ?>> entries = map instanceof LinkedHashMap || map instanceof java.util.SortedMap
                    ? map.entrySet() : sortedByKey(map);
            for (Map.Entry<?, ?> e : entries) {
                if (!(e.getKey() instanceof String key)) {
                    throw new IllegalArgumentException("a JSON object needs string keys, got "
                            + (e.getKey() == null ? "null" : e.getKey().getClass().getName()));
                }
                members.put(key, fromJava(e.getValue()));
            }
            return new JsonObject(members);
        } else if (value instanceof Iterable<?> iterable) {
            List<JsonValue> items = new ArrayList<>();
            for (Iterator<?> it = iterable.iterator(); it.hasNext(); ) {
                items.add(fromJava(it.next()));
            }
            return new JsonArray(items);
        } else if (value.getClass().isArray()) {
            List<JsonValue> items = new ArrayList<>();
            for (int i = 0; i < Array.getLength(value); i++) {
                items.add(fromJava(Array.get(value, i)));
            }
            return new JsonArray(items);
        } else if (value instanceof Optional<?> o) {
            return fromJava(o.orElse(null));
        } else if (value instanceof Record) {
            LinkedHashMap<String, JsonValue> members = new LinkedHashMap<>();
            for (RecordComponent c : value.getClass().getRecordComponents()) {
                try {
                    members.put(c.getName(), fromJava(c.getAccessor().invoke(value)));
                } catch (ReflectiveOperationException | RuntimeException e) {
                    throw new IllegalArgumentException("cannot read component '" + c.getName() + "' of "
                            + value.getClass().getName() + " (is the record public, in a package Keel can read?): "
                            + e, e);
                }
            }
            return new JsonObject(members);
        }
        throw new IllegalArgumentException("cannot convert " + value.getClass().getName() + " to JSON");
    }

    private static List<Map.Entry<?, ?>> sortedByKey(Map<?, ?> map) {
        List<Map.Entry<?, ?>> entries = new ArrayList<>(map.entrySet());
        entries.sort((a, b) -> String.valueOf(a.getKey()).compareTo(String.valueOf(b.getKey())));
        return entries;
    }

    /** A fresh Jackson tree of {@code value}. */
    static JsonNode toNode(JsonValue value) {
        if (value instanceof JsonObject o) {
            ObjectNode n = NODES.objectNode();
            o.members().forEach((k, v) -> n.set(k, toNode(v)));
            return n;
        } else if (value instanceof JsonArray a) {
            ArrayNode n = NODES.arrayNode(a.size());
            a.items().forEach(v -> n.add(toNode(v)));
            return n;
        } else if (value instanceof JsonString s) {
            return NODES.textNode(s.value());
        } else if (value instanceof JsonNumber num) {
            BigDecimal d = num.value();
            if (d.scale() <= 0) {
                try {
                    return NODES.numberNode(d.longValueExact());
                } catch (ArithmeticException e) {
                    return NODES.numberNode(d.toBigIntegerExact());
                }
            }
            return NODES.numberNode(d);
        } else if (value instanceof JsonBoolean b) {
            return NODES.booleanNode(b.value());
        }
        return NODES.nullNode();
    }

    /** The Keel value of a Jackson tree. */
    static JsonValue fromNode(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return JsonNull.INSTANCE;
        } else if (node.isObject()) {
            LinkedHashMap<String, JsonValue> members = new LinkedHashMap<>();
            node.fields().forEachRemaining(e -> members.put(e.getKey(), fromNode(e.getValue())));
            return new JsonObject(members);
        } else if (node.isArray()) {
            List<JsonValue> items = new ArrayList<>(node.size());
            node.forEach(e -> items.add(fromNode(e)));
            return new JsonArray(items);
        } else if (node.isTextual()) {
            return new JsonString(node.textValue());
        } else if (node.isIntegralNumber()) {
            return new JsonNumber(new BigDecimal(node.bigIntegerValue()));
        } else if (node.isNumber()) {
            return node.isDouble() || node.isFloat() ? JsonNumber.of(node.doubleValue()) : new JsonNumber(node.decimalValue());
        } else if (node.isBoolean()) {
            return JsonBoolean.of(node.booleanValue());
        }
        // Binary and POJO nodes do not come out of parsing; write them as text.
        return new JsonString(node.asText());
    }
}
