package dev.keel.agents.session;

import java.time.Instant;
import java.util.Objects;

/**
 * One stored session as {@link SessionStore#list(String, int)} names it, without its document: load it with
 * {@link SessionStore#load(String)} to read it.
 *
 * @param id        the session id
 * @param version   its latest version
 * @param updatedAt when that version was saved
 */
public record SessionSummary(String id, long version, Instant updatedAt) {
    /**
     * Checks the values.
     *
     * @param id the session id
     * @param version its latest version (at least 1)
     * @param updatedAt when that version was saved
     */
    public SessionSummary {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(updatedAt, "updatedAt");
        if (version < 1) {
            throw new IllegalArgumentException("version must be at least 1, was " + version);
        }
    }

    @Override
    public String toString() {
        return "SessionSummary[" + id + " v" + version + ", " + updatedAt + "]";
    }
}
