package dev.keel.agents;

import dev.keel.core.KeelException;

/** An agent run failed: its model failed, a toolset could not start, or the run was cancelled. */
public class AgentException extends KeelException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what went wrong
     */
    public AgentException(String message) {
        super(message);
    }

    /**
     * Creates the exception.
     *
     * @param message what went wrong
     * @param cause the underlying failure
     */
    public AgentException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The run was cancelled before it finished. */
    public static final class Cancelled extends AgentException {
        private static final long serialVersionUID = 1L;

        /**
         * Creates the exception.
         *
         * @param message why the run was cancelled
         */
        public Cancelled(String message) {
            super(message);
        }
    }

    /**
     * A resume was refused: the token is not one, matches no pending call (it was decided already, or the run
     * moved on), or the stored call no longer matches it. Nothing ran.
     */
    public static final class ResumeRefused extends AgentException {
        private static final long serialVersionUID = 1L;

        /**
         * Creates the exception.
         *
         * @param message why the resume was refused
         */
        public ResumeRefused(String message) {
            super(message);
        }
    }
}
