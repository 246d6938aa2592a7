package dev.keel.testing.internal.cassette;

import java.util.List;
import java.util.Objects;

/** A recorded request: method, URL and headers after redaction, and its body. */
public record StoredRequest(String method, String url, List<Header> headers, StoredBody body) {
    public StoredRequest {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(url, "url");
        headers = List.copyOf(headers);
        Objects.requireNonNull(body, "body");
    }
}
