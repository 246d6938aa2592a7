package dev.keel.sandbox;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a number of booted sandboxes ready, so that {@link #acquire()} hands one out without waiting
 * for a boot. Each acquired sandbox belongs to the caller (close it when done; it is never reused,
 * so every user starts clean); the pool boots a replacement in the background. An idle sandbox whose VM
 * dies is dropped and replaced at once. Closing the pool destroys the idle sandboxes. Thread-safe.
 */
public final class SandboxPool implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SandboxPool.class);

    private final SandboxProvider provider;
    private final SandboxSpec template;
    private final int size;
    private final LinkedBlockingDeque<Sandbox> idle = new LinkedBlockingDeque<>();
    private final ExecutorService booter;
    private final AtomicInteger counter = new AtomicInteger();
    private final AtomicInteger booting = new AtomicInteger();
    private volatile boolean closed;
    private volatile RuntimeException lastFailure;

    private SandboxPool(SandboxProvider provider, SandboxSpec template, int size) {
        this.provider = provider;
        this.template = template;
        this.size = size;
        this.booter = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "keel-sandbox-pool-" + template.name());
            t.setDaemon(true);
            return t;
        });
        refill();
    }

    /**
     * Starts a pool that keeps {@code size} sandboxes like {@code template} ready (named
     * {@code <template name>-<n>}). Booting starts at once, in the background.
     *
     * @param provider boots the sandboxes
     * @param template the spec every sandbox is booted from
     * @param size how many sandboxes to keep ready
     * @return the pool; close it to destroy the ready sandboxes
     */
    public static SandboxPool create(SandboxProvider provider, SandboxSpec template, int size) {
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(template, "template");
        if (size < 1 || size > 64) {
            throw new InvalidSandboxSpecException("pool size must be between 1 and 64, was " + size);
        }
        template.checkWorkspacesExist();
        return new SandboxPool(provider, template, size);
    }

    private void refill() {
        while (!closed && idle.size() + booting.get() < size) {
            booting.incrementAndGet();
            try {
                booter.execute(this::bootOne);
            } catch (java.util.concurrent.RejectedExecutionException closing) {
                booting.decrementAndGet();
                return;
            }
        }
    }

    private void bootOne() {
        try {
            if (closed) {
                return;
            }
            Sandbox box = provider.create(template.withName(template.name() + "-" + counter.incrementAndGet()));
            // one command before it is handed out: a restored VM's first command pays for warming the emulator's
            // code caches (a few hundred ms under TCG); here it is off the acquirer's clock
            try {
                box.run(dev.keel.core.exec.Command.of("true").withTimeout(Duration.ofMinutes(1)));
            } catch (RuntimeException e) {
                box.close();
                throw e;
            }
            if (closed) {
                box.close();
                return;
            }
            idle.add(box);
            lastFailure = null;
            box.onExit().thenRun(() -> {
                if (idle.remove(box)) { // died while waiting to be handed out
                    log.warn("pooled sandbox {} ended ({}); booting a replacement", box.name(), box.state());
                    refill();
                }
            });
        } catch (RuntimeException e) {
            lastFailure = e;
            log.warn("pool {} could not boot a sandbox: {}", template.name(), e.getMessage());
            sleepQuietly(1000);
        } finally {
            booting.decrementAndGet();
        }
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Takes a ready sandbox, waiting up to the template's boot timeout when none is ready.
     *
     * @return the sandbox; closing it destroys it
     */
    public Sandbox acquire() {
        return acquire(template.bootTimeout());
    }

    /**
     * Takes a ready sandbox, waiting at most {@code timeout}.
     *
     * @param timeout the longest wait
     * @return the sandbox; closing it destroys it
     * @throws SandboxBootException when none became ready in time (with the last boot failure as cause)
     * @throws SandboxClosedException when the pool is closed
     */
    public Sandbox acquire(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (closed) {
                throw new SandboxClosedException("sandbox pool " + template.name() + " is closed");
            }
            Sandbox box;
            try {
                box = idle.poll(50, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SandboxBootException("interrupted while waiting for a pooled sandbox");
            }
            if (box != null && box.state() == SandboxState.RUNNING) {
                refill();
                return box;
            }
            refill();
            if (System.nanoTime() > deadline) {
                RuntimeException cause = lastFailure;
                throw new SandboxBootException("no pooled sandbox ready within " + timeout.toMillis() + " ms", cause);
            }
        }
    }

    /**
     * How many sandboxes are booted and waiting.
     *
     * @return how many sandboxes are booted and waiting
     */
    public int ready() {
        return idle.size();
    }

    /** Destroys the idle sandboxes; sandboxes already handed out stay with their owners. Idempotent. */
    @Override
    public void close() {
        closed = true;
        booter.shutdownNow();
        List<Sandbox> rest = new ArrayList<>();
        idle.drainTo(rest);
        rest.forEach(Sandbox::close);
        try {
            booter.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        idle.drainTo(rest);
        rest.forEach(Sandbox::close);
    }

    @Override
    public String toString() {
        return "SandboxPool[" + template.name() + ", size " + size + ", ready " + idle.size() + (closed ? ", closed" : "") + "]";
    }
}
