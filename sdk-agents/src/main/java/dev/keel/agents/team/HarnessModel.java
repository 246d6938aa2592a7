package dev.keel.agents.team;

import dev.keel.core.ChatModel;
import dev.keel.core.ChatRequest;
import dev.keel.core.ChatResponse;
import java.util.Map;

/**
 * The "model" of a {@code harness} agent: docker-agent hands such an agent's turns to a coding-agent CLI
 * (claude-code, codex, …) instead of a model. Keel does not drive those CLIs, so the team loads and the agent's
 * first turn fails with a {@link MissingPrerequisiteException} naming the harness and its CLI. Stateless.
 */
final class HarnessModel implements ChatModel {
    /** The command each known harness type runs. */
    private static final Map<String, String> COMMANDS = Map.of("claude-code", "claude", "claude_code", "claude",
            "codex", "codex", "gemini-cli", "gemini", "gemini", "gemini", "opencode", "opencode", "cursor-agent",
            "cursor-agent", "copilot", "copilot");

    private final String agent;
    private final String type;
    private final String command;

    HarnessModel(String agent, String type, String command) {
        this.agent = agent;
        this.type = type;
        this.command = command != null ? command : COMMANDS.getOrDefault(type, type);
    }

    @Override
    public ChatResponse chat(ChatRequest request) {
        throw new MissingPrerequisiteException("harness:" + type, "agent '" + agent + "' is a " + type
                + " harness agent: its turns run in the '" + command + "' CLI, which Keel does not drive",
                "give the agent a model instead of 'harness', or run this team with docker-agent");
    }

    @Override
    public String id() {
        return "harness:" + type;
    }

    @Override
    public String toString() {
        return "HarnessModel[" + agent + ", " + type + ", " + command + "]";
    }
}
