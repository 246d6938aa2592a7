package dev.keel.core.exec;

/**
 * Runs commands somewhere: on the host ({@link LocalCommandRunner}), in a microVM sandbox, or on a
 * remote machine. Implementations are thread-safe; concurrent commands are allowed.
 */
public interface CommandRunner {

    /**
     * Runs {@code command} to completion (or until its timeout) and returns its outcome. A non-zero exit
     * code or a timeout is a result, not an exception.
     *
     * @param command the command
     * @return its outcome
     * @throws CommandException when the command could not be started at all
     */
    default ExecResult run(Command command) {
        return run(command, OutputListener.NONE);
    }

    /**
     * Runs {@code command}, passing output to {@code listener} as it is produced (on a runner-owned
     * thread), and returns the outcome. The result holds the output too, up to the command's limit.
     *
     * @param command the command
     * @param listener receives output as it is produced
     * @return its outcome
     * @throws CommandException when the command could not be started at all
     */
    ExecResult run(Command command, OutputListener listener);

    /**
     * Shorthand for {@code run(Command.of(argv))}.
     *
     * @param argv the program and its arguments
     * @return its outcome
     */
    default ExecResult run(String... argv) {
        return run(Command.of(argv));
    }

    /**
     * Where commands run, for logs and tool descriptions, e.g. {@code host} or {@code sandbox:dev}.
     *
     * @return where commands run
     */
    default String describe() {
        return getClass().getSimpleName();
    }
}
