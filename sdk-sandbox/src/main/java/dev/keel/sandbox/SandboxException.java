package dev.keel.sandbox;

import dev.keel.core.KeelException;

/**
 * Base of the sandbox module's exceptions. The subclasses say what went wrong; messages name the
 * problem and never contain a secret or an environment value.
 */
public abstract sealed class SandboxException extends KeelException
        permits InvalidSandboxSpecException, UnknownBackendException, NoAcceleratorException,
        SandboxPrerequisiteException, SandboxBootException, SandboxClosedException, SandboxFileException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what went wrong
     */
    protected SandboxException(String message) {
        super(message);
    }

    /**
     * Creates the exception.
     *
     * @param message what went wrong
     * @param cause the underlying failure
     */
    protected SandboxException(String message, Throwable cause) {
        super(message, cause);
    }
}
