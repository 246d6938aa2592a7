package dev.keel.agents.session;

import dev.keel.core.KeelException;

/** A session store could not read or write (I/O, SQL, a malformed stored file). */
public class SessionStoreException extends KeelException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what failed
     */
    public SessionStoreException(String message) {
        super(message);
    }

    /**
     * Creates the exception.
     *
     * @param message what failed
     * @param cause the underlying failure
     */
    public SessionStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
