package dev.keel.agents.hooks;

import dev.keel.core.KeelException;

/** A hook failed: it timed out, or its command exited with an error other than the blocking code 2. */
public final class HookFailedException extends KeelException {
    private static final long serialVersionUID = 1L;

    /**
     * A failure.
     *
     * @param message what failed
     */
    public HookFailedException(String message) {
        super(message);
    }
}
