package dev.keel.core.message;

import java.util.Objects;

/**
 * The result of one tool call, sent back to the model. {@code error} marks a failed call whose
 * {@code content} explains the failure so the model can correct itself.
 */
public record ToolResultMessage(String toolCallId, String toolName, String content, boolean error)
        implements Message {
    public ToolResultMessage {
        Objects.requireNonNull(toolCallId, "toolCallId");
        Objects.requireNonNull(toolName, "toolName");
        Objects.requireNonNull(content, "content");
    }

    @Override
    public Role role() {
        return Role.TOOL;
    }
}
