package dev.keel.testing.model;

import dev.keel.core.ChatOptions;
import dev.keel.core.json.JsonObject;
import dev.keel.core.message.Message;
import dev.keel.core.message.SystemMessage;
import dev.keel.core.message.UserMessage;
import dev.keel.core.tool.ToolSpec;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A Chat Completions request as the {@link ScriptedModelServer} received it, parsed back into Keel's
 * types so tests can assert on what their code sent.
 *
 * @param sequence     1-based position among all chat requests this server received
 * @param path         the request path, e.g. {@code /v1/chat/completions}
 * @param headers      request headers, names lower-cased (last value wins). May hold credentials:
 *                     {@link #toString()} never shows them
 * @param body         the raw JSON body exactly as received
 * @param messages     the conversation ({@code developer} messages appear as {@link SystemMessage}s)
 * @param tools        the function tools offered
 * @param options      generation options ({@code model}, {@code temperature}, {@code max_tokens} or
 *                     {@code max_completion_tokens}, {@code response_format}, …)
 * @param stream       the request asked for SSE ({@code "stream": true})
 * @param includeUsage the request asked for a usage chunk ({@code stream_options.include_usage})
 */
public record RecordedChatRequest(int sequence, String path, Map<String, String> headers, String body,
                                  List<Message> messages, List<ToolSpec> tools, ChatOptions options, boolean stream,
                                  boolean includeUsage) {
    /**
     * Creates the value, checking its components.
     *
     * @param sequence 1-based position among all chat requests this server received
     * @param path the request path, e.g. {@code /v1/chat/completions}
     * @param headers request headers, names lower-cased (last value wins). May hold credentials: {@link
     *     #toString()} never shows them
     * @param body the raw JSON body exactly as received
     * @param messages the conversation ({@code developer} messages appear as {@link SystemMessage}s)
     * @param tools the function tools offered
     * @param options generation options ({@code model}, {@code temperature}, {@code max_tokens} or {@code
     *     max_completion_tokens}, {@code response_format}, …)
     * @param stream the request asked for SSE ({@code "stream": true})
     * @param includeUsage the request asked for a usage chunk ({@code stream_options.include_usage})
     */
    public RecordedChatRequest {
        Objects.requireNonNull(path, "path");
        headers = Map.copyOf(headers);
        Objects.requireNonNull(body, "body");
        messages = List.copyOf(messages);
        tools = List.copyOf(tools);
        Objects.requireNonNull(options, "options");
    }

    /**
     * The body parsed as a JSON object.
     *
     * @return the body parsed as a JSON object
     */
    public JsonObject json() {
        return JsonObject.parse(body);
    }

    /**
     * A request header by case-insensitive name.
     *
     * @param name the header's name
     * @return a request header by case-insensitive name
     */
    public Optional<String> header(String name) {
        return Optional.ofNullable(headers.get(name.toLowerCase(Locale.ROOT)));
    }

    /**
     * The model the request named, or empty.
     *
     * @return the model the request named
     */
    public String model() {
        return options.model() == null ? "" : options.model();
    }

    /**
     * The text of the first system (or developer) message, or empty: handy to tell agents apart.
     *
     * @return the text of the first system
     */
    public String systemPrompt() {
        return messages.stream().filter(SystemMessage.class::isInstance).map(m -> ((SystemMessage) m).text())
                .findFirst().orElse("");
    }

    /**
     * The text of the last user message, or empty.
     *
     * @return the text of the last user message
     */
    public String lastUserText() {
        for (int i = messages.size() - 1; i >= 0; i--) {
            if (messages.get(i) instanceof UserMessage u) {
                return u.text();
            }
        }
        return "";
    }

    /**
     * The last message of the conversation.
     *
     * @return the last message of the conversation
     */
    public Message lastMessage() {
        return messages.get(messages.size() - 1);
    }

    /**
     * The names of the tools offered, in request order.
     *
     * @return the names of the tools offered
     */
    public List<String> toolNames() {
        return tools.stream().map(ToolSpec::name).toList();
    }

    /** Shows sequence, path, model, message roles and tool names; never headers (they may hold keys). */
    @Override
    public String toString() {
        return "RecordedChatRequest[#" + sequence + " " + path + " model=" + model() + " stream=" + stream
                + " messages=" + messages.stream().map(m -> m.role().name().toLowerCase(Locale.ROOT)).toList()
                + " tools=" + toolNames() + "]";
    }
}
