package dev.keel.core.message;

import java.util.List;
import java.util.Objects;

/**
 * An assistant turn: text (empty when the model only called tools), the tool calls it requested in the order the
 * model produced them, and the reasoning that came with them (sent back to the same provider on later turns; see
 * {@link Reasoning}).
 *
 * @param text      the answer's text, never null
 * @param toolCalls the tool calls, in order
 * @param reasoning reasoning items, thinking blocks or thought signatures, in the order they arrived
 */
public record AssistantMessage(String text, List<ToolCall> toolCalls, List<Reasoning> reasoning) implements Message {
    /**
     * Copies the lists; a {@code null} text is empty, {@code null} reasoning is none.
     *
     * @param text the answer's text
     * @param toolCalls the tool calls, in order
     * @param reasoning the reasoning, in order
     */
    public AssistantMessage {
        text = text == null ? "" : text;
        toolCalls = List.copyOf(Objects.requireNonNull(toolCalls, "toolCalls"));
        reasoning = List.copyOf(reasoning == null ? List.of() : reasoning);
    }

    /**
     * A turn without reasoning.
     *
     * @param text the answer's text
     * @param toolCalls the tool calls, in order
     */
    public AssistantMessage(String text, List<ToolCall> toolCalls) {
        this(text, toolCalls, List.of());
    }

    /**
     * True when the model asked for at least one tool call.
     *
     * @return whether there are tool calls
     */
    public boolean hasToolCalls() {
        return !toolCalls.isEmpty();
    }

    /**
     * The reasoning a provider produced, for sending back to it.
     *
     * @param source a {@link Reasoning} source such as {@link Reasoning#ANTHROPIC}
     * @return the reasoning of that source, in order
     */
    public List<Reasoning> reasoning(String source) {
        return reasoning.stream().filter(r -> r.source().equals(source)).toList();
    }

    @Override
    public Role role() {
        return Role.ASSISTANT;
    }
}
