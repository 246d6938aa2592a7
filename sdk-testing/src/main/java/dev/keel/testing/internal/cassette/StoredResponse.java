package dev.keel.testing.internal.cassette;

import java.util.List;
import java.util.Objects;

/**
 * A recorded response. {@code gzip} says the body travelled gzip-compressed: the cassette keeps it
 * decoded (readable) and replay compresses it again.
 */
public record StoredResponse(int status, String message, List<Header> headers, StoredBody body, boolean gzip) {
    public StoredResponse {
        message = message == null ? "" : message;
        headers = List.copyOf(headers);
        Objects.requireNonNull(body, "body");
    }
}
