package dev.keel.core.models;

import dev.keel.core.ChatModel;
import dev.keel.core.ChatRequest;
import dev.keel.core.ChatResponse;
import dev.keel.core.ModelException;
import dev.keel.core.StreamListener;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A model built at its first call, when its variables are read: a configuration resolves without its key being
 * set, and a missing key is a {@link ModelException.MissingVariable} at the first call (not remembered: setting the
 * variable and calling again works). Thread-safe; closing it closes the built model, if any, and makes later calls
 * fail.
 */
final class LazyModel implements ChatModel {
    private final String id;
    private final Supplier<ChatModel> factory;
    private ChatModel model;
    private boolean closed;

    LazyModel(String id, Supplier<ChatModel> factory) {
        this.id = Objects.requireNonNull(id, "id");
        this.factory = Objects.requireNonNull(factory, "factory");
    }

    private synchronized ChatModel model() {
        if (closed) {
            throw new IllegalStateException(id + " model is closed");
        }
        if (model == null) {
            model = factory.get();
        }
        return model;
    }

    @Override
    public ChatResponse chat(ChatRequest request) {
        return model().chat(request);
    }

    @Override
    public ChatResponse stream(ChatRequest request, StreamListener listener) {
        ChatModel m;
        try {
            m = model();
        } catch (ModelException e) {
            listener.onError(e);
            throw e;
        }
        return m.stream(request, listener);
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public void close() {
        ChatModel built;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            built = model;
        }
        if (built != null) {
            built.close();
        }
    }

    @Override
    public synchronized String toString() {
        return "LazyModel[" + id + (model == null ? ", not called yet" : ", " + model) + (closed ? ", closed" : "") + "]";
    }
}
