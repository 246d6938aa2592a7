package dev.keel.core.message;

import java.util.List;
import java.util.Objects;

/**
 * An assistant turn: text (empty when the model only called tools) and the tool calls it requested,
 * in the order the model produced them.
 */
public record AssistantMessage(String text, List<ToolCall> toolCalls) implements Message {
    public AssistantMessage {
        text = text == null ? "" : text;
        toolCalls = List.copyOf(Objects.requireNonNull(toolCalls, "toolCalls"));
    }

    /** True when the model asked for at least one tool call. */
    public boolean hasToolCalls() {
        return !toolCalls.isEmpty();
    }

    @Override
    public Role role() {
        return Role.ASSISTANT;
    }
}
