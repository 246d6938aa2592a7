package dev.keel.core.testutil;

import java.util.List;

/** Builds {@code text/event-stream} bodies. */
public final class Sse {
    private Sse() {}

    /** Data-only events, each followed by a blank line. */
    public static String data(List<String> payloads) {
        StringBuilder b = new StringBuilder();
        for (String p : payloads) {
            b.append("data: ").append(p).append("\n\n");
        }
        return b.toString();
    }

    /** A named event. */
    public static String event(String name, String data) {
        return "event: " + name + "\ndata: " + data + "\n\n";
    }
}
