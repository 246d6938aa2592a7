package dev.keel.core.json;

import dev.keel.core.KeelException;

/** A text that should have been JSON (of a certain shape) was not. */
public class JsonParseException extends KeelException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message where the text broke
     */
    public JsonParseException(String message) {
        super(message);
    }

    /**
     * Creates the exception.
     *
     * @param message where the text broke
     * @param cause Jackson's exception
     */
    public JsonParseException(String message, Throwable cause) {
        super(message, cause);
    }
}
