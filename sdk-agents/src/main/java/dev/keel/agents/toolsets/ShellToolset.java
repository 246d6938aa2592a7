package dev.keel.agents.toolsets;

import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.ToolResult;
import dev.keel.agents.tool.Toolset;
import dev.keel.core.exec.Command;
import dev.keel.core.exec.CommandRunner;
import dev.keel.core.exec.ExecResult;
import dev.keel.core.tool.JsonSchema;
import dev.keel.core.tool.ToolSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * cagent's {@code shell} toolset: {@code shell(cmd, cwd)} runs {@code sh -c cmd} through a
 * {@link CommandRunner} — the host, or a sandbox — with a timeout and an output cap. A non-zero exit or a
 * timeout is an error result showing the output, so the model can react. Thread-safe when the runner is.
 *
 * <pre>{@code
 * ShellToolset shell = ShellToolset.builder(sandbox).timeout(Duration.ofMinutes(5)).build();
 * ShellToolset quick = Toolsets.shell(sandbox);           // the defaults below
 * }</pre>
 */
public final class ShellToolset implements Toolset {
    /** Per-command timeout unless set: 60 seconds (the script toolset uses it too). */
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
    /** Output cap per stream unless set: 64 KiB. */
    static final int DEFAULT_OUTPUT_LIMIT = 64 * 1024;

    private final CommandRunner runner;
    private final Duration timeout;
    private final int outputLimit;
    private final Map<String, String> env;

    private ShellToolset(Builder b) {
        runner = b.runner;
        timeout = b.timeout;
        outputLimit = b.outputLimit;
        env = Map.copyOf(b.env);
    }

    /**
     * Starts a shell toolset running commands through {@code runner}.
     *
     * @param runner the runner
     * @return the builder
     */
    public static Builder builder(CommandRunner runner) {
        return new Builder(runner);
    }

    /**
     * Where commands run.
     *
     * @return where commands run
     */
    public CommandRunner runner() {
        return runner;
    }

    /**
     * Per-command limit.
     *
     * @return per-command limit
     */
    public Duration timeout() {
        return timeout;
    }

    /**
     * Bytes kept of stdout and of stderr each.
     *
     * @return bytes kept of stdout and of stderr each
     */
    public int outputLimit() {
        return outputLimit;
    }

    /**
     * Environment given to every command.
     *
     * @return environment given to every command
     */
    public Map<String, String> env() {
        return env;
    }

    @Override
    public String name() {
        return "shell";
    }

    @Override
    public String instructions() {
        return "Shell commands run on " + runner.describe() + " with a timeout of " + timeout.toSeconds() + " s.";
    }

    @Override
    public List<Tool> tools() {
        return List.of(Tool.of(ToolSpec.of("shell", "Executes the given shell command in the user's default shell.",
                JsonSchema.object().required("cmd", JsonSchema.string("The shell command to execute"))
                        .optional("cwd", JsonSchema.string("The working directory to execute the command in")).build()),
                false, (args, ctx) -> {
                    Command c = Command.shell(args.string("cmd")).withEnv(env).withTimeout(timeout)
                            .withOutputLimit(outputLimit);
                    String cwd = args.string("cwd", null);
                    if (cwd != null && !cwd.isBlank()) {
                        c = c.withCwd(cwd);
                    }
                    return format(runner.run(c), timeout);
                }));
    }

    static ToolResult format(ExecResult r, Duration timeout) {
        StringBuilder sb = new StringBuilder();
        sb.append(r.stdout());
        if (!r.stderr().isEmpty()) {
            sb.append(sb.length() > 0 && sb.charAt(sb.length() - 1) != '\n' ? "\n" : "").append("[stderr]\n").append(r.stderr());
        }
        if (r.truncated()) {
            sb.append("\n[output truncated]");
        }
        if (r.timedOut()) {
            return ToolResult.error("command timed out after " + timeout.toSeconds() + " s\n" + sb);
        }
        if (r.exitCode() != 0) {
            return ToolResult.error("exit code " + r.exitCode() + "\n" + sb);
        }
        return ToolResult.ok(sb.length() == 0 ? "(no output)" : sb.toString());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ShellToolset other && runner.equals(other.runner) && timeout.equals(other.timeout)
                && outputLimit == other.outputLimit && env.equals(other.env);
    }

    @Override
    public int hashCode() {
        return Objects.hash(runner, timeout, outputLimit, env);
    }

    /** Names the runner and limits; never environment values, which may be secrets. */
    @Override
    public String toString() {
        return "ShellToolset[" + runner.describe() + ", timeout=" + timeout + ", outputLimit=" + outputLimit + ", env="
                + env.keySet() + "]";
    }

    /**
     * Builds a {@link ShellToolset}. Defaults: 60 s timeout, 64 KiB per output stream, no extra environment.
     * Setters replace what was set before. Not thread-safe.
     */
    public static final class Builder {
        private final CommandRunner runner;
        private Duration timeout = DEFAULT_TIMEOUT;
        private int outputLimit = DEFAULT_OUTPUT_LIMIT;
        private Map<String, String> env = Map.of();

        private Builder(CommandRunner runner) {
            this.runner = Objects.requireNonNull(runner, "runner");
        }

        /**
         * Per-command limit (positive).
         *
         * @param timeout the timeout
         * @return this builder
         */
        public Builder timeout(Duration timeout) {
            this.timeout = Limits.positive(timeout);
            return this;
        }

        /**
         * Bytes kept of stdout and of stderr each (positive).
         *
         * @param bytes the bytes
         * @return this builder
         */
        public Builder outputLimit(int bytes) {
            this.outputLimit = Limits.positive(bytes, "outputLimit");
            return this;
        }

        /**
         * The environment given to every command (replaces any set before).
         *
         * @param env the env
         * @return this builder
         */
        public Builder env(Map<String, String> env) {
            this.env = Map.copyOf(Objects.requireNonNull(env, "env"));
            return this;
        }

        /**
         * The toolset.
         *
         * @return the toolset
         */
        public ShellToolset build() {
            return new ShellToolset(this);
        }
    }
}
