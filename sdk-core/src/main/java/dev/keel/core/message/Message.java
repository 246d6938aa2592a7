package dev.keel.core.message;

import java.util.List;

/**
 * One message of a conversation. The hierarchy is closed: a switch over a {@code Message} covers
 * {@link SystemMessage}, {@link UserMessage}, {@link AssistantMessage} and {@link ToolResultMessage}.
 */
public sealed interface Message permits SystemMessage, UserMessage, AssistantMessage, ToolResultMessage {

    /**
     * Who produced this message.
     *
     * @return who produced this message
     */
    Role role();

    /**
     * A system (developer) instruction.
     *
     * @param text the instruction
     * @return a system (developer) instruction
     */
    static SystemMessage system(String text) {
        return new SystemMessage(text);
    }

    /**
     * A user turn.
     *
     * @param text the user's text
     * @return a user turn
     */
    static UserMessage user(String text) {
        return new UserMessage(text);
    }

    /**
     * An assistant turn with text only.
     *
     * @param text the answer's text
     * @return an assistant turn with text only
     */
    static AssistantMessage assistant(String text) {
        return new AssistantMessage(text, List.of());
    }

    /**
     * An assistant turn that requests tool calls (the text may be empty).
     *
     * @param text the text, possibly empty
     * @param toolCalls the tool calls, in order
     * @return an assistant turn that requests tool calls
     */
    static AssistantMessage assistant(String text, List<ToolCall> toolCalls) {
        return new AssistantMessage(text, toolCalls);
    }

    /**
     * The successful result of the tool call {@code call}.
     *
     * @param call the call answered
     * @param content what the tool returned
     * @return the successful result of the tool call {@code call}
     */
    static ToolResultMessage toolResult(ToolCall call, String content) {
        return new ToolResultMessage(call.id(), call.name(), content, false);
    }

    /**
     * A failed tool call: the model sees {@code error} and may recover.
     *
     * @param call the call answered
     * @param error the failure, explained to the model
     * @return a failed tool call
     */
    static ToolResultMessage toolError(ToolCall call, String error) {
        return new ToolResultMessage(call.id(), call.name(), error, true);
    }

    /** Author of a message. */
    enum Role {
        /** A system (developer) instruction. */
        SYSTEM,
        /** The user. */
        USER,
        /** The model. */
        ASSISTANT,
        /** A tool's result. */
        TOOL
    }
}
