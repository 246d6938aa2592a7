package dev.keel.testing.support;

import dev.keel.core.ChatResponse;
import dev.keel.core.ModelException;
import dev.keel.core.StreamListener;
import dev.keel.core.Usage;
import dev.keel.core.message.ToolCall;
import java.util.ArrayList;
import java.util.List;

/** A stream listener that writes every callback down as a line, in order. */
public final class EventLog implements StreamListener {
    public final List<String> lines = new ArrayList<>();

    @Override
    public void onText(String delta) {
        lines.add("text " + delta);
    }

    @Override
    public void onToolCallDelta(int index, String id, String name, String argumentsDelta) {
        lines.add("delta " + index + " " + id + " " + name + " " + argumentsDelta);
    }

    @Override
    public void onToolCall(ToolCall call) {
        lines.add("tool " + call);
    }

    @Override
    public void onUsage(Usage usage) {
        lines.add("usage " + usage);
    }

    @Override
    public void onComplete(ChatResponse response) {
        lines.add("complete " + response);
    }

    @Override
    public void onError(ModelException error) {
        lines.add("error " + error.getClass().getSimpleName() + " " + error.getMessage());
    }
}
