package dev.keel.agents.recording;

import dev.keel.core.KeelException;

/** A run recording could not be read or written. */
public class RecordingException extends KeelException {
    private static final long serialVersionUID = 1L;

    /**
     * An exception with a message.
     *
     * @param message what went wrong
     */
    public RecordingException(String message) {
        super(message);
    }

    /**
     * An exception with a message and a cause.
     *
     * @param cause the underlying failure
     * @param message what went wrong
     */
    public RecordingException(String message, Throwable cause) {
        super(message, cause);
    }
}
