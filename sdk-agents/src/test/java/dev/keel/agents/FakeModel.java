package dev.keel.agents;

import dev.keel.core.ChatModel;
import dev.keel.core.ChatRequest;
import dev.keel.core.ChatResponse;
import dev.keel.core.FinishReason;
import dev.keel.core.Usage;
import dev.keel.core.message.AssistantMessage;
import dev.keel.core.message.ToolCall;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Function;

/** A scripted in-process model for unit tests of the loop; the HTTP tests use the scripted server instead. */
final class FakeModel implements ChatModel {
    private final String id;
    private final Deque<Function<ChatRequest, ChatResponse>> script = new ArrayDeque<>();
    private final List<ChatRequest> requests = new ArrayList<>();

    FakeModel(String id) {
        this.id = id;
    }

    synchronized FakeModel text(String text) {
        script.add(r -> response(new AssistantMessage(text, List.of())));
        return this;
    }

    synchronized FakeModel calls(ToolCall... calls) {
        script.add(r -> response(new AssistantMessage("", List.of(calls))));
        return this;
    }

    synchronized FakeModel then(Function<ChatRequest, ChatResponse> step) {
        script.add(step);
        return this;
    }

    static ToolCall call(String id, String name, String args) {
        return new ToolCall(id, name, args);
    }

    static ChatResponse response(AssistantMessage m) {
        return new ChatResponse(m, m.hasToolCalls() ? FinishReason.TOOL_CALLS : FinishReason.STOP, new Usage(10, 5), "fake", "");
    }

    synchronized List<ChatRequest> requests() {
        return List.copyOf(requests);
    }

    @Override
    public ChatResponse chat(ChatRequest request) {
        Function<ChatRequest, ChatResponse> step;
        synchronized (this) {
            requests.add(request);
            step = script.poll();
        }
        if (step == null) {
            throw new AssertionError(id + ": no scripted reply left for request " + requests.size());
        }
        return step.apply(request);
    }

    @Override
    public String id() {
        return id;
    }
}
