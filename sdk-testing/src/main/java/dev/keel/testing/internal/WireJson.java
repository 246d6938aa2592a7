package dev.keel.testing.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keel.core.json.JsonParseException;

/**
 * sdk-testing's own JSON plumbing for wire bodies and cassettes. It does not use core's internal JSON
 * package on purpose: sdk-testing also runs from the class path next to a modular Keel core, where
 * qualified exports do not reach it. Thread-safe.
 */
public final class WireJson {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .build();

    private WireJson() {}

    /** The shared mapper. Do not reconfigure it. */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** Parses {@code text}; invalid JSON is a {@link JsonParseException}. */
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

    /** Compact JSON text of a node or value. */
    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new JsonParseException("cannot serialise " + value.getClass().getName() + ": " + e.getOriginalMessage(), e);
        }
    }
}
