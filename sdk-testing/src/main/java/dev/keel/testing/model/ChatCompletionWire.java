package dev.keel.testing.model;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keel.core.Usage;
import dev.keel.testing.internal.WireJson;
import java.util.ArrayList;
import java.util.List;

/**
 * Renders answers in the OpenAI Chat Completions wire format: a {@code chat.completion} object, or the
 * {@code chat.completion.chunk} payloads of an SSE stream. Stateless.
 */
final class ChatCompletionWire {
    /** A fixed creation time keeps responses byte-for-byte reproducible. */
    static final long CREATED = 1_700_000_000L;
    private static final int DEFAULT_ARGUMENT_CHUNK = 8;

    private ChatCompletionWire() {}

    /** A tool call with its final id. */
    record Call(String id, String name, String arguments) {}

    /** An answer ready to render. */
    record Answer(String id, String model, String text, List<Call> calls, String finishReason, Usage usage,
                  int chunkSize) {}

    static String completion(Answer a) {
        ObjectNode root = header(a, "chat.completion");
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode message = choice.putObject("message");
        message.put("role", "assistant");
        if (a.text().isEmpty() && !a.calls().isEmpty()) {
            message.putNull("content");
        } else {
            message.put("content", a.text());
        }
        if (!a.calls().isEmpty()) {
            ArrayNode calls = message.putArray("tool_calls");
            for (Call c : a.calls()) {
                ObjectNode call = calls.addObject();
                call.put("id", c.id());
                call.put("type", "function");
                call.putObject("function").put("name", c.name()).put("arguments", c.arguments());
            }
        }
        message.putNull("refusal");
        choice.putNull("logprobs");
        choice.put("finish_reason", a.finishReason());
        putUsage(root.putObject("usage"), a.usage());
        return WireJson.write(root);
    }

    /** The {@code data:} payloads of a stream, without the final {@code [DONE]}. */
    static List<String> chunks(Answer a, boolean includeUsage) {
        List<String> out = new ArrayList<>();
        ObjectNode first = chunk(a, includeUsage);
        choice(first).<ObjectNode>set("delta",
                WireJson.object().put("role", "assistant").put("content", "")).putNull("logprobs").putNull("finish_reason");
        out.add(WireJson.write(first));
        for (String piece : splitText(a.text(), a.chunkSize())) {
            out.add(delta(a, includeUsage, WireJson.object().put("content", piece)));
        }
        for (int i = 0; i < a.calls().size(); i++) {
            Call c = a.calls().get(i);
            ObjectNode opening = WireJson.object();
            opening.putArray("tool_calls").addObject().put("index", i).put("id", c.id()).put("type", "function")
                    .putObject("function").put("name", c.name()).put("arguments", "");
            out.add(delta(a, includeUsage, opening));
            int size = a.chunkSize() > 0 ? a.chunkSize() : DEFAULT_ARGUMENT_CHUNK;
            for (String piece : splitFixed(c.arguments(), size)) {
                ObjectNode d = WireJson.object();
                d.putArray("tool_calls").addObject().put("index", i).putObject("function").put("arguments", piece);
                out.add(delta(a, includeUsage, d));
            }
        }
        ObjectNode last = chunk(a, includeUsage);
        choice(last).<ObjectNode>set("delta", WireJson.object())
                .putNull("logprobs").put("finish_reason", a.finishReason());
        out.add(WireJson.write(last));
        if (includeUsage) {
            ObjectNode usage = header(a, "chat.completion.chunk");
            usage.putArray("choices");
            putUsage(usage.putObject("usage"), a.usage());
            out.add(WireJson.write(usage));
        }
        return out;
    }

    /** An SSE body: each payload as one {@code data:} event, then {@code data: [DONE]} when {@code done}. */
    static String sse(List<String> payloads, boolean done) {
        StringBuilder sb = new StringBuilder();
        payloads.forEach(p -> sb.append("data: ").append(p).append("\n\n"));
        if (done) {
            sb.append("data: [DONE]\n\n");
        }
        return sb.toString();
    }

    /** OpenAI's error body. */
    static String error(int status, String message, String code) {
        String type = status == 429 ? "requests" : status >= 500 ? "server_error" : "invalid_request_error";
        String defaultCode = status == 401 ? "invalid_api_key" : status == 429 ? "rate_limit_exceeded" : null;
        ObjectNode root = WireJson.object();
        ObjectNode error = root.putObject("error").put("message", message).put("type", type);
        error.putNull("param");
        String c = code != null ? code : defaultCode;
        if (c == null) {
            error.putNull("code");
        } else {
            error.put("code", c);
        }
        return WireJson.write(root);
    }

    private static String delta(Answer a, boolean includeUsage, ObjectNode delta) {
        ObjectNode chunk = chunk(a, includeUsage);
        choice(chunk).<ObjectNode>set("delta", delta).putNull("logprobs")
                .putNull("finish_reason");
        return WireJson.write(chunk);
    }

    private static ObjectNode choice(ObjectNode chunk) {
        return ((ArrayNode) chunk.get("choices")).addObject().put("index", 0);
    }

    private static ObjectNode chunk(Answer a, boolean includeUsage) {
        ObjectNode chunk = header(a, "chat.completion.chunk");
        chunk.putArray("choices");
        if (includeUsage) {
            chunk.putNull("usage");
        }
        return chunk;
    }

    private static ObjectNode header(Answer a, String object) {
        ObjectNode root = WireJson.mapper().createObjectNode();
        root.put("id", a.id()).put("object", object).put("created", CREATED).put("model", a.model());
        root.put("system_fingerprint", "fp_scripted");
        return root;
    }

    private static void putUsage(ObjectNode usage, Usage u) {
        usage.put("prompt_tokens", u.inputTokens()).put("completion_tokens", u.outputTokens())
                .put("total_tokens", u.totalTokens());
    }

    /** Splits after each run of whitespace (word by word), or in fixed pieces when {@code size > 0}. */
    static List<String> splitText(String text, int size) {
        if (size > 0) {
            return splitFixed(text, size);
        }
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 1; i <= text.length(); i++) {
            boolean boundary = i == text.length()
                    || (Character.isWhitespace(text.charAt(i - 1)) && !Character.isWhitespace(text.charAt(i)));
            if (boundary) {
                out.add(text.substring(start, i));
                start = i;
            }
        }
        return out;
    }

    /** Pieces of at most {@code size} code points (never splitting a surrogate pair). */
    static List<String> splitFixed(String text, int size) {
        List<String> out = new ArrayList<>();
        int start = 0;
        while (start < text.length()) {
            int end = start;
            for (int n = 0; n < size && end < text.length(); n++) {
                end = text.offsetByCodePoints(end, 1);
            }
            out.add(text.substring(start, end));
            start = end;
        }
        return out;
    }
}
