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
 * @param runner      where commands run
 * @param timeout     per-command limit
 * @param outputLimit bytes kept of stdout and of stderr each
 * @param env         environment given to every command
 */
public record ShellToolset(CommandRunner runner, Duration timeout, int outputLimit, Map<String, String> env)
        implements Toolset {
    /** Default per-command timeout: 60 seconds. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
    /** Default output cap per stream: 64 KiB. */
    public static final int DEFAULT_OUTPUT_LIMIT = 64 * 1024;

    /**
     * Creates the value, checking its components.
     *
     * @param runner where commands run
     * @param timeout per-command limit
     * @param outputLimit bytes kept of stdout and of stderr each
     * @param env environment given to every command
     */
    public ShellToolset {
        Objects.requireNonNull(runner, "runner");
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero() || outputLimit <= 0) {
            throw new IllegalArgumentException("timeout and outputLimit must be positive");
        }
        env = Map.copyOf(env == null ? Map.of() : env);
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
                    Command c = Command.shell(Args.string(args, "cmd")).withEnv(env).withTimeout(timeout)
                            .withOutputLimit(outputLimit);
                    String cwd = Args.string(args, "cwd", null);
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
}
