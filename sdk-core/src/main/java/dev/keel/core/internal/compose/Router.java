package dev.keel.core.internal.compose;

import dev.keel.core.ChatModel;
import dev.keel.core.ChatRequest;
import dev.keel.core.ChatResponse;
import dev.keel.core.ModelEvent;
import dev.keel.core.StreamListener;
import dev.keel.core.message.Message;
import dev.keel.core.message.UserMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * docker-agent's rule-based routing: the last user message picks the route whose example matches best
 * ({@link RouteMatcher}), else the default model. Thread-safe; closing it closes the default and every route.
 */
public final class Router implements ChatModel {
    private final String id;
    private final ChatModel defaultModel;
    private final List<ChatModel> routes;
    private final RouteMatcher matcher;
    private final Consumer<ModelEvent> events;

    public Router(String id, ChatModel defaultModel, List<ChatModel> routes, List<List<String>> examples,
                  Consumer<ModelEvent> events) {
        this.id = Objects.requireNonNull(id, "id");
        this.defaultModel = Objects.requireNonNull(defaultModel, "defaultModel");
        this.routes = List.copyOf(routes);
        if (examples.size() != this.routes.size()) {
            throw new IllegalArgumentException("one list of examples per route");
        }
        this.matcher = new RouteMatcher(examples);
        this.events = Objects.requireNonNull(events, "events");
    }

    private ChatModel route(ChatRequest request, StreamListener listener) {
        String message = lastUserMessage(request.messages());
        ChatModel chosen;
        String reason;
        if (message == null) {
            chosen = defaultModel;
            reason = "no user message; default model";
        } else {
            Optional<RouteMatcher.Match> match = matcher.best(message);
            if (match.isPresent()) {
                chosen = routes.get(match.get().route());
                reason = String.format(Locale.ROOT, "matched example \"%s\" (score %.2f)", match.get().example(),
                        match.get().score());
            } else {
                chosen = defaultModel;
                reason = "no example matched; default model";
            }
        }
        EventSink.emit(events, listener, new ModelEvent.Selected(id, chosen.id(), reason));
        return chosen;
    }

    private static String lastUserMessage(List<Message> messages) {
        for (int i = messages.size() - 1; i >= 0; i--) {
            if (messages.get(i) instanceof UserMessage u) {
                return u.text();
            }
        }
        return null;
    }

    @Override
    public ChatResponse chat(ChatRequest request) {
        return route(request, null).chat(request);
    }

    @Override
    public ChatResponse stream(ChatRequest request, StreamListener listener) {
        return route(request, listener).stream(request, listener);
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public void close() {
        List<ChatModel> all = new ArrayList<>(routes);
        all.add(0, defaultModel);
        Members.closeAll(all);
    }

    @Override
    public String toString() {
        return "Router[" + id + ", " + routes.size() + " routes]";
    }
}
