package dev.keel.core.observe;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The observers of what runs on this thread now: an immutable set of {@link Observer}s, each under the key of
 * whoever installed it (so a tracer replaces its own observer per step and leaves a recorder's alone).
 *
 * <p>Components report with {@code ObservationContext.current().report(observation)}; the agent runner makes a
 * context current around every step and carries it to the threads it starts ({@link #wrap(Runnable)}). Hosts
 * can do the same around their own code:
 *
 * <pre>{@code
 * try (ObservationContext.Scope s = ObservationContext.current().with(this, myObserver).makeCurrent()) {
 *     retriever.retrieve(question);              // reports a Retrieval to myObserver
 * }
 * }</pre>
 *
 * <p>The current context is kept per thread (like OpenTelemetry's {@code Context}); this thread-local is the
 * one piece of process-wide state Keel has, and it only ever holds immutable values. Instances are immutable
 * and thread-safe.
 */
public final class ObservationContext {
    private static final Logger LOG = LoggerFactory.getLogger(ObservationContext.class);
    private static final ObservationContext EMPTY = new ObservationContext(Map.of());
    private static final ThreadLocal<ObservationContext> CURRENT = new ThreadLocal<>();

    /** Undoes {@link #makeCurrent()}. Closing twice is harmless. */
    @FunctionalInterface
    public interface Scope extends AutoCloseable {
        /** A scope with nothing to undo. */
        Scope NOOP = () -> { };

        /** Restores what was current before. */
        @Override
        void close();
    }

    private final Map<Object, Observer> observers;
    private final Observer[] ordered;

    private ObservationContext(Map<Object, Observer> observers) {
        this.observers = observers;
        this.ordered = observers.values().toArray(Observer[]::new);
    }

    /**
     * The context current on this thread (the empty context when none is).
     *
     * @return the current context
     */
    public static ObservationContext current() {
        ObservationContext c = CURRENT.get();
        return c == null ? EMPTY : c;
    }

    /**
     * The context without observers.
     *
     * @return the empty context
     */
    public static ObservationContext empty() {
        return EMPTY;
    }

    /**
     * A copy where {@code observer} is installed under {@code key}, replacing what was there under that key.
     *
     * @param key whoever installs it (compared with {@code equals})
     * @param observer the observer
     * @return the new context
     */
    public ObservationContext with(Object key, Observer observer) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(observer, "observer");
        if (observers.get(key) == observer) {
            return this;
        }
        if (observers.isEmpty() || observers.size() == 1 && observers.containsKey(key)) {
            return new ObservationContext(Map.of(key, observer)); // the common case: one tracer, per step
        }
        Map<Object, Observer> copy = new LinkedHashMap<>(observers);
        copy.put(key, observer);
        return new ObservationContext(Collections.unmodifiableMap(copy));
    }

    /**
     * A copy without the observer under {@code key}.
     *
     * @param key whoever installed it
     * @return the new context
     */
    public ObservationContext without(Object key) {
        if (!observers.containsKey(key)) {
            return this;
        }
        Map<Object, Observer> copy = new LinkedHashMap<>(observers);
        copy.remove(key);
        return copy.isEmpty() ? EMPTY : new ObservationContext(Collections.unmodifiableMap(copy));
    }

    /**
     * The observer installed under {@code key}.
     *
     * @param key whoever installed it
     * @return the observer, or empty
     */
    public Optional<Observer> observer(Object key) {
        return Optional.ofNullable(observers.get(key));
    }

    /**
     * Whether nobody observes: components may skip building an observation then.
     *
     * @return whether there is no observer
     */
    public boolean isEmpty() {
        return ordered.length == 0;
    }

    /**
     * Reports {@code observation} to every observer, in the order they were installed. An observer that
     * throws is logged and skipped.
     *
     * @param observation what happened
     */
    public void report(Observation observation) {
        Objects.requireNonNull(observation, "observation");
        for (Observer o : ordered) {
            try {
                o.observe(observation);
            } catch (RuntimeException e) {
                LOG.warn("observer {} failed on {}", o, observation.name(), e);
            }
        }
    }

    /**
     * The W3C {@code traceparent} value outgoing requests should carry: the first observer's that has one.
     *
     * @return the header value, or empty when nothing traces
     */
    public Optional<String> traceparent() {
        for (Observer o : ordered) {
            Optional<String> t = o.traceparent();
            if (t.isPresent()) {
                return t;
            }
        }
        return Optional.empty();
    }

    /**
     * Makes this context current on this thread until the returned scope is closed (in try-with-resources).
     *
     * @return the scope that restores the previous context
     */
    public Scope makeCurrent() {
        ObservationContext previous = CURRENT.get();
        CURRENT.set(this == EMPTY ? null : this);
        List<Scope> entered = ordered.length == 0 ? List.of() : new ArrayList<>(ordered.length);
        for (Observer o : ordered) {
            try {
                entered.add(o.enter());
            } catch (RuntimeException e) {
                LOG.warn("observer {} failed to enter", o, e);
            }
        }
        return new Scope() {
            private boolean closed;

            @Override
            public void close() {
                if (closed) {
                    return;
                }
                closed = true;
                for (int i = entered.size() - 1; i >= 0; i--) {
                    entered.get(i).close();
                }
                CURRENT.set(previous);
            }
        };
    }

    /**
     * {@code task}, running with this context current (for work handed to another thread).
     *
     * @param task the task
     * @return the wrapped task
     */
    public Runnable wrap(Runnable task) {
        Objects.requireNonNull(task, "task");
        if (isEmpty()) {
            return task;
        }
        return () -> {
            try (Scope ignored = makeCurrent()) {
                task.run();
            }
        };
    }

    /**
     * {@code task}, running with this context current (for work handed to another thread).
     *
     * @param task the task
     * @param <T> the task's result type
     * @return the wrapped task
     */
    public <T> Callable<T> wrap(Callable<T> task) {
        Objects.requireNonNull(task, "task");
        if (isEmpty()) {
            return task;
        }
        return () -> {
            try (Scope ignored = makeCurrent()) {
                return task.call();
            }
        };
    }

    @Override
    public String toString() {
        return "ObservationContext" + observers.keySet();
    }
}
