package dev.keel.core.openai;

import dev.keel.core.message.ToolCall;
import java.util.ArrayList;
import java.util.List;

/**
 * Responses API stream events and response objects in the documented shapes (OpenAI API reference, "Streaming
 * events" and "The response object"). Field order and the fields present follow traffic recorded from the real API
 * and published as test fixtures in the vercel/ai repository
 * ({@code packages/openai/src/responses/__fixtures__/}: {@code issue-20047-openai-responses.chunks.txt} for text,
 * {@code issue-19493-gpt-5.1-tool-call.chunks.txt} for a function call,
 * {@code openai-reasoning-encrypted-content.1.chunks.txt} for reasoning items with encrypted content and summary
 * deltas, {@code openai-error.1.chunks.txt} and {@code openai-response-failed-only.1.chunks.txt} for failures).
 * The values are Keel's own.
 */
final class ResponsesEvents {
    static final String ID = "resp_0a1b2c3d4e5f60718293a4b5c6d7e8f9";
    static final String MODEL = "gpt-5.1-2025-11-13";

    private ResponsesEvents() {}

    /** The response object; {@code output} and {@code usage} are JSON. */
    static String response(String status, String output, String usage, String incompleteReason, String error) {
        return "{\"id\":\"" + ID + "\",\"object\":\"response\",\"created_at\":1787659560,\"status\":\"" + status + "\","
                + "\"background\":false,\"completed_at\":null,\"error\":" + (error == null ? "null" : error) + ","
                + "\"incomplete_details\":" + (incompleteReason == null ? "null" : "{\"reason\":\"" + incompleteReason + "\"}")
                + ",\"instructions\":null,\"max_output_tokens\":null,\"model\":\"" + MODEL + "\",\"output\":" + output + ","
                + "\"parallel_tool_calls\":true,\"previous_response_id\":null,"
                + "\"reasoning\":{\"effort\":\"medium\",\"summary\":null},\"service_tier\":\"auto\",\"store\":false,"
                + "\"temperature\":1,\"text\":{\"format\":{\"type\":\"text\"},\"verbosity\":\"medium\"},"
                + "\"tool_choice\":\"auto\",\"tools\":[],\"top_p\":1,\"truncation\":\"disabled\",\"usage\":"
                + (usage == null ? "null" : usage) + ",\"user\":null,\"metadata\":{}}";
    }

    static String usage(int input, int cached, int output, int reasoning) {
        return "{\"input_tokens\":" + input + ",\"input_tokens_details\":{\"cache_write_tokens\":0,\"cached_tokens\":"
                + cached + "},\"output_tokens\":" + output + ",\"output_tokens_details\":{\"reasoning_tokens\":"
                + reasoning + "},\"total_tokens\":" + (input + output) + "}";
    }

    static String messageItem(String id, String status, String text) {
        String content = text == null ? "[]"
                : "[{\"type\":\"output_text\",\"annotations\":[],\"logprobs\":[],\"text\":" + json(text) + "}]";
        return "{\"id\":\"" + id + "\",\"type\":\"message\",\"status\":\"" + status + "\",\"content\":" + content
                + ",\"role\":\"assistant\"}";
    }

    static String callItem(String itemId, ToolCall call, String status, String arguments) {
        return "{\"id\":\"" + itemId + "\",\"type\":\"function_call\",\"status\":\"" + status + "\",\"arguments\":"
                + json(arguments) + ",\"call_id\":\"" + call.id() + "\",\"name\":\"" + call.name() + "\"}";
    }

    static String reasoningItem(String id, String encrypted, String summary) {
        return "{\"id\":\"" + id + "\",\"type\":\"reasoning\",\"encrypted_content\":" + json(encrypted) + ",\"summary\":"
                + (summary == null ? "[]" : "[{\"type\":\"summary_text\",\"text\":" + json(summary) + "}]") + "}";
    }

    /** An SSE event: the type as the event name and inside the data, as OpenAI sends them. */
    static String event(String type, int seq, String fields) {
        return "event: " + type + "\ndata: {\"type\":\"" + type + "\",\"sequence_number\":" + seq
                + (fields.isEmpty() ? "" : "," + fields) + "}\n\n";
    }

    /** A streamed text answer, {@code pieces} as output_text deltas. */
    static String textStream(List<String> pieces, String usage) {
        String text = String.join("", pieces);
        String msg = "msg_0a1b2c3d4e5f";
        List<String> events = new ArrayList<>();
        int seq = 0;
        events.add(event("response.created", seq++, "\"response\":" + response("in_progress", "[]", null, null, null)));
        events.add(event("response.in_progress", seq++, "\"response\":" + response("in_progress", "[]", null, null, null)));
        events.add(event("response.output_item.added", seq++, "\"output_index\":0,\"item\":" + messageItem(msg, "in_progress", null)));
        events.add(event("response.content_part.added", seq++, "\"item_id\":\"" + msg + "\",\"output_index\":0,"
                + "\"content_index\":0,\"part\":{\"type\":\"output_text\",\"annotations\":[],\"logprobs\":[],\"text\":\"\"}"));
        for (String p : pieces) {
            events.add(event("response.output_text.delta", seq++, "\"item_id\":\"" + msg + "\",\"output_index\":0,"
                    + "\"content_index\":0,\"delta\":" + json(p) + ",\"logprobs\":[]"));
        }
        events.add(event("response.output_text.done", seq++, "\"item_id\":\"" + msg + "\",\"output_index\":0,"
                + "\"content_index\":0,\"text\":" + json(text) + ",\"logprobs\":[]"));
        events.add(event("response.content_part.done", seq++, "\"item_id\":\"" + msg + "\",\"output_index\":0,"
                + "\"content_index\":0,\"part\":{\"type\":\"output_text\",\"annotations\":[],\"logprobs\":[],\"text\":"
                + json(text) + "}"));
        events.add(event("response.output_item.done", seq++, "\"output_index\":0,\"item\":" + messageItem(msg, "completed", text)));
        events.add(event("response.completed", seq, "\"response\":"
                + response("completed", "[" + messageItem(msg, "completed", text) + "]", usage, null, null)));
        return String.join("", events);
    }

    /**
     * A streamed turn of reasoning then function calls: the reasoning item arrives with one encrypted content and
     * is done with another (as recorded), its summary streams as deltas, each call's arguments as deltas of
     * {@code piece} characters.
     */
    static String reasoningAndCallsStream(String reasoningId, String encryptedAdded, String encryptedDone,
                                          List<String> summaryPieces, List<ToolCall> calls, int piece, String usage) {
        List<String> events = new ArrayList<>();
        List<String> output = new ArrayList<>();
        int seq = 0;
        events.add(event("response.created", seq++, "\"response\":" + response("in_progress", "[]", null, null, null)));
        int index = 0;
        if (reasoningId != null) {
            String summary = String.join("", summaryPieces);
            events.add(event("response.output_item.added", seq++, "\"output_index\":0,\"item\":"
                    + reasoningItem(reasoningId, encryptedAdded, null)));
            events.add(event("response.reasoning_summary_part.added", seq++, "\"item_id\":\"" + reasoningId
                    + "\",\"output_index\":0,\"summary_index\":0,\"part\":{\"type\":\"summary_text\",\"text\":\"\"}"));
            for (String p : summaryPieces) {
                events.add(event("response.reasoning_summary_text.delta", seq++, "\"item_id\":\"" + reasoningId
                        + "\",\"output_index\":0,\"summary_index\":0,\"delta\":" + json(p) + ",\"obfuscation\":\"x1Y2\""));
            }
            events.add(event("response.reasoning_summary_text.done", seq++, "\"item_id\":\"" + reasoningId
                    + "\",\"output_index\":0,\"summary_index\":0,\"text\":" + json(summary)));
            events.add(event("response.reasoning_summary_part.done", seq++, "\"item_id\":\"" + reasoningId
                    + "\",\"output_index\":0,\"summary_index\":0,\"part\":{\"type\":\"summary_text\",\"text\":"
                    + json(summary) + "}"));
            String done = reasoningItem(reasoningId, encryptedDone, summary);
            events.add(event("response.output_item.done", seq++, "\"output_index\":0,\"item\":" + done));
            output.add(done);
            index = 1;
        }
        for (ToolCall call : calls) {
            String itemId = "fc_" + call.id().substring(call.id().indexOf('_') + 1);
            events.add(event("response.output_item.added", seq++, "\"output_index\":" + index + ",\"item\":"
                    + callItem(itemId, call, "in_progress", "")));
            String args = call.arguments();
            for (int from = 0; from < args.length(); from += piece) {
                events.add(event("response.function_call_arguments.delta", seq++, "\"item_id\":\"" + itemId
                        + "\",\"output_index\":" + index + ",\"delta\":"
                        + json(args.substring(from, Math.min(args.length(), from + piece))) + ",\"obfuscation\":\"AbCd\""));
            }
            events.add(event("response.function_call_arguments.done", seq++, "\"item_id\":\"" + itemId
                    + "\",\"output_index\":" + index + ",\"arguments\":" + json(args)));
            String done = callItem(itemId, call, "completed", args);
            events.add(event("response.output_item.done", seq++, "\"output_index\":" + index + ",\"item\":" + done));
            output.add(done);
            index++;
        }
        events.add(event("response.completed", seq, "\"response\":"
                + response("completed", "[" + String.join(",", output) + "]", usage, null, null)));
        return String.join("", events);
    }

    static String json(String s) {
        return dev.keel.core.json.JsonValue.of(s).toJson();
    }
}
