package dev.keel.core.openai;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keel.core.internal.json.Json;
import dev.keel.core.message.ToolCall;
import java.util.ArrayList;
import java.util.List;

/** Builds Chat Completions payloads exactly as OpenAI sends them. */
final class OpenAiChunks {
    static final String ID = "chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG";
    static final String MODEL = "gpt-5-2025-08-07";

    private OpenAiChunks() {}

    private static ObjectNode base() {
        ObjectNode n = Json.object().put("id", ID).put("object", "chat.completion.chunk").put("created", 1741570283)
                .put("model", MODEL).put("system_fingerprint", "fp_eb9dce56a8");
        return n;
    }

    static String role() {
        ObjectNode n = base();
        n.putArray("choices").addObject().put("index", 0).putNull("finish_reason")
                .putObject("delta").put("role", "assistant").put("content", "").putNull("refusal");
        return n.toString();
    }

    static String text(String delta) {
        ObjectNode n = base();
        n.putArray("choices").addObject().put("index", 0).putNull("finish_reason").putObject("delta").put("content", delta);
        return n.toString();
    }

    /** A tool-call fragment; id and name only in the first fragment of a call, as OpenAI does. */
    static String tool(int index, String id, String name, String args) {
        ObjectNode n = base();
        ObjectNode delta = n.putArray("choices").addObject().put("index", 0).putNull("finish_reason").putObject("delta");
        if (id != null) {
            delta.put("role", "assistant").putNull("content");
        }
        ObjectNode call = delta.putArray("tool_calls").addObject().put("index", index);
        ObjectNode fn = call.putObject("function");
        if (id != null) {
            call.put("id", id).put("type", "function");
            fn.put("name", name);
        }
        fn.put("arguments", args);
        return n.toString();
    }

    static String finish(String reason) {
        ObjectNode n = base();
        n.putArray("choices").addObject().put("index", 0).put("finish_reason", reason).putObject("delta");
        return n.toString();
    }

    static String usage(int prompt, int completion) {
        ObjectNode n = base();
        n.putArray("choices");
        n.putObject("usage").put("prompt_tokens", prompt).put("completion_tokens", completion)
                .put("total_tokens", prompt + completion);
        return n.toString();
    }

    /** The streamed form of a tool-calling turn: each call's arguments cut into {@code pieceSize} fragments. */
    static List<String> toolStream(List<ToolCall> calls, int pieceSize, int prompt, int completion) {
        List<String> out = new ArrayList<>();
        out.add(role());
        for (int i = 0; i < calls.size(); i++) {
            ToolCall c = calls.get(i);
            out.add(tool(i, c.id(), c.name(), ""));
            String a = c.arguments();
            for (int k = 0; k < a.length(); k += pieceSize) {
                out.add(tool(i, null, null, a.substring(k, Math.min(a.length(), k + pieceSize))));
            }
        }
        out.add(finish("tool_calls"));
        out.add(usage(prompt, completion));
        out.add("[DONE]");
        return out;
    }

    /** A complete (non-streamed) answer. */
    static String completion(String content, List<ToolCall> calls, String finish, int prompt, int completion) {
        ObjectNode n = Json.object().put("id", ID).put("object", "chat.completion").put("created", 1741570283)
                .put("model", MODEL);
        ObjectNode message = n.putArray("choices").addObject().put("index", 0).put("finish_reason", finish)
                .putObject("message").put("role", "assistant");
        if (content == null) {
            message.putNull("content");
        } else {
            message.put("content", content);
        }
        message.putNull("refusal");
        if (!calls.isEmpty()) {
            ArrayNode tc = message.putArray("tool_calls");
            for (ToolCall c : calls) {
                ObjectNode call = tc.addObject().put("id", c.id()).put("type", "function");
                call.putObject("function").put("name", c.name()).put("arguments", c.arguments());
            }
        }
        n.putObject("usage").put("prompt_tokens", prompt).put("completion_tokens", completion)
                .put("total_tokens", prompt + completion);
        return n.toString();
    }
}
