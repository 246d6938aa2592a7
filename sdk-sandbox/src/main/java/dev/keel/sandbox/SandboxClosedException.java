package dev.keel.sandbox;

/**
 * The sandbox cannot be used any more: it was closed (destroyed), or — as {@link SandboxDiedException} — its VM
 * died. Commands ({@code run}, {@code exec}, {@code start}) and file operations throw the same type.
 */
public sealed class SandboxClosedException extends SandboxException permits SandboxDiedException {
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
