package dev.keel.sandbox;

/** A file operation inside the guest failed (no such file, permission denied, …). */
public final class SandboxFileException extends SandboxException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception with a message naming the problem.
     *
     * @param message what went wrong, naming the problem
     */
    public SandboxFileException(String message) {
        super(message);
    }

    /**
     * Creates the exception with a message naming the problem and its cause.
     *
     * @param message what went wrong, naming the problem
     * @param cause the underlying failure
     */
    public SandboxFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
