package dev.keel.sandbox;

/** No sandbox backend has the requested name. */
public final class UnknownBackendException extends SandboxException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception with a message naming the problem.
     *
     * @param message what went wrong, naming the problem
     */
    public UnknownBackendException(String message) {
        super(message);
    }

    /**
     * Creates the exception with a message naming the problem and its cause.
     *
     * @param message what went wrong, naming the problem
     * @param cause the underlying failure
     */
    public UnknownBackendException(String message, Throwable cause) {
        super(message, cause);
    }
}
