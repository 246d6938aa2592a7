package dev.keel.agents.internal;

import dev.keel.core.message.AssistantMessage;
import dev.keel.core.message.Message;
import dev.keel.core.message.SystemMessage;
import dev.keel.core.message.ToolCall;
import dev.keel.core.message.ToolResultMessage;
import dev.keel.core.message.UserMessage;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Trims history to an agent's {@code num_history_items}: system and user messages are always kept; of the
 * other messages only the last {@code n} are kept, and a tool result whose requesting assistant message
 * was trimmed is dropped with it, so tool calls and results always travel together.
 */
public final class HistoryWindow {
    private HistoryWindow() {}

    /** The messages to send; {@code n <= 0} keeps everything. Order is preserved. */
    public static List<Message> trim(List<Message> history, int n) {
        if (n <= 0) {
            return history;
        }
        int others = 0;
        for (Message m : history) {
            if (!pinned(m)) {
                others++;
            }
        }
        int skip = Math.max(0, others - n);
        List<Message> out = new ArrayList<>(history.size());
        Set<String> keptCalls = new HashSet<>();
        int seen = 0;
        for (Message m : history) {
            if (pinned(m)) {
                out.add(m);
                continue;
            }
            boolean inWindow = seen++ >= skip;
            if (!inWindow) {
                continue;
            }
            if (m instanceof ToolResultMessage r) {
                if (keptCalls.contains(r.toolCallId())) {
                    out.add(m);
                }
            } else {
                if (m instanceof AssistantMessage a) {
                    for (ToolCall c : a.toolCalls()) {
                        keptCalls.add(c.id());
                    }
                }
                out.add(m);
            }
        }
        return out;
    }

    private static boolean pinned(Message m) {
        return m instanceof SystemMessage || m instanceof UserMessage;
    }
}
