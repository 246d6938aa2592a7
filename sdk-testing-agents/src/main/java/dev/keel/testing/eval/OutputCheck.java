package dev.keel.testing.eval;

import dev.keel.core.json.JsonParseException;
import dev.keel.core.json.JsonValue;
import dev.keel.core.tool.JsonSchema;
import dev.keel.testing.internal.eval.SchemaValidator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * A check of a run's final answer. Immutable and thread-safe.
 *
 * @param description what is checked, as the report shows it
 * @param check       the check: empty when the output passes, else why it does not
 */
public record OutputCheck(String description, Function<String, Optional<String>> check) {
    /**
     * Checks the values are present.
     *
     * @param description what is checked
     * @param check       the check
     */
    public OutputCheck {
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(check, "check");
    }

    /**
     * The output contains {@code text}.
     *
     * @param text the text
     * @return the check
     */
    public static OutputCheck contains(String text) {
        Objects.requireNonNull(text, "text");
        return new OutputCheck("contains \"" + text + "\"",
                out -> out.contains(text) ? Optional.empty() : Optional.of("the output does not contain \"" + text + "\""));
    }

    /**
     * The output does not contain {@code text}.
     *
     * @param text the text
     * @return the check
     */
    public static OutputCheck doesNotContain(String text) {
        Objects.requireNonNull(text, "text");
        return new OutputCheck("does not contain \"" + text + "\"",
                out -> out.contains(text) ? Optional.of("the output contains \"" + text + "\"") : Optional.empty());
    }

    /**
     * Part of the output matches {@code regex}.
     *
     * @param regex a Java regular expression
     * @return the check
     */
    public static OutputCheck matches(String regex) {
        Pattern p = Pattern.compile(regex);
        return new OutputCheck("matches /" + regex + "/",
                out -> p.matcher(out).find() ? Optional.empty() : Optional.of("no part of the output matches /" + regex + "/"));
    }

    /**
     * The output is in size class {@code size} (docker-agent's S/M/L/XL).
     *
     * @param size the expected class
     * @return the check
     */
    public static OutputCheck size(Size size) {
        Objects.requireNonNull(size, "size");
        return new OutputCheck("size " + size, out -> {
            Size actual = Size.of(out.length());
            return actual == size ? Optional.empty()
                    : Optional.of("the output is size " + actual + " (" + out.length() + " characters), not " + size);
        });
    }

    /**
     * The output has at most {@code chars} characters.
     *
     * @param chars the limit
     * @return the check
     */
    public static OutputCheck maxChars(int chars) {
        if (chars < 0) {
            throw new IllegalArgumentException("chars must not be negative");
        }
        return new OutputCheck("at most " + chars + " characters", out -> out.length() <= chars ? Optional.empty()
                : Optional.of("the output has " + out.length() + " characters, more than " + chars));
    }

    /**
     * The output is JSON valid against {@code schema} (one surrounding Markdown code fence is allowed). The
     * schema keywords understood are {@code type}, {@code properties}, {@code required},
     * {@code additionalProperties} (boolean or schema), {@code items}, {@code enum}, {@code const},
     * {@code minimum}, {@code maximum}, {@code minLength}, {@code maxLength}, {@code pattern}, {@code minItems},
     * {@code maxItems}, and the annotations {@code description}, {@code title}, {@code default},
     * {@code examples}, {@code format}, {@code $schema}; a schema using any other keyword ({@code $ref},
     * {@code anyOf}, …) is refused here rather than half-checked.
     *
     * @param schema the schema
     * @return the check
     * @throws IllegalArgumentException when the schema uses a keyword the check does not understand
     */
    public static OutputCheck jsonSchema(JsonSchema schema) {
        SchemaValidator validator = SchemaValidator.of(schema.toJson());
        return new OutputCheck("JSON valid against the schema", out -> {
            JsonValue value;
            try {
                value = JsonValue.parse(unfence(out));
            } catch (JsonParseException e) {
                return Optional.of("the output is not JSON: " + e.getMessage());
            }
            List<String> problems = validator.validate(value);
            return problems.isEmpty() ? Optional.empty()
                    : Optional.of("the output does not match the schema: " + String.join("; ", problems));
        });
    }

    /**
     * The reason {@code output} fails this check.
     *
     * @param output the run's final answer
     * @return empty when it passes
     */
    public Optional<String> failure(String output) {
        return check.apply(output);
    }

    @Override
    public String toString() {
        return description;
    }

    private static String unfence(String out) {
        String s = out.strip();
        if (s.startsWith("```") && s.endsWith("```") && s.length() >= 6) {
            int nl = s.indexOf('\n');
            return nl < 0 ? s : s.substring(nl + 1, s.length() - 3).strip();
        }
        return s;
    }
}
