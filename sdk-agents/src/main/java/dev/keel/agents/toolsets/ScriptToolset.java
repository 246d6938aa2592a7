package dev.keel.agents.toolsets;

import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.Toolset;
import dev.keel.core.exec.Command;
import dev.keel.core.exec.CommandRunner;
import dev.keel.core.tool.JsonSchema;
import dev.keel.core.tool.ToolSpec;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * cagent's {@code script} toolset: named commands declared in the team file, each exposed as its own tool.
 * A command's declared arguments reach it as environment variables (so {@code $name} in the script reads
 * them without any quoting hazard). Runs through a {@link CommandRunner}. Thread-safe when the runner is.
 *
 * @param runner   where commands run
 * @param commands tool name → command
 * @param timeout  per-command limit
 */
public record ScriptToolset(CommandRunner runner, Map<String, Script> commands, Duration timeout) implements Toolset {
    /**
     * Creates the value, checking its components.
     *
     * @param runner where commands run
     * @param commands tool name → command
     * @param timeout per-command limit
     */
    public ScriptToolset {
        Objects.requireNonNull(runner, "runner");
        Objects.requireNonNull(timeout, "timeout");
        commands = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(commands));
        if (commands.isEmpty()) {
            throw new IllegalArgumentException("a script toolset needs at least one command");
        }
    }

    /**
     * One named command.
     *
     * @param cmd         shell script run with {@code sh -c}
     * @param description what it does, for the model
     * @param args        argument name → description; every argument is a required string
     * @param env         extra environment
     * @param workingDir  working directory, or null for the runner's
     */
    public record Script(String cmd, String description, Map<String, String> args, Map<String, String> env,
                         String workingDir) {
        /**
         * Creates the value, checking its components.
         *
         * @param cmd shell script run with {@code sh -c}
         * @param description what it does, for the model
         * @param args argument name → description; every argument is a required string
         * @param env extra environment
         * @param workingDir working directory, or null for the runner's
         */
        public Script {
            Objects.requireNonNull(cmd, "cmd");
            description = Objects.requireNonNullElse(description, "Runs: " + cmd);
            args = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(args == null ? Map.of() : args));
            env = Map.copyOf(env == null ? Map.of() : env);
        }

        /**
         * A command without arguments.
         *
         * @param cmd the shell command
         * @param description what it does, shown to the model
         * @return a command without arguments
         */
        public static Script of(String cmd, String description) {
            return new Script(cmd, description, Map.of(), Map.of(), null);
        }
    }

    @Override
    public String name() {
        return "script";
    }

    @Override
    public List<Tool> tools() {
        return commands.entrySet().stream().map(e -> {
            Script s = e.getValue();
            JsonSchema.ObjectBuilder schema = JsonSchema.object();
            s.args().forEach((name, desc) -> schema.required(name, JsonSchema.string(desc)));
            return Tool.of(ToolSpec.of(e.getKey(), s.description(), schema.build()), false, (args, ctx) -> {
                Map<String, String> env = new HashMap<>(s.env());
                for (String name : s.args().keySet()) {
                    env.put(name, Args.string(args, name));
                }
                Command c = Command.shell(s.cmd()).withEnv(env).withTimeout(timeout);
                if (s.workingDir() != null) {
                    c = c.withCwd(s.workingDir());
                }
                return ShellToolset.format(runner.run(c), timeout);
            });
        }).toList();
    }
}
