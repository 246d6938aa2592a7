package dev.keel.core.internal.compose;

import dev.keel.core.ModelEvent;
import dev.keel.core.StreamListener;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers a {@link ModelEvent} to the listener a composite was resolved with and to the stream listener of the
 * call, if any. A listener that throws is logged and ignored: reporting must not change the answer. Stateless.
 */
final class EventSink {
    private static final Logger log = LoggerFactory.getLogger(EventSink.class);

    private EventSink() {}

    static void emit(Consumer<ModelEvent> resolved, StreamListener call, ModelEvent event) {
        if (event instanceof ModelEvent.FellBack f) {
            log.warn("model {} failed ({}), falling back to {}", f.from(), f.error().getMessage(), f.to());
        } else if (event instanceof ModelEvent.Retrying r) {
            log.info("model {} failed attempt {} of {} ({}), retrying in {} ms", r.model(), r.attempt(), r.maxAttempts(),
                    r.error().getMessage(), r.backoff().toMillis());
        } else {
            log.debug("{}", event);
        }
        try {
            resolved.accept(event);
        } catch (RuntimeException e) {
            log.warn("model event listener failed on {}", event.getClass().getSimpleName(), e);
        }
        if (call != null) {
            try {
                call.onModelEvent(event);
            } catch (RuntimeException e) {
                log.warn("stream listener failed on {}", event.getClass().getSimpleName(), e);
            }
        }
    }
}
