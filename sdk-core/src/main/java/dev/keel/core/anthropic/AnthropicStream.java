package dev.keel.core.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.ChatResponse;
import dev.keel.core.ModelException;
import dev.keel.core.StreamListener;
import dev.keel.core.Usage;
import dev.keel.core.internal.http.ProviderClient;
import dev.keel.core.internal.provider.ToolCallAssembler;
import dev.keel.core.internal.sse.SseEvent;
import dev.keel.core.message.AssistantMessage;
import dev.keel.core.message.Reasoning;
import dev.keel.core.message.ToolCall;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Folds one streamed Messages answer into a {@link ChatResponse}: {@code message_start},
 * {@code content_block_start/delta/stop}, {@code message_delta}, {@code message_stop}, {@code ping} and
 * {@code error} events. Unknown event and delta types are ignored, as Anthropic asks clients to do.
 * Not thread-safe: one per stream.
 */
final class AnthropicStream {
    private final ProviderClient client;
    private final StreamListener listener;
    private final StringBuilder text = new StringBuilder();
    private final ToolCallAssembler tools = new ToolCallAssembler();
    /** content block index → tool call ordinal (0, 1, … in the order the calls appear). */
    private final Map<Integer, Integer> toolBlocks = new HashMap<>();
    private final List<ToolCall> completed = new ArrayList<>();
    /** content block index → thinking block being streamed (its text and signature). */
    private final Map<Integer, StringBuilder[]> thinkingBlocks = new HashMap<>();
    private final List<Reasoning> reasoning = new ArrayList<>();
    private String id = "";
    private String model = "";
    private String stopReason;
    private Usage usage;
    private boolean started;
    private boolean done;

    AnthropicStream(ProviderClient client, StreamListener listener) {
        this.client = client;
        this.listener = listener;
    }

    /** Handles one event; false once {@code message_stop} arrived. */
    boolean onEvent(SseEvent event) {
        JsonNode data = client.parseJson(event.data());
        String type = data.path("type").asText(event.event());
        switch (type) {
            case "message_start" -> {
                JsonNode message = data.path("message");
                id = message.path("id").asText("");
                model = message.path("model").asText("");
                usage = AnthropicWire.usage(message.path("usage"), null);
                started = true;
            }
            case "content_block_start" -> onBlockStart(data.path("index").asInt(-1), data.path("content_block"));
            case "content_block_delta" -> onBlockDelta(data.path("index").asInt(-1), data.path("delta"));
            case "content_block_stop" -> onBlockStop(data.path("index").asInt(-1));
            case "message_delta" -> {
                String reason = data.path("delta").path("stop_reason").asText(null);
                if (reason != null) {
                    stopReason = reason;
                }
                usage = AnthropicWire.usage(data.path("usage"), usage);
            }
            case "message_stop" -> {
                done = true;
                return false;
            }
            case "error" -> throw AnthropicWire.streamError(client.provider(), data.path("error"));
            default -> { } // ping and future event types
        }
        return true;
    }

    private void onBlockStart(int index, JsonNode block) {
        requireStarted();
        switch (block.path("type").asText()) {
            case "text" -> appendText(block.path("text").asText(""));
            case "tool_use" -> {
                int ordinal = toolBlocks.size();
                toolBlocks.put(index, ordinal);
                String callId = block.path("id").asText("");
                String name = block.path("name").asText("");
                if (callId.isEmpty() || name.isEmpty()) {
                    throw malformed("tool_use block " + index + " without id or name");
                }
                tools.add(ordinal, callId, name, null);
                listener.onToolCallDelta(ordinal, callId, name, "");
            }
            case AnthropicWire.THINKING -> {
                StringBuilder thought = new StringBuilder(block.path("thinking").asText(""));
                thinkingBlocks.put(index, new StringBuilder[] {thought, new StringBuilder(block.path("signature").asText(""))});
                if (thought.length() > 0) {
                    listener.onReasoning(thought.toString());
                }
            }
            case AnthropicWire.REDACTED_THINKING -> reasoning.add(AnthropicWire.redactedThinking(block.path("data").asText("")));
            default -> { } // server-side tool blocks are not part of the answer
        }
    }

    private void onBlockDelta(int index, JsonNode delta) {
        requireStarted();
        switch (delta.path("type").asText()) {
            case "text_delta" -> appendText(delta.path("text").asText(""));
            case "input_json_delta" -> {
                Integer ordinal = toolBlocks.get(index);
                if (ordinal == null) {
                    throw malformed("input_json_delta for block " + index + ", which is not a tool_use block");
                }
                String partial = delta.path("partial_json").asText("");
                ToolCallAssembler.Partial p = tools.add(ordinal, null, null, partial);
                listener.onToolCallDelta(ordinal, p.id(), p.name(), partial);
            }
            case "thinking_delta" -> {
                String thought = delta.path("thinking").asText("");
                thinkingBlock(index)[0].append(thought);
                if (!thought.isEmpty()) {
                    listener.onReasoning(thought);
                }
            }
            case "signature_delta" -> thinkingBlock(index)[1].append(delta.path("signature").asText(""));
            default -> { } // citations_delta and future delta types
        }
    }

    private StringBuilder[] thinkingBlock(int index) {
        StringBuilder[] block = thinkingBlocks.get(index);
        if (block == null) {
            throw malformed("thinking delta for block " + index + ", which is not a thinking block");
        }
        return block;
    }

    private void onBlockStop(int index) {
        StringBuilder[] thought = thinkingBlocks.remove(index);
        if (thought != null) {
            reasoning.add(AnthropicWire.thinking(thought[0].toString(), thought[1].toString()));
            return;
        }
        Integer ordinal = toolBlocks.get(index);
        if (ordinal == null) {
            return;
        }
        ToolCall raw = tools.complete(ordinal);
        ToolCall call = new ToolCall(raw.id(), raw.name(), AnthropicWire.canonicalArguments(raw.arguments()));
        completed.add(call);
        listener.onToolCall(call);
    }

    private void appendText(String delta) {
        if (!delta.isEmpty()) {
            text.append(delta);
            listener.onText(delta);
        }
    }

    private void requireStarted() {
        if (!started) {
            throw malformed("content before message_start");
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
        if (!done) {
            // A clean end of stream without message_stop: not the Messages protocol, or a broken server.
            // Asking again would get the same answer, so this is not retryable.
            throw new ModelException.MalformedResponse(p, p + " stream ended without message_stop" + pendingCall()
                    + (started ? "" : "; no message_start either: is this an Anthropic Messages endpoint?"), null);
        }
        if (completed.size() != toolBlocks.size()) {
            throw malformed("message_stop before every tool_use block was stopped");
        }
        if (usage != null) {
            listener.onUsage(usage);
        }
        ChatResponse response = new ChatResponse(new AssistantMessage(text.toString(), completed, reasoning),
                AnthropicWire.finishReason(stopReason), usage, model, id);
        listener.onComplete(response);
        return response;
    }

    private String pendingCall() {
        for (ToolCall c : tools.all()) {
            if (completed.stream().noneMatch(done -> done.id().equals(c.id()))) {
                return "; tool call '" + c.name() + "' was cut after " + c.arguments().length() + " characters of arguments";
            }
        }
        return "";
    }
}
