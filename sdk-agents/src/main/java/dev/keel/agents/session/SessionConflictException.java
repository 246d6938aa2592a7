package dev.keel.agents.session;

/**
 * Someone else saved the session since it was loaded (another instance continues it, or resumed it first):
 * this save is refused and nothing was written.
 */
public final class SessionConflictException extends SessionStoreException {
    private static final long serialVersionUID = 1L;

    /** The session. */
    private final String sessionId;
    /** The version the writer loaded. */
    private final long expectedVersion;
    /** The version stored when the save was refused. */
    private final long actualVersion;

    /**
     * Creates the exception.
     *
     * @param sessionId the session
     * @param expectedVersion the version the writer loaded (0: it expected no session)
     * @param actualVersion the version stored now (0: there is none)
     */
    public SessionConflictException(String sessionId, long expectedVersion, long actualVersion) {
        super("session " + sessionId + " was saved by someone else: expected version " + expectedVersion
                + ", the store has " + (actualVersion == 0 ? "none" : "version " + actualVersion));
        this.sessionId = sessionId;
        this.expectedVersion = expectedVersion;
        this.actualVersion = actualVersion;
    }

    /**
     * The session.
     *
     * @return the session id
     */
    public String sessionId() {
        return sessionId;
    }

    /**
     * The version the writer expected.
     *
     * @return the expected version
     */
    public long expectedVersion() {
        return expectedVersion;
    }

    /**
     * The version the store holds.
     *
     * @return the stored version (0 when none)
     */
    public long actualVersion() {
        return actualVersion;
    }
}
