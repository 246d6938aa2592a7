package dev.keel.agents.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.keel.core.json.JsonArray;
import dev.keel.core.json.JsonBoolean;
import dev.keel.core.json.JsonNull;
import dev.keel.core.json.JsonNumber;
import dev.keel.core.json.JsonObject;
import dev.keel.core.json.JsonString;
import dev.keel.core.json.JsonValue;
import java.math.BigDecimal;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A YAML document as a tree whose every node remembers its line, so that configuration errors can say
 * where they are. Built from Jackson's streaming YAML parser.
 */
public final class YamlTree {
    private YamlTree() {}

    /** A node and the line it starts on (1-based). */
    public sealed interface Node {
        int line();
    }

    /** A mapping; keys keep their document order and their own lines. */
    public record MapNode(Map<String, Entry> entries, int line) implements Node {}

    /** A key, the line it is on, and its value. */
    public record Entry(String key, int line, Node value) {}

    /** A sequence. */
    public record ListNode(List<Node> items, int line) implements Node {}

    /** A scalar: String, Number, Boolean or null. */
    public record Scalar(Object value, int line) implements Node {}

    /** A parse failure with its line. */
    public static final class SyntaxException extends Exception {
        private static final long serialVersionUID = 1L;
        private final int line;

        SyntaxException(String message, int line) {
            super(message);
            this.line = line;
        }

        public int line() {
            return line;
        }
    }

    /** Parses one YAML document; an empty document is an empty mapping. */
    public static Node parse(String yaml) throws SyntaxException {
        try (JsonParser p = new YAMLFactory().createParser(yaml)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                return new MapNode(Map.of(), 1);
            }
            return read(p);
        } catch (JsonProcessingException e) {
            int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
            throw new SyntaxException(e.getOriginalMessage(), line);
        } catch (IOException e) {
            throw new SyntaxException(e.getMessage(), 0);
        }
    }

    /**
     * The node as a Keel JSON value: mappings keep their order; numbers, booleans and null keep their type.
     *
     * @param node a node
     * @return the same data as JSON
     */
    public static JsonValue json(Node node) {
        if (node instanceof MapNode m) {
            Map<String, JsonValue> members = new LinkedHashMap<>();
            m.entries().values().forEach(e -> members.put(e.key(), json(e.value())));
            return JsonObject.of(members);
        }
        if (node instanceof ListNode l) {
            List<JsonValue> items = new ArrayList<>();
            l.items().forEach(i -> items.add(json(i)));
            return JsonArray.of(items);
        }
        Object v = ((Scalar) node).value();
        if (v == null) {
            return JsonNull.INSTANCE;
        }
        if (v instanceof Boolean b) {
            return JsonBoolean.of(b);
        }
        if (v instanceof Number n) {
            return JsonNumber.of(new BigDecimal(n.toString()));
        }
        return new JsonString(String.valueOf(v));
    }

    private static Node read(JsonParser p) throws IOException, SyntaxException {
        int line = p.currentTokenLocation().getLineNr();
        JsonToken t = p.currentToken();
        switch (t) {
            case START_OBJECT: {
                Map<String, Entry> entries = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    int keyLine = p.currentTokenLocation().getLineNr();
                    p.nextToken();
                    Node value = read(p);
                    if (entries.put(key, new Entry(key, keyLine, value)) != null) {
                        throw new SyntaxException("duplicate key '" + key + "'", keyLine);
                    }
                }
                return new MapNode(entries, line);
            }
            case START_ARRAY: {
                List<Node> items = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    items.add(read(p));
                }
                return new ListNode(items, line);
            }
            case VALUE_STRING:
                return new Scalar(p.getText(), line);
            case VALUE_NUMBER_INT:
            case VALUE_NUMBER_FLOAT:
                return new Scalar(p.getNumberValue(), line);
            case VALUE_TRUE:
                return new Scalar(Boolean.TRUE, line);
            case VALUE_FALSE:
                return new Scalar(Boolean.FALSE, line);
            case VALUE_NULL:
                return new Scalar(null, line);
            default:
                throw new SyntaxException("unexpected YAML token " + t, line);
        }
    }
}
