package dev.keel.sandbox;

import dev.keel.core.exec.ExecResult;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * A command running inside a sandbox, started with {@link Sandbox#start}. Its standard input stays
 * open until {@link #closeStdin()}. Thread-safe.
 */
public interface Execution {
    /**
     * The guest process id.
     *
     * @return the guest process id
     */
    long pid();

    /**
     * Writes bytes to the command's standard input.
     *
     * @param bytes the bytes
     */
    void write(byte[] bytes);

    /** Closes standard input (end of file; on a terminal, sends ^D). */
    void closeStdin();

    /**
     * Sends a signal (e.g. 15 for SIGTERM) to the command's whole process group in the guest.
     *
     * @param signal the signal number
     */
    void signal(int signal);

    /** Kills the command's whole process group (SIGKILL). */
    default void kill() {
        signal(9);
    }

    /**
     * For terminal sessions: tells the guest the window size.
     *
     * @param rows the window's height in rows
     * @param columns the window's width in columns
     */
    void resize(int rows, int columns);

    /**
     * Completes with the outcome when the command exits or times out.
     *
     * @return the future outcome
     */
    CompletableFuture<ExecResult> result();

    /**
     * Waits for the outcome.
     *
     * @return the outcome
     */
    ExecResult await();

    /**
     * Waits at most {@code timeout}; {@code null} when still running.
     *
     * @param timeout the longest wait
     * @return the outcome, or null when still running
     */
    ExecResult await(Duration timeout);
}
