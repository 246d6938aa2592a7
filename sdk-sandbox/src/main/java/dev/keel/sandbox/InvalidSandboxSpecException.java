package dev.keel.sandbox;

/** A sandbox spec is invalid (relative or missing workspace, bad name, duplicate name, bad sizes). Thrown before anything starts. */
public final class InvalidSandboxSpecException extends SandboxException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception with a message naming the problem.
     *
     * @param message what went wrong, naming the problem
     */
    public InvalidSandboxSpecException(String message) {
        super(message);
    }

    /**
     * Creates the exception with a message naming the problem and its cause.
     *
     * @param message what went wrong, naming the problem
     * @param cause the underlying failure
     */
    public InvalidSandboxSpecException(String message, Throwable cause) {
        super(message, cause);
    }
}
