package dev.keel.sandbox;

/** Something the sandbox needs on the host is missing (qemu, the guest kernel, the guest agent); the message says how to install it. */
public final class SandboxPrerequisiteException extends SandboxException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception with a message naming the problem.
     *
     * @param message what went wrong, naming the problem
     */
    public SandboxPrerequisiteException(String message) {
        super(message);
    }

    /**
     * Creates the exception with a message naming the problem and its cause.
     *
     * @param message what went wrong, naming the problem
     * @param cause the underlying failure
     */
    public SandboxPrerequisiteException(String message, Throwable cause) {
        super(message, cause);
    }
}
