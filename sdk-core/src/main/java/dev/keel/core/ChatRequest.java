package dev.keel.core;

import dev.keel.core.message.Message;
import dev.keel.core.tool.ToolSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * An immutable chat request: the conversation, the tools offered, generation options and prompt-cache
 * breakpoints. The {@code with…} methods return modified copies.
 *
 * @param messages         the conversation, at least one message
 * @param tools            tools the model may call; names unique
 * @param options          generation options
 * @param cacheBreakpoints where a provider's prompt cache may end a cached prefix; at most
 *                         {@value #MAX_CACHE_BREAKPOINTS}, message positions inside {@code messages}
 */
public record ChatRequest(List<Message> messages, List<ToolSpec> tools, ChatOptions options,
                          List<CacheBreakpoint> cacheBreakpoints) {
    /** The most cache breakpoints a request may carry (Anthropic's limit). */
    public static final int MAX_CACHE_BREAKPOINTS = 4;

    /**
     * Validates and copies.
     *
     * @param messages the conversation, at least one message
     * @param tools tools the model may call; names unique
     * @param options generation options
     * @param cacheBreakpoints where a provider's prompt cache may end a cached prefix
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
        cacheBreakpoints = List.copyOf(cacheBreakpoints == null ? List.of() : cacheBreakpoints);
        if (cacheBreakpoints.size() > MAX_CACHE_BREAKPOINTS) {
            throw new IllegalArgumentException("at most " + MAX_CACHE_BREAKPOINTS + " cache breakpoints, got "
                    + cacheBreakpoints.size());
        }
        for (CacheBreakpoint b : cacheBreakpoints) {
            if (b instanceof CacheBreakpoint.AtMessage at && at.index() >= messages.size()) {
                throw new IllegalArgumentException("cache breakpoint at message " + at.index() + " but the request has "
                        + messages.size() + " messages");
            }
        }
    }

    /**
     * A request without cache breakpoints.
     *
     * @param messages the conversation, at least one message
     * @param tools tools the model may call; names unique
     * @param options generation options
     */
    public ChatRequest(List<Message> messages, List<ToolSpec> tools, ChatOptions options) {
        this(messages, tools, options, List.of());
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
     * A copy offering exactly these tools.
     *
     * @param tools the tools
     * @return the copy
     */
    public ChatRequest withTools(ToolSpec... tools) {
        return withTools(List.of(tools));
    }

    /**
     * A copy offering exactly these tools.
     *
     * @param tools the tools
     * @return the copy
     */
    public ChatRequest withTools(List<ToolSpec> tools) {
        return new ChatRequest(messages, tools, options, cacheBreakpoints);
    }

    /**
     * A copy with these options.
     *
     * @param options the options
     * @return the copy
     */
    public ChatRequest withOptions(ChatOptions options) {
        return new ChatRequest(messages, tools, options, cacheBreakpoints);
    }

    /**
     * A copy with exactly these cache breakpoints.
     *
     * @param breakpoints the breakpoints
     * @return the copy
     */
    public ChatRequest withCacheBreakpoints(CacheBreakpoint... breakpoints) {
        return new ChatRequest(messages, tools, options, List.of(breakpoints));
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
        return new ChatRequest(copy, tools, options, cacheBreakpoints);
    }
}
