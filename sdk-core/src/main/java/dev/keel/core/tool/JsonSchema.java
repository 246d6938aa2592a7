package dev.keel.core.tool;

import dev.keel.core.json.JsonArray;
import dev.keel.core.json.JsonObject;
import dev.keel.core.json.JsonParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;

/**
 * An immutable JSON Schema. Build common shapes with the factories ({@link #string()},
 * {@link #object()}, …) or wrap any schema document with {@link #of(JsonObject)} / {@link #parse(String)}.
 *
 * <pre>{@code
 * JsonSchema.object()
 *     .required("city", JsonSchema.string("City name"))
 *     .optional("unit", JsonSchema.enumOf("celsius", "fahrenheit"))
 *     .build();
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class JsonSchema {
    private final JsonObject document;

    private JsonSchema(JsonObject document) {
        this.document = document;
    }

    /**
     * Wraps a schema document.
     *
     * @param schema the document
     * @return the schema
     */
    public static JsonSchema of(JsonObject schema) {
        return new JsonSchema(Objects.requireNonNull(schema, "schema"));
    }

    /**
     * Parses a schema document.
     *
     * @param json the schema document's text
     * @return the schema
     */
    public static JsonSchema parse(String json) {
        try {
            return of(JsonObject.parse(json));
        } catch (JsonParseException e) {
            throw new JsonParseException("a JSON Schema must be a JSON object: " + e.getMessage(), e);
        }
    }

    /**
     * {@code {"type":"string"}}.
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
     * {@code {"type":"integer"}}.
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
     * {@code {"type":"number"}}.
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
     * {@code {"type":"boolean"}}.
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
        return new JsonSchema(JsonObject.builder().put("type", "string").put("enum", JsonArray.of((Object[]) values))
                .build());
    }

    /**
     * An array whose items follow {@code items}.
     *
     * @param items the items' schema
     * @return an array whose items follow {@code items}
     */
    public static JsonSchema array(JsonSchema items) {
        return new JsonSchema(JsonObject.builder().put("type", "array").put("items", items.document).build());
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
        JsonObject.Builder b = JsonObject.builder().put("type", type);
        if (description != null) {
            b.put("description", description);
        }
        return new JsonSchema(b.build());
    }

    /**
     * A copy of this schema with a description.
     *
     * @param description the description
     * @return a copy of this schema with a description
     */
    public JsonSchema describedAs(String description) {
        return new JsonSchema(document.with("description", Objects.requireNonNull(description, "description")));
    }

    /**
     * The schema document.
     *
     * @return the document
     */
    public JsonObject toJson() {
        return document;
    }

    /** The schema as compact JSON text. */
    @Override
    public String toString() {
        return document.toJson();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof JsonSchema other && document.equals(other.document);
    }

    @Override
    public int hashCode() {
        return document.hashCode();
    }

    /** Builds an object schema property by property. Not thread-safe; the built schema is. */
    public static final class ObjectBuilder {
        private String description;
        private final LinkedHashMap<String, JsonObject> properties = new LinkedHashMap<>();
        private final List<String> required = new ArrayList<>();
        private boolean additionalProperties = true;

        private ObjectBuilder() {}

        /**
         * What the object is.
         *
         * @param description the description
         * @return this builder
         */
        public ObjectBuilder description(String description) {
            this.description = description;
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
            properties.put(Objects.requireNonNull(name, "name"), schema.document);
            if (!required.contains(name)) {
                required.add(name);
            }
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
            properties.put(Objects.requireNonNull(name, "name"), schema.document);
            required.remove(name);
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
         * The schema.
         *
         * @return the schema
         */
        public JsonSchema build() {
            JsonObject.Builder b = JsonObject.builder().put("type", "object").put("properties", properties);
            if (description != null) {
                b.put("description", description);
            }
            if (!required.isEmpty()) {
                b.put("required", required);
            }
            if (!additionalProperties) {
                b.put("additionalProperties", false);
            }
            return new JsonSchema(b.build());
        }
    }
}
