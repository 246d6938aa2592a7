package dev.keel.agents.tool;

import dev.keel.core.KeelException;

/**
 * A tool's arguments are missing something or have the wrong type. The message names the argument and
 * says what was expected, so the model can correct its call (the runner shows it to the model as the
 * tool's error result).
 */
public final class ToolArgumentException extends KeelException {
    private static final long serialVersionUID = 1L;
    /** The argument the problem is about, empty for the whole object. */
    private final String argument;

    /**
     * A problem with one argument, or with the arguments as a whole.
     *
     * @param argument the argument's name or path ({@code query.limit}), empty for the arguments as a whole
     * @param message  what is wrong, naming the argument
     */
    public ToolArgumentException(String argument, String message) {
        super(message);
        this.argument = argument == null ? "" : argument;
    }

    ToolArgumentException(String argument, String message, Throwable cause) {
        super(message, cause);
        this.argument = argument == null ? "" : argument;
    }

    /**
     * The argument the problem is about ({@code query.limit} for a nested one); empty for the whole object.
     *
     * @return the argument the problem is about ({@code query.limit} for a nested one); empty for the whole object
     */
    public String argument() {
        return argument;
    }
}
