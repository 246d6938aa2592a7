package dev.keel.agents;

import java.util.Objects;

/**
 * A named prompt of an agent (a team file's {@code commands:}), run by name with
 * {@link Runner#runCommand(Session, String, String...)}: its instruction is sent as the user's message
 * ({@code $1}, {@code $2}, … and {@code $ARGUMENTS} replaced by the arguments); with {@code agent} the
 * session first switches to that agent; a command with only a {@code url} is for the host to open.
 *
 * @param name        how it is invoked ({@code /name} in docker-agent's UI)
 * @param description shown in help, may be empty
 * @param instruction the prompt, may be empty when {@code agent} or {@code url} is set
 * @param agent       the agent to switch to first, or null
 * @param url         a URL for the host to open instead of prompting ({@code {{session_id}}} is replaced), or null
 */
public record AgentCommand(String name, String description, String instruction, String agent, String url) {
    /**
     * Requires a name and something to do.
     *
     * @param name        how it is invoked
     * @param description shown in help
     * @param instruction the prompt
     * @param agent       the agent to switch to first
     * @param url         a URL for the host to open
     */
    public AgentCommand {
        Objects.requireNonNull(name, "name");
        description = description == null ? "" : description;
        instruction = instruction == null ? "" : instruction;
        if (instruction.isBlank() && agent == null && url == null) {
            throw new IllegalArgumentException("command '" + name + "' needs an instruction, an agent or a url");
        }
    }

    /**
     * A command that sends {@code instruction}.
     *
     * @param name        how it is invoked
     * @param instruction the prompt
     * @return the command
     */
    public static AgentCommand of(String name, String instruction) {
        return new AgentCommand(name, "", instruction, null, null);
    }
}
