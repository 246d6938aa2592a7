package dev.keel.agents.recording;

/** A file is not a run recording Keel can read: not YAML, an unknown format or version, a malformed step. */
public final class RecordingFormatException extends RecordingException {
    private static final long serialVersionUID = 1L;

    /**
     * An exception with a message naming the file and the problem.
     *
     * @param message what went wrong
     */
    public RecordingFormatException(String message) {
        super(message);
    }

    /**
     * An exception with a message naming the file and the problem, and its cause.
     *
     * @param cause the underlying failure
     * @param message what went wrong
     */
    public RecordingFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
