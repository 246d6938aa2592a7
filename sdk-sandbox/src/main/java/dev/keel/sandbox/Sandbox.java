package dev.keel.sandbox;

import dev.keel.core.exec.Command;
import dev.keel.core.exec.CommandRunner;
import dev.keel.core.exec.ExecResult;
import dev.keel.core.exec.OutputListener;
import java.util.List;

/**
 * A disposable microVM: commands run in its own kernel, it sees only its workspaces (at the same
 * absolute paths as on the host) and none of the host's environment. {@link #close()} destroys it and
 * leaves no process, socket or temporary file behind; closing twice is harmless.
 *
 * <p>Thread-safe: any number of commands and file operations may run concurrently.
 */
public interface Sandbox extends CommandRunner, AutoCloseable {

    /**
     * The sandbox's name, unique within its provider.
     *
     * @return the sandbox's name
     */
    String name();

    /**
     * The spec it was created from.
     *
     * @return the spec it was created from
     */
    SandboxSpec spec();

    /**
     * Backend, accelerator, isolation level and boot time.
     *
     * @return the sandbox's description
     */
    SandboxInfo info();

    /**
     * Runs a command to completion. A non-zero exit or a timeout (which kills every process the command started,
     * see the module README) is a result, not an exception.
     *
     * @throws dev.keel.core.exec.CommandException when the program cannot be started, or the command is malformed
     *                                             (a NUL byte in an argument or environment value, {@code =} in an
     *                                             environment variable name, an empty program name: rejected before
     *                                             anything reaches the guest)
     * @throws SandboxClosedException              when the sandbox is closed; {@link SandboxDiedException} when its
     *                                             VM died (also while the command was running)
     */
    @Override
    ExecResult run(Command command, OutputListener listener);

    /**
     * Shorthand for {@code run(Command.of(argv))}.
     *
     * @param argv the program and its arguments
     * @return its outcome
     */
    default ExecResult exec(String... argv) {
        return run(Command.of(argv));
    }

    /**
     * Starts a command and returns at once. {@code command.stdin()} is written first; standard input then
     * stays open for {@link Execution#write}. The command's timeout applies.
     *
     * @param command the command
     * @param listener receives output as it is produced
     * @return the running command
     */
    Execution start(Command command, OutputListener listener);

    /**
     * Starts a command on a pseudo-terminal allocated by the guest agent (an interactive shell, for
     * example); stdout carries the terminal's output, stderr is merged into it.
     *
     * @param command the command
     * @param listener receives output as it is produced
     * @return the running command
     */
    Execution startTerminal(Command command, OutputListener listener);

    /**
     * Reads a whole file inside the guest (at most 60 MiB).
     *
     * @param path an absolute path inside the guest
     * @return the file's content
     * @throws SandboxFileException   when the guest cannot read it
     * @throws SandboxClosedException when the sandbox is closed (or {@link SandboxDiedException}: its VM died)
     */
    byte[] readFile(String path);

    /**
     * Creates or replaces a file inside the guest (parent directories are created), mode 0644.
     *
     * @param path an absolute path inside the guest
     * @param content the new content
     */
    void writeFile(String path, byte[] content);

    /**
     * Lists a directory inside the guest.
     *
     * @param path an absolute path inside the guest
     * @return the directory's entries
     */
    List<FileEntry> list(String path);

    /**
     * The requests the egress proxy handled so far (empty without a network policy).
     *
     * @return the requests the egress proxy handled so far
     */
    List<NetworkRequest> networkLog();

    /** Pauses the VM's CPUs (commands stall, nothing is lost). */
    void stop();

    /** Resumes a stopped VM. */
    void start();

    /**
     * Whether the sandbox can no longer be used: {@link #close()} was called, or its VM died.
     *
     * @return whether it is closed or dead
     */
    boolean isClosed();

    /**
     * Running, paused, dead (the VM died on its own) or closed.
     *
     * @return the sandbox's state now
     */
    SandboxState state();

    /**
     * Completes (with this sandbox) when it is closed or its VM dies; {@link #state()} then says which. Like
     * {@link Process#onExit()}: a dead VM is noticed at once, without polling.
     *
     * @return a future that completes with this sandbox when it ends
     */
    java.util.concurrent.CompletableFuture<Sandbox> onExit();

    /** Destroys the VM. Idempotent. */
    @Override
    void close();
}
