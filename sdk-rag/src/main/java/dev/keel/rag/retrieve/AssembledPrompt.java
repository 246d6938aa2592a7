package dev.keel.rag.retrieve;

import dev.keel.core.message.Message;
import dev.keel.core.message.SystemMessage;
import dev.keel.core.message.UserMessage;
import dev.keel.core.message.AssistantMessage;
import dev.keel.core.message.ToolResultMessage;
import dev.keel.rag.store.Hit;
import java.util.List;

/**
 * The result of {@link PromptAssembler#assemble}: the messages to send, which hits made it into the
 * knowledge block, which were dropped to fit the budget (lowest ranked first), how many history
 * messages were dropped, and the estimated token count.
 *
 * @param messages the messages to send
 * @param included the hits in the knowledge block
 * @param dropped the hits left out to fit the budget, lowest ranked first
 * @param droppedHistoryMessages how many history messages were left out
 * @param tokens the estimated token count
 */
public record AssembledPrompt(List<Message> messages, List<Hit> included, List<Hit> dropped,
                              int droppedHistoryMessages, int tokens) {
    /**
     * Creates the prompt, copying the lists.
     *
     * @param messages the messages to send
     * @param included the hits in the knowledge block
     * @param dropped the hits left out to fit the budget, lowest ranked first
     * @param droppedHistoryMessages how many history messages were left out
     * @param tokens the estimated token count
     */
    public AssembledPrompt {
        messages = List.copyOf(messages);
        included = List.copyOf(included);
        dropped = List.copyOf(dropped);
    }

    /**
     * The prompt as readable text, one {@code ROLE:} block per message.
     *
     * @return the prompt as readable text
     */
    public String text() {
        StringBuilder out = new StringBuilder();
        for (Message m : messages) {
            String body = textOf(m);
            out.append(m.role()).append(":\n").append(body).append("\n\n");
        }
        return out.toString().stripTrailing();
    }

    static String textOf(Message m) {
        if (m instanceof SystemMessage s) {
            return s.text();
        } else if (m instanceof UserMessage u) {
            return u.text();
        } else if (m instanceof AssistantMessage a) {
            return a.text();
        }
        return ((ToolResultMessage) m).content();
    }

    @Override
    public String toString() {
        return "AssembledPrompt[messages=" + messages.size() + ", included=" + included.size() + ", dropped="
                + dropped.size() + ", droppedHistoryMessages=" + droppedHistoryMessages + ", tokens=" + tokens + "]";
    }
}
