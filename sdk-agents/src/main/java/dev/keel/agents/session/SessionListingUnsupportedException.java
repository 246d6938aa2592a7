package dev.keel.agents.session;

/**
 * The session store cannot list its sessions: it implements {@link SessionStore#load load}, {@link SessionStore#save
 * save} and {@link SessionStore#delete delete} only (a store written before {@link SessionStore#list(String, int)}
 * existed). Nothing was read.
 */
public final class SessionListingUnsupportedException extends SessionStoreException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param store the store's description ({@code toString()})
     */
    public SessionListingUnsupportedException(String store) {
        super(store + " cannot list sessions: implement SessionStore.list(idPrefix, limit), or use one of Keel's "
                + "stores (SessionStore.inDirectory, SessionStore.postgres, SessionStore.inMemory)");
    }
}
