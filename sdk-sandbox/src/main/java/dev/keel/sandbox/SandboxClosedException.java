package dev.keel.sandbox;

/** The sandbox was closed (destroyed) and cannot be used any more. */
public final class SandboxClosedException extends SandboxException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception with a message naming the problem.
     *
     * @param message what went wrong, naming the problem
     */
    public SandboxClosedException(String message) {
        super(message);
    }

    /**
     * Creates the exception with a message naming the problem and its cause.
     *
     * @param message what went wrong, naming the problem
     * @param cause the underlying failure
     */
    public SandboxClosedException(String message, Throwable cause) {
        super(message, cause);
    }
}
