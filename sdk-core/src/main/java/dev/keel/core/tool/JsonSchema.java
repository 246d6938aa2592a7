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

    /**
     * Wraps a schema document (copied, so later changes to {@code schema} do not leak in).
     *
     * @param schema the schema document
     * @return the schema
     */
    public static JsonSchema of(JsonNode schema) {
        if (!(schema instanceof ObjectNode object)) {
            throw new JsonParseException("a JSON Schema must be a JSON object");
        }
        return new JsonSchema(object.deepCopy());
    }

    /**
     * Parses a schema document.
     *
     * @param json the schema document's text
     * @return the schema
     */
    public static JsonSchema parse(String json) {
        return of(Json.parse(json));
    }

    /**
     * A string.
     *
     * @return the schema
     */
    public static JsonSchema string() {
        return type("string", null);
    }

    /**
     * A string with a description.
     *
     * @param description what the string holds
     * @return the schema
     */
    public static JsonSchema string(String description) {
        return type("string", description);
    }

    /**
     * An integer.
     *
     * @return the schema
     */
    public static JsonSchema integer() {
        return type("integer", null);
    }

    /**
     * An integer with a description.
     *
     * @param description what the number means
     * @return the schema
     */
    public static JsonSchema integer(String description) {
        return type("integer", description);
    }

    /**
     * A number.
     *
     * @return the schema
     */
    public static JsonSchema number() {
        return type("number", null);
    }

    /**
     * A number with a description.
     *
     * @param description what the number means
     * @return the schema
     */
    public static JsonSchema number(String description) {
        return type("number", description);
    }

    /**
     * A boolean.
     *
     * @return the schema
     */
    public static JsonSchema bool() {
        return type("boolean", null);
    }

    /**
     * A boolean with a description.
     *
     * @param description what the flag means
     * @return the schema
     */
    public static JsonSchema bool(String description) {
        return type("boolean", description);
    }

    /**
     * A string restricted to the given values.
     *
     * @param values the allowed values
     * @return a string restricted to the given values
     */
    public static JsonSchema enumOf(String... values) {
        ObjectNode n = Json.object().put("type", "string");
        ArrayNode array = n.putArray("enum");
        for (String v : values) {
            array.add(v);
        }
        return new JsonSchema(n);
    }

    /**
     * An array whose items follow {@code items}.
     *
     * @param items the items' schema
     * @return an array whose items follow {@code items}
     */
    public static JsonSchema array(JsonSchema items) {
        ObjectNode n = Json.object().put("type", "array");
        n.set("items", items.node.deepCopy());
        return new JsonSchema(n);
    }

    /**
     * Starts an object schema.
     *
     * @return the builder
     */
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

    /**
     * A copy of this schema with a description.
     *
     * @param description the description
     * @return a copy of this schema with a description
     */
    public JsonSchema describedAs(String description) {
        ObjectNode copy = node.deepCopy();
        copy.put("description", description);
        return new JsonSchema(copy);
    }

    /**
     * A mutable copy of the schema document.
     *
     * @return a mutable copy of the schema document
     */
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

        /**
         * Describes the object.
         *
         * @param description what the object is
         * @return this builder
         */
        public ObjectBuilder description(String description) {
            n.put("description", description);
            return this;
        }

        /**
         * A property the model must provide.
         *
         * @param name the property name
         * @param schema the property's schema
         * @return a property the model must provide
         */
        public ObjectBuilder required(String name, JsonSchema schema) {
            properties.set(Objects.requireNonNull(name, "name"), schema.node.deepCopy());
            required.add(name);
            return this;
        }

        /**
         * A property the model may omit.
         *
         * @param name the property name
         * @param schema the property's schema
         * @return a property the model may omit
         */
        public ObjectBuilder optional(String name, JsonSchema schema) {
            properties.set(Objects.requireNonNull(name, "name"), schema.node.deepCopy());
            return this;
        }

        /**
         * Forbids properties not declared (needed for strict structured output).
         *
         * @return this builder
         */
        public ObjectBuilder noAdditionalProperties() {
            additionalProperties = false;
            return this;
        }

        /**
         * Builds the schema.
         *
         * @return the schema
         */
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
