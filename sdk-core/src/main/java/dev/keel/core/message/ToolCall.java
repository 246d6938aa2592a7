package dev.keel.core.message;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keel.core.json.Json;
import dev.keel.core.json.JsonParseException;
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
     * Creates the value, checking its components.
     *
     * @param id provider-assigned id that the tool result must echo
     * @param name tool name
     * @param arguments the arguments exactly as the model produced them: a JSON text that is usually, but not
     *     always, a valid object. Use {@link #argumentsJson()} to parse.
     */
    public ToolCall {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        arguments = arguments == null || arguments.isBlank() ? "{}" : arguments;
    }

    /**
     * Parses {@link #arguments()} as a JSON object.
     *
     * @return the parsed arguments
     * @throws JsonParseException when the model produced invalid JSON or something other than an object;
     *                            the message says what is wrong so it can be shown to the model
     */
    public ObjectNode argumentsJson() {
        JsonNode node = Json.parse(arguments);
        if (!(node instanceof ObjectNode object)) {
            throw new JsonParseException("tool '" + name + "' arguments must be a JSON object, got " + node.getNodeType());
        }
        return object;
    }
}
