package dev.keel.core.internal.sse;

import java.util.Objects;

/**
 * One server-sent event.
 *
 * @param event the {@code event:} field, {@code "message"} when absent
 * @param data  the {@code data:} lines joined with {@code \n}
 * @param id    the last {@code id:} seen on the stream, empty when none
 */
public record SseEvent(String event, String data, String id) {
    public SseEvent {
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(data, "data");
        id = id == null ? "" : id;
    }

    /** A {@code message} event with {@code data} and no id. */
    public static SseEvent message(String data) {
        return new SseEvent("message", data, "");
    }
}
