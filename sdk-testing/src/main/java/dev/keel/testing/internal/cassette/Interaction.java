package dev.keel.testing.internal.cassette;

import java.util.Objects;

/** One recorded request and the response it got. */
public record Interaction(StoredRequest request, StoredResponse response) {
    public Interaction {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(response, "response");
    }
}
