package dev.keel.testing.cassette;

/** A cassette file exists but is not a readable cassette (bad YAML, wrong format version, missing fields). */
public final class CassetteFormatException extends CassetteException {
    private static final long serialVersionUID = 1L;

    /**
     * An exception whose message names the file and what is wrong with it.
     *
     * @param message what went wrong, naming the problem
     */
    public CassetteFormatException(String message) {
        super(message);
    }

    /**
     * An exception whose message names the file and what is wrong with it, with its cause.
     *
     * @param message what went wrong, naming the problem
     * @param cause the underlying failure
     */
    public CassetteFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
