package dev.keel.authz.internal.wire;

import dev.keel.authz.AuthzException;

/** A SpiceDB response could not be decoded. */
public final class WireFormatException extends AuthzException {
    private static final long serialVersionUID = 1L;

    WireFormatException(String message) {
        super("malformed SpiceDB response: " + message);
    }
}
