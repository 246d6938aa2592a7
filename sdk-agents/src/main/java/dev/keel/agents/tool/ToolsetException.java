package dev.keel.agents.tool;

import dev.keel.core.KeelException;

/** A toolset could not provide its tools (its server failed to start, its configuration is wrong, …). */
public class ToolsetException extends KeelException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what went wrong
     */
    public ToolsetException(String message) {
        super(message);
    }

    /**
     * Creates the exception.
     *
     * @param message what went wrong
     * @param cause the underlying failure
     */
    public ToolsetException(String message, Throwable cause) {
        super(message, cause);
    }
}
