package dev.keel.agents.internal;

import dev.keel.core.message.AssistantMessage;
import dev.keel.core.message.Message;
import dev.keel.core.message.SystemMessage;
import dev.keel.core.message.ToolCall;
import dev.keel.core.message.ToolResultMessage;
import dev.keel.core.message.UserMessage;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;

/**
 * Token arithmetic for session compaction: a conservative size estimate of messages (3.5 characters a token, as
 * docker-agent counts, since agent conversations are mostly code and JSON; it overestimates prose, which makes
 * compaction early rather than late), where a kept tail of the conversation may start, and the context windows
 * providers publish for well-known model families. Stateless.
 */
public final class ContextTokens {
    private static final double CHARS_PER_TOKEN = 3.5;
    private static final int PER_MESSAGE = 5;

    /** Published context windows by model-name prefix, most specific first. */
    private static final List<Object[]> WINDOWS = List.of(
            new Object[] {"gpt-4.1", 1_047_576}, new Object[] {"gpt-4o", 128_000}, new Object[] {"gpt-4-turbo", 128_000},
            new Object[] {"gpt-5", 400_000}, new Object[] {"o1", 200_000}, new Object[] {"o3", 200_000},
            new Object[] {"o4", 200_000}, new Object[] {"claude", 200_000}, new Object[] {"gemini-1.5", 1_048_576},
            new Object[] {"gemini-2", 1_048_576}, new Object[] {"gemini-3", 1_048_576});

    private ContextTokens() {}

    /** The estimated tokens of one message. */
    public static long estimate(Message m) {
        long chars = 0;
        if (m instanceof SystemMessage s) {
            chars = s.text().length();
        } else if (m instanceof UserMessage u) {
            chars = u.text().length();
        } else if (m instanceof AssistantMessage a) {
            chars = a.text().length();
            for (ToolCall c : a.toolCalls()) {
                chars += c.name().length() + c.arguments().length();
            }
        } else if (m instanceof ToolResultMessage r) {
            chars = r.content().length();
        }
        return (long) (chars / CHARS_PER_TOKEN) + PER_MESSAGE;
    }

    /** The estimated tokens of messages. */
    public static long estimate(List<? extends Message> messages) {
        long sum = 0;
        for (Message m : messages) {
            sum += estimate(m);
        }
        return sum;
    }

    /**
     * The earliest index from which {@code messages} fit in {@code budget} tokens, snapped to a user or assistant
     * message so that a kept tail never starts with a tool result; {@code messages.size()} when not even the last
     * turn fits (keep nothing).
     */
    public static int keepFrom(List<Message> messages, long budget) {
        long tokens = 0;
        int boundary = messages.size();
        for (int i = messages.size() - 1; i >= 0; i--) {
            tokens += estimate(messages.get(i));
            if (tokens > budget) {
                return boundary;
            }
            if (messages.get(i) instanceof UserMessage || messages.get(i) instanceof AssistantMessage) {
                boundary = i;
            }
        }
        return boundary;
    }

    /** The window providers publish for a model name ({@code gpt-4o-mini}, {@code claude-sonnet-4-5}, …). */
    public static OptionalInt publishedWindow(String model) {
        String name = model.toLowerCase(Locale.ROOT);
        int slash = name.lastIndexOf('/');
        name = slash >= 0 ? name.substring(slash + 1) : name;
        for (Object[] w : WINDOWS) {
            if (name.startsWith((String) w[0])) {
                return OptionalInt.of((Integer) w[1]);
            }
        }
        return OptionalInt.empty();
    }
}
