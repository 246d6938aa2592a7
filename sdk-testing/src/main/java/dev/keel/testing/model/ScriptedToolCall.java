package dev.keel.testing.model;

import dev.keel.core.json.JsonValue;
import java.util.Map;
import java.util.Objects;

/**
 * One tool call a {@link ScriptedReply} makes the model request.
 *
 * @param id            the tool-call id sent to the client, or {@code null} to let the server assign
 *                      the next deterministic id ({@code call_1}, {@code call_2}, … per server)
 * @param name          the tool's name
 * @param argumentsJson the arguments exactly as sent to the client (normally a JSON object; any text
 *                      is allowed so tests can script malformed arguments)
 */
public record ScriptedToolCall(String id, String name, String argumentsJson) {
    /**
     * Creates the value, checking its components.
     *
     * @param id the tool-call id sent to the client, or {@code null} to let the server assign the next
     *     deterministic id ({@code call_1}, {@code call_2}, … per server)
     * @param name the tool's name
     * @param argumentsJson the arguments exactly as sent to the client (normally a JSON object; any text is
     *     allowed so tests can script malformed arguments)
     */
    public ScriptedToolCall {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(argumentsJson, "argumentsJson");
    }

    /**
     * A call to {@code name} with {@code arguments} serialised as a JSON object; the id is assigned.
     *
     * @param name the tool's name
     * @param arguments the call's arguments
     * @return a call to {@code name} with {@code arguments} serialised as a JSON object
     */
    public static ScriptedToolCall of(String name, Map<String, ?> arguments) {
        return new ScriptedToolCall(null, name, JsonValue.of(Objects.requireNonNull(arguments, "arguments")).toJson());
    }

    /**
     * A call to {@code name} with raw argument text (possibly invalid JSON); the id is assigned.
     *
     * @param name the tool's name
     * @param argumentsJson the raw argument text
     * @return a call to {@code name} with raw argument text
     */
    public static ScriptedToolCall ofJson(String name, String argumentsJson) {
        return new ScriptedToolCall(null, name, argumentsJson);
    }

    /**
     * A copy with a fixed id instead of a server-assigned one.
     *
     * @param id the call id
     * @return a copy with a fixed id instead of a server-assigned one
     */
    public ScriptedToolCall withId(String id) {
        return new ScriptedToolCall(Objects.requireNonNull(id, "id"), name, argumentsJson);
    }
}
