package dev.keel.core.tool;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keel.core.json.Json;
import dev.keel.core.json.JsonParseException;
import java.util.Objects;

/**
 * An immutable JSON Schema. Build common shapes with the factories ({@link #string()},
 * {@link #object()}, …) or wrap any schema document with {@link #of(JsonNode)} / {@link #parse(String)}.
 *
 * <pre>{@code
 * JsonSchema.object()
 *     .required("city", JsonSchema.string("City name"))
 *     .optional("unit", JsonSchema.enumOf("celsius", "fahrenheit"))
 *     .build();
 * }</pre>
 */
public final class JsonSchema {
    private final ObjectNode node;

    private JsonSchema(ObjectNode node) {
        this.node = node;
    }

    /** Wraps a schema document (copied, so later changes to {@code schema} do not leak in). */
    public static JsonSchema of(JsonNode schema) {
        if (!(schema instanceof ObjectNode object)) {
            throw new JsonParseException("a JSON Schema must be a JSON object");
        }
        return new JsonSchema(object.deepCopy());
    }

    /** Parses a schema document. */
    public static JsonSchema parse(String json) {
        return of(Json.parse(json));
    }

    public static JsonSchema string() {
        return type("string", null);
    }

    public static JsonSchema string(String description) {
        return type("string", description);
    }

    public static JsonSchema integer() {
        return type("integer", null);
    }

    public static JsonSchema integer(String description) {
        return type("integer", description);
    }

    public static JsonSchema number() {
        return type("number", null);
    }

    public static JsonSchema number(String description) {
        return type("number", description);
    }

    public static JsonSchema bool() {
        return type("boolean", null);
    }

    public static JsonSchema bool(String description) {
        return type("boolean", description);
    }

    /** A string restricted to the given values. */
    public static JsonSchema enumOf(String... values) {
        ObjectNode n = Json.object().put("type", "string");
        ArrayNode array = n.putArray("enum");
        for (String v : values) {
            array.add(v);
        }
        return new JsonSchema(n);
    }

    /** An array whose items follow {@code items}. */
    public static JsonSchema array(JsonSchema items) {
        ObjectNode n = Json.object().put("type", "array");
        n.set("items", items.node.deepCopy());
        return new JsonSchema(n);
    }

    /** Starts an object schema. */
    public static ObjectBuilder object() {
        return new ObjectBuilder();
    }

    private static JsonSchema type(String type, String description) {
        ObjectNode n = Json.object().put("type", type);
        if (description != null) {
            n.put("description", description);
        }
        return new JsonSchema(n);
    }

    /** A copy of this schema with a description. */
    public JsonSchema describedAs(String description) {
        ObjectNode copy = node.deepCopy();
        copy.put("description", description);
        return new JsonSchema(copy);
    }

    /** A mutable copy of the schema document. */
    public ObjectNode toJson() {
        return node.deepCopy();
    }

    /** The schema as compact JSON text. */
    @Override
    public String toString() {
        return node.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof JsonSchema other && node.equals(other.node);
    }

    @Override
    public int hashCode() {
        return node.hashCode();
    }

    /** Builds an object schema property by property. Not thread-safe; the built schema is. */
    public static final class ObjectBuilder {
        private final ObjectNode n = Json.object().put("type", "object");
        private final ObjectNode properties = n.putObject("properties");
        private final ArrayNode required = Json.mapper().createArrayNode();
        private boolean additionalProperties = true;

        private ObjectBuilder() {}

        public ObjectBuilder description(String description) {
            n.put("description", description);
            return this;
        }

        /** A property the model must provide. */
        public ObjectBuilder required(String name, JsonSchema schema) {
            properties.set(Objects.requireNonNull(name, "name"), schema.node.deepCopy());
            required.add(name);
            return this;
        }

        /** A property the model may omit. */
        public ObjectBuilder optional(String name, JsonSchema schema) {
            properties.set(Objects.requireNonNull(name, "name"), schema.node.deepCopy());
            return this;
        }

        /** Forbids properties not declared (needed for strict structured output). */
        public ObjectBuilder noAdditionalProperties() {
            additionalProperties = false;
            return this;
        }

        public JsonSchema build() {
            ObjectNode copy = n.deepCopy();
            if (!required.isEmpty()) {
                copy.set("required", required.deepCopy());
            }
            if (!additionalProperties) {
                copy.put("additionalProperties", false);
            }
            return new JsonSchema(copy);
        }
    }
}
