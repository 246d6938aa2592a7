package dev.keel.core.exec;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An immutable command: argv (no shell is involved unless argv starts one), environment, working
 * directory, standard input, timeout and output cap.
 *
 * @param argv        program and arguments; never empty
 * @param env         environment variables given explicitly; runners do not add the host's environment
 *                    unless documented otherwise
 * @param cwd         working directory, or {@code null} for the runner's default
 * @param stdin       bytes written to standard input, then closed (empty = nothing)
 * @param timeout     after this the command is killed and the result says {@code timedOut}
 * @param outputLimit maximum bytes kept of stdout and of stderr each; the rest is dropped and the
 *                    result says {@code truncated}
 */
public record Command(List<String> argv, Map<String, String> env, String cwd, byte[] stdin, Duration timeout,
                      int outputLimit) {

    /** Default timeout: two minutes. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(2);
    /** Default output cap per stream: 1 MiB. */
    public static final int DEFAULT_OUTPUT_LIMIT = 1 << 20;

    /**
     * Creates the value, checking its components.
     *
     * @param argv program and arguments; never empty
     * @param env environment variables given explicitly; runners do not add the host's environment unless
     *     documented otherwise
     * @param cwd working directory, or {@code null} for the runner's default
     * @param stdin bytes written to standard input, then closed (empty = nothing)
     * @param timeout after this the command is killed and the result says {@code timedOut}
     * @param outputLimit maximum bytes kept of stdout and of stderr each; the rest is dropped and the result says
     *     {@code truncated}
     */
    public Command {
        argv = List.copyOf(Objects.requireNonNull(argv, "argv"));
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("a command needs at least a program name");
        }
        env = Map.copyOf(env == null ? Map.of() : env);
        stdin = stdin == null ? new byte[0] : stdin.clone();
        timeout = timeout == null ? DEFAULT_TIMEOUT : timeout;
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, was " + timeout);
        }
        if (outputLimit <= 0) {
            throw new IllegalArgumentException("outputLimit must be positive, was " + outputLimit);
        }
    }

    /**
     * A command with defaults for everything but argv.
     *
     * @param argv the program and its arguments
     * @return a command with defaults for everything but argv
     */
    public static Command of(String... argv) {
        return new Command(List.of(argv), Map.of(), null, null, DEFAULT_TIMEOUT, DEFAULT_OUTPUT_LIMIT);
    }

    /**
     * A command with defaults for everything but argv.
     *
     * @param argv the program and its arguments
     * @return a command with defaults for everything but argv
     */
    public static Command of(List<String> argv) {
        return new Command(argv, Map.of(), null, null, DEFAULT_TIMEOUT, DEFAULT_OUTPUT_LIMIT);
    }

    /**
     * {@code sh -c script}.
     *
     * @param script the shell script
     * @return the command
     */
    public static Command shell(String script) {
        return of("sh", "-c", script);
    }

    /**
     * Standard input, a copy.
     *
     * @return the bytes, possibly empty
     */
    @Override
    public byte[] stdin() {
        return stdin.clone();
    }

    /**
     * A copy with these environment variables instead of the current ones (the host's are never added).
     *
     * @param env the variables
     * @return the new command
     */
    public Command withEnv(Map<String, String> env) {
        return new Command(argv, env, cwd, stdin, timeout, outputLimit);
    }

    /**
     * A copy that starts in another directory.
     *
     * @param cwd the directory, or null for the runner's
     * @return the new command
     */
    public Command withCwd(String cwd) {
        return new Command(argv, env, cwd, stdin, timeout, outputLimit);
    }

    /**
     * A copy with this standard input.
     *
     * @param stdin the bytes (copied)
     * @return the new command
     */
    public Command withStdin(byte[] stdin) {
        return new Command(argv, env, cwd, stdin, timeout, outputLimit);
    }

    /**
     * A copy with this standard input, UTF-8 encoded.
     *
     * @param stdin the text
     * @return the new command
     */
    public Command withStdin(String stdin) {
        return withStdin(stdin.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A copy with another time limit.
     *
     * @param timeout the limit
     * @return the new command
     */
    public Command withTimeout(Duration timeout) {
        return new Command(argv, env, cwd, stdin, timeout, outputLimit);
    }

    /**
     * A copy with another output cap per stream.
     *
     * @param outputLimit the most bytes kept of stdout and of stderr
     * @return the new command
     */
    public Command withOutputLimit(int outputLimit) {
        return new Command(argv, env, cwd, stdin, timeout, outputLimit);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Command c && argv.equals(c.argv) && env.equals(c.env) && Objects.equals(cwd, c.cwd)
                && Arrays.equals(stdin, c.stdin) && timeout.equals(c.timeout) && outputLimit == c.outputLimit;
    }

    @Override
    public int hashCode() {
        return Objects.hash(argv, env, cwd, Arrays.hashCode(stdin), timeout, outputLimit);
    }

    /** Shows argv, cwd, timeout and the environment's variable names only (values may be secrets). */
    @Override
    public String toString() {
        return "Command" + argv + (cwd == null ? "" : " in " + cwd) + " env=" + env.keySet().stream().sorted().toList()
                + " stdin=" + stdin.length + "B timeout=" + timeout;
    }
}
