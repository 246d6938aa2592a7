package dev.keel.rag.knowledge;

import java.util.Objects;

/**
 * How the knowledge base presents itself to a model as a tool, as docker-agent's {@code tool:} block
 * does: the tool's name (the knowledge base's name unless set), its description and an instruction for
 * the system prompt. The tool takes one string parameter, {@code query}.
 *
 * @param name        tool name
 * @param description shown to the model when it picks tools
 * @param instruction how to use the tool well, for the system prompt
 */
public record ToolDescription(String name, String description, String instruction) {
    /**
     * Validates the tool name (1-64 letters, digits, {@code _} or {@code -}).
     *
     * @param description shown to the model when it picks tools
     * @param instruction how to use the tool well, for the system prompt
     * @param name tool name
     */
    public ToolDescription {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(instruction, "instruction");
        if (!name.matches("[A-Za-z0-9_-]{1,64}")) {
            throw new IllegalArgumentException("tool name must be 1-64 letters, digits, '_' or '-': '" + name + "'");
        }
    }

    /** docker-agent's defaults for a knowledge base called {@code name}. */
    static ToolDescription defaults(String name) {
        return new ToolDescription(name, "Search project documents from " + name + " to find relevant code or "
                + "documentation. Provide a natural language query describing what you need. Returns the most "
                + "relevant document chunks with file paths.", "Search documents in " + name + " to find relevant "
                + "code or documentation. Provide a clear search query describing what you need.");
    }

    /**
     * JSON Schema of the tool's parameters: one required string, {@code query}.
     *
     * @return the schema's JSON text
     */
    public String parametersSchema() {
        return "{\"type\":\"object\",\"properties\":{\"query\":{\"type\":\"string\",\"description\":\"Search query\"}},"
                + "\"required\":[\"query\"],\"additionalProperties\":false}";
    }
}
