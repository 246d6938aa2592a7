package dev.keel.core.internal.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keel.core.json.JsonParseException;
import dev.keel.core.json.JsonValue;

/**
 * Keel's shared JSON configuration. The mapper is immutable after construction and thread-safe; do
 * not reconfigure it (use {@link #newMapper()} for a private copy).
 */
public final class Json {
    private static final ObjectMapper MAPPER = newMapper();

    private Json() {}

    /** The shared, preconfigured mapper. Do not reconfigure it. */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** A fresh mapper with Keel's settings, for callers that need to register their own modules. */
    public static ObjectMapper newMapper() {
        return JsonMapper.builder()
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
                .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
                .build();
    }

    /** Parses {@code text}; invalid JSON becomes a {@link JsonParseException} that quotes where it broke. */
    public static JsonNode parse(String text) {
        try {
            JsonNode node = MAPPER.readTree(text);
            if (node == null || node.isMissingNode()) {
                throw new JsonParseException("empty JSON text");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new JsonParseException("invalid JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** A new empty object node. */
    public static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    /** A Jackson tree of a Keel value (a fresh, mutable copy). */
    public static JsonNode toNode(JsonValue value) {
        return JsonText.toNode(value);
    }

    /** A Jackson object tree of a Keel object (a fresh, mutable copy). */
    public static ObjectNode toNode(dev.keel.core.json.JsonObject value) {
        return (ObjectNode) JsonText.toNode(value);
    }

    /** The Keel value of a Jackson tree ({@code null} and missing nodes become JSON null). */
    public static JsonValue toValue(JsonNode node) {
        return JsonText.fromNode(node);
    }

    /** The Keel object of a Jackson object tree. */
    public static dev.keel.core.json.JsonObject toValue(ObjectNode node) {
        return (dev.keel.core.json.JsonObject) JsonText.fromNode(node);
    }

    /** Compact JSON text of a node or value. */
    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new JsonParseException("cannot serialise " + value.getClass().getName() + ": " + e.getOriginalMessage(), e);
        }
    }
}
