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
 * <pre>{@code
 * ScriptToolset scripts = ScriptToolset.builder(runner)
 *         .script("run_tests", Script.of("mvn -q test", "Runs the test suite"))
 *         .timeout(Duration.ofMinutes(10))
 *         .build();
 * }</pre>
 */
public final class ScriptToolset implements Toolset {
    private final CommandRunner runner;
    private final Map<String, Script> commands;
    private final Duration timeout;

    private ScriptToolset(Builder b) {
        runner = b.runner;
        commands = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(b.commands));
        timeout = b.timeout;
    }

    /**
     * Starts a script toolset running commands through {@code runner}.
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
     * Tool name → command, in declaration order.
     *
     * @return tool name → command, in declaration order
     */
    public Map<String, Script> commands() {
        return commands;
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
         * A command without arguments, extra environment or working directory.
         *
         * @param cmd the cmd
         * @param description the description
         * @return a command without arguments, extra environment or working directory
         */
        public static Script of(String cmd, String description) {
            return new Script(cmd, description, Map.of(), Map.of(), null);
        }

        /**
         * A copy with these arguments (name → description; replaces).
         *
         * @param args the args
         * @return a copy with these arguments (name → description; replaces)
         */
        public Script withArgs(Map<String, String> args) {
            return new Script(cmd, description, args, env, workingDir);
        }

        /**
         * A copy with this extra environment (replaces).
         *
         * @param env the env
         * @return a copy with this extra environment (replaces)
         */
        public Script withEnv(Map<String, String> env) {
            return new Script(cmd, description, args, env, workingDir);
        }

        /**
         * A copy running in {@code workingDir}.
         *
         * @param workingDir the working dir
         * @return a copy running in {@code workingDir}
         */
        public Script withWorkingDir(String workingDir) {
            return new Script(cmd, description, args, env, workingDir);
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
                    env.put(name, args.string(name));
                }
                Command c = Command.shell(s.cmd()).withEnv(env).withTimeout(timeout);
                if (s.workingDir() != null) {
                    c = c.withCwd(s.workingDir());
                }
                return ShellToolset.format(runner.run(c), timeout);
            });
        }).toList();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ScriptToolset other && runner.equals(other.runner) && commands.equals(other.commands)
                && timeout.equals(other.timeout);
    }

    @Override
    public int hashCode() {
        return Objects.hash(runner, commands, timeout);
    }

    @Override
    public String toString() {
        return "ScriptToolset[" + runner.describe() + ", commands=" + commands.keySet() + ", timeout=" + timeout + "]";
    }

    /**
     * Builds a {@link ScriptToolset}. Defaults: the shell toolset's 60 s timeout. At least one command is
     * needed. Plural setters replace what was set before; {@link #script} adds one. Not thread-safe.
     */
    public static final class Builder {
        private final CommandRunner runner;
        private final Map<String, Script> commands = new LinkedHashMap<>();
        private Duration timeout = ShellToolset.DEFAULT_TIMEOUT;

        private Builder(CommandRunner runner) {
            this.runner = Objects.requireNonNull(runner, "runner");
        }

        /**
         * Adds (or replaces) the command exposed as tool {@code name}.
         *
         * @param name the name
         * @param script the script
         * @return this builder
         */
        public Builder script(String name, Script script) {
            commands.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(script, "script"));
            return this;
        }

        /**
         * Sets every command (tool name → command), replacing those set before.
         *
         * @param scripts the scripts
         * @return this builder
         */
        public Builder scripts(Map<String, Script> scripts) {
            Map<String, Script> copy = new LinkedHashMap<>(Objects.requireNonNull(scripts, "scripts"));
            commands.clear();
            copy.forEach(this::script);
            return this;
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
         * The toolset.
         *
         * @return the toolset
         * @throws IllegalArgumentException when no command was given
         */
        public ScriptToolset build() {
            if (commands.isEmpty()) {
                throw new IllegalArgumentException("a script toolset needs at least one command");
            }
            return new ScriptToolset(this);
        }
    }
}
