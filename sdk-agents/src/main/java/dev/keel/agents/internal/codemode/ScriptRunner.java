package dev.keel.agents.internal.codemode;

import dev.keel.agents.CodeMode;
import dev.keel.core.json.JsonObject;
import dev.keel.core.json.JsonParseException;
import dev.keel.core.json.JsonValue;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs one code-mode program in a new JVM ({@link ScriptWorker}) and serves its tool calls through a
 * {@link ToolBridge}. The child JVM gets no environment variables, a bounded heap, and is killed when it computes
 * longer than the time limit (plus a grace period; its own instruction observer normally stops it first), when it
 * breaks the exchange, or when the host stops waiting. Lines from the child are read with a size bound, so a program
 * cannot fill the host's heap. Stateless; each {@link #run} is independent and may run on any thread.
 */
public final class ScriptRunner {
    private static final String RHINO = "org.mozilla.javascript.Context";
    private static final long GRACE_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final long STARTUP_NANOS = TimeUnit.SECONDS.toNanos(120);
    private static final int MAX_LINE_CHARS = 16 * 1024 * 1024;

    private ScriptRunner() {}

    /** Runs one tool call of a program, through the agent's usual path (approval, hooks, events). */
    @FunctionalInterface
    public interface ToolBridge {
        /**
         * Runs {@code tool} with {@code arguments}.
         *
         * @param tool      the tool's name
         * @param arguments the arguments, a JSON object
         * @return the call's result as the model would see it
         */
        Reply call(String tool, JsonObject arguments);
    }

    /**
     * A tool call's result as the program sees it.
     *
     * @param content the result's text
     * @param error   whether it is an error (the program gets an exception)
     */
    public record Reply(String content, boolean error) {}

    /**
     * How a program ended.
     *
     * @param value   what it returned (a string, or the JSON of another value); null when it failed
     * @param failure why it failed, or null
     * @param stdout  its console.log/info/debug output
     * @param stderr  its console.warn/error output
     * @param calls   the tool calls it made, in order: name, arguments and whether each failed
     */
    public record Outcome(String value, String failure, String stdout, String stderr, List<String> calls) {}

    /**
     * What is missing for code mode to run on this host, or empty when it can run.
     *
     * @return the problem, naming what to add
     */
    public static Optional<String> missingRuntime() {
        try {
            locate(Class.forName(RHINO, false, ScriptRunner.class.getClassLoader()));
            locate(ScriptRunner.class);
            return Optional.empty();
        } catch (ClassNotFoundException | LinkageError e) {
            return Optional.of("code mode runs JavaScript in Mozilla Rhino: add the dependency org.mozilla:rhino "
                    + "(1.9.x; on the module path also --add-modules org.mozilla.rhino)");
        } catch (IllegalStateException e) {
            return Optional.of(e.getMessage());
        }
    }

    /**
     * Runs {@code script}.
     *
     * @param script    the program
     * @param functions JavaScript function name → tool name
     * @param limits    the limits
     * @param bridge    runs the program's tool calls
     * @return how it ended
     * @throws IllegalStateException when the JavaScript runtime cannot be started
     */
    public static Outcome run(String script, Map<String, String> functions, CodeMode limits, ToolBridge bridge) {
        String missing = missingRuntime().orElse(null);
        if (missing != null) {
            throw new IllegalStateException(missing);
        }
        Process process;
        try {
            ProcessBuilder pb = new ProcessBuilder(command(limits)).directory(Path.of(System.getProperty("java.io.tmpdir"))
                    .toFile());
            pb.environment().clear(); // no key, token or path of the host's environment reaches the program's JVM
            process = pb.start();
        } catch (IOException | ClassNotFoundException e) {
            throw new IllegalStateException("could not start the JVM for the program: " + e.getMessage(), e);
        }
        Watchdog watchdog = new Watchdog(process, limits.timeLimit().toNanos() + GRACE_NANOS);
        StringBuilder errors = new StringBuilder();
        Thread drain = daemon("keel-code-mode-stderr", () -> drain(process.getErrorStream(), errors));
        drain.start();
        watchdog.start();
        List<String> calls = new ArrayList<>();
        try (Writer to = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
             BufferedReader from = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            send(to, JsonObject.builder().put("script", script).put("functions", functions)
                    .put("timeLimitMillis", limits.timeLimit().toMillis()).put("maxToolCalls", limits.maxToolCalls())
                    .put("maxOutputChars", limits.maxOutputChars()).put("maxStackDepth", limits.maxStackDepth())
                    .build().toJson());
            int made = 0;
            while (true) {
                String line = readLine(from);
                if (line == null) {
                    return ended(process, watchdog, limits, errors, calls);
                }
                JsonObject message;
                try {
                    message = JsonObject.parse(line);
                } catch (JsonParseException e) {
                    return failed("the program's runtime sent something that is not JSON", calls);
                }
                if (message.has("ready")) {
                    watchdog.running();
                } else if (message.has("call")) {
                    String tool = message.get("call").flatMap(JsonValue::asString).orElse("");
                    JsonValue args = message.get("arguments").orElse(null);
                    Reply reply;
                    watchdog.pause();
                    try {
                        if (++made > limits.maxToolCalls()) {
                            reply = new Reply("the program made more than " + limits.maxToolCalls() + " tool calls", true);
                        } else if (!functions.containsValue(tool) || !(args instanceof JsonObject o)) {
                            reply = new Reply("no such tool call: " + tool, true);
                        } else {
                            reply = bridge.call(tool, o);
                            calls.add(tool + " " + o.toJson() + (reply.error() ? " → error" : ""));
                        }
                    } finally {
                        watchdog.running();
                    }
                    send(to, JsonObject.builder().put("content", reply.content()).put("error", reply.error())
                            .build().toJson());
                } else if (message.has("done")) {
                    return new Outcome(str(message, "value"), null, str(message, "stdout"), str(message, "stderr"),
                            List.copyOf(calls));
                } else if (message.has("failed")) {
                    return new Outcome(null, str(message, "failed"), str(message, "stdout"), str(message, "stderr"),
                            List.copyOf(calls));
                } else {
                    return failed("the program's runtime sent an unknown message", calls);
                }
            }
        } catch (IOException e) {
            return ended(process, watchdog, limits, errors, calls);
        } finally {
            watchdog.finish();
            process.destroyForcibly();
        }
    }

    private static Outcome ended(Process process, Watchdog watchdog, CodeMode limits, StringBuilder errors,
                                 List<String> calls) {
        if (watchdog.timedOut()) {
            return failed("the program ran longer than its time limit of " + limits.timeLimit().toMillis()
                    + " ms (its tool calls not counted) and was stopped", calls);
        }
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        String err;
        synchronized (errors) {
            err = errors.toString();
        }
        if (err.contains("OutOfMemoryError")) {
            return failed("the program ran out of memory (limit " + limits.maxHeapMegabytes() + " MB)", calls);
        }
        String code = process.isAlive() ? "still running" : "exit code " + process.exitValue();
        return failed("the program's JavaScript runtime stopped unexpectedly (" + code + ")"
                + (err.isBlank() ? "" : ": " + err.strip().lines().findFirst().orElse("")), calls);
    }

    private static Outcome failed(String why, List<String> calls) {
        return new Outcome(null, why, "", "", List.copyOf(calls));
    }

    private static String str(JsonObject o, String name) {
        return o.get(name).flatMap(JsonValue::asString).orElse("");
    }

    private static List<String> command(CodeMode limits) throws ClassNotFoundException {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classpath = locate(Class.forName(RHINO, false, ScriptRunner.class.getClassLoader()))
                + java.io.File.pathSeparator + locate(ScriptRunner.class);
        return List.of(javaBin, "-Xmx" + limits.maxHeapMegabytes() + "m", "-Xss1m", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData", "-XX:ActiveProcessorCount=1", "-Djava.awt.headless=true",
                "-Dfile.encoding=UTF-8", "-cp", classpath, ScriptWorker.class.getName());
    }

    /** The jar or folder {@code c} was loaded from, as a file path the child JVM can use. */
    private static Path locate(Class<?> c) {
        URL url = c.getProtectionDomain().getCodeSource() == null ? null
                : c.getProtectionDomain().getCodeSource().getLocation();
        try {
            Path p = url == null ? null : Path.of(url.toURI());
            if (p != null && Files.exists(p)) {
                return p;
            }
        } catch (URISyntaxException | IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
            // reported below
        }
        throw new IllegalStateException("code mode starts a JVM for the program and needs " + c.getName()
                + " as a jar or folder on disk; it was loaded from " + url
                + " (a nested or repackaged jar cannot be put on that JVM's class path)");
    }

    private static String readLine(BufferedReader in) throws IOException {
        StringBuilder line = new StringBuilder();
        while (true) {
            int c = in.read();
            if (c < 0) {
                return line.length() == 0 ? null : line.toString();
            }
            if (c == '\n') {
                return line.toString();
            }
            if (line.length() >= MAX_LINE_CHARS) {
                throw new IOException("a message of the program's runtime is longer than " + MAX_LINE_CHARS + " characters");
            }
            line.append((char) c);
        }
    }

    private static void send(Writer out, String line) throws IOException {
        out.write(line);
        out.write('\n');
        out.flush();
    }

    private static void drain(InputStream in, StringBuilder into) {
        byte[] buf = new byte[4096];
        try (in) {
            int n;
            while ((n = in.read(buf)) >= 0) {
                synchronized (into) {
                    if (into.length() < 8192) {
                        into.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                    }
                }
            }
        } catch (IOException e) {
            // the process is gone
        }
    }

    private static Thread daemon(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /**
     * Kills the program's JVM when it has computed longer than its budget (the clock stops while a tool call is
     * served), or when it has not started within a generous startup allowance.
     */
    private static final class Watchdog {
        private final Process process;
        private final long budgetNanos;
        private final Thread thread;
        private final long created = System.nanoTime();
        private long used;
        private long since = -1;
        private boolean started;
        private boolean finished;
        private boolean timedOut;

        Watchdog(Process process, long budgetNanos) {
            this.process = process;
            this.budgetNanos = budgetNanos;
            this.thread = daemon("keel-code-mode-watchdog", this::watch);
        }

        void start() {
            thread.start();
        }

        synchronized void running() {
            started = true;
            if (since < 0) {
                since = System.nanoTime();
            }
            notifyAll();
        }

        synchronized void pause() {
            if (since >= 0) {
                used += System.nanoTime() - since;
                since = -1;
            }
            notifyAll();
        }

        synchronized void finish() {
            finished = true;
            notifyAll();
        }

        synchronized boolean timedOut() {
            return timedOut;
        }

        private synchronized void watch() {
            try {
                while (!finished) {
                    long now = System.nanoTime();
                    long left = !started ? STARTUP_NANOS - (now - created)
                            : since < 0 ? Long.MAX_VALUE : budgetNanos - used - (now - since);
                    if (left <= 0) {
                        timedOut = true;
                        process.destroyForcibly();
                        return;
                    }
                    TimeUnit.NANOSECONDS.timedWait(this, Math.min(left, TimeUnit.SECONDS.toNanos(60)));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
