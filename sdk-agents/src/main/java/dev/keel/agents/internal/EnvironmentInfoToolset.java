package dev.keel.agents.internal;

import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.ToolResult;
import dev.keel.agents.tool.Toolset;
import dev.keel.core.exec.Command;
import dev.keel.core.exec.CommandRunner;
import dev.keel.core.exec.ExecResult;
import dev.keel.core.json.JsonObject;
import dev.keel.core.tool.JsonSchema;
import dev.keel.core.tool.ToolSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * docker-agent's {@code environment} toolset: one read-only tool without arguments, {@code get_environment_info},
 * telling the model which operating system and shell will run its shell commands ({@code {"os":"Linux","shell":"sh"}}),
 * so it picks the right syntax. The answer is asked of the same command runner the shell tools use — a sandbox's
 * guest, not the host, when the commands run in one — and says nothing else: no paths, user or variables. Thread-safe.
 */
public final class EnvironmentInfoToolset implements Toolset {
    static final String TOOL = "get_environment_info";
    private static final String SHELL = "sh"; // Keel runs shell commands with sh -c (Command.shell)

    private final CommandRunner runner;
    private final Tool tool;

    /**
     * The toolset over {@code runner}, the runner the agent's shell commands use.
     *
     * @param runner where shell commands run
     */
    public EnvironmentInfoToolset(CommandRunner runner) {
        this.runner = Objects.requireNonNull(runner, "runner");
        this.tool = Tool.of(ToolSpec.of(TOOL, "Returns the operating system and shell that run shell-tool commands, "
                + "e.g. {\"os\":\"Linux\",\"shell\":\"sh\"}. No arguments, no side effects. Call it when unsure "
                + "which shell syntax to use.", JsonSchema.object().build()), true, (args, ctx) -> info());
    }

    private ToolResult info() {
        String os;
        try {
            ExecResult r = runner.run(Command.of("uname", "-s").withTimeout(Duration.ofSeconds(10)));
            os = r.exitCode() == 0 ? displayName(r.stdout().strip()) : "unknown";
        } catch (RuntimeException e) {
            os = "unknown";
        }
        return ToolResult.ok(JsonObject.of(Map.of("os", os, "shell", SHELL)).toJson());
    }

    /** The names docker-agent shows, so the model sees the same words; other kernels as {@code uname} says. */
    static String displayName(String uname) {
        return switch (uname) {
            case "Linux" -> "Linux";
            case "Darwin" -> "macOS";
            case "" -> "unknown";
            default -> uname.startsWith("MINGW") || uname.startsWith("MSYS") || uname.startsWith("CYGWIN")
                    ? "Windows" : uname;
        };
    }

    @Override
    public String name() {
        return "environment";
    }

    @Override
    public String instructions() {
        return "## Environment\n\nCall " + TOOL + " when you are unsure which shell syntax to use: it returns the "
                + "operating system and the shell that run shell commands, nothing else. It has no arguments and no "
                + "side effects.";
    }

    @Override
    public List<Tool> tools() {
        return List.of(tool);
    }

    @Override
    public String toString() {
        return "EnvironmentInfoToolset[" + runner + "]";
    }
}
