package dev.keel.core.internal.sse;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * An incremental parser for {@code text/event-stream} (the WHATWG server-sent events format). Feed it
 * bytes as they arrive, split anywhere; it hands each complete event to the sink. Handles LF, CR and
 * CRLF line ends (including a CRLF split between two reads), comment lines, multi-line data, fields
 * without a value, a leading byte-order mark, and multi-byte UTF-8 characters split across reads
 * (lines are decoded only once complete).
 *
 * <p>Not thread-safe: one parser per stream, fed from one thread.
 */
public final class SseParser {
    private static final byte[] DATA = {'d', 'a', 't', 'a'};
    private static final byte[] EVENT = {'e', 'v', 'e', 'n', 't'};
    private static final byte[] ID = {'i', 'd'};

    private final Consumer<SseEvent> sink;
    private byte[] line = new byte[512];
    private int lineLength;
    private boolean skipLf;
    private boolean firstLine = true;

    /** The first data line; most events have exactly one, so the builder below is rarely needed. */
    private String firstData;
    private StringBuilder moreData;
    private String eventType;
    private String lastId = "";
    private boolean fieldsPending;
    private long events;

    public SseParser(Consumer<SseEvent> sink) {
        this.sink = Objects.requireNonNull(sink, "sink");
    }

    /** Feeds all of {@code bytes}. */
    public void feed(byte[] bytes) {
        feed(bytes, 0, bytes.length);
    }

    /** Feeds {@code length} bytes of {@code bytes} from {@code offset}. */
    public void feed(byte[] bytes, int offset, int length) {
        int end = offset + length;
        int i = offset;
        if (skipLf && i < end) {
            skipLf = false;
            if (bytes[i] == '\n') {
                i++;
            }
        }
        while (i < end) {
            int eol = i;
            while (eol < end && bytes[eol] != '\n' && bytes[eol] != '\r') {
                eol++;
            }
            if (eol == end) {
                append(bytes, i, end - i);
                return;
            }
            if (lineLength == 0) {
                processLine(bytes, i, eol - i);
            } else {
                append(bytes, i, eol - i);
                processLine(line, 0, lineLength);
                lineLength = 0;
            }
            i = eol + 1;
            if (bytes[eol] == '\r') {
                if (i == end) {
                    skipLf = true;
                } else if (bytes[i] == '\n') {
                    i++;
                }
            }
        }
    }

    /**
     * True when the bytes fed so far end inside an event: an unterminated line or fields not yet
     * followed by the blank line that dispatches them. At end of stream this means the stream was cut.
     */
    public boolean hasPartialEvent() {
        return lineLength > 0 || fieldsPending;
    }

    /** Number of events dispatched so far. */
    public long eventCount() {
        return events;
    }

    private void append(byte[] bytes, int offset, int length) {
        if (length == 0) {
            return;
        }
        if (lineLength + length > line.length) {
            byte[] bigger = new byte[Math.max(line.length * 2, lineLength + length)];
            System.arraycopy(line, 0, bigger, 0, lineLength);
            line = bigger;
        }
        System.arraycopy(bytes, offset, line, lineLength, length);
        lineLength += length;
    }

    private void processLine(byte[] b, int off, int len) {
        if (firstLine) {
            firstLine = false;
            if (len >= 3 && (b[off] & 0xFF) == 0xEF && (b[off + 1] & 0xFF) == 0xBB && (b[off + 2] & 0xFF) == 0xBF) {
                off += 3;
                len -= 3;
            }
        }
        if (len == 0) {
            dispatch();
            return;
        }
        if (b[off] == ':') {
            return; // comment, e.g. a keep-alive
        }
        int colon = -1;
        for (int k = off; k < off + len; k++) {
            if (b[k] == ':') {
                colon = k;
                break;
            }
        }
        int nameEnd = colon < 0 ? off + len : colon;
        int valueStart = colon < 0 ? off + len : colon + 1;
        if (valueStart < off + len && b[valueStart] == ' ') {
            valueStart++;
        }
        int valueLength = off + len - valueStart;
        fieldsPending = true;
        if (is(DATA, b, off, nameEnd)) {
            String value = new String(b, valueStart, valueLength, StandardCharsets.UTF_8);
            if (firstData == null) {
                firstData = value;
            } else {
                if (moreData == null) {
                    moreData = new StringBuilder(firstData.length() + value.length() + 16).append(firstData);
                }
                moreData.append('\n').append(value);
            }
        } else if (is(EVENT, b, off, nameEnd)) {
            eventType = new String(b, valueStart, valueLength, StandardCharsets.UTF_8);
        } else if (is(ID, b, off, nameEnd)) {
            String id = new String(b, valueStart, valueLength, StandardCharsets.UTF_8);
            if (id.indexOf('\0') < 0) {
                lastId = id;
            }
        }
        // "retry" and unknown fields are ignored, as the format requires.
    }

    private static boolean is(byte[] name, byte[] b, int start, int end) {
        if (end - start != name.length) {
            return false;
        }
        for (int k = 0; k < name.length; k++) {
            if (b[start + k] != name[k]) {
                return false;
            }
        }
        return true;
    }

    private void dispatch() {
        fieldsPending = false;
        if (firstData == null) {
            eventType = null;
            return;
        }
        String data = moreData == null ? firstData : moreData.toString();
        SseEvent event = new SseEvent(eventType == null || eventType.isEmpty() ? "message" : eventType, data, lastId);
        firstData = null;
        moreData = null;
        eventType = null;
        events++;
        sink.accept(event);
    }

    @Override
    public String toString() {
        return "SseParser[events=" + events + ", partial=" + hasPartialEvent() + "]";
    }
}
