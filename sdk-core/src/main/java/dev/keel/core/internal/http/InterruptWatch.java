package dev.keel.core.internal.http;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;

/**
 * Cancels an OkHttp call when the thread that runs it is interrupted. A blocking socket read does not
 * notice interrupts, so one daemon thread per watch polls the registered callers every 50 ms. The thread
 * is created on first use and stopped by {@link #close()}. Thread-safe.
 */
final class InterruptWatch implements AutoCloseable {
    private static final long PERIOD_MS = 50;

    /** Stops watching one call. */
    interface Registration extends AutoCloseable {
        @Override
        void close();
    }

    private final String threadName;
    private ScheduledExecutorService scheduler;
    private boolean closed;

    InterruptWatch(String threadName) {
        this.threadName = threadName;
    }

    /** Watches the current thread until the registration is closed; an interrupt cancels {@code call}. */
    Registration watch(Call call) {
        Thread caller = Thread.currentThread();
        if (caller.isInterrupted()) {
            call.cancel();
            return () -> { };
        }
        ScheduledExecutorService s = scheduler();
        if (s == null) {
            return () -> { };
        }
        ScheduledFuture<?> task = s.scheduleWithFixedDelay(() -> {
            if (caller.isInterrupted()) {
                call.cancel();
            }
        }, PERIOD_MS, PERIOD_MS, TimeUnit.MILLISECONDS);
        return () -> task.cancel(false);
    }

    private synchronized ScheduledExecutorService scheduler() {
        if (closed) {
            return null;
        }
        if (scheduler == null) {
            scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, threadName);
                t.setDaemon(true);
                return t;
            });
        }
        return scheduler;
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }

    @Override
    public String toString() {
        return "InterruptWatch[" + threadName + "]";
    }
}
