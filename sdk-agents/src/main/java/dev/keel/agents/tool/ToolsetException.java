package dev.keel.agents.tool;

import dev.keel.core.KeelException;

/** A toolset could not provide its tools (its server failed to start, its configuration is wrong, …). */
public class ToolsetException extends KeelException {
    private static final long serialVersionUID = 1L;

    public ToolsetException(String message) {
        super(message);
    }

    public ToolsetException(String message, Throwable cause) {
        super(message, cause);
    }
}
