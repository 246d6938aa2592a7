package dev.keel.agents.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
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
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A YAML document as a tree whose every node remembers its line, so that configuration errors can say
 * where they are. Built from Jackson's streaming YAML parser.
 *
 * <p>Anchors and aliases ({@code &name} / {@code *name}) are resolved as YAML defines them: an alias is the
 * anchored node again (Jackson's streaming parser would hand over the anchor's name as a string). A merge key
 * ({@code <<: *defaults} or {@code <<: [*a, *b]}) adds the merged mappings' entries that the mapping does not
 * set itself, as YAML 1.1 and docker-agent's Go parser do.
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
            return read(p, new Anchors(yaml));
        } catch (JsonProcessingException e) {
            int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
            throw new SyntaxException(e.getOriginalMessage(), line);
        } catch (IOException e) {
            throw new SyntaxException(e.getMessage(), 0);
        }
    }

    /**
     * Parses one JSON document (strict JSON, not YAML) into the same located tree.
     *
     * @param json the text
     * @return the document's root node
     * @throws SyntaxException when the text is not one JSON value, with the line of the problem
     */
    public static Node parseJson(String json) throws SyntaxException {
        try (JsonParser p = new com.fasterxml.jackson.core.JsonFactory().createParser(json)) {
            if (p.nextToken() == null) {
                throw new SyntaxException("the document is empty", 1);
            }
            Node root = read(p, new Anchors(""));
            if (p.nextToken() != null) {
                throw new SyntaxException("unexpected content after the document", p.currentTokenLocation().getLineNr());
            }
            return root;
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

    /**
     * Anchored nodes by name. Jackson reports the anchor of a mapping or a sequence but not of a scalar, so an
     * alias of a scalar is looked up in SnakeYAML's composition of the same text (done once, only then).
     */
    private static final class Anchors {
        private final String yaml;
        private final Map<String, Node> nodes = new HashMap<>();
        private Map<String, org.yaml.snakeyaml.nodes.ScalarNode> scalars;

        Anchors(String yaml) {
            this.yaml = yaml;
        }

        void put(String name, Node node) {
            nodes.put(name, node);
        }

        Node get(String name, int line) throws IOException, SyntaxException {
            Node known = nodes.get(name);
            if (known != null) {
                return known;
            }
            if (scalars == null) {
                scalars = new HashMap<>();
                try {
                    collectScalars(new org.yaml.snakeyaml.Yaml().compose(new java.io.StringReader(yaml)),
                            java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>()));
                } catch (org.yaml.snakeyaml.error.YAMLException e) {
                    throw new SyntaxException("alias *" + name + " refers to no anchor before it", line);
                }
            }
            org.yaml.snakeyaml.nodes.ScalarNode scalar = scalars.get(name);
            if (scalar == null) {
                throw new SyntaxException("alias *" + name + " refers to no anchor before it", line);
            }
            if (scalar.getScalarStyle() != org.yaml.snakeyaml.DumperOptions.ScalarStyle.PLAIN) {
                return new Scalar(scalar.getValue(), line);
            }
            // A plain scalar is typed as Jackson types every other one (numbers, booleans, null).
            try (JsonParser p = new YAMLFactory().createParser("v: " + scalar.getValue())) {
                p.nextToken();
                p.nextToken();
                p.nextToken();
                Node typed = read(p, this);
                return typed instanceof Scalar sc ? new Scalar(sc.value(), line) : new Scalar(scalar.getValue(), line);
            }
        }

        private void collectScalars(org.yaml.snakeyaml.nodes.Node n, Set<org.yaml.snakeyaml.nodes.Node> seen) {
            if (n == null || !seen.add(n)) {
                return;
            }
            if (n instanceof org.yaml.snakeyaml.nodes.ScalarNode sc && n.getAnchor() != null) {
                scalars.putIfAbsent(n.getAnchor(), sc);
            } else if (n instanceof org.yaml.snakeyaml.nodes.MappingNode m) {
                for (org.yaml.snakeyaml.nodes.NodeTuple t : m.getValue()) {
                    collectScalars(t.getKeyNode(), seen);
                    collectScalars(t.getValueNode(), seen);
                }
            } else if (n instanceof org.yaml.snakeyaml.nodes.SequenceNode l) {
                l.getValue().forEach(i -> collectScalars(i, seen));
            }
        }
    }

    private static Node read(JsonParser p, Anchors anchors) throws IOException, SyntaxException {
        int line = p.currentTokenLocation().getLineNr();
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_STRING && p instanceof YAMLParser yaml && yaml.isCurrentAlias()) {
            return anchors.get(p.getText(), line);
        }
        Object anchor = p.getObjectId();
        Node node = switch (t) {
            case START_OBJECT -> mapping(p, anchors, line);
            case START_ARRAY -> {
                List<Node> items = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    items.add(read(p, anchors));
                }
                yield new ListNode(items, line);
            }
            case VALUE_STRING -> new Scalar(p.getText(), line);
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> new Scalar(p.getNumberValue(), line);
            case VALUE_TRUE -> new Scalar(Boolean.TRUE, line);
            case VALUE_FALSE -> new Scalar(Boolean.FALSE, line);
            case VALUE_NULL -> new Scalar(null, line);
            default -> throw new SyntaxException("unexpected YAML token " + t, line);
        };
        if (anchor != null) {
            anchors.put(anchor.toString(), node);
        }
        return node;
    }

    private static MapNode mapping(JsonParser p, Anchors anchors, int line)
            throws IOException, SyntaxException {
        Map<String, Entry> entries = new LinkedHashMap<>();
        List<Entry> merged = new ArrayList<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            int keyLine = p.currentTokenLocation().getLineNr();
            p.nextToken();
            Node value = read(p, anchors);
            if (key.equals("<<")) {
                List<Node> sources = value instanceof ListNode l ? l.items() : List.of(value);
                for (Node source : sources) {
                    if (!(source instanceof MapNode m)) {
                        throw new SyntaxException("a merge key '<<' takes a mapping or a list of mappings", keyLine);
                    }
                    merged.addAll(m.entries().values());
                }
                continue;
            }
            if (entries.put(key, new Entry(key, keyLine, value)) != null) {
                throw new SyntaxException("duplicate key '" + key + "'", keyLine);
            }
        }
        // Keys the mapping sets itself win over merged ones; of merged mappings, the first listed wins.
        for (Entry e : merged) {
            entries.putIfAbsent(e.key(), e);
        }
        return new MapNode(entries, line);
    }
}
