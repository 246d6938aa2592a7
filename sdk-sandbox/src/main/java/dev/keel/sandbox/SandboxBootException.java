package dev.keel.sandbox;

/** The microVM did not come up: qemu exited or the guest agent did not answer in time. Nothing is left running. */
public final class SandboxBootException extends SandboxException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception with a message naming the problem.
     *
     * @param message what went wrong, naming the problem
     */
    public SandboxBootException(String message) {
        super(message);
    }

    /**
     * Creates the exception with a message naming the problem and its cause.
     *
     * @param message what went wrong, naming the problem
     * @param cause the underlying failure
     */
    public SandboxBootException(String message, Throwable cause) {
        super(message, cause);
    }
}
