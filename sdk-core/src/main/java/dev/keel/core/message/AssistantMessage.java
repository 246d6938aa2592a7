package dev.keel.core.message;

import java.util.List;
import java.util.Objects;

/**
 * An assistant turn: text (empty when the model only called tools) and the tool calls it requested,
 * in the order the model produced them.
 *
 * @param text the answer's text, possibly empty
 * @param toolCalls the tool calls requested, possibly none
 */
public record AssistantMessage(String text, List<ToolCall> toolCalls) implements Message {
    /**
     * Creates the message, copying the tool calls.
     *
     * @param text the answer's text, possibly empty
     * @param toolCalls the tool calls requested, possibly none
     */
    public AssistantMessage {
        text = text == null ? "" : text;
        toolCalls = List.copyOf(Objects.requireNonNull(toolCalls, "toolCalls"));
    }

    /**
     * True when the model asked for at least one tool call.
     *
     * @return true when the model asked for at least one tool call
     */
    public boolean hasToolCalls() {
        return !toolCalls.isEmpty();
    }

    @Override
    public Role role() {
        return Role.ASSISTANT;
    }
}
