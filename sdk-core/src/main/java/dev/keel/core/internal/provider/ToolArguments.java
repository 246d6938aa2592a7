package dev.keel.core.internal.provider;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.internal.json.Json;
import java.io.IOException;

/** Tool-call arguments for APIs that take them as a JSON object rather than text. Stateless. */
public final class ToolArguments {
    private ToolArguments() {}

    /**
     * The arguments as an object node; arguments that are not a JSON object (a model's malformed output) are
     * wrapped as {@code {"arguments": "<text>"}} so that the turn can still be sent back.
     */
    public static JsonNode object(String arguments) {
        try {
            JsonNode node = Json.mapper().readTree(arguments);
            if (node != null && node.isObject()) {
                return node;
            }
        } catch (IOException invalid) {
            // fall through
        }
        return Json.object().put("arguments", arguments);
    }
}
