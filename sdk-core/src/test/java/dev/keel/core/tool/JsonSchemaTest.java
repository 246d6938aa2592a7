package dev.keel.core.tool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.json.JsonObject;
import dev.keel.core.json.JsonString;
import dev.keel.core.json.JsonValue;
import dev.keel.core.json.JsonParseException;
import org.junit.jupiter.api.Test;

class JsonSchemaTest {

    @Test
    void builderProducesTheExpectedDocument() {
        JsonSchema schema = JsonSchema.object()
                .description("weather query")
                .required("city", JsonSchema.string("City name"))
                .optional("unit", JsonSchema.enumOf("celsius", "fahrenheit"))
                .required("days", JsonSchema.array(JsonSchema.integer()))
                .optional("detailed", JsonSchema.bool())
                .optional("lat", JsonSchema.number().describedAs("latitude"))
                .noAdditionalProperties()
                .build();
        assertThat(schema).isEqualTo(JsonSchema.parse("""
                {"type":"object","description":"weather query",
                 "properties":{
                   "city":{"type":"string","description":"City name"},
                   "unit":{"type":"string","enum":["celsius","fahrenheit"]},
                   "days":{"type":"array","items":{"type":"integer"}},
                   "detailed":{"type":"boolean"},
                   "lat":{"type":"number","description":"latitude"}},
                 "required":["city","days"],
                 "additionalProperties":false}"""));
        assertThat(schema.toJson().get("required").orElseThrow().toJson()).isEqualTo("[\"city\",\"days\"]");
    }

    @Test
    void emptyObjectHasNoRequiredList() {
        assertThat(JsonSchema.object().build().toString()).isEqualTo("{\"type\":\"object\",\"properties\":{}}");
    }

    @Test
    void schemasCannotBeChangedFromOutside() {
        java.util.Map<String, Object> members = new java.util.LinkedHashMap<>(java.util.Map.of("type", "string"));
        JsonSchema schema = JsonSchema.of(JsonObject.of(members));
        members.put("type", "integer");
        assertThat(schema.toString()).isEqualTo("{\"type\":\"string\"}");
        assertThatThrownBy(() -> schema.toJson().members().put("type", new JsonString("boolean")))
                .isInstanceOf(UnsupportedOperationException.class);

        JsonSchema plain = JsonSchema.string();
        JsonSchema described = plain.describedAs("name");
        assertThat(plain.toJson().has("description")).isFalse();
        assertThat(described.toJson().get("description")).contains(new JsonString("name"));

        JsonSchema.ObjectBuilder builder = JsonSchema.object().required("a", JsonSchema.string());
        JsonSchema first = builder.build();
        builder.required("b", JsonSchema.string());
        assertThat(first.toJson().get("properties").flatMap(JsonValue::asObject).orElseThrow().has("b")).isFalse();
    }

    @Test
    void nonObjectDocumentsAreRejected() {
        assertThatThrownBy(() -> JsonSchema.parse("[1]")).isInstanceOf(JsonParseException.class)
                .hasMessageContaining("must be a JSON object");
        assertThatThrownBy(() -> JsonSchema.parse("{oops")).isInstanceOf(JsonParseException.class)
                .hasMessageContaining("invalid JSON");
    }

    @Test
    void toolNamesAreValidated() {
        assertThat(ToolSpec.of("get_weather-2", "x").parameters()).isEqualTo(JsonSchema.object().build());
        assertThatThrownBy(() -> ToolSpec.of("get weather", "x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'get weather'");
        assertThatThrownBy(() -> ToolSpec.of("x".repeat(65), "x")).isInstanceOf(IllegalArgumentException.class);
        assertThat(new ToolSpec("t", null, null).description()).isEmpty();
    }
}
