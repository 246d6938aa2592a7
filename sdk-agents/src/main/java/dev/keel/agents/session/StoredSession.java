package dev.keel.agents.session;

import java.time.Instant;
import java.util.Objects;

/**
 * One stored version of a session.
 *
 * @param id        the session id
 * @param version   the version (1 for the first save; each save adds one)
 * @param json      the session's JSON ({@code Session.toJson()})
 * @param updatedAt when this version was saved
 */
public record StoredSession(String id, long version, String json, Instant updatedAt) {
    /**
     * Checks the values.
     *
     * @param id the session id
     * @param version the version
     * @param json the session's JSON
     * @param updatedAt when this version was saved
     */
    public StoredSession {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(json, "json");
        Objects.requireNonNull(updatedAt, "updatedAt");
        if (version < 1) {
            throw new IllegalArgumentException("version must be at least 1, was " + version);
        }
    }

    @Override
    public String toString() {
        return "StoredSession[" + id + " v" + version + ", " + json.length() + " chars, " + updatedAt + "]";
    }
}
