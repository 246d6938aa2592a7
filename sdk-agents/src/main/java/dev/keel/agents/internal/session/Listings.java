package dev.keel.agents.internal.session;

import dev.keel.agents.session.SessionSummary;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/** What the built-in stores share when they list: the argument checks and the order. Stateless. Not API. */
final class Listings {
    /** Most recently saved first; ties by id, so that a listing is stable. */
    static final Comparator<SessionSummary> NEWEST_FIRST = Comparator.comparing(SessionSummary::updatedAt).reversed()
            .thenComparing(SessionSummary::id);

    private Listings() {}

    static void check(String idPrefix, int limit) {
        Objects.requireNonNull(idPrefix, "idPrefix");
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, was " + limit);
        }
    }

    /** The first {@code limit} of {@code sessions} whose ids start with {@code idPrefix}, newest first. */
    static List<SessionSummary> newest(Stream<SessionSummary> sessions, String idPrefix, int limit) {
        return sessions.filter(s -> s.id().startsWith(idPrefix)).sorted(NEWEST_FIRST).limit(limit).toList();
    }
}
