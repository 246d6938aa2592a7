package dev.keel.core.json;

import dev.keel.core.KeelException;

/** A text that should have been JSON (of a certain shape) was not. */
public class JsonParseException extends KeelException {
    private static final long serialVersionUID = 1L;

    /**
     * An exception whose message says what is wrong and where.
     *
     * @param message what is wrong
     */
    public JsonParseException(String message) {
        super(message);
    }

    /**
     * An exception with its cause.
     *
     * @param message what is wrong
     * @param cause   the parser's own exception
     */
    public JsonParseException(String message, Throwable cause) {
        super(message, cause);
    }
}
