package dev.keel.testing.cassette;

/** A cassette file exists but is not a readable cassette (bad YAML, wrong format version, missing fields). */
public final class CassetteFormatException extends CassetteException {
    private static final long serialVersionUID = 1L;

    /** An exception whose message names the file and what is wrong with it. */
    public CassetteFormatException(String message) {
        super(message);
    }

    /** An exception whose message names the file and what is wrong with it, with its cause. */
    public CassetteFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
