package dev.keel.core;

import dev.keel.core.tool.JsonSchema;
import java.util.Objects;

/** The shape the model must answer in: free text, any JSON object, or JSON matching a schema. */
public sealed interface ResponseFormat {

    /** Plain text (the default). */
    record Text() implements ResponseFormat {}

    /** Any valid JSON object ("JSON mode"). */
    record JsonObject() implements ResponseFormat {}

    /**
     * JSON conforming to {@code schema} (structured output).
     *
     * @param name   a name for the schema, required by some providers
     * @param schema the schema
     * @param strict whether the provider must enforce the schema exactly
     */
    record JsonSchemaFormat(String name, JsonSchema schema, boolean strict) implements ResponseFormat {
        /**
         * Creates the value, checking its components.
         *
         * @param name a name for the schema, required by some providers
         * @param schema the schema
         * @param strict whether the provider must enforce the schema exactly
         */
        public JsonSchemaFormat {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(schema, "schema");
        }
    }

    /**
     * Plain text (the providers' default).
     *
     * @return the format
     */
    static ResponseFormat text() {
        return new Text();
    }

    /**
     * Any JSON object.
     *
     * @return the format
     */
    static ResponseFormat jsonObject() {
        return new JsonObject();
    }

    /**
     * JSON that follows {@code schema}, strictly where the provider supports it.
     *
     * @param name the schema's name, sent to the provider
     * @param schema the schema
     * @return the format
     */
    static ResponseFormat jsonSchema(String name, JsonSchema schema) {
        return new JsonSchemaFormat(name, schema, true);
    }
}
