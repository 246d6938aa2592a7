package dev.keel.core.message;

import java.util.List;

/**
 * One message of a conversation. The hierarchy is closed: a switch over a {@code Message} covers
 * {@link SystemMessage}, {@link UserMessage}, {@link AssistantMessage} and {@link ToolResultMessage}.
 */
public sealed interface Message permits SystemMessage, UserMessage, AssistantMessage, ToolResultMessage {

    /** Who produced this message. */
    Role role();

    /** A system (developer) instruction. */
    static SystemMessage system(String text) {
        return new SystemMessage(text);
    }

    /** A user turn. */
    static UserMessage user(String text) {
        return new UserMessage(text);
    }

    /** An assistant turn with text only. */
    static AssistantMessage assistant(String text) {
        return new AssistantMessage(text, List.of());
    }

    /** An assistant turn that requests tool calls (the text may be empty). */
    static AssistantMessage assistant(String text, List<ToolCall> toolCalls) {
        return new AssistantMessage(text, toolCalls);
    }

    /** The successful result of the tool call {@code call}. */
    static ToolResultMessage toolResult(ToolCall call, String content) {
        return new ToolResultMessage(call.id(), call.name(), content, false);
    }

    /** A failed tool call: the model sees {@code error} and may recover. */
    static ToolResultMessage toolError(ToolCall call, String error) {
        return new ToolResultMessage(call.id(), call.name(), error, true);
    }

    /** Author of a message. */
    enum Role { SYSTEM, USER, ASSISTANT, TOOL }
}
