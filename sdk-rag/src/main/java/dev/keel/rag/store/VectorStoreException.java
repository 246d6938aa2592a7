package dev.keel.rag.store;

import dev.keel.core.KeelException;

/** A vector store operation failed for a reason other than a bad argument (I/O, a backend error). */
public class VectorStoreException extends KeelException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what went wrong
     */
    public VectorStoreException(String message) {
        super(message);
    }

    /**
     * Creates the exception.
     *
     * @param message what went wrong
     * @param cause the underlying failure
     */
    public VectorStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
