package dev.keel.testing.cassette;

import dev.keel.core.KeelException;

/**
 * A cassette could not be used: it is absent where it must exist, could not be read or written, or
 * (subclasses) a request had no recording, the file is not a cassette, or a secret would be saved.
 * Messages name the cassette and never contain a secret.
 */
public class CassetteException extends KeelException {
    private static final long serialVersionUID = 1L;

    /**
     * An exception whose message names the problem.
     *
     * @param message what went wrong, naming the problem
     */
    public CassetteException(String message) {
        super(message);
    }

    /**
     * An exception whose message names the problem, with its cause.
     *
     * @param message what went wrong, naming the problem
     * @param cause the underlying failure
     */
    public CassetteException(String message, Throwable cause) {
        super(message, cause);
    }
}
