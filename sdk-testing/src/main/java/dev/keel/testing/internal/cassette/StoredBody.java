package dev.keel.testing.internal.cassette;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/** A recorded HTTP body, in the form that keeps the cassette readable. */
public sealed interface StoredBody {

    /** The body's bytes as sent or received (after any gzip decoding). */
    byte[] bytes();

    /** The body as text for scanning and diffs (binary bodies decoded as ISO-8859-1). */
    String text();

    /** No body. */
    record Empty() implements StoredBody {
        @Override
        public byte[] bytes() {
            return new byte[0];
        }

        @Override
        public String text() {
            return "";
        }
    }

    /** A UTF-8 text body, kept verbatim. */
    record Text(String value) implements StoredBody {
        public Text {
            Objects.requireNonNull(value, "value");
        }

        @Override
        public byte[] bytes() {
            return value.getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public String text() {
            return value;
        }
    }

    /** A body that is not UTF-8 text, stored as base64. */
    record Binary(byte[] value) implements StoredBody {
        public Binary {
            value = value.clone();
        }

        @Override
        public byte[] bytes() {
            return value.clone();
        }

        @Override
        public String text() {
            return new String(value, StandardCharsets.ISO_8859_1);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Binary b && Arrays.equals(value, b.value);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(value);
        }

        @Override
        public String toString() {
            return "Binary[" + value.length + " bytes]";
        }
    }

    /** A {@code text/event-stream} body as a list of events, replayed one event at a time. */
    record Events(List<SseEvent> events) implements StoredBody {
        public Events {
            events = List.copyOf(events);
        }

        @Override
        public byte[] bytes() {
            return text().getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public String text() {
            StringBuilder sb = new StringBuilder();
            events.forEach(e -> sb.append(e.wireText()));
            return sb.toString();
        }
    }
}
