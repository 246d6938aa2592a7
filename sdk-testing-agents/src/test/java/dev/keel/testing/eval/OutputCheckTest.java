package dev.keel.testing.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.tool.JsonSchema;
import org.junit.jupiter.api.Test;

/** Output checks: JSON Schema validation (and its refusal of keywords it cannot check), sizes, text. */
class OutputCheckTest {
    static final OutputCheck PERSON = OutputCheck.jsonSchema(JsonSchema.parse("""
            {"type": "object", "required": ["name", "age"], "additionalProperties": false,
             "properties": {"name": {"type": "string", "minLength": 1, "pattern": "^[A-Z]"},
                            "age": {"type": "integer", "minimum": 0, "maximum": 150},
                            "tags": {"type": "array", "items": {"enum": ["a", "b"]}, "maxItems": 2}}}"""));

    @Test
    void validJsonPassesAndEachViolationIsNamedWithItsPointer() {
        assertThat(PERSON.failure("{\"name\": \"Ada\", \"age\": 36, \"tags\": [\"a\"]}")).isEmpty();
        assertThat(PERSON.failure("```json\n{\"name\": \"Ada\", \"age\": 36}\n```")).isEmpty();
        assertThat(PERSON.failure("{\"name\": \"ada\", \"age\": 36.5, \"tags\": [\"a\", \"c\", \"b\"], \"x\": 1}"))
                .get().asString().contains("/name: does not match pattern", "/age: expected \"integer\", got number",
                        "/tags/1: \"c\" is not one of", "/tags: more items than maxItems 2", "property 'x' is not allowed");
        assertThat(PERSON.failure("{\"age\": 200}")).get().asString()
                .contains("missing required property 'name'", "/age: above the maximum 150");
        assertThat(PERSON.failure("Ada is 36")).get().asString().startsWith("the output is not JSON");
        assertThat(PERSON.failure("[1]")).get().asString().contains("expected \"object\", got array");
    }

    @Test
    void aSchemaThatCannotBeCheckedWhollyIsRefused() {
        assertThatThrownBy(() -> OutputCheck.jsonSchema(JsonSchema.parse(
                "{\"type\": \"object\", \"properties\": {\"a\": {\"anyOf\": [{\"type\": \"string\"}]}}}")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'anyOf' at #/properties/a");
    }

    @Test
    void sizesFollowDockerAgentsClasses() {
        assertThat(Size.of(0)).isEqualTo(Size.S);
        assertThat(Size.of(499)).isEqualTo(Size.S);
        assertThat(Size.of(500)).isEqualTo(Size.M);
        assertThat(Size.of(1_499)).isEqualTo(Size.M);
        assertThat(Size.of(1_500)).isEqualTo(Size.L);
        assertThat(Size.of(5_000)).isEqualTo(Size.XL);
        assertThat(OutputCheck.size(Size.M).failure("x".repeat(600))).isEmpty();
        assertThat(OutputCheck.size(Size.S).failure("x".repeat(600))).contains("the output is size M (600 characters), not S");
        assertThat(OutputCheck.matches("\\d+ files").failure("There are 2 files.")).isEmpty();
        assertThat(OutputCheck.doesNotContain("secret").failure("no secrets here")).isPresent();
    }
}
