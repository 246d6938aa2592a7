package dev.keel.agents.toolsets;

import dev.keel.agents.internal.askpass.AskpassBroker;
import dev.keel.agents.internal.askpass.SudoAskpass;
import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.ToolContext;
import dev.keel.agents.tool.ToolResult;
import dev.keel.agents.tool.Toolset;
import dev.keel.core.exec.Command;
import dev.keel.core.exec.CommandRunner;
import dev.keel.core.exec.ExecResult;
import dev.keel.core.tool.JsonSchema;
import dev.keel.core.tool.ToolSpec;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * cagent's {@code shell} toolset: {@code shell(cmd, cwd)} runs {@code sh -c cmd} through a
 * {@link CommandRunner} — the host, or a sandbox — with a timeout and an output cap. A non-zero exit or a
 * timeout is an error result showing the output, so the model can react. Thread-safe when the runner is.
 *
 * <pre>{@code
 * ShellToolset shell = ShellToolset.builder(sandbox).timeout(Duration.ofMinutes(5)).build();
 * ShellToolset quick = Toolsets.shell(sandbox);           // the defaults below
 * }</pre>
 *
 * <p><b>sudo askpass</b> ({@link Builder#sudoAskpass(boolean)}, docker-agent's {@code sudo_askpass}): when a
 * command's {@code sudo} wants a password, the host application's {@link SudoPrompter} is asked (a masked field in
 * its UI) and the password goes to that one sudo prompt only; without a prompter (headless) the prompt is declined
 * and sudo fails as it does without the option, saying why. For it, each command's environment gets
 * {@code SUDO_ASKPASS} (a helper that asks this JVM over a Unix domain socket in a private 0700 directory), a
 * per-command token (the password is never in the environment or argv) and, first on {@code PATH}, a {@code sudo}
 * wrapper that runs the real {@code sudo} with {@code -A}: sudo uses an askpass helper only with {@code -A}, or
 * without a terminal when {@code DISPLAY} is set, and setting {@code DISPLAY} would send X clients looking for a
 * display, so plain {@code sudo cmd} written by the model, or run by a script it starts, asks through the host.
 * A command that calls {@code /usr/bin/sudo} by its full path needs {@code -A} itself. The helper is a file and a
 * socket on this host: the runner must run commands on this host ({@code LocalCommandRunner}); a sandbox guest
 * cannot reach it. The command itself holds the token, so it could ask on its own; the host should show the command
 * ({@link SudoPrompter.Request#command()}) with the prompt, and Keel removes the password from the command's output
 * if the command prints it. The directory is removed by {@link #close()}; a later command makes a new one. Not on
 * Windows (no sudo): the option does nothing there.
 */
public final class ShellToolset implements Toolset {
    private static final Logger log = LoggerFactory.getLogger(ShellToolset.class);
    /** Per-command timeout unless set: 60 seconds (the script toolset uses it too). */
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
    /** Output cap per stream unless set: 64 KiB. */
    static final int DEFAULT_OUTPUT_LIMIT = 64 * 1024;

    private final CommandRunner runner;
    private final Duration timeout;
    private final int outputLimit;
    private final Map<String, String> env;
    /** The askpass channel when sudo askpass is on, else null; {@link #runner} then redacts through it. */
    private final SudoAskpass askpass;

    private ShellToolset(Builder b) {
        timeout = b.timeout;
        outputLimit = b.outputLimit;
        env = Map.copyOf(b.env);
        boolean on = b.sudoAskpass && !System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");
        askpass = on ? new SudoAskpass(b.sudoPrompter) : null;
        runner = on ? askpass.redacting(b.runner) : b.runner;
    }

    private ShellToolset(ShellToolset from, CommandRunner runner) {
        this.runner = runner;
        this.timeout = from.timeout;
        this.outputLimit = from.outputLimit;
        this.env = from.env;
        this.askpass = from.askpass;
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
     * Where commands run (with sudo askpass on, a runner that removes the passwords given to a command from its
     * output, around the builder's runner).
     *
     * @return where commands run
     */
    public CommandRunner runner() {
        return runner;
    }

    /**
     * This toolset with its commands run through {@code layer} applied to {@link #runner()}, every other setting
     * kept; with sudo askpass on, the copy shares this toolset's channel (closing either closes it) and the layer
     * sees each command's output after the sudo passwords were removed from it. For recorders and auditing runners.
     *
     * @param layer wraps the current runner
     * @return the copy
     */
    public ShellToolset wrapRunner(UnaryOperator<CommandRunner> layer) {
        return new ShellToolset(this, Objects.requireNonNull(layer.apply(runner), "layer returned null"));
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

    /**
     * Whether a command's sudo asks the host application for its password (never on Windows).
     *
     * @return whether sudo askpass is on
     */
    public boolean sudoAskpass() {
        return askpass != null;
    }

    /**
     * Who answers sudo's password prompts; absent when headless (every prompt declined) or when askpass is off.
     *
     * @return the prompter, if any
     */
    public Optional<SudoPrompter> sudoPrompter() {
        return Optional.ofNullable(askpass == null ? null : askpass.prompter());
    }

    @Override
    public String name() {
        return "shell";
    }

    @Override
    public String instructions() {
        return "Shell commands run on " + runner.describe() + " with a timeout of " + timeout.toSeconds() + " s."
                + (askpass == null ? "" : " When sudo needs a password, the user is asked for it directly by the "
                        + "application; never ask for a password in the conversation.");
    }

    @Override
    public List<Tool> tools() {
        return List.of(Tool.of(ToolSpec.of("shell", "Executes the given shell command in the user's default shell.",
                JsonSchema.object().required("cmd", JsonSchema.string("The shell command to execute"))
                        .optional("cwd", JsonSchema.string("The working directory to execute the command in")).build()),
                false, (args, ctx) -> {
                    String cmd = args.string("cmd");
                    Command c = Command.shell(cmd).withEnv(env).withTimeout(timeout).withOutputLimit(outputLimit);
                    String cwd = args.string("cwd", null);
                    if (cwd != null && !cwd.isBlank()) {
                        c = c.withCwd(cwd);
                    }
                    return askpass != null ? runAsking(c, cmd, ctx) : format(runner.run(c), timeout);
                }));
    }

    /** Runs {@code c} with a token of its own; the token dies, and prompts still open are dropped, when it ends. */
    private ToolResult runAsking(Command c, String cmd, ToolContext ctx) {
        AskpassBroker.Grant grant;
        try {
            grant = askpass.grant(ctx.agent(), ctx.sessionId(), cmd);
        } catch (IOException | RuntimeException e) {
            log.warn("sudo_askpass: cannot set up the askpass helper, the command runs without it: {}", e.toString());
            return format(runner.run(c), timeout);
        }
        try {
            return format(runner.run(c.withEnv(grant.env(env))), timeout);
        } finally {
            askpass.release(grant);
        }
    }

    /**
     * Stops answering sudo prompts and removes the askpass directory; a helper started before fails. Harmless when
     * askpass is off or the toolset is already closed; a later command sets askpass up again.
     */
    @Override
    public void close() {
        if (askpass != null) {
            askpass.close();
        }
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
                && outputLimit == other.outputLimit && env.equals(other.env) && askpass == other.askpass;
    }

    @Override
    public int hashCode() {
        return Objects.hash(runner, timeout, outputLimit, env, askpass != null);
    }

    /** Names the runner and limits; never environment values, which may be secrets. */
    @Override
    public String toString() {
        return "ShellToolset[" + runner.describe() + ", timeout=" + timeout + ", outputLimit=" + outputLimit + ", env="
                + env.keySet() + (askpass == null ? "" : ", sudoAskpass" + (askpass.prompter() == null ? " (headless)" : "")) + "]";
    }

    /**
     * Builds a {@link ShellToolset}. Defaults: 60 s timeout, 64 KiB per output stream, no extra environment, sudo
     * askpass off. Setters replace what was set before. Not thread-safe.
     */
    public static final class Builder {
        private final CommandRunner runner;
        private Duration timeout = DEFAULT_TIMEOUT;
        private int outputLimit = DEFAULT_OUTPUT_LIMIT;
        private Map<String, String> env = Map.of();
        private boolean sudoAskpass;
        private SudoPrompter sudoPrompter;

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
         * docker-agent's {@code sudo_askpass}: a command's {@code sudo} asks {@link #sudoPrompter(SudoPrompter)} for
         * its password (see the class description). Without a prompter every prompt is declined and sudo fails,
         * saying that no host application answers. The runner must run commands on this host. No effect on Windows.
         *
         * @param on whether sudo asks the host application
         * @return this builder
         */
        public Builder sudoAskpass(boolean on) {
            this.sudoAskpass = on;
            return this;
        }

        /**
         * Who answers sudo's password prompts when {@link #sudoAskpass(boolean)} is on; {@code null} for none
         * (headless: every prompt declined).
         *
         * @param prompter the host application's prompter, or null
         * @return this builder
         */
        public Builder sudoPrompter(SudoPrompter prompter) {
            this.sudoPrompter = prompter;
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
