package dev.keel.core.internal.compose;

import dev.keel.core.ChatModel;
import dev.keel.core.ChatRequest;
import dev.keel.core.ChatResponse;
import dev.keel.core.ModelEvent;
import dev.keel.core.ModelException;
import dev.keel.core.StreamListener;
import dev.keel.core.Usage;
import dev.keel.core.internal.http.ModelErrors;
import dev.keel.core.message.ToolCall;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A primary model and its fallbacks with docker-agent's retry, move-on and cooldown rules (documented on
 * {@link dev.keel.core.models.ModelSpec.Fallback}). Thread-safe: the cooldown is the only shared state and is
 * guarded by this object's monitor; calls run concurrently. Closing it closes every model of the chain.
 */
public final class FallbackChain implements ChatModel {
    private final List<ChatModel> chain;
    private final int retries;
    private final Duration cooldown;
    private final Clock clock;
    private final Backoff backoff;
    private final Consumer<ModelEvent> events;
    private final String id;
    /** Chain index the calls start at while the cooldown lasts; 0 = the primary. */
    private int pinned;
    private Instant pinnedUntil = Instant.MIN;

    public FallbackChain(String id, List<ChatModel> chain, int retries, Duration cooldown, Clock clock, Backoff backoff,
                         Consumer<ModelEvent> events) {
        this.id = Objects.requireNonNull(id, "id");
        this.chain = List.copyOf(chain);
        if (this.chain.isEmpty()) {
            throw new IllegalArgumentException("a fallback chain needs a primary model");
        }
        this.retries = retries;
        this.cooldown = Objects.requireNonNull(cooldown, "cooldown");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.backoff = Objects.requireNonNull(backoff, "backoff");
        this.events = Objects.requireNonNull(events, "events");
    }

    @Override
    public ChatResponse chat(ChatRequest request) {
        return run(Objects.requireNonNull(request, "request"), null);
    }

    @Override
    public ChatResponse stream(ChatRequest request, StreamListener listener) {
        return run(Objects.requireNonNull(request, "request"), Objects.requireNonNull(listener, "listener"));
    }

    private ChatResponse run(ChatRequest request, StreamListener listener) {
        int start = startIndex();
        List<ModelException> failures = new ArrayList<>();
        boolean primaryFailedHard = false;
        int attempts = 0;
        for (int i = start; i < chain.size(); i++) {
            ChatModel model = chain.get(i);
            if (i > start) {
                EventSink.emit(events, listener, new ModelEvent.FellBack(chain.get(i - 1).id(), model.id(),
                        failures.get(failures.size() - 1)));
            }
            int maxAttempts = 1 + retries;
            for (int attempt = 1; attempt <= maxAttempts; attempt++) {
                attempts++;
                Attempt one = listener == null ? null : new Attempt(listener);
                try {
                    ChatResponse response = one == null ? model.chat(request) : model.stream(request, one);
                    answered(i, primaryFailedHard);
                    EventSink.emit(events, listener, new ModelEvent.Answered(model.id(), attempts, i == start && start > 0));
                    if (listener != null) {
                        listener.onComplete(response);
                    }
                    return response;
                } catch (ModelException e) {
                    failures.add(e);
                    if (Thread.currentThread().isInterrupted()) {
                        throw fail(failures, listener);
                    }
                    if (!retriesOnSameModel(e)) {
                        primaryFailedHard |= i == 0;
                        break;
                    }
                    if (attempt < maxAttempts) {
                        Duration wait = backoff.delay(attempt);
                        EventSink.emit(events, listener, new ModelEvent.Retrying(model.id(), attempt, maxAttempts, e, wait));
                        sleep(wait, e.provider(), failures, listener);
                    }
                }
            }
        }
        throw fail(failures, listener);
    }

    /**
     * docker-agent retries the same model on server errors, timeouts and dropped connections; everything else
     * (429 included: the provider asks us to slow down) moves to the next model.
     */
    static boolean retriesOnSameModel(ModelException e) {
        return e instanceof ModelException.ServerError || e instanceof ModelException.Timeout
                || e instanceof ModelException.Connection;
    }

    private synchronized int startIndex() {
        if (pinned > 0 && clock.instant().isBefore(pinnedUntil)) {
            return pinned;
        }
        pinned = 0;
        return 0;
    }

    private synchronized void answered(int index, boolean primaryFailedHard) {
        if (index == 0) {
            pinned = 0;
        } else if (primaryFailedHard && !cooldown.isZero()) {
            pinned = index;
            pinnedUntil = clock.instant().plus(cooldown);
        }
    }

    private static ModelException fail(List<ModelException> failures, StreamListener listener) {
        ModelException last = failures.get(failures.size() - 1);
        for (ModelException earlier : failures.subList(0, failures.size() - 1)) {
            if (earlier != last) {
                last.addSuppressed(earlier);
            }
        }
        if (listener != null) {
            listener.onError(last);
        }
        return last;
    }

    private static void sleep(Duration wait, String provider, List<ModelException> failures, StreamListener listener) {
        if (wait.isZero()) {
            return;
        }
        try {
            Thread.sleep(wait.toMillis(), (int) (wait.toNanos() % 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failures.add(ModelErrors.interrupted(provider));
            throw fail(failures, listener);
        }
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public void close() {
        Members.closeAll(chain);
    }

    @Override
    public synchronized String toString() {
        return "FallbackChain[" + id + ", retries=" + retries + ", cooldown=" + cooldown
                + (pinned > 0 ? ", pinned to " + chain.get(pinned).id() + " until " + pinnedUntil : "") + "]";
    }

    /**
     * Passes one attempt's events on to the caller's listener, except its ending: a failed attempt's
     * {@code onError} is not the end of the call, and the chain completes the call itself after reporting which
     * model answered.
     */
    private static final class Attempt implements StreamListener {
        private final StreamListener target;

        Attempt(StreamListener target) {
            this.target = target;
        }

        @Override
        public void onText(String delta) {
            target.onText(delta);
        }

        @Override
        public void onReasoning(String delta) {
            target.onReasoning(delta);
        }

        @Override
        public void onToolCallDelta(int index, String id, String name, String argumentsDelta) {
            target.onToolCallDelta(index, id, name, argumentsDelta);
        }

        @Override
        public void onToolCall(ToolCall call) {
            target.onToolCall(call);
        }

        @Override
        public void onUsage(Usage usage) {
            target.onUsage(usage);
        }

        @Override
        public void onModelEvent(ModelEvent event) {
            target.onModelEvent(event);
        }
    }
}
