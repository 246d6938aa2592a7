package dev.keel.agents;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A run started with {@link Runner#start}: its result and cancellation. Its events reach the runner's
 * {@link Runner#events()} subscribers like those of any run. Thread-safe.
 */
public final class RunHandle {
    private final CompletableFuture<AgentResult> result = new CompletableFuture<>();
    private final AtomicBoolean cancelled = new AtomicBoolean();
    private volatile Thread thread;

    RunHandle() {}

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

    @Override
    public String toString() {
        return "RunHandle[" + (isDone() ? "done" : cancelled.get() ? "cancelling" : "running") + "]";
    }
}
