package dev.keel.core;

import dev.keel.core.message.Message;
import dev.keel.core.tool.ToolSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * An immutable chat request: the conversation, the tools offered, and generation options.
 * The {@code with…} methods return modified copies.
 *
 * @param messages the conversation, oldest first
 * @param tools the tools the model may call
 * @param options generation options
 */
public record ChatRequest(List<Message> messages, List<ToolSpec> tools, ChatOptions options) {
    /**
     * Creates the request, copying the lists.
     *
     * @param messages the conversation, oldest first
     * @param tools the tools the model may call
     * @param options generation options
     */
    public ChatRequest {
        messages = List.copyOf(Objects.requireNonNull(messages, "messages"));
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("a chat request needs at least one message");
        }
        tools = List.copyOf(tools == null ? List.of() : tools);
        options = options == null ? ChatOptions.defaults() : options;
        long distinct = tools.stream().map(ToolSpec::name).distinct().count();
        if (distinct != tools.size()) {
            throw new IllegalArgumentException("tool names must be unique within a request");
        }
    }

    /**
     * A request with the given messages, no tools and default options.
     *
     * @param messages the conversation, oldest first
     * @return a request with the given messages
     */
    public static ChatRequest of(Message... messages) {
        return new ChatRequest(List.of(messages), List.of(), ChatOptions.defaults());
    }

    /**
     * A request with the given messages, no tools and default options.
     *
     * @param messages the conversation, oldest first
     * @return a request with the given messages
     */
    public static ChatRequest of(List<? extends Message> messages) {
        return new ChatRequest(List.copyOf(messages), List.of(), ChatOptions.defaults());
    }

    /**
     * A copy offering these tools instead of the current ones.
     *
     * @param tools the tools the model may call
     * @return the new request
     */
    public ChatRequest withTools(ToolSpec... tools) {
        return new ChatRequest(messages, List.of(tools), options);
    }

    /**
     * A copy offering these tools instead of the current ones.
     *
     * @param tools the tools the model may call
     * @return the new request
     */
    public ChatRequest withTools(List<ToolSpec> tools) {
        return new ChatRequest(messages, tools, options);
    }

    /**
     * A copy with other generation options.
     *
     * @param options the options
     * @return the new request
     */
    public ChatRequest withOptions(ChatOptions options) {
        return new ChatRequest(messages, tools, options);
    }

    /**
     * A copy with {@code message} appended to the conversation.
     *
     * @param message the message to append
     * @return a copy with {@code message} appended to the conversation
     */
    public ChatRequest plus(Message message) {
        List<Message> copy = new ArrayList<>(messages);
        copy.add(message);
        return new ChatRequest(copy, tools, options);
    }
}
