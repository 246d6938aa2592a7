package dev.keel.authz.embedded;

import dev.keel.authz.AuthzException;

/** The embedded SpiceDB library was loaded but refused to start an instance (for example a bad datastore option). */
public class SpiceDbStartException extends AuthzException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception with SpiceDB's own error text.
     *
     * @param message what went wrong, naming the problem
     */
    public SpiceDbStartException(String message) {
        super(message);
    }
}
