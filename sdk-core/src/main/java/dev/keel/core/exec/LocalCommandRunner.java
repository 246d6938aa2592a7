package dev.keel.core.exec;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs commands as child processes of the JVM, on the host, with no isolation. The child gets only the
 * command's environment plus {@code PATH} (the host environment is not inherited). Use a sandbox from
 * {@code dev.keel.sandbox} to run untrusted commands. Thread-safe.
 */
public final class LocalCommandRunner implements CommandRunner {
    private static final Logger log = LoggerFactory.getLogger(LocalCommandRunner.class);

    private final Path defaultCwd;

    private LocalCommandRunner(Path defaultCwd) {
        this.defaultCwd = defaultCwd;
    }

    /** A runner whose commands start in the JVM's working directory unless they say otherwise. */
    public static LocalCommandRunner create() {
        return new LocalCommandRunner(Path.of("").toAbsolutePath());
    }

    /** A runner whose commands start in {@code cwd} unless they say otherwise. */
    public static LocalCommandRunner in(Path cwd) {
        if (!Files.isDirectory(cwd)) {
            throw new CommandException("working directory does not exist: " + cwd);
        }
        return new LocalCommandRunner(cwd.toAbsolutePath());
    }

    @Override
    public ExecResult run(Command command, OutputListener listener) {
        Path cwd = command.cwd() == null ? defaultCwd : Path.of(command.cwd());
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
        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new CommandException("cannot start " + command.argv().get(0) + ": " + e.getMessage(), e);
        }
        log.debug("started {} pid={}", command, process.pid());
        Capture out = new Capture(process.getInputStream(), command.outputLimit(), listener::onStdout);
        Capture err = new Capture(process.getErrorStream(), command.outputLimit(), listener::onStderr);
        out.start();
        err.start();
        writeStdin(process, command.stdin());
        boolean timedOut = false;
        try {
            if (!process.waitFor(command.timeout().toNanos(), TimeUnit.NANOSECONDS)) {
                timedOut = true;
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor();
            }
            out.join();
            err.join();
        } catch (InterruptedException e) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new CommandException("interrupted while running " + command.argv().get(0), e);
        }
        int exit = process.exitValue();
        return new ExecResult(exit, out.text(), err.text(), timedOut, out.truncated || err.truncated,
                Duration.ofNanos(System.nanoTime() - start));
    }

    private static void writeStdin(Process process, byte[] stdin) {
        try (OutputStream in = process.getOutputStream()) {
            in.write(stdin);
        } catch (IOException e) {
            // The process may exit without reading its input; that is its business, not an error.
            log.trace("stdin not fully consumed", e);
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

    private static final class Capture extends Thread {
        private final InputStream in;
        private final int limit;
        private final Consumer<byte[]> sink;
        private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
        private volatile boolean truncated;

        Capture(InputStream in, int limit, Consumer<byte[]> sink) {
            this.in = in;
            this.limit = limit;
            this.sink = sink;
            setDaemon(true);
            setName("keel-exec-output");
        }

        @Override
        public void run() {
            byte[] buf = new byte[8192];
            try (in) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    byte[] chunk = java.util.Arrays.copyOf(buf, n);
                    sink.accept(chunk);
                    int room = limit - kept.size();
                    if (room >= n) {
                        kept.write(chunk, 0, n);
                    } else {
                        kept.write(chunk, 0, Math.max(room, 0));
                        truncated = true;
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        String text() {
            return kept.toString(StandardCharsets.UTF_8);
        }
    }
}
