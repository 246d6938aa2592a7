package dev.keel.agents.hooks;

import dev.keel.core.exec.Command;
import dev.keel.core.exec.CommandRunner;
import dev.keel.core.exec.ExecResult;
import dev.keel.core.exec.LocalCommandRunner;
import dev.keel.core.json.JsonObject;
import dev.keel.core.json.JsonParseException;
import dev.keel.core.json.JsonValue;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A shell command as a hook, as docker-agent runs {@code type: command} hooks: the command runs with
 * {@code sh -c}, reads the event's JSON ({@link HookInput#toJson()}) on stdin, and answers on stdout with
 * docker-agent's output JSON ({@link HookResult#fromJson}). Plain text on stdout is context for the
 * conversation; exit code 2 blocks (stderr, or the output's {@code reason}, says why); any other non-zero exit
 * or a timeout is a failure (see {@link Hooks.OnError}).
 *
 * <pre>{@code
 * Hook guard = CommandHook.builder("./scripts/validate-command.sh").timeout(Duration.ofSeconds(30)).build();
 * }</pre>
 *
 * Immutable and thread-safe.
 */
public final class CommandHook implements Hook {
    private final String command;
    private final CommandRunner runner;
    private final Map<String, String> env;
    private final String workingDirectory;
    private final Duration timeout;

    private CommandHook(Builder b) {
        this.command = b.command;
        this.runner = b.runner;
        this.env = Map.copyOf(b.env);
        this.workingDirectory = b.workingDirectory;
        this.timeout = b.timeout;
    }

    /**
     * A hook running {@code command} on the host, with the defaults.
     *
     * @param command a shell command line
     * @return the hook
     */
    public static CommandHook of(String command) {
        return builder(command).build();
    }

    /**
     * Starts a command hook.
     *
     * @param command a shell command line
     * @return a builder
     */
    public static Builder builder(String command) {
        return new Builder(command);
    }

    /**
     * The command line.
     *
     * @return the command line
     */
    public String command() {
        return command;
    }

    /**
     * The limit after which the command is stopped and the hook counts as failed.
     *
     * @return the time limit
     */
    public Duration timeout() {
        return timeout;
    }

    @Override
    public HookResult handle(HookInput input) {
        Command c = Command.shell(command).withStdin(input.toJson().toJson()).withTimeout(timeout);
        if (!env.isEmpty()) {
            Map<String, String> all = new LinkedHashMap<>(c.env());
            all.putAll(env);
            c = c.withEnv(all);
        }
        if (workingDirectory != null) {
            c = c.withCwd(workingDirectory);
        }
        ExecResult r = runner.run(c);
        if (r.timedOut()) {
            throw new HookFailedException("hook '" + command + "' did not finish within " + timeout);
        }
        String out = r.stdout().strip();
        HookResult parsed = out.isEmpty() ? HookResult.proceed() : parse(out);
        if (r.exitCode() == 2) {
            String why = parsed.reason().orElse(r.stderr().isBlank() ? "blocked by hook '" + command + "'" : r.stderr().strip());
            return HookResult.block(why);
        }
        if (r.exitCode() != 0) {
            throw new HookFailedException("hook '" + command + "' exited with " + r.exitCode()
                    + (r.stderr().isBlank() ? "" : ": " + r.stderr().strip()));
        }
        return parsed;
    }

    private static HookResult parse(String out) {
        if (out.startsWith("{")) {
            try {
                if (JsonValue.parse(out) instanceof JsonObject o) {
                    return HookResult.fromJson(o);
                }
            } catch (JsonParseException notJson) {
                // plain text after all
            }
        }
        return HookResult.context(out);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CommandHook h && command.equals(h.command) && runner.equals(h.runner) && env.equals(h.env)
                && Objects.equals(workingDirectory, h.workingDirectory) && timeout.equals(h.timeout);
    }

    @Override
    public int hashCode() {
        return Objects.hash(command, env, workingDirectory, timeout);
    }

    /** The command line and where it runs; environment variable names only. */
    @Override
    public String toString() {
        return "CommandHook[" + command + ", " + runner.describe() + (env.isEmpty() ? "" : ", env=" + env.keySet())
                + ", timeout=" + timeout + "]";
    }

    /** Builds a {@link CommandHook}. Not thread-safe. */
    public static final class Builder {
        private final String command;
        private CommandRunner runner = LocalCommandRunner.create();
        private final Map<String, String> env = new LinkedHashMap<>();
        private String workingDirectory;
        private Duration timeout = Duration.ofSeconds(60);

        private Builder(String command) {
            this.command = Objects.requireNonNull(command, "command");
            if (command.isBlank()) {
                throw new IllegalArgumentException("a command hook needs a command");
            }
        }

        /**
         * Where the command runs (default: the host).
         *
         * @param runner the runner
         * @return this builder
         */
        public Builder runner(CommandRunner runner) {
            this.runner = Objects.requireNonNull(runner, "runner");
            return this;
        }

        /**
         * Variables added to the command's environment (replaces).
         *
         * @param env the variables
         * @return this builder
         */
        public Builder env(Map<String, String> env) {
            this.env.clear();
            this.env.putAll(env);
            return this;
        }

        /**
         * The command's working directory (default: the runner's).
         *
         * @param dir the directory
         * @return this builder
         */
        public Builder workingDirectory(String dir) {
            this.workingDirectory = dir;
            return this;
        }

        /**
         * Time limit (default 60 s, docker-agent's).
         *
         * @param timeout the limit
         * @return this builder
         */
        public Builder timeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be positive, was " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        /**
         * The hook.
         *
         * @return the hook
         */
        public CommandHook build() {
            return new CommandHook(this);
        }
    }
}
