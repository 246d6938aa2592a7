package dev.keel.core.testutil;

import dev.keel.core.ChatResponse;
import dev.keel.core.ModelEvent;
import dev.keel.core.ModelException;
import dev.keel.core.StreamListener;
import dev.keel.core.Usage;
import dev.keel.core.message.ToolCall;
import java.util.ArrayList;
import java.util.List;

/** Records every callback as a readable line, in order. */
public final class RecordingListener implements StreamListener {
    public final List<String> events = new ArrayList<>();
    public final StringBuilder text = new StringBuilder();
    public final List<ToolCall> toolCalls = new ArrayList<>();
    public final List<String> argumentDeltas = new ArrayList<>();
    public final StringBuilder reasoning = new StringBuilder();
    public final List<ModelEvent> modelEvents = new ArrayList<>();
    public ChatResponse completed;
    public ModelException error;
    public int terminalCalls;

    @Override
    public void onText(String delta) {
        events.add("text:" + delta);
        text.append(delta);
    }

    @Override
    public void onReasoning(String delta) {
        events.add("reasoning:" + delta);
        reasoning.append(delta);
    }

    @Override
    public void onModelEvent(ModelEvent event) {
        events.add("model:" + event.getClass().getSimpleName());
        modelEvents.add(event);
    }

    @Override
    public void onToolCallDelta(int index, String id, String name, String argumentsDelta) {
        events.add("delta:" + index + ":" + id + ":" + name);
        argumentDeltas.add(argumentsDelta);
    }

    @Override
    public void onToolCall(ToolCall call) {
        events.add("tool:" + call.name());
        toolCalls.add(call);
    }

    @Override
    public void onUsage(Usage usage) {
        events.add("usage:" + usage.inputTokens() + "/" + usage.outputTokens());
    }

    @Override
    public void onComplete(ChatResponse response) {
        events.add("complete");
        completed = response;
        terminalCalls++;
    }

    @Override
    public void onError(ModelException e) {
        events.add("error:" + e.getClass().getSimpleName());
        error = e;
        terminalCalls++;
    }

    /** The event kinds in order, with consecutive repeats collapsed. */
    public List<String> kinds() {
        List<String> out = new ArrayList<>();
        for (String e : events) {
            String kind = e.substring(0, e.indexOf(':') < 0 ? e.length() : e.indexOf(':'));
            if (out.isEmpty() || !out.get(out.size() - 1).equals(kind)) {
                out.add(kind);
            }
        }
        return out;
    }
}
