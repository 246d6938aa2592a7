package dev.keel.core.internal.compose;

import dev.keel.core.ChatModel;
import dev.keel.core.ChatRequest;
import dev.keel.core.ChatResponse;
import dev.keel.core.ModelEvent;
import dev.keel.core.StreamListener;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * docker-agent's comma-separated models: each call goes to a member picked uniformly at random. Thread-safe (the
 * generator is used under its own monitor). Closing it closes every member.
 */
public final class Alternation implements ChatModel {
    private final String id;
    private final List<ChatModel> models;
    private final RandomGenerator random;
    private final Consumer<ModelEvent> events;

    public Alternation(String id, List<ChatModel> models, RandomGenerator random, Consumer<ModelEvent> events) {
        this.id = Objects.requireNonNull(id, "id");
        this.models = List.copyOf(models);
        this.random = Objects.requireNonNull(random, "random");
        this.events = Objects.requireNonNull(events, "events");
        if (this.models.isEmpty()) {
            throw new IllegalArgumentException("alternates need at least one model");
        }
    }

    private ChatModel pick(StreamListener listener) {
        int i;
        synchronized (random) {
            i = random.nextInt(models.size());
        }
        ChatModel chosen = models.get(i);
        EventSink.emit(events, listener, new ModelEvent.Selected(id, chosen.id(),
                "alternate " + (i + 1) + " of " + models.size() + ", picked at random"));
        return chosen;
    }

    @Override
    public ChatResponse chat(ChatRequest request) {
        return pick(null).chat(request);
    }

    @Override
    public ChatResponse stream(ChatRequest request, StreamListener listener) {
        return pick(listener).stream(request, listener);
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public void close() {
        Members.closeAll(models);
    }

    @Override
    public String toString() {
        return "Alternation[" + id + "]";
    }
}
