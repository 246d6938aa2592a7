package dev.keel.authz;

import dev.keel.core.KeelException;

/**
 * Base of the exceptions thrown by Keel authz. Messages name the problem; they never contain a
 * preshared key or the content of a denied resource.
 */
public class AuthzException extends KeelException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception with a message that names the problem.
     *
     * @param message what went wrong, naming the problem
     */
    public AuthzException(String message) {
        super(message);
    }

    /**
     * Creates an exception with a message and the underlying cause.
     *
     * @param message what went wrong, naming the problem
     * @param cause the underlying failure
     */
    public AuthzException(String message, Throwable cause) {
        super(message, cause);
    }
}
