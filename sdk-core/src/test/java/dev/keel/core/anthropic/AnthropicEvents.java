package dev.keel.core.anthropic;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keel.core.internal.json.Json;
import dev.keel.core.message.ToolCall;
import dev.keel.core.testutil.Sse;
import java.util.List;

/** Builds Messages API payloads and event streams exactly as Anthropic sends them. */
final class AnthropicEvents {
    static final String ID = "msg_01XFDUDYJgAACzvnptvVoYEL";
    static final String MODEL = "claude-sonnet-4-5-20250929";

    private AnthropicEvents() {}

    static String messageStart(int inputTokens) {
        ObjectNode n = Json.object().put("type", "message_start");
        ObjectNode m = n.putObject("message").put("id", ID).put("type", "message").put("role", "assistant")
                .put("model", MODEL);
        m.putArray("content");
        m.putNull("stop_reason").putNull("stop_sequence");
        m.putObject("usage").put("input_tokens", inputTokens).put("output_tokens", 1);
        return Sse.event("message_start", n.toString());
    }

    static String textStart(int index) {
        ObjectNode n = Json.object().put("type", "content_block_start").put("index", index);
        n.putObject("content_block").put("type", "text").put("text", "");
        return Sse.event("content_block_start", n.toString());
    }

    static String textDelta(int index, String text) {
        ObjectNode n = Json.object().put("type", "content_block_delta").put("index", index);
        n.putObject("delta").put("type", "text_delta").put("text", text);
        return Sse.event("content_block_delta", n.toString());
    }

    static String toolStart(int index, String id, String name) {
        ObjectNode n = Json.object().put("type", "content_block_start").put("index", index);
        n.putObject("content_block").put("type", "tool_use").put("id", id).put("name", name).putObject("input");
        return Sse.event("content_block_start", n.toString());
    }

    static String jsonDelta(int index, String partial) {
        ObjectNode n = Json.object().put("type", "content_block_delta").put("index", index);
        n.putObject("delta").put("type", "input_json_delta").put("partial_json", partial);
        return Sse.event("content_block_delta", n.toString());
    }

    static String blockStop(int index) {
        return Sse.event("content_block_stop", Json.object().put("type", "content_block_stop").put("index", index).toString());
    }

    static String messageDelta(String stopReason, int outputTokens) {
        ObjectNode n = Json.object().put("type", "message_delta");
        n.putObject("delta").put("stop_reason", stopReason).putNull("stop_sequence");
        n.putObject("usage").put("output_tokens", outputTokens);
        return Sse.event("message_delta", n.toString());
    }

    static String messageStop() {
        return Sse.event("message_stop", "{\"type\":\"message_stop\"}");
    }

    static String ping() {
        return Sse.event("ping", "{\"type\": \"ping\"}");
    }

    /** A streamed turn: optional text then tool calls whose (pretty-printed) arguments come in pieces. */
    static String stream(String text, List<ToolCall> calls, int pieceSize, int in, int out) {
        StringBuilder b = new StringBuilder(messageStart(in)).append(ping());
        int index = 0;
        if (!text.isEmpty()) {
            b.append(textStart(index));
            for (int k = 0; k < text.length(); k += 4) {
                b.append(textDelta(index, text.substring(k, Math.min(text.length(), k + 4))));
            }
            b.append(blockStop(index++));
        }
        for (ToolCall c : calls) {
            b.append(toolStart(index, c.id(), c.name()));
            String args = c.arguments().replace(",", ", ").replace(":", ": "); // Anthropic streams spaced JSON
            b.append(jsonDelta(index, ""));
            for (int k = 0; k < args.length(); k += pieceSize) {
                b.append(jsonDelta(index, args.substring(k, Math.min(args.length(), k + pieceSize))));
            }
            b.append(blockStop(index++));
        }
        return b.append(messageDelta(calls.isEmpty() ? "end_turn" : "tool_use", out)).append(messageStop()).toString();
    }

    /** The same turn answered whole. */
    static String message(String text, List<ToolCall> calls, String stopReason, int in, int out) {
        ObjectNode m = Json.object().put("id", ID).put("type", "message").put("role", "assistant").put("model", MODEL);
        ArrayNode content = m.putArray("content");
        if (!text.isEmpty()) {
            content.addObject().put("type", "text").put("text", text);
        }
        for (ToolCall c : calls) {
            content.addObject().put("type", "tool_use").put("id", c.id()).put("name", c.name())
                    .set("input", Json.parse(c.arguments()));
        }
        m.put("stop_reason", stopReason).putNull("stop_sequence");
        m.putObject("usage").put("input_tokens", in).put("output_tokens", out)
                .put("cache_creation_input_tokens", 0).put("cache_read_input_tokens", 0);
        return m.toString();
    }

    static String error(String type, String message) {
        return "{\"type\":\"error\",\"error\":{\"type\":\"" + type + "\",\"message\":\"" + message + "\"}}";
    }
}
