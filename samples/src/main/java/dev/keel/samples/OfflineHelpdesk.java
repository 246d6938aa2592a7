package dev.keel.samples;

import dev.keel.core.message.Message;
import dev.keel.core.message.ToolResultMessage;
import dev.keel.testing.model.RecordedChatRequest;
import dev.keel.testing.model.ScriptedModelServer;
import dev.keel.testing.model.ScriptedReply;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The flagship's stand-in for a model when none is configured: a {@link ScriptedModelServer} whose replies
 * depend on the request, as a model's would. Asked a question, it calls {@code search_docs} with it; given
 * the tool's passages, it answers with the first sentence of each, cited — so the answer shows exactly
 * what the permission filter let through.
 */
final class OfflineHelpdesk {
    private static final Pattern PASSAGE = Pattern.compile("^\\[(\\d+)] (\\S+) — (.*)\\R(.+)$", Pattern.MULTILINE);

    private OfflineHelpdesk() {
    }

    static ScriptedModelServer start() {
        return ScriptedModelServer.start().respondWith(OfflineHelpdesk::reply);
    }

    static ScriptedReply reply(RecordedChatRequest request) {
        Message last = request.lastMessage();
        if (last instanceof ToolResultMessage result) {
            return ScriptedReply.text(answer(result.content())).chunkSize(12);
        }
        return ScriptedReply.toolCall("search_docs", Map.of("query", request.lastUserText()));
    }

    static String answer(String passages) {
        List<String> lines = new ArrayList<>();
        Matcher m = PASSAGE.matcher(passages);
        while (m.find()) {
            String text = m.group(4).strip();
            int end = text.indexOf(". ");
            lines.add("- " + (end > 0 ? text.substring(0, end + 1) : text) + " [" + m.group(1) + "]");
        }
        if (lines.isEmpty()) {
            return "I found nothing you may share on that. Ask the document owner for access.";
        }
        return "From the documents you may read:\n" + String.join("\n", lines);
    }
}
