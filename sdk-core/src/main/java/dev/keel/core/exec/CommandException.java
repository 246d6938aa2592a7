package dev.keel.core.exec;

import dev.keel.core.KeelException;

/** A command could not be started (no such program, bad working directory, runner closed, …). */
public class CommandException extends KeelException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what went wrong
     */
    public CommandException(String message) {
        super(message);
    }

    /**
     * Creates the exception.
     *
     * @param message what went wrong
     * @param cause the underlying failure
     */
    public CommandException(String message, Throwable cause) {
        super(message, cause);
    }
}
