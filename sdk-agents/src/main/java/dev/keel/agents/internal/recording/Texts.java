package dev.keel.agents.internal.recording;

import dev.keel.core.ChatRequest;
import dev.keel.core.ChatResponse;
import dev.keel.core.message.AssistantMessage;
import dev.keel.core.message.Message;
import dev.keel.core.message.Reasoning;
import dev.keel.core.message.SystemMessage;
import dev.keel.core.message.ToolCall;
import dev.keel.core.message.ToolResultMessage;
import dev.keel.core.message.UserMessage;
import java.util.List;
import java.util.function.UnaryOperator;

/** Applies a text mapping (redaction, workspace roots) to every text of a request or response. Stateless. */
public final class Texts {
    private Texts() {}

    /** The request with every message text and tool-call argument mapped. */
    public static ChatRequest map(ChatRequest r, UnaryOperator<String> f) {
        List<Message> messages = r.messages().stream().map(m -> map(m, f)).toList();
        return new ChatRequest(messages, r.tools(), r.options(), r.cacheBreakpoints());
    }

    /** The response with its text and tool-call arguments mapped. */
    public static ChatResponse map(ChatResponse r, UnaryOperator<String> f) {
        return new ChatResponse((AssistantMessage) map(r.message(), f), r.finishReason(), r.usage(), r.model(), r.id());
    }

    /** The message with its texts mapped. */
    public static Message map(Message m, UnaryOperator<String> f) {
        if (m instanceof SystemMessage s) {
            return new SystemMessage(f.apply(s.text()));
        }
        if (m instanceof UserMessage u) {
            return new UserMessage(f.apply(u.text()));
        }
        if (m instanceof AssistantMessage a) {
            List<ToolCall> calls = a.toolCalls().stream()
                    .map(c -> new ToolCall(c.id(), c.name(), f.apply(c.arguments()))).toList();
            // reasoning text is redacted like any text; its opaque part (signatures, encrypted reasoning) is the
            // provider's and must go back byte for byte
            List<Reasoning> reasoning = a.reasoning().stream()
                    .map(r -> new Reasoning(r.source(), r.id(), f.apply(r.text()), r.opaque())).toList();
            return new AssistantMessage(f.apply(a.text()), calls, reasoning);
        }
        ToolResultMessage t = (ToolResultMessage) m;
        return new ToolResultMessage(t.toolCallId(), t.toolName(), f.apply(t.content()), t.error());
    }

    /** A short description of a message for one-line summaries: its role and the start of its text. */
    public static String describe(Message m) {
        String role;
        String text;
        if (m instanceof SystemMessage s) {
            role = "system";
            text = s.text();
        } else if (m instanceof UserMessage u) {
            role = "user";
            text = u.text();
        } else if (m instanceof AssistantMessage a) {
            role = "assistant";
            text = a.text() + (a.toolCalls().isEmpty() ? "" : " " + a.toolCalls().stream().map(ToolCall::name).toList());
        } else {
            ToolResultMessage t = (ToolResultMessage) m;
            role = "tool result of " + t.toolName();
            text = t.content();
        }
        String flat = text.replace('\n', ' ').strip();
        return "[" + role + "] " + (flat.length() > 80 ? flat.substring(0, 80) + "…" : flat);
    }
}
