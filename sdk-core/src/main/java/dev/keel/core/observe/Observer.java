package dev.keel.core.observe;

import java.util.Optional;

/**
 * Receives the {@link Observation}s reported while it is part of the current {@link ObservationContext}.
 * An observer is usually bound to one place (a span, a recorded step): whoever starts a step puts a new
 * observer for it into the context ({@link ObservationContext#with}). Implementations must be thread-safe and
 * fast; an exception they throw is logged and otherwise ignored.
 */
@FunctionalInterface
public interface Observer {

    /**
     * Called when a component finishes an operation.
     *
     * @param observation what happened
     */
    void observe(Observation observation);

    /**
     * The W3C trace context ({@code traceparent} header value) that outgoing requests made at this place should
     * carry, if this observer traces.
     *
     * @return the header value, or empty
     */
    default Optional<String> traceparent() {
        return Optional.empty();
    }

    /**
     * Called on the thread where the context holding this observer becomes current, for example to make a
     * tracer's own context current as well; the returned scope is closed when the context stops being current.
     *
     * @return what to undo when the context stops being current
     */
    default ObservationContext.Scope enter() {
        return ObservationContext.Scope.NOOP;
    }
}
