package dev.keel.core.message;

import java.util.Objects;

/**
 * The result of one tool call, sent back to the model. {@code error} marks a failed call whose
 * {@code content} explains the failure so the model can correct itself.
 *
 * @param toolCallId the id of the call answered
 * @param toolName the tool's name
 * @param content what the tool returned, or the failure
 * @param error whether the call failed
 */
public record ToolResultMessage(String toolCallId, String toolName, String content, boolean error)
        implements Message {
    /**
     * Creates the message.
     *
     * @param toolCallId the id of the call answered
     * @param toolName the tool's name
     * @param content what the tool returned, or the failure
     * @param error whether the call failed
     */
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
