package dev.keel.agents.hooks;

import dev.keel.core.json.JsonObject;
import dev.keel.core.json.JsonValue;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a hook sees: the event, the session, the working directory, the agent it runs for, and the event's own
 * fields by docker-agent's names ({@code tool_name}, {@code tool_input}, {@code tool_response},
 * {@code prompt}, {@code stop_response}, {@code from_agent}, …). {@link #toJson()} is exactly the JSON a
 * command hook reads on stdin. Immutable.
 *
 * @param event     the event
 * @param sessionId the session it happened in (a delegated sub-agent has its own)
 * @param cwd       the run's working directory
 * @param agent     the agent whose hooks run
 * @param fields    the event's fields, by docker-agent's names
 */
public record HookInput(HookEvent event, String sessionId, Path cwd, String agent, JsonObject fields) {
    /**
     * Requires every part.
     *
     * @param event     the event
     * @param sessionId the session it happened in
     * @param cwd       the run's working directory
     * @param agent     the agent whose hooks run
     * @param fields    the event's fields
     */
    public HookInput {
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(sessionId, "sessionId");
        Objects.requireNonNull(cwd, "cwd");
        Objects.requireNonNull(agent, "agent");
        Objects.requireNonNull(fields, "fields");
    }

    /**
     * The JSON docker-agent gives hooks: {@code session_id}, {@code cwd}, {@code hook_event_name}, then the
     * event's fields.
     *
     * @return the input as JSON
     */
    public JsonObject toJson() {
        Map<String, JsonValue> all = new LinkedHashMap<>();
        all.put("session_id", JsonValue.of(sessionId));
        all.put("cwd", JsonValue.of(cwd.toString()));
        all.put("hook_event_name", JsonValue.of(event.eventName()));
        all.putAll(fields.members());
        return JsonObject.of(all);
    }

    /**
     * The tool the event is about, for tool events.
     *
     * @return the tool's name, or empty
     */
    public Optional<String> toolName() {
        return fields.get("tool_name").flatMap(JsonValue::asString);
    }

    /**
     * The tool call's arguments, for tool events (empty object otherwise).
     *
     * @return the arguments
     */
    public JsonObject toolInput() {
        return fields.get("tool_input").filter(JsonObject.class::isInstance).map(JsonObject.class::cast)
                .orElse(JsonObject.of());
    }

    /**
     * A text field by name ({@code prompt}, {@code stop_response}, {@code tool_response}, …).
     *
     * @param name the field
     * @return its text, or empty
     */
    public Optional<String> text(String name) {
        return fields.get(name).flatMap(JsonValue::asString);
    }

    @Override
    public String toString() {
        return "HookInput[" + event.eventName() + ", agent=" + agent + ", session=" + sessionId
                + toolName().map(t -> ", tool=" + t).orElse("") + "]";
    }
}
