package dev.keel.sandbox;

/** Neither a working hardware accelerator (KVM) nor QEMU's TCG emulator is available. Thrown before any VM starts. */
public final class NoAcceleratorException extends SandboxException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception with a message naming the problem.
     *
     * @param message what went wrong, naming the problem
     */
    public NoAcceleratorException(String message) {
        super(message);
    }

    /**
     * Creates the exception with a message naming the problem and its cause.
     *
     * @param message what went wrong, naming the problem
     * @param cause the underlying failure
     */
    public NoAcceleratorException(String message, Throwable cause) {
        super(message, cause);
    }
}
