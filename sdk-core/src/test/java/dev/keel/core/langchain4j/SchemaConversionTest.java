package dev.keel.core.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.tool.JsonSchema;
import dev.langchain4j.model.chat.request.json.JsonAnyOfSchema;
import dev.langchain4j.model.chat.request.json.JsonArraySchema;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.request.json.JsonRawSchema;
import dev.langchain4j.model.chat.request.json.JsonReferenceSchema;
import dev.langchain4j.model.chat.request.json.JsonSchemaElement;
import org.junit.jupiter.api.Test;

class SchemaConversionTest {

    @Test
    void builtSchemasSurviveARoundTrip() {
        JsonSchema schema = JsonSchema.object()
                .description("an order")
                .required("id", JsonSchema.integer("order id"))
                .required("items", JsonSchema.array(JsonSchema.object()
                        .required("sku", JsonSchema.string())
                        .optional("qty", JsonSchema.number())
                        .build()))
                .optional("gift", JsonSchema.bool())
                .optional("status", JsonSchema.enumOf("new", "paid"))
                .noAdditionalProperties()
                .build();

        JsonObjectSchema lc4j = SchemaConversion.toObjectSchema(schema);

        assertThat(lc4j.description()).isEqualTo("an order");
        assertThat(lc4j.properties().get("items")).isInstanceOf(JsonArraySchema.class);
        assertThat(((JsonArraySchema) lc4j.properties().get("items")).items()).isInstanceOf(JsonObjectSchema.class);
        assertThat(SchemaConversion.fromElement(lc4j)).isEqualTo(schema);
    }

    @Test
    void referencesAnyOfAndDefinitionsSurvive() {
        JsonSchema schema = JsonSchema.parse("""
                {"type":"object",
                 "properties":{"node":{"$ref":"#/$defs/node"},
                               "v":{"anyOf":[{"type":"string"},{"type":"null"}]}},
                 "required":["node"],
                 "$defs":{"node":{"type":"object","properties":{"name":{"type":"string"}}}}}""");
        JsonObjectSchema lc4j = SchemaConversion.toObjectSchema(schema);
        assertThat(lc4j.properties().get("node")).isInstanceOf(JsonReferenceSchema.class);
        assertThat(((JsonReferenceSchema) lc4j.properties().get("node")).reference()).isEqualTo("node");
        assertThat(lc4j.properties().get("v")).isInstanceOf(JsonAnyOfSchema.class);
        assertThat(lc4j.definitions()).containsKey("node");
        assertThat(SchemaConversion.fromElement(lc4j)).isEqualTo(schema);
    }

    @Test
    void keywordsWithoutALangChain4jTypeAreKeptRaw() {
        JsonSchema schema = JsonSchema.parse("""
                {"type":"object","properties":{"age":{"type":"integer","minimum":0,"maximum":150},
                 "tags":{"type":["string","null"]}}}""");
        JsonObjectSchema lc4j = SchemaConversion.toObjectSchema(schema);
        JsonSchemaElement age = lc4j.properties().get("age");
        assertThat(age).isInstanceOf(JsonRawSchema.class);
        assertThat(((JsonRawSchema) age).schema()).contains("\"minimum\":0");
        assertThat(SchemaConversion.fromElement(lc4j)).isEqualTo(schema);
    }

    @Test
    void toolParametersMustBeAnObject() {
        assertThatThrownBy(() -> SchemaConversion.toObjectSchema(JsonSchema.string()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("object schema");
    }
}
