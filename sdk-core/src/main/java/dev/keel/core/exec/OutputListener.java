package dev.keel.core.exec;

/** Receives a command's output while it runs. Implementations must be quick and must not block. */
public interface OutputListener {
    /** Ignores all output. */
    OutputListener NONE = new OutputListener() {};

    /**
     * A chunk of standard output (a copy the listener may keep).
     *
     * @param chunk the bytes
     */
    default void onStdout(byte[] chunk) {}

    /**
     * A chunk of standard error (a copy the listener may keep).
     *
     * @param chunk the bytes
     */
    default void onStderr(byte[] chunk) {}
}
