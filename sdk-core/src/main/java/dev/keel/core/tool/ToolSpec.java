package dev.keel.core.tool;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A tool the model may call: a name, what it does, and the JSON Schema of its arguments.
 *
 * @param name        1–64 characters of {@code [a-zA-Z0-9_-]} (the common denominator of providers)
 * @param description what the tool does, written for the model
 * @param parameters  schema of the arguments object
 */
public record ToolSpec(String name, String description, JsonSchema parameters) {
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9_-]{1,64}");

    /**
     * Creates the value, checking its components.
     *
     * @param name 1–64 characters of {@code [a-zA-Z0-9_-]} (the common denominator of providers)
     * @param description what the tool does, written for the model
     * @param parameters schema of the arguments object
     */
    public ToolSpec {
        Objects.requireNonNull(name, "name");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("tool name '" + name + "' must be 1-64 characters of [a-zA-Z0-9_-]");
        }
        description = description == null ? "" : description;
        parameters = parameters == null ? JsonSchema.object().build() : parameters;
    }

    /**
     * A tool with a description and argument schema.
     *
     * @param name the name the model calls the tool by
     * @param description what the tool does, for the model
     * @param parameters the arguments' schema
     * @return a tool with a description and argument schema
     */
    public static ToolSpec of(String name, String description, JsonSchema parameters) {
        return new ToolSpec(name, description, parameters);
    }

    /**
     * A tool that takes no arguments.
     *
     * @param name the name the model calls the tool by
     * @param description what the tool does, for the model
     * @return a tool that takes no arguments
     */
    public static ToolSpec of(String name, String description) {
        return new ToolSpec(name, description, JsonSchema.object().build());
    }
}
