package dev.keel.core.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.ChatResponse;
import dev.keel.core.FinishReason;
import dev.keel.core.ModelException;
import dev.keel.core.StreamListener;
import dev.keel.core.Usage;
import dev.keel.core.internal.http.ProviderClient;
import dev.keel.core.internal.provider.ToolCallAssembler;
import dev.keel.core.internal.sse.SseEvent;
import dev.keel.core.message.AssistantMessage;
import dev.keel.core.message.ToolCall;
import java.util.ArrayList;
import java.util.List;

/**
 * Folds one streamed Chat Completions answer ({@code chat.completion.chunk} events) into a
 * {@link ChatResponse}, calling the listener as pieces arrive. Not thread-safe: one per stream.
 */
final class OpenAiStream {
    private final ProviderClient client;
    private final StreamListener listener;
    private final StringBuilder text = new StringBuilder();
    private final StringBuilder refusal = new StringBuilder();
    private final ToolCallAssembler tools = new ToolCallAssembler();
    private final List<ToolCall> completed = new ArrayList<>();
    private String id = "";
    private String model = "";
    private String finishReason;
    private Usage usage;
    private boolean done;

    OpenAiStream(ProviderClient client, StreamListener listener) {
        this.client = client;
        this.listener = listener;
    }

    /** Handles one event; false once {@code [DONE]} arrived. */
    boolean onEvent(SseEvent event) {
        String data = event.data();
        if (data.equals("[DONE]")) {
            done = true;
            return false;
        }
        if (data.isBlank()) {
            return true;
        }
        JsonNode chunk = client.parseJson(data);
        JsonNode error = chunk.get("error");
        if (error != null && !error.isNull()) {
            throw OpenAiWire.streamError(client.provider(), error);
        }
        if (id.isEmpty()) {
            id = chunk.path("id").asText("");
        }
        if (model.isEmpty()) {
            model = chunk.path("model").asText("");
        }
        for (JsonNode choice : chunk.path("choices")) {
            if (choice.path("index").asInt(0) != 0) {
                continue; // only the first choice is assembled
            }
            onDelta(choice.path("delta"));
            String reason = choice.path("finish_reason").asText(null);
            if (reason != null && !reason.isEmpty() && finishReason == null) {
                finishReason = reason;
                completeToolCalls();
            }
        }
        JsonNode u = chunk.get("usage");
        if (u == null || !u.isObject()) {
            u = chunk.path("x_groq").get("usage"); // Groq reports stream usage in its own extension object
        }
        if (u != null && u.isObject()) {
            usage = OpenAiWire.usage(u);
        }
        return true;
    }

    private void onDelta(JsonNode delta) {
        JsonNode content = delta.get("content");
        if (content != null && content.isTextual() && !content.asText().isEmpty()) {
            text.append(content.asText());
            listener.onText(content.asText());
        }
        JsonNode refused = delta.get("refusal");
        if (refused != null && refused.isTextual() && !refused.asText().isEmpty()) {
            refusal.append(refused.asText());
            if (text.isEmpty()) {
                listener.onText(refused.asText());
            }
        }
        JsonNode calls = delta.get("tool_calls");
        if (calls == null || !calls.isArray()) {
            return;
        }
        int position = 0;
        for (JsonNode call : calls) {
            int index = call.path("index").asInt(position++);
            JsonNode fn = call.path("function");
            String args = fn.has("arguments") ? OpenAiWire.argumentsText(fn.get("arguments")) : "";
            ToolCallAssembler.Partial p = tools.add(index, call.path("id").asText(null), fn.path("name").asText(null), args);
            listener.onToolCallDelta(index, p.id(), p.name(), args);
        }
    }

    private void completeToolCalls() {
        try {
            for (ToolCall call : tools.completeRemaining()) {
                completed.add(call);
                listener.onToolCall(call);
            }
        } catch (IllegalStateException e) {
            throw new ModelException.MalformedResponse(client.provider(),
                    client.provider() + " stream: " + e.getMessage(), null);
        }
    }

    /** Ends the stream: the assembled answer, or the error that the ending implies. */
    ChatResponse finish(ProviderClient.StreamEnd end) {
        String p = client.provider();
        if (end == ProviderClient.StreamEnd.CUT_MID_EVENT) {
            throw new ModelException.Connection(p, p + " stream ended in the middle of an event" + pendingCall(), null);
        }
        if (!done && finishReason == null) {
            // The server closed the stream cleanly without finishing the answer: it does not speak this
            // protocol (or not correctly). Asking again would get the same answer, so this is not retryable.
            throw new ModelException.MalformedResponse(p,
                    p + " stream ended without finishing the answer (no finish_reason, no [DONE])" + pendingCall()
                            + "; is the server really OpenAI-compatible?", null);
        }
        completeToolCalls();
        if (usage != null) {
            listener.onUsage(usage);
        }
        FinishReason reason = OpenAiWire.finishReason(finishReason, !completed.isEmpty());
        String answer = text.toString();
        if (answer.isEmpty() && refusal.length() > 0) {
            answer = refusal.toString();
            reason = FinishReason.CONTENT_FILTER;
        }
        ChatResponse response = new ChatResponse(new AssistantMessage(answer, completed), reason, usage, model, id);
        listener.onComplete(response);
        return response;
    }

    private String pendingCall() {
        List<ToolCall> pending = tools.all();
        if (pending.isEmpty() || finishReason != null) {
            return "";
        }
        ToolCall last = pending.get(pending.size() - 1);
        return "; tool call '" + last.name() + "' was cut after " + last.arguments().length() + " characters of arguments";
    }
}
