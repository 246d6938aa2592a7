package dev.keel.sandbox;

/** Where a sandbox is in its life. */
public enum SandboxState {
    /** The VM runs and takes commands. */
    RUNNING,
    /** The VM's CPUs are paused ({@link Sandbox#stop()}); commands stall until {@link Sandbox#start()}. */
    PAUSED,
    /**
     * The VM died on its own (guest kernel panic, qemu killed or crashed): every call throws
     * {@link SandboxDiedException} naming the cause.
     */
    DEAD,
    /** {@link Sandbox#close()} destroyed it: every call throws {@link SandboxClosedException}. */
    CLOSED
}
