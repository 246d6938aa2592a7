package dev.keel.agents.session;

import java.util.Objects;
import java.util.Optional;

/**
 * Which earlier sessions a run may look back on with the {@code session_context} tools ({@code list_sessions},
 * {@code read_session}): the id prefix the earlier sessions must have, decided from the id of the session that is
 * running. A store lists by prefix efficiently ({@link SessionStore#list(String, int)}), and a session outside the
 * prefix is neither listed nor readable, by id or by a relative reference.
 *
 * <p><b>A service that keeps many users' sessions in one store must scope them per user.</b> Give each session an
 * id that starts with its owner ({@code "alice/2026-12-06-support"}) and use {@link #sameOwner(String)
 * sameOwner("/")}: alice's run then sees alice's earlier sessions only. {@link #wholeStore()} shows every session
 * of the store to every run; use it only when the store belongs to one user (a desktop tool, a personal agent).
 *
 * <pre>{@code
 * TeamServices services = TeamServices.builder()
 *         .sessionHistory(new SessionHistory(store, SessionScope.sameOwner("/")))
 *         .build();
 * }</pre>
 *
 * <p>Implementations must be thread-safe and must not fail open: return empty when a session's owner cannot be
 * told, and the run sees no earlier session.
 */
@FunctionalInterface
public interface SessionScope {

    /**
     * The id prefix of the earlier sessions the run of {@code currentSessionId} may see.
     *
     * @param currentSessionId the id of the session that is running (a delegated sub-agent's own session id ends
     *     with {@code /} and a suffix after its parent's)
     * @return the prefix ({@code ""}: every session of the store), or empty when the run may see none
     */
    Optional<String> prefix(String currentSessionId);

    /**
     * Sessions whose ids start like the current one up to and including the first {@code separator}: with
     * {@code "/"}, the run of {@code alice/s3} sees {@code alice/s1} and {@code alice/s2}, never {@code bob/s1}. A
     * current id without the separator sees nothing (its owner cannot be told).
     *
     * @param separator what ends the owner part of an id (not empty)
     * @return the scope
     */
    static SessionScope sameOwner(String separator) {
        Objects.requireNonNull(separator, "separator");
        if (separator.isEmpty()) {
            throw new IllegalArgumentException("the separator must not be empty");
        }
        return new SessionScope() {
            @Override
            public Optional<String> prefix(String currentSessionId) {
                int at = currentSessionId.indexOf(separator);
                return at <= 0 ? Optional.empty()
                        : Optional.of(currentSessionId.substring(0, at + separator.length()));
            }

            @Override
            public String toString() {
                return "SessionScope[same owner, up to '" + separator + "']";
            }
        };
    }

    /**
     * Every session of the store, whoever started it: for a store that belongs to one user only.
     *
     * @return the scope
     */
    static SessionScope wholeStore() {
        return new SessionScope() {
            @Override
            public Optional<String> prefix(String currentSessionId) {
                return Optional.of("");
            }

            @Override
            public String toString() {
                return "SessionScope[whole store]";
            }
        };
    }
}
