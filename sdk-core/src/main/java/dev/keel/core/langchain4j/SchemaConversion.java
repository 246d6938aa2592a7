package dev.keel.core.langchain4j;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keel.core.internal.json.Json;
import dev.keel.core.tool.JsonSchema;
import dev.langchain4j.model.chat.request.json.JsonAnyOfSchema;
import dev.langchain4j.model.chat.request.json.JsonArraySchema;
import dev.langchain4j.model.chat.request.json.JsonBooleanSchema;
import dev.langchain4j.model.chat.request.json.JsonEnumSchema;
import dev.langchain4j.model.chat.request.json.JsonIntegerSchema;
import dev.langchain4j.model.chat.request.json.JsonNullSchema;
import dev.langchain4j.model.chat.request.json.JsonNumberSchema;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.request.json.JsonRawSchema;
import dev.langchain4j.model.chat.request.json.JsonReferenceSchema;
import dev.langchain4j.model.chat.request.json.JsonSchemaElement;
import dev.langchain4j.model.chat.request.json.JsonStringSchema;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Converts JSON Schema documents between Keel's {@link JsonSchema} (a plain JSON document) and
 * LangChain4j's typed {@link JsonSchemaElement} tree. Keywords LangChain4j has no type for are kept by
 * falling back to {@link JsonRawSchema} for that sub-schema, so nothing the model should see is dropped
 * (except at the root of tool parameters, which LangChain4j requires to be a {@link JsonObjectSchema}).
 */
final class SchemaConversion {
    private static final String DEFS_PREFIX = "#/$defs/";
    private static final String DEFINITIONS_PREFIX = "#/definitions/";
    private static final Set<String> OBJECT_KEYS =
            Set.of("type", "description", "properties", "required", "additionalProperties", "$defs", "definitions");
    private static final Set<String> ARRAY_KEYS = Set.of("type", "description", "items");
    private static final Set<String> SCALAR_KEYS = Set.of("type", "description");
    private static final Set<String> ENUM_KEYS = Set.of("type", "description", "enum");
    private static final Set<String> ANY_OF_KEYS = Set.of("description", "anyOf");

    private SchemaConversion() {}

    /** The root of a tool's parameters: always an object schema. */
    static JsonObjectSchema toObjectSchema(JsonSchema schema) {
        ObjectNode node = Json.toNode(schema.toJson());
        JsonNode type = node.get("type");
        if (type != null && !"object".equals(type.asText())) {
            throw new IllegalArgumentException("tool parameters must be an object schema, got type " + type);
        }
        return objectSchema(node);
    }

    /** Any schema as a LangChain4j element. */
    static JsonSchemaElement toElement(JsonSchema schema) {
        return element(Json.toNode(schema.toJson()));
    }

    /** A LangChain4j element as a Keel schema document. */
    static JsonSchema fromElement(JsonSchemaElement element) {
        JsonNode node = node(element);
        if (!(node instanceof ObjectNode object)) {
            throw new IllegalArgumentException("a LangChain4j schema element must convert to a JSON object, got " + node);
        }
        return JsonSchema.of(Json.toValue(object));
    }

    private static JsonSchemaElement element(JsonNode node) {
        if (!(node instanceof ObjectNode n)) {
            // Boolean schemas (true/false) and other shapes have no typed equivalent.
            return JsonRawSchema.from(node.toString());
        }
        String description = n.hasNonNull("description") ? n.get("description").asText() : null;
        if (n.has("$ref") && n.size() == 1) {
            String ref = n.get("$ref").asText();
            String name = ref.startsWith(DEFS_PREFIX) ? ref.substring(DEFS_PREFIX.length())
                    : ref.startsWith(DEFINITIONS_PREFIX) ? ref.substring(DEFINITIONS_PREFIX.length()) : null;
            return name == null ? raw(n) : JsonReferenceSchema.builder().reference(name).build();
        }
        if (n.has("anyOf") && onlyKeys(n, ANY_OF_KEYS) && n.get("anyOf").isArray()) {
            List<JsonSchemaElement> options = new ArrayList<>();
            n.get("anyOf").forEach(option -> options.add(element(option)));
            return JsonAnyOfSchema.builder().description(description).anyOf(options).build();
        }
        if (n.has("enum")) {
            if (!onlyKeys(n, ENUM_KEYS) || !allStrings(n.get("enum")) || !"string".equals(text(n, "type", "string"))) {
                return raw(n);
            }
            List<String> values = new ArrayList<>();
            n.get("enum").forEach(v -> values.add(v.asText()));
            return JsonEnumSchema.builder().description(description).enumValues(values).build();
        }
        JsonNode type = n.get("type");
        if (type == null || !type.isTextual()) {
            return raw(n);
        }
        return switch (type.asText()) {
            case "object" -> onlyKeys(n, OBJECT_KEYS) ? objectSchema(n) : raw(n);
            case "array" -> onlyKeys(n, ARRAY_KEYS) && n.has("items")
                    ? JsonArraySchema.builder().description(description).items(element(n.get("items"))).build()
                    : raw(n);
            case "string" -> onlyKeys(n, SCALAR_KEYS) ? JsonStringSchema.builder().description(description).build() : raw(n);
            case "integer" -> onlyKeys(n, SCALAR_KEYS) ? JsonIntegerSchema.builder().description(description).build() : raw(n);
            case "number" -> onlyKeys(n, SCALAR_KEYS) ? JsonNumberSchema.builder().description(description).build() : raw(n);
            case "boolean" -> onlyKeys(n, SCALAR_KEYS) ? JsonBooleanSchema.builder().description(description).build() : raw(n);
            case "null" -> onlyKeys(n, Set.of("type")) ? new JsonNullSchema() : raw(n);
            default -> raw(n);
        };
    }

    private static JsonObjectSchema objectSchema(ObjectNode n) {
        JsonObjectSchema.Builder b = JsonObjectSchema.builder();
        if (n.hasNonNull("description")) {
            b.description(n.get("description").asText());
        }
        Map<String, JsonSchemaElement> properties = new LinkedHashMap<>();
        JsonNode props = n.get("properties");
        if (props != null) {
            for (Iterator<Map.Entry<String, JsonNode>> it = props.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                properties.put(e.getKey(), element(e.getValue()));
            }
        }
        b.addProperties(properties);
        JsonNode required = n.get("required");
        if (required != null && required.isArray()) {
            List<String> names = new ArrayList<>();
            required.forEach(r -> names.add(r.asText()));
            b.required(names);
        }
        JsonNode additional = n.get("additionalProperties");
        if (additional != null && additional.isBoolean()) {
            b.additionalProperties(additional.booleanValue());
        }
        JsonNode defs = n.has("$defs") ? n.get("$defs") : n.get("definitions");
        if (defs != null && defs.isObject()) {
            Map<String, JsonSchemaElement> definitions = new LinkedHashMap<>();
            defs.fields().forEachRemaining(e -> definitions.put(e.getKey(), element(e.getValue())));
            b.definitions(definitions);
        }
        return b.build();
    }

    private static JsonNode node(JsonSchemaElement element) {
        ObjectNode n = Json.object();
        if (element instanceof JsonObjectSchema o) {
            n.put("type", "object");
            describe(n, o.description());
            ObjectNode props = n.putObject("properties");
            if (o.properties() != null) {
                o.properties().forEach((name, value) -> props.set(name, node(value)));
            }
            if (o.required() != null && !o.required().isEmpty()) {
                ArrayNode required = n.putArray("required");
                o.required().forEach(required::add);
            }
            if (o.additionalProperties() != null) {
                n.put("additionalProperties", o.additionalProperties());
            }
            if (o.definitions() != null && !o.definitions().isEmpty()) {
                ObjectNode defs = n.putObject("$defs");
                o.definitions().forEach((name, value) -> defs.set(name, node(value)));
            }
        } else if (element instanceof JsonArraySchema a) {
            n.put("type", "array");
            describe(n, a.description());
            n.set("items", node(a.items()));
        } else if (element instanceof JsonEnumSchema e) {
            n.put("type", "string");
            describe(n, e.description());
            ArrayNode values = n.putArray("enum");
            e.enumValues().forEach(values::add);
        } else if (element instanceof JsonStringSchema s) {
            scalar(n, "string", s.description());
        } else if (element instanceof JsonIntegerSchema i) {
            scalar(n, "integer", i.description());
        } else if (element instanceof JsonNumberSchema num) {
            scalar(n, "number", num.description());
        } else if (element instanceof JsonBooleanSchema bool) {
            scalar(n, "boolean", bool.description());
        } else if (element instanceof JsonNullSchema) {
            n.put("type", "null");
        } else if (element instanceof JsonAnyOfSchema any) {
            describe(n, any.description());
            ArrayNode options = n.putArray("anyOf");
            any.anyOf().forEach(option -> options.add(node(option)));
        } else if (element instanceof JsonReferenceSchema ref) {
            n.put("$ref", DEFS_PREFIX + ref.reference());
        } else if (element instanceof JsonRawSchema raw) {
            return Json.parse(raw.schema());
        } else {
            throw new IllegalArgumentException("unsupported LangChain4j schema element " + element.getClass().getName());
        }
        return n;
    }

    private static void scalar(ObjectNode n, String type, String description) {
        n.put("type", type);
        describe(n, description);
    }

    private static void describe(ObjectNode n, String description) {
        if (description != null) {
            n.put("description", description);
        }
    }

    private static JsonRawSchema raw(ObjectNode n) {
        return JsonRawSchema.from(n.toString());
    }

    private static boolean onlyKeys(ObjectNode n, Set<String> allowed) {
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            if (!allowed.contains(it.next())) {
                return false;
            }
        }
        return true;
    }

    private static boolean allStrings(JsonNode array) {
        if (!array.isArray()) {
            return false;
        }
        for (JsonNode v : array) {
            if (!v.isTextual()) {
                return false;
            }
        }
        return true;
    }

    private static String text(ObjectNode n, String field, String fallback) {
        return n.hasNonNull(field) ? n.get(field).asText() : fallback;
    }
}
