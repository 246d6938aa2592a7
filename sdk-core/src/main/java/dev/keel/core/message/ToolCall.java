package dev.keel.core.message;

import dev.keel.core.json.JsonObject;
import dev.keel.core.json.JsonParseException;
import dev.keel.core.json.JsonValue;
import java.util.Objects;

/**
 * A tool call requested by the model.
 *
 * @param id        provider-assigned id that the tool result must echo
 * @param name      tool name
 * @param arguments the arguments exactly as the model produced them: a JSON text that is usually,
 *                  but not always, a valid object. Use {@link #argumentsJson()} to parse.
 */
public record ToolCall(String id, String name, String arguments) {
    /**
     * Requires an id and a name; blank arguments become {@code {}}.
     *
     * @param id provider-assigned id that the tool result must echo
     * @param name tool name
     * @param arguments the arguments exactly as the model produced them
     */
    public ToolCall {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        arguments = arguments == null || arguments.isBlank() ? "{}" : arguments;
    }

    /**
     * Parses {@link #arguments()} as a JSON object.
     *
     * @return the arguments as an object
     * @throws JsonParseException when the model produced invalid JSON or something other than an object;
     *                            the message says what is wrong so it can be shown to the model
     */
    public JsonObject argumentsJson() {
        JsonValue value = JsonValue.parse(arguments);
        if (!(value instanceof JsonObject object)) {
            throw new JsonParseException("tool '" + name + "' arguments must be a JSON object, got " + value.typeName());
        }
        return object;
    }
}
