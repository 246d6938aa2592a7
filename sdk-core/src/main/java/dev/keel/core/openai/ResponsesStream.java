package dev.keel.core.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.ChatResponse;
import dev.keel.core.FinishReason;
import dev.keel.core.ModelException;
import dev.keel.core.StreamListener;
import dev.keel.core.Usage;
import dev.keel.core.internal.http.ProviderClient;
import dev.keel.core.internal.sse.SseEvent;
import dev.keel.core.message.AssistantMessage;
import dev.keel.core.message.Reasoning;
import dev.keel.core.message.ToolCall;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Folds one streamed Responses API answer into a {@link ChatResponse}, calling the listener as pieces arrive:
 * {@code response.created}, {@code response.output_item.added/done}, {@code response.output_text.delta},
 * {@code response.refusal.delta}, {@code response.function_call_arguments.delta/done},
 * {@code response.reasoning_summary_text.delta}, and the terminal {@code response.completed},
 * {@code response.incomplete}, {@code response.failed} and {@code error}. Other event types (content parts,
 * annotations, hosted tools, future ones) are ignored. The finished answer is read from the terminal event's
 * response object when it carries output, so a streamed answer equals the same answer fetched whole. Not
 * thread-safe: one per stream.
 */
final class ResponsesStream {
    private final ProviderClient client;
    private final StreamListener listener;
    private final StringBuilder text = new StringBuilder();
    private final StringBuilder refusal = new StringBuilder();
    /** Function calls by output index, in the order they were added. */
    private final Map<Integer, Call> calls = new LinkedHashMap<>();
    private final Set<String> reportedCalls = new HashSet<>();
    private final List<Reasoning> reasoning = new ArrayList<>();
    private int reasoningParts;
    private String id = "";
    private String model = "";
    private JsonNode terminal;
    private boolean started;

    /** A function call being streamed. */
    private static final class Call {
        final int ordinal;
        final String callId;
        final String name;
        final StringBuilder arguments = new StringBuilder();
        String done;

        Call(int ordinal, String callId, String name) {
            this.ordinal = ordinal;
            this.callId = callId;
            this.name = name;
        }
    }

    ResponsesStream(ProviderClient client, StreamListener listener) {
        this.client = client;
        this.listener = listener;
    }

    /** Handles one event; false once a terminal event arrived. */
    boolean onEvent(SseEvent event) {
        if (event.data().isBlank() || event.data().equals("[DONE]")) {
            return true; // some compatible servers end with a [DONE] like Chat Completions; nothing to do
        }
        JsonNode data = client.parseJson(event.data());
        String type = data.path("type").asText(event.event());
        switch (type) {
            case "response.created", "response.in_progress" -> onResponse(data.path("response"));
            case "response.output_item.added" -> onItemAdded(data.path("output_index").asInt(-1), data.path("item"));
            case "response.output_item.done" -> onItemDone(data.path("output_index").asInt(-1), data.path("item"));
            case "response.output_text.delta" -> {
                String delta = data.path("delta").asText("");
                if (!delta.isEmpty()) {
                    text.append(delta);
                    listener.onText(delta);
                }
            }
            case "response.refusal.delta" -> {
                String delta = data.path("delta").asText("");
                refusal.append(delta);
                if (text.isEmpty() && !delta.isEmpty()) {
                    listener.onText(delta);
                }
            }
            case "response.function_call_arguments.delta" -> {
                Call call = call(data.path("output_index").asInt(-1), "function_call_arguments.delta");
                String delta = data.path("delta").asText("");
                call.arguments.append(delta);
                listener.onToolCallDelta(call.ordinal, call.callId, call.name, delta);
            }
            case "response.function_call_arguments.done" -> {
                Call call = call(data.path("output_index").asInt(-1), "function_call_arguments.done");
                if (data.path("arguments").isTextual()) {
                    call.done = data.path("arguments").asText();
                }
            }
            case "response.reasoning_summary_part.added" -> {
                if (reasoningParts++ > 0) {
                    listener.onReasoning("\n\n");
                }
            }
            case "response.reasoning_summary_text.delta" -> {
                String delta = data.path("delta").asText("");
                if (!delta.isEmpty()) {
                    listener.onReasoning(delta);
                }
            }
            case "response.completed", "response.incomplete" -> {
                onResponse(data.path("response"));
                terminal = data.path("response");
                return false;
            }
            case "response.failed" -> throw ResponsesWire.error(client.provider(), data.path("response").path("error"));
            case "error" -> throw ResponsesWire.error(client.provider(), data);
            default -> { } // content parts, annotations, hosted tools, future event types
        }
        return true;
    }

    private void onResponse(JsonNode response) {
        started = true;
        if (id.isEmpty()) {
            id = response.path("id").asText("");
        }
        String m = response.path("model").asText("");
        if (!m.isEmpty()) {
            model = m;
        }
    }

    private void onItemAdded(int index, JsonNode item) {
        started = true;
        if (item.path("type").asText().equals("function_call")) {
            String callId = item.path("call_id").asText("");
            String name = item.path("name").asText("");
            if (callId.isEmpty() || name.isEmpty()) {
                throw malformed("function_call item " + index + " without call_id or name");
            }
            Call call = new Call(calls.size(), callId, name);
            call.arguments.append(item.path("arguments").asText(""));
            calls.put(index, call);
            listener.onToolCallDelta(call.ordinal, callId, name, call.arguments.toString());
        }
    }

    private void onItemDone(int index, JsonNode item) {
        switch (item.path("type").asText()) {
            case "function_call" -> {
                ToolCall done = ResponsesWire.toolCall(client.provider(), item);
                report(done);
            }
            case "reasoning" -> reasoning.add(ResponsesWire.reasoning(item));
            default -> { }
        }
    }

    private Call call(int index, String event) {
        Call call = calls.get(index);
        if (call == null) {
            throw malformed(event + " for output " + index + ", which is not a function_call item");
        }
        return call;
    }

    private void report(ToolCall call) {
        if (reportedCalls.add(call.id())) {
            listener.onToolCall(call);
        }
    }

    private ModelException malformed(String what) {
        return new ModelException.MalformedResponse(client.provider(), client.provider() + " stream: " + what, null);
    }

    /** Ends the stream: the assembled answer, or the error that the ending implies. */
    ChatResponse finish(ProviderClient.StreamEnd end) {
        String p = client.provider();
        if (end == ProviderClient.StreamEnd.CUT_MID_EVENT) {
            throw new ModelException.Connection(p, p + " stream ended in the middle of an event" + pendingCall(), null);
        }
        if (terminal == null) {
            // A clean end without response.completed/incomplete: not the Responses protocol, or a broken server.
            // Asking again would get the same answer, so this is not retryable.
            throw new ModelException.MalformedResponse(p, p + " stream ended without response.completed" + pendingCall()
                    + (started ? "" : "; no response.created either: is this a Responses API endpoint?"), null);
        }
        ChatResponse response;
        if (terminal.path("output").isArray() && !terminal.path("output").isEmpty()) {
            response = ResponsesWire.response(p, terminal);
        } else {
            response = assembled();
        }
        response.toolCalls().forEach(this::report);
        if (response.usage() != null && response.usage() != Usage.ZERO) {
            listener.onUsage(response.usage());
        }
        listener.onComplete(response);
        return response;
    }

    /** The answer from the streamed pieces, for servers whose terminal event carries no output. */
    private ChatResponse assembled() {
        List<ToolCall> done = new ArrayList<>();
        for (Call c : calls.values()) {
            done.add(new ToolCall(c.callId, c.name, c.done != null ? c.done : c.arguments.toString()));
        }
        FinishReason reason = ResponsesWire.finishReason(terminal.path("status").asText("completed"),
                terminal.path("incomplete_details").path("reason").asText(""), !done.isEmpty());
        String answer = text.toString();
        if (answer.isEmpty() && refusal.length() > 0) {
            answer = refusal.toString();
            reason = FinishReason.CONTENT_FILTER;
        }
        return new ChatResponse(new AssistantMessage(answer, done, reasoning), reason,
                ResponsesWire.usage(terminal.path("usage")), model, id);
    }

    private String pendingCall() {
        for (Call c : calls.values()) {
            if (!reportedCalls.contains(c.callId)) {
                return "; tool call '" + c.name + "' was cut after " + c.arguments.length() + " characters of arguments";
            }
        }
        return "";
    }
}
