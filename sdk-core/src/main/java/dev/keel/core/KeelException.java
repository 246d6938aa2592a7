package dev.keel.core;

/**
 * Base of every exception Keel throws. Unchecked, so that callers handle what they can and let the
 * rest propagate. Messages name the problem and never contain a secret.
 */
public class KeelException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception with a message that names the problem.
     *
     * @param message what went wrong, naming the problem
     */
    public KeelException(String message) {
        super(message);
    }

    /**
     * Creates an exception with a message and the underlying cause.
     *
     * @param message what went wrong, naming the problem
     * @param cause the underlying failure
     */
    public KeelException(String message, Throwable cause) {
        super(message, cause);
    }
}
