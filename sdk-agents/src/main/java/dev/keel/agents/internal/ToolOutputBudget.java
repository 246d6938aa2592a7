package dev.keel.agents.internal;

import dev.keel.core.message.AssistantMessage;
import dev.keel.core.message.Message;
import dev.keel.core.message.ToolCall;
import dev.keel.core.message.ToolResultMessage;
import java.util.ArrayList;
import java.util.List;

/**
 * Token budgets for tool content, tokens approximated as characters / 4 (docker-agent's rule):
 * {@code max_tool_result_tokens} cuts one result in the middle, keeping its head and tail;
 * {@code max_old_tool_call_tokens} keeps the newest tool calls' arguments and results whole until the budget
 * is spent and replaces older ones with a placeholder. Stateless. Not API.
 */
public final class ToolOutputBudget {
    /** What replaces old tool content beyond the budget. */
    public static final String OMITTED = "[older tool output omitted to save context]";

    private ToolOutputBudget() {}

    /** {@code text} cut in the middle to about {@code maxTokens} tokens; unchanged when it fits or the limit is 0. */
    public static String middleOut(String text, int maxTokens) {
        long max = (long) maxTokens * 4;
        if (maxTokens <= 0 || text.length() <= max) {
            return text;
        }
        int keep = (int) Math.max(2, max);
        int head = keep / 2;
        int tail = keep - head;
        int dropped = text.length() - keep;
        return text.substring(0, head) + "\n[... " + dropped + " characters cut from the middle ...]\n"
                + text.substring(text.length() - tail);
    }

    /** The history with tool content older than the newest {@code maxTokens} tokens replaced (0 = unchanged). */
    public static List<Message> oldToolCalls(List<Message> history, int maxTokens) {
        if (maxTokens <= 0) {
            return history;
        }
        long budget = (long) maxTokens * 4;
        List<Message> out = new ArrayList<>(history);
        for (int i = out.size() - 1; i >= 0; i--) {
            Message m = out.get(i);
            if (m instanceof ToolResultMessage r) {
                if (budget >= r.content().length()) {
                    budget -= r.content().length();
                } else {
                    budget = 0;
                    out.set(i, new ToolResultMessage(r.toolCallId(), r.toolName(), OMITTED, r.error()));
                }
            } else if (m instanceof AssistantMessage a && a.hasToolCalls()) {
                List<ToolCall> calls = new ArrayList<>();
                boolean changed = false;
                for (ToolCall c : a.toolCalls()) {
                    if (budget >= c.arguments().length()) {
                        budget -= c.arguments().length();
                        calls.add(c);
                    } else {
                        budget = 0;
                        calls.add(new ToolCall(c.id(), c.name(), "{}"));
                        changed = true;
                    }
                }
                if (changed) {
                    out.set(i, new AssistantMessage(a.text(), calls));
                }
            }
        }
        return out;
    }
}
