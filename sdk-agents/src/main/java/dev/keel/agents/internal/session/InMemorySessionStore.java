package dev.keel.agents.internal.session;

import dev.keel.agents.session.SessionConflictException;
import dev.keel.agents.session.SessionStore;
import dev.keel.agents.session.SessionSummary;
import dev.keel.agents.session.StoredSession;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/** Sessions in a map; versions checked atomically per session. Thread-safe. */
public final class InMemorySessionStore implements SessionStore {
    private final ConcurrentMap<String, StoredSession> sessions = new ConcurrentHashMap<>();

    @Override
    public Optional<StoredSession> load(String sessionId) {
        return Optional.ofNullable(sessions.get(Objects.requireNonNull(sessionId, "sessionId")));
    }

    @Override
    public StoredSession save(String sessionId, String json, long expectedVersion) {
        Objects.requireNonNull(json, "json");
        return sessions.compute(Objects.requireNonNull(sessionId, "sessionId"), (id, old) -> {
            long actual = old == null ? 0 : old.version();
            if (actual != expectedVersion) {
                throw new SessionConflictException(id, expectedVersion, actual);
            }
            return new StoredSession(id, actual + 1, json, Instant.now());
        });
    }

    @Override
    public boolean delete(String sessionId) {
        return sessions.remove(sessionId) != null;
    }

    @Override
    public List<SessionSummary> list(String idPrefix, int limit) {
        Listings.check(idPrefix, limit);
        return Listings.newest(sessions.values().stream().map(s -> new SessionSummary(s.id(), s.version(), s.updatedAt())),
                idPrefix, limit);
    }

    @Override
    public String toString() {
        return "SessionStore[memory, " + sessions.size() + " sessions]";
    }
}
