package dev.keel.agents;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A run started with {@link Runner#start}: its events as a blocking iterator, its result, and
 * cancellation. The iterator ends after the run's {@link AgentEvent.RunCompleted} or
 * {@link AgentEvent.RunFailed}. Thread-safe, but the iterator is meant for one consumer.
 */
public final class RunHandle implements Iterable<AgentEvent> {
    private final BlockingQueue<AgentEvent> queue = new LinkedBlockingQueue<>();
    private final CompletableFuture<AgentResult> result = new CompletableFuture<>();
    private final AtomicBoolean cancelled = new AtomicBoolean();
    private volatile Thread thread;

    RunHandle() {}

    void offer(AgentEvent event) {
        queue.add(event);
    }

    void started(Thread thread) {
        this.thread = thread;
        if (cancelled.get()) {
            thread.interrupt();
        }
    }

    void complete(AgentResult r) {
        result.complete(r);
    }

    void fail(Throwable t) {
        result.completeExceptionally(t);
    }

    boolean isCancelled() {
        return cancelled.get();
    }

    /** Asks the run to stop: the model call in flight and running tools are interrupted. Idempotent. */
    public void cancel() {
        if (cancelled.compareAndSet(false, true)) {
            Thread t = thread;
            if (t != null) {
                t.interrupt();
            }
        }
    }

    /**
     * Whether the run has finished, successfully or not.
     *
     * @return whether the run has finished
     */
    public boolean isDone() {
        return result.isDone();
    }

    /**
     * Waits for the run to finish.
     *
     * @return the run's result
     * @throws AgentException when the run failed or was cancelled
     */
    public AgentResult await() {
        try {
            return result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AgentException.Cancelled("interrupted while waiting for the run");
        } catch (CancellationException e) {
            throw new AgentException.Cancelled("run cancelled");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof AgentException a) {
                throw a;
            }
            throw new AgentException("run failed: " + e.getCause(), e.getCause());
        }
    }

    /** Blocking iterator over the run's events; {@code hasNext} waits for the next one. */
    @Override
    public Iterator<AgentEvent> iterator() {
        return new Iterator<>() {
            private AgentEvent next;
            private boolean finished;

            @Override
            public boolean hasNext() {
                if (next != null) {
                    return true;
                }
                if (finished) {
                    return false;
                }
                try {
                    next = queue.take();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    finished = true;
                    return false;
                }
                if (next instanceof AgentEvent.RunCompleted || next instanceof AgentEvent.RunFailed) {
                    finished = true;
                }
                return true;
            }

            @Override
            public AgentEvent next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                AgentEvent e = next;
                next = null;
                return e;
            }
        };
    }

    @Override
    public String toString() {
        return "RunHandle[" + (isDone() ? "done" : cancelled.get() ? "cancelling" : "running") + "]";
    }
}
