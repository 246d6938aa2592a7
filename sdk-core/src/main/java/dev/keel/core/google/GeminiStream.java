package dev.keel.core.google;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.ChatResponse;
import dev.keel.core.ModelException;
import dev.keel.core.StreamListener;
import dev.keel.core.Usage;
import dev.keel.core.internal.http.ProviderClient;
import dev.keel.core.internal.sse.SseEvent;
import dev.keel.core.message.AssistantMessage;
import dev.keel.core.message.Reasoning;
import dev.keel.core.message.ToolCall;
import java.util.ArrayList;
import java.util.List;

/**
 * Folds a {@code streamGenerateContent?alt=sse} answer — one {@code GenerateContentResponse} per event — into a
 * {@link ChatResponse}. Text parts are deltas; each function call arrives whole in one part and is complete at
 * once; thought signatures may come on their own empty part; {@code usageMetadata} is cumulative (the last one
 * counts); the answer is finished by a chunk with a {@code finishReason}, after which the server closes the stream.
 * Not thread-safe: one per stream.
 */
final class GeminiStream {
    private final ProviderClient client;
    private final StreamListener listener;
    private final StringBuilder text = new StringBuilder();
    private final StringBuilder thoughts = new StringBuilder();
    private final List<ToolCall> calls = new ArrayList<>();
    private final List<Reasoning> signatures = new ArrayList<>();
    private String finishReason;
    private String blockReason;
    private Usage usage;
    private String model = "";
    private String id = "";
    private int chunks;

    GeminiStream(ProviderClient client, StreamListener listener) {
        this.client = client;
        this.listener = listener;
    }

    /** Handles one event; always true: the server ends the stream. */
    boolean onEvent(SseEvent event) {
        if (event.data().isBlank()) {
            return true;
        }
        JsonNode root = client.parseJson(event.data());
        if (model.isEmpty()) {
            model = root.path("modelVersion").asText("");
        }
        if (id.isEmpty()) {
            id = root.path("responseId").asText("");
        }
        GeminiWire.Chunk chunk = GeminiWire.chunk(client.provider(), root, GeminiWire.callIdPrefix(id), calls.size());
        chunks++;
        if (!chunk.thoughts().isEmpty()) {
            thoughts.append(chunk.thoughts());
            listener.onReasoning(chunk.thoughts());
        }
        if (!chunk.text().isEmpty()) {
            text.append(chunk.text());
            listener.onText(chunk.text());
        }
        for (ToolCall call : chunk.calls()) {
            int ordinal = calls.size();
            calls.add(call);
            listener.onToolCallDelta(ordinal, call.id(), call.name(), call.arguments());
            listener.onToolCall(call);
        }
        signatures.addAll(chunk.reasoning());
        if (chunk.usage() != null) {
            usage = chunk.usage();
        }
        if (chunk.finishReason() != null) {
            finishReason = chunk.finishReason();
        }
        if (chunk.blockReason() != null) {
            blockReason = chunk.blockReason();
        }
        return true;
    }

    /** Ends the stream: the assembled answer, or the error that the ending implies. */
    ChatResponse finish(ProviderClient.StreamEnd end) {
        String p = client.provider();
        if (end == ProviderClient.StreamEnd.CUT_MID_EVENT) {
            throw new ModelException.Connection(p, p + " stream ended in the middle of an event", null);
        }
        if (finishReason == null) {
            if (blockReason != null) {
                throw GeminiWire.blocked(p, blockReason);
            }
            // A clean end without a finish reason: not the Gemini protocol, or a broken server. Not retryable.
            throw new ModelException.MalformedResponse(p, p + " stream ended without a finishReason after " + chunks
                    + " chunk(s)" + (chunks == 0 ? "; is this a Gemini streamGenerateContent?alt=sse endpoint?" : ""),
                    null);
        }
        if (usage != null) {
            listener.onUsage(usage);
        }
        ChatResponse response = new ChatResponse(
                new AssistantMessage(text.toString(), calls, GeminiWire.withThoughts(thoughts.toString(), signatures)),
                GeminiWire.finishReason(finishReason, !calls.isEmpty()), usage, model, id);
        listener.onComplete(response);
        return response;
    }
}
