package dev.keel.core;

import dev.keel.core.message.AssistantMessage;
import dev.keel.core.message.ToolCall;
import java.util.List;
import java.util.Objects;

/**
 * A complete model answer.
 *
 * @param message      the assistant turn (text and tool calls)
 * @param finishReason why generation stopped
 * @param usage        token usage, {@link Usage#ZERO} when the provider did not report it
 * @param model        the model name the provider reports having used (may be empty)
 * @param id           the provider's response id (may be empty)
 */
public record ChatResponse(AssistantMessage message, FinishReason finishReason, Usage usage, String model, String id) {
    /**
     * Creates the value, checking its components.
     *
     * @param message the assistant turn (text and tool calls)
     * @param finishReason why generation stopped
     * @param usage token usage, {@link Usage#ZERO} when the provider did not report it
     * @param model the model name the provider reports having used (may be empty)
     * @param id the provider's response id (may be empty)
     */
    public ChatResponse {
        Objects.requireNonNull(message, "message");
        finishReason = finishReason == null ? FinishReason.OTHER : finishReason;
        usage = usage == null ? Usage.ZERO : usage;
        model = model == null ? "" : model;
        id = id == null ? "" : id;
    }

    /**
     * The answer's text (empty when the model only called tools).
     *
     * @return the answer's text
     */
    public String text() {
        return message.text();
    }

    /**
     * The tool calls requested, in order.
     *
     * @return the tool calls requested
     */
    public List<ToolCall> toolCalls() {
        return message.toolCalls();
    }
}
