package dev.keel.agents;

import dev.keel.core.tool.JsonSchema;
import java.util.Objects;

/**
 * The shape an agent's final answer must have (a team file's {@code structured_output}): a JSON object
 * matching {@link #schema()}. Keel asks for it natively where the provider supports JSON-schema output
 * (OpenAI-compatible APIs) and otherwise through a tool the model must call with the answer
 * ({@code final_answer}); either way the answer is validated against the schema, a violation is sent back to
 * the model to correct (up to {@link #retries()} times), and a run that still does not conform fails with
 * {@link StructuredOutputException}. The validated value is {@link AgentResult#structured()}.
 *
 * @param name        the schema's name
 * @param description what the schema represents, may be empty
 * @param schema      a JSON Schema for an object
 * @param strict      ask the provider to enforce the schema exactly (OpenAI's {@code strict})
 * @param mode        how to ask for it
 * @param retries     corrections allowed after an invalid answer
 */
public record StructuredOutput(String name, String description, JsonSchema schema, boolean strict, Mode mode,
                               int retries) {
    /** How the structured answer is requested. */
    public enum Mode {
        /** The provider's JSON-schema response format where it has one, a tool otherwise (the default). */
        NATIVE,
        /** Always a tool the model calls with the answer; works with any tool-calling model. */
        TOOL
    }

    /**
     * Validates the parts.
     *
     * @param name        the schema's name
     * @param description what the schema represents
     * @param schema      a JSON Schema for an object
     * @param strict      ask the provider to enforce the schema exactly
     * @param mode        how to ask for it
     * @param retries     corrections allowed after an invalid answer
     */
    public StructuredOutput {
        Objects.requireNonNull(name, "name");
        if (!name.matches("[A-Za-z0-9_-]{1,64}")) {
            throw new IllegalArgumentException("structured output name must be 1-64 letters, digits, '_' or '-': '"
                    + name + "'");
        }
        description = description == null ? "" : description;
        Objects.requireNonNull(schema, "schema");
        mode = mode == null ? Mode.NATIVE : mode;
        if (retries < 0) {
            throw new IllegalArgumentException("retries cannot be negative, was " + retries);
        }
    }

    /**
     * A structured output with the defaults: native where possible, not strict, two corrections.
     *
     * @param name   the schema's name
     * @param schema a JSON Schema for an object
     * @return the structured output
     */
    public static StructuredOutput of(String name, JsonSchema schema) {
        return new StructuredOutput(name, "", schema, false, Mode.NATIVE, 2);
    }

    /**
     * A copy asking in {@code mode}.
     *
     * @param mode the mode
     * @return a copy
     */
    public StructuredOutput withMode(Mode mode) {
        return new StructuredOutput(name, description, schema, strict, mode, retries);
    }
}
