package dev.keel.sandbox;

/**
 * The sandbox's VM died without being closed: the guest kernel panicked (e.g. out of memory), qemu was killed
 * (e.g. by the host's OOM killer) or crashed. The sandbox is {@link SandboxState#DEAD}, gone from its provider's
 * list, and every later call throws this, naming the cause.
 */
public final class SandboxDiedException extends SandboxClosedException {
    private static final long serialVersionUID = 1L;
    /** The sandbox's name. */
    private final String sandbox;
    /** What killed its VM. */
    private final String reason;

    /**
     * The VM of a sandbox died.
     *
     * @param sandbox the sandbox's name
     * @param reason  what killed it, e.g. {@code guest kernel panic: System is deadlocked on memory}
     */
    public SandboxDiedException(String sandbox, String reason) {
        super("sandbox " + sandbox + " died: " + reason);
        this.sandbox = sandbox;
        this.reason = reason;
    }

    /**
     * The sandbox's name.
     *
     * @return the name
     */
    public String sandbox() {
        return sandbox;
    }

    /**
     * What killed the VM, in words (from the guest console or qemu's exit).
     *
     * @return the cause
     */
    public String reason() {
        return reason;
    }
}
