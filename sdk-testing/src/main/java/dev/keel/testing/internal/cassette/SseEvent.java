package dev.keel.testing.internal.cassette;

import java.util.ArrayList;
import java.util.List;

/**
 * One server-sent event. Fields are {@code null} when absent; {@code data} holds the event's data lines
 * joined with {@code \n}.
 */
public record SseEvent(String id, String event, String data, String retry) {

    /** The event as it appears on the wire, including the blank line that ends it. */
    public String wireText() {
        StringBuilder sb = new StringBuilder();
        if (id != null) {
            sb.append("id: ").append(id).append('\n');
        }
        if (event != null) {
            sb.append("event: ").append(event).append('\n');
        }
        if (data != null) {
            for (String line : data.split("\n", -1)) {
                sb.append("data: ").append(line).append('\n');
            }
        }
        if (retry != null) {
            sb.append("retry: ").append(retry).append('\n');
        }
        return sb.append('\n').toString();
    }

    /**
     * Parses an event stream, or returns {@code null} when the text would not be reproduced byte for
     * byte by {@link #wireText()} (comments, CRLF, unusual spacing…); the caller then keeps it as text.
     */
    public static List<SseEvent> parseExact(String text) {
        if (text.isEmpty() || !text.endsWith("\n\n")) {
            return null;
        }
        List<SseEvent> events = new ArrayList<>();
        for (String block : text.substring(0, text.length() - 2).split("\n\n", -1)) {
            String id = null;
            String event = null;
            String retry = null;
            StringBuilder data = null;
            for (String line : block.split("\n", -1)) {
                int colon = line.indexOf(": ");
                if (colon <= 0) {
                    return null;
                }
                String field = line.substring(0, colon);
                String value = line.substring(colon + 2);
                switch (field) {
                    case "id" -> id = value;
                    case "event" -> event = value;
                    case "retry" -> retry = value;
                    case "data" -> data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
                    default -> {
                        return null;
                    }
                }
            }
            events.add(new SseEvent(id, event, data == null ? null : data.toString(), retry));
        }
        StringBuilder again = new StringBuilder();
        events.forEach(e -> again.append(e.wireText()));
        return again.toString().equals(text) ? events : null;
    }
}
