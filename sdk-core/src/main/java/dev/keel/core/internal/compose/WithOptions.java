package dev.keel.core.internal.compose;

import dev.keel.core.ChatModel;
import dev.keel.core.ChatOptions;
import dev.keel.core.ChatRequest;
import dev.keel.core.ChatResponse;
import dev.keel.core.StreamListener;
import dev.keel.core.internal.provider.ChatOptionsMerge;
import java.util.List;
import java.util.Objects;

/**
 * A member of a composite with its configuration's generation options laid under each request's (request fields
 * win), so that every member of a fallback chain or router keeps its own temperature, token limit and reasoning
 * budget. Thread-safe; closing it closes the member.
 */
public final class WithOptions implements ChatModel {
    private final ChatModel model;
    private final ChatOptions options;

    public WithOptions(ChatModel model, ChatOptions options) {
        this.model = Objects.requireNonNull(model, "model");
        this.options = Objects.requireNonNull(options, "options");
    }

    /** {@code model} itself when {@code options} are the defaults. */
    public static ChatModel of(ChatModel model, ChatOptions options) {
        return options.equals(ChatOptions.defaults()) ? model : new WithOptions(model, options);
    }

    private ChatRequest apply(ChatRequest request) {
        return request.withOptions(ChatOptionsMerge.merge(options, request.options()));
    }

    @Override
    public ChatResponse chat(ChatRequest request) {
        return model.chat(apply(request));
    }

    @Override
    public ChatResponse stream(ChatRequest request, StreamListener listener) {
        return model.stream(apply(request), listener);
    }

    @Override
    public String id() {
        return model.id();
    }

    @Override
    public void close() {
        Members.closeAll(List.of(model));
    }

    @Override
    public String toString() {
        return "WithOptions[" + model + "]";
    }
}
