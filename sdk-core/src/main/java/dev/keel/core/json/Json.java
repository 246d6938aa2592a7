package dev.keel.core.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Keel's shared JSON configuration. The mapper is immutable after construction and thread-safe; do
 * not reconfigure it (use {@link #newMapper()} for a private copy).
 */
public final class Json {
    private static final ObjectMapper MAPPER = newMapper();

    private Json() {}

    /**
     * The shared, preconfigured mapper. Do not reconfigure it.
     *
     * @return the shared, preconfigured mapper
     */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /**
     * A fresh mapper with Keel's settings, for callers that need to register their own modules.
     *
     * @return a fresh mapper with Keel's settings
     */
    public static ObjectMapper newMapper() {
        return JsonMapper.builder()
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
                .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
                .build();
    }

    /**
     * Parses {@code text}; invalid JSON becomes a {@link JsonParseException} that quotes where it broke.
     *
     * @param text the JSON text
     * @return the parsed tree
     */
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

    /**
     * A new empty object node.
     *
     * @return a new empty object node
     */
    public static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    /**
     * Compact JSON text of a node or value.
     *
     * @param value a tree node or a value Jackson can write
     * @return the JSON text
     */
    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new JsonParseException("cannot serialise " + value.getClass().getName() + ": " + e.getOriginalMessage(), e);
        }
    }
}
