package dev.keel.sandbox.internal;

import dev.keel.core.exec.Command;
import dev.keel.core.exec.CommandException;
import dev.keel.core.exec.ExecResult;
import dev.keel.core.exec.OutputListener;
import dev.keel.core.observe.Observation;
import dev.keel.core.observe.ObservationContext;
import dev.keel.sandbox.Execution;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One command in the guest: collects its output (up to the limit), forwards it to the listener, and
 * completes with an {@link ExecResult} on EXIT. Frames arrive on the connection's reader thread.
 * Thread-safe.
 */
final class ExecHandle implements Execution {
    private static final Logger log = LoggerFactory.getLogger(ExecHandle.class);
    private static final int STDIN_CHUNK = 1 << 20;

    private final AgentConnection conn;
    private final int id;
    private final Command command;
    private final OutputListener listener;
    private final String where;
    private final long startNanos = System.nanoTime();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final CompletableFuture<Long> started = new CompletableFuture<>();
    private final CompletableFuture<ExecResult> result = new CompletableFuture<>();
    private volatile boolean truncated;
    private volatile boolean timedOut;
    private volatile ScheduledFuture<?> timer;

    // Whoever started the command observes it (the exit arrives on the connection's reader thread).
    private final ObservationContext observing = ObservationContext.current();

    ExecHandle(AgentConnection conn, int id, Command command, OutputListener listener, String where) {
        this.conn = conn;
        this.id = id;
        this.command = command;
        this.listener = listener;
        this.where = where;
    }

    int id() {
        return id;
    }

    void timer(ScheduledFuture<?> timer) {
        this.timer = timer;
    }

    CompletableFuture<Long> startedFuture() {
        return started;
    }

    void onFrame(AgentConnection.Frame f) {
        switch (f.type()) {
            case AgentProtocol.T_STARTED -> started.complete((long) f.u32(0));
            case AgentProtocol.T_STDOUT -> output(out, f.payload(), true);
            case AgentProtocol.T_STDERR -> output(err, f.payload(), false);
            case AgentProtocol.T_EXIT -> finish(f.u32(0));
            case AgentProtocol.T_ERROR -> fail(f.text());
            default -> log.debug("unexpected frame {} for exec {}", f.type(), id);
        }
    }

    private void output(ByteArrayOutputStream sink, byte[] chunk, boolean stdout) {
        synchronized (sink) {
            int room = command.outputLimit() - sink.size();
            if (room >= chunk.length) {
                sink.write(chunk, 0, chunk.length);
            } else {
                sink.write(chunk, 0, Math.max(room, 0));
                truncated = true;
            }
        }
        try {
            if (stdout) {
                listener.onStdout(chunk);
            } else {
                listener.onStderr(chunk);
            }
        } catch (RuntimeException e) {
            log.warn("output listener failed", e);
        }
    }

    private void finish(int code) {
        conn.unregister(id);
        cancelTimer();
        started.complete(-1L);
        String o;
        String e;
        synchronized (out) {
            o = out.toString(StandardCharsets.UTF_8);
        }
        synchronized (err) {
            e = err.toString(StandardCharsets.UTF_8);
        }
        ExecResult done = new ExecResult(code, o, e, timedOut, truncated, Duration.ofNanos(System.nanoTime() - startNanos));
        if (!observing.isEmpty()) {
            observing.report(Observation.CommandRun.of("sandbox", command.argv().get(0), done));
        }
        result.complete(done);
    }

    /** The agent could not start the command. */
    void fail(String message) {
        lost(new CommandException("cannot start " + command.argv().get(0) + " in " + where + ": " + message));
    }

    /** The command cannot finish: it could not start, or the sandbox was closed or died under it. */
    void lost(RuntimeException ex) {
        conn.unregister(id);
        cancelTimer();
        started.completeExceptionally(ex);
        result.completeExceptionally(ex);
    }

    /** Called when the command's timeout passes: kill the process group, remember why. */
    void onTimeout() {
        if (result.isDone()) {
            return;
        }
        timedOut = true;
        signal(9);
    }

    /** The guest did not report the exit even after the kill: give up waiting for it. */
    void onKillUnanswered() {
        if (!result.isDone()) {
            conn.unregister(id);
            log.warn("exec {} in {} did not exit after SIGKILL; reporting it as timed out", id, where);
            timedOut = true;
            finish(-1);
        }
    }

    private void cancelTimer() {
        ScheduledFuture<?> t = timer;
        if (t != null) {
            t.cancel(false);
        }
    }

    @Override
    public long pid() {
        try {
            return started.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CommandException("interrupted", e);
        } catch (ExecutionException e) {
            throw rethrow(e);
        }
    }

    private static RuntimeException rethrow(ExecutionException e) {
        return e.getCause() instanceof RuntimeException re ? re : new CommandException(e.getCause().toString(), e.getCause());
    }

    @Override
    public void write(byte[] bytes) {
        for (int off = 0; off < bytes.length; off += STDIN_CHUNK) {
            send(AgentProtocol.T_STDIN, Arrays.copyOfRange(bytes, off, Math.min(bytes.length, off + STDIN_CHUNK)));
        }
    }

    @Override
    public void closeStdin() {
        send(AgentProtocol.T_STDIN, new byte[0]);
    }

    @Override
    public void signal(int signal) {
        send(AgentProtocol.T_SIGNAL, new Payload().u32(signal).bytes());
    }

    @Override
    public void resize(int rows, int columns) {
        send(AgentProtocol.T_RESIZE, new Payload().u32(rows).u32(columns).bytes());
    }

    private void send(int type, byte[] payload) {
        if (result.isDone()) {
            return;
        }
        try {
            conn.send(type, id, payload);
        } catch (IOException e) {
            log.debug("cannot reach exec {}: {}", id, e.toString());
        }
    }

    @Override
    public CompletableFuture<ExecResult> result() {
        return result;
    }

    @Override
    public ExecResult await() {
        try {
            return result.get();
        } catch (InterruptedException e) {
            signal(9);
            Thread.currentThread().interrupt();
            throw new CommandException("interrupted while running " + command.argv().get(0), e);
        } catch (ExecutionException e) {
            throw rethrow(e);
        }
    }

    @Override
    public ExecResult await(Duration timeout) {
        try {
            return result.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CommandException("interrupted while running " + command.argv().get(0), e);
        } catch (ExecutionException e) {
            throw rethrow(e);
        }
    }

    @Override
    public String toString() {
        return "Execution[" + command + " in " + where + (result.isDone() ? " done" : " running") + "]";
    }
}
