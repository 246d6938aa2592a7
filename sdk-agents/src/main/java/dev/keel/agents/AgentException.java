package dev.keel.agents;

import dev.keel.core.KeelException;

/** An agent run failed: its model failed, a toolset could not start, or the run was cancelled. */
public class AgentException extends KeelException {
    private static final long serialVersionUID = 1L;

    public AgentException(String message) {
        super(message);
    }

    public AgentException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The run was cancelled before it finished. */
    public static final class Cancelled extends AgentException {
        private static final long serialVersionUID = 1L;

        public Cancelled(String message) {
            super(message);
        }
    }
}
