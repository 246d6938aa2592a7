package dev.keel.agents.session;

import dev.keel.agents.internal.session.FileSessionStore;
import dev.keel.agents.internal.session.InMemorySessionStore;
import dev.keel.agents.internal.session.PostgresSessionStore;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Where a runner keeps sessions ({@code Runner.Builder.sessions(store)}), so that a run can suspend on an
 * approval and resume in another instance, and continue after a crash. A store keeps versioned JSON documents
 * and refuses a save whose expected version is not the stored one ({@link SessionConflictException}): two
 * instances can never both continue one session.
 *
 * <pre>{@code
 * SessionStore files = SessionStore.inDirectory(Path.of("/var/lib/app/sessions"));
 * SessionStore shared = SessionStore.postgres(dataSource);    // table keel_sessions, created if absent
 * }</pre>
 *
 * <p>Implementations are thread-safe.
 */
public interface SessionStore extends AutoCloseable {

    /**
     * The stored session.
     *
     * @param sessionId the session id
     * @return the latest version, or empty when there is none
     * @throws SessionStoreException when the store cannot be read
     */
    Optional<StoredSession> load(String sessionId);

    /**
     * Saves {@code json} as the next version of the session, if the stored version is still
     * {@code expectedVersion} (0: no session stored yet). Atomic: readers see the old or the new version, never
     * a mix.
     *
     * @param sessionId the session id
     * @param json the session's JSON
     * @param expectedVersion the version the caller loaded, 0 for a new session
     * @return the saved version
     * @throws SessionConflictException when the stored version is another
     * @throws SessionStoreException when the store cannot be written
     */
    StoredSession save(String sessionId, String json, long expectedVersion);

    /**
     * Deletes the session.
     *
     * @param sessionId the session id
     * @return whether there was one
     * @throws SessionStoreException when the store cannot be written
     */
    boolean delete(String sessionId);

    /**
     * The sessions whose ids start with {@code idPrefix}, most recently saved first (ties by id), at most
     * {@code limit}. The prefix is matched character by character, with no wildcard ({@code %} and {@code _} are
     * plain characters). Keel's stores implement it; the default, for a store written before this method, throws
     * {@link SessionListingUnsupportedException}.
     *
     * @param idPrefix the prefix every listed id starts with ({@code ""}: every session)
     * @param limit how many to list at most (at least 1)
     * @return the sessions, most recently saved first
     * @throws SessionListingUnsupportedException when the store cannot list
     * @throws SessionStoreException when the store cannot be read
     */
    default List<SessionSummary> list(String idPrefix, int limit) {
        throw new SessionListingUnsupportedException(toString());
    }

    /** Releases what the store holds; closing twice is harmless. The default holds nothing. */
    @Override
    default void close() {}

    /**
     * A store keeping one JSON file per session in {@code directory} (created if missing), written atomically
     * (a complete new file renamed over the old one), with versions checked under a file lock so that several
     * processes can share the directory.
     *
     * @param directory the directory
     * @return the store
     */
    static SessionStore inDirectory(Path directory) {
        return new FileSessionStore(directory);
    }

    /**
     * A store in PostgreSQL's table {@code keel_sessions} (created if absent), through {@code dataSource}: one
     * row per session, saved with a version check in one statement. The caller keeps owning the data source.
     *
     * @param dataSource connections to the database
     * @return the store
     */
    static SessionStore postgres(DataSource dataSource) {
        return new PostgresSessionStore(dataSource, "keel_sessions");
    }

    /**
     * Like {@link #postgres(DataSource)} with another table name.
     *
     * @param dataSource connections to the database
     * @param table the table name (letters, digits and underscores, optionally schema-qualified with a dot)
     * @return the store
     */
    static SessionStore postgres(DataSource dataSource, String table) {
        return new PostgresSessionStore(dataSource, table);
    }

    /**
     * A store in this process's memory (for tests and single-instance use; gone when the process ends).
     *
     * @return the store
     */
    static SessionStore inMemory() {
        return new InMemorySessionStore();
    }
}
