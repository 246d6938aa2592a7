package dev.keel.core.exec;

import dev.keel.core.observe.Observation;
import dev.keel.core.observe.ObservationContext;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs commands as child processes of the JVM, on the host, with no isolation. The child gets only the
 * command's environment plus {@code PATH} (the host environment is not inherited). Use a sandbox from
 * {@code dev.keel.sandbox} to run untrusted commands. Thread-safe.
 *
 * <p>Behaviour worth knowing:
 * <ul>
 *   <li>A relative {@link Command#cwd()} is resolved against the runner's directory.</li>
 *   <li>Standard input is written by a separate thread, so a command that never reads a large input
 *       still times out instead of blocking the caller.</li>
 *   <li>On timeout the command and every descendant process seen while it ran are killed
 *       ({@code SIGKILL}); the exit code is then 137.</li>
 *   <li>The result is returned when the command exits. Background processes it started and left running
 *       are not waited for: output they write after a short grace period is not captured.</li>
 *   <li>The listener is called from runner threads, one call at a time (stdout and stderr calls never
 *       overlap), each stream in order. A listener that throws is logged and not called again; the
 *       output is still captured.</li>
 * </ul>
 */
public final class LocalCommandRunner implements CommandRunner {
    private static final Logger log = LoggerFactory.getLogger(LocalCommandRunner.class);
    /** How often the process tree is sampled so that children can be killed on timeout. */
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    /** How long output is still read after the command exited or was killed. */
    private static final long DRAIN_GRACE_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

    private final Path defaultCwd;

    private LocalCommandRunner(Path defaultCwd) {
        this.defaultCwd = defaultCwd;
    }

    /**
     * A runner whose commands start in the JVM's working directory unless they say otherwise.
     *
     * @return a runner whose commands start in the JVM's working directory unless they say otherwise
     */
    public static LocalCommandRunner create() {
        return new LocalCommandRunner(Path.of("").toAbsolutePath());
    }

    /**
     * A runner whose commands start in {@code cwd} unless they say otherwise.
     *
     * @param cwd the working directory
     * @return a runner whose commands start in {@code cwd} unless they say otherwise
     */
    public static LocalCommandRunner in(Path cwd) {
        if (!Files.isDirectory(cwd)) {
            throw new CommandException("working directory does not exist: " + cwd);
        }
        return new LocalCommandRunner(cwd.toAbsolutePath());
    }

    @Override
    public ExecResult run(Command command, OutputListener listener) {
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(listener, "listener");
        Path cwd = command.cwd() == null ? defaultCwd : defaultCwd.resolve(command.cwd());
        if (!Files.isDirectory(cwd)) {
            throw new CommandException("working directory does not exist: " + cwd);
        }
        ProcessBuilder pb = new ProcessBuilder(command.argv()).directory(cwd.toFile());
        Map<String, String> env = pb.environment();
        String path = env.get("PATH");
        env.clear();
        if (path != null) {
            env.put("PATH", path);
        }
        env.putAll(command.env());
        long start = System.nanoTime();
        long deadline = start + command.timeout().toNanos();
        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new CommandException("cannot start " + command.argv().get(0) + ": " + e.getMessage(), e);
        }
        log.debug("started {} pid={}", command, process.pid());
        SerialListener serial = new SerialListener(listener);
        Capture out = new Capture(process.getInputStream(), command.outputLimit(), serial::stdout, "stdout");
        Capture err = new Capture(process.getErrorStream(), command.outputLimit(), serial::stderr, "stderr");
        out.start();
        err.start();
        writeStdin(process, command.stdin());
        Set<ProcessHandle> seen = new LinkedHashSet<>();
        boolean timedOut;
        try {
            timedOut = !awaitExit(process, deadline, seen);
            if (timedOut) {
                kill(process, seen);
            }
            long drainUntil = System.nanoTime() + DRAIN_GRACE_NANOS;
            boolean drained = out.awaitEnd(drainUntil) & err.awaitEnd(drainUntil);
            if (!drained) {
                // A background process still holds the output pipes open; do not wait for it.
                log.debug("{}: output still open after exit, left to a background process", command.argv().get(0));
            }
        } catch (InterruptedException e) {
            kill(process, seen);
            Thread.currentThread().interrupt();
            throw new CommandException("interrupted while running " + command.argv().get(0), e);
        }
        ExecResult result = new ExecResult(process.exitValue(), out.text(), err.text(), timedOut,
                out.truncated() || err.truncated(), Duration.ofNanos(System.nanoTime() - start));
        log.debug("finished {} exit={} timedOut={}", command.argv().get(0), result.exitCode(), timedOut);
        ObservationContext observing = ObservationContext.current();
        if (!observing.isEmpty()) {
            observing.report(Observation.CommandRun.of("local", command.argv().get(0), result));
        }
        return result;
    }

    /** Waits for exit until {@code deadline}, remembering descendants so they can be killed later. */
    private static boolean awaitExit(Process process, long deadline, Set<ProcessHandle> seen) throws InterruptedException {
        while (true) {
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                return !process.isAlive();
            }
            if (process.waitFor(Math.min(remaining, POLL_NANOS), TimeUnit.NANOSECONDS)) {
                return true;
            }
            process.descendants().forEach(seen::add);
        }
    }

    /**
     * Kills the process and its descendants, including those seen earlier whose parent already exited
     * (a {@link ProcessHandle} also checks the start time, so a reused pid is never hit).
     */
    private static void kill(Process process, Set<ProcessHandle> seen) {
        process.descendants().forEach(seen::add);
        seen.forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        boolean interrupted = false;
        while (true) {
            try {
                process.waitFor();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static void writeStdin(Process process, byte[] stdin) {
        if (stdin.length == 0) {
            closeQuietly(process.getOutputStream());
            return;
        }
        // A separate thread: a command that does not read its input must not block the caller's timeout.
        Thread writer = new Thread(() -> {
            try (OutputStream in = process.getOutputStream()) {
                in.write(stdin);
            } catch (IOException e) {
                // The process may exit without reading its input; that is its business, not an error.
                log.trace("stdin not fully consumed", e);
            }
        }, "keel-exec-stdin");
        writer.setDaemon(true);
        writer.start();
    }

    private static void closeQuietly(OutputStream stream) {
        try {
            stream.close();
        } catch (IOException e) {
            log.trace("closing stdin", e);
        }
    }

    @Override
    public String describe() {
        return "host:" + defaultCwd;
    }

    @Override
    public String toString() {
        return "LocalCommandRunner[" + defaultCwd + "]";
    }

    /** Serialises the two output threads' calls and disables a listener that throws. */
    private static final class SerialListener {
        private final OutputListener delegate;
        private boolean broken;

        SerialListener(OutputListener delegate) {
            this.delegate = delegate;
        }

        synchronized void stdout(byte[] chunk) {
            if (!broken) {
                try {
                    delegate.onStdout(chunk);
                } catch (RuntimeException e) {
                    disable(e);
                }
            }
        }

        synchronized void stderr(byte[] chunk) {
            if (!broken) {
                try {
                    delegate.onStderr(chunk);
                } catch (RuntimeException e) {
                    disable(e);
                }
            }
        }

        private void disable(RuntimeException e) {
            broken = true;
            log.warn("output listener failed; it will not be called again for this command", e);
        }
    }

    private static final class Capture extends Thread {
        private final InputStream in;
        private final int limit;
        private final Consumer<byte[]> sink;
        private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
        private volatile boolean truncated;

        Capture(InputStream in, int limit, Consumer<byte[]> sink, String stream) {
            this.in = in;
            this.limit = limit;
            this.sink = sink;
            setDaemon(true);
            setName("keel-exec-" + stream);
        }

        @Override
        public void run() {
            byte[] buf = new byte[8192];
            try (in) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    if (n == 0) {
                        continue;
                    }
                    byte[] chunk = Arrays.copyOf(buf, n);
                    sink.accept(chunk);
                    synchronized (kept) {
                        int room = limit - kept.size();
                        if (room >= n) {
                            kept.write(chunk, 0, n);
                        } else {
                            kept.write(chunk, 0, Math.max(room, 0));
                            truncated = true;
                        }
                    }
                }
            } catch (IOException e) {
                // The pipe closes under us when the process is killed; what was read is kept.
                log.trace("output stream closed", e);
            }
        }

        /** Waits until the stream ended or {@code deadline} (System.nanoTime) passed; true if it ended. */
        boolean awaitEnd(long deadline) throws InterruptedException {
            long remaining = deadline - System.nanoTime();
            if (remaining > 0) {
                TimeUnit.NANOSECONDS.timedJoin(this, remaining);
            }
            return !isAlive();
        }

        boolean truncated() {
            return truncated;
        }

        String text() {
            synchronized (kept) {
                return kept.toString(StandardCharsets.UTF_8);
            }
        }
    }
}
