package dev.keel.agents.internal.lsp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keel.core.internal.json.Json;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running language server: JSON-RPC 2.0 over the process's stdin/stdout with {@code Content-Length} framing.
 * Sends requests (each with its own timeout, failing at once when the process dies) and notifications; answers the
 * requests a server sends to its client ({@code workspace/configuration}, {@code window/workDoneProgress/create},
 * {@code client/registerCapability}, …) so that a server waiting on them does not hang; collects
 * {@code textDocument/publishDiagnostics} per document. {@link #close()} sends {@code shutdown} and {@code exit},
 * then ends the process if it does not stop by itself. Thread-safe.
 */
final class LspConnection implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LspConnection.class);
    private static final ObjectMapper JSON = Json.mapper();
    /** How long a server gets to answer {@code shutdown} and to exit after {@code exit} before it is killed. */
    private static final Duration STOP_GRACE = Duration.ofSeconds(3);

    /** Diagnostics the server published for one document, in which order and when ({@link System#nanoTime()}). */
    record Published(List<JsonNode> diagnostics, long sequence, long at) {}

    private final String name;
    private final Process process;
    private final OutputStream out;
    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final Map<String, Published> diagnostics = new HashMap<>();
    private final Path root;
    /** Counts every publishDiagnostics, so a caller can wait for one that arrives after its change. */
    private long published;
    /** Work-done progress the server reported begun and not yet ended (loading a project, indexing). */
    private final java.util.Set<String> progress = new java.util.HashSet<>();
    /** When the last progress ended ({@link System#nanoTime()}). */
    private long progressEndedAt;
    private volatile boolean closed;
    private final CompletableFuture<Integer> exited;

    private LspConnection(String name, Process process, Path root) {
        this.name = name;
        this.process = process;
        this.root = root;
        this.out = process.getOutputStream();
        this.exited = process.onExit().thenApply(Process::exitValue);
        Thread reader = new Thread(this::readLoop, "keel-lsp-read-" + name);
        reader.setDaemon(true);
        reader.start();
        Thread errors = new Thread(() -> drainStderr(process.getErrorStream()), "keel-lsp-stderr-" + name);
        errors.setDaemon(true);
        errors.start();
        // When the process ends, every request still waiting fails at once rather than at its timeout.
        exited.thenAccept(code -> failPending("the language server '" + name + "' exited with code " + code));
    }

    /**
     * Starts {@code command} in {@code directory} with exactly {@code env} (nothing else of the JVM's environment,
     * so API keys in it do not reach the server unless configured).
     */
    static LspConnection start(String name, List<String> command, Map<String, String> env, Path directory)
            throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(directory.toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        return new LspConnection(name, pb.start(), directory);
    }

    /** The server process's id, for tests and logs. */
    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** The exit code when the process has ended. */
    Integer exitCode() {
        return process.isAlive() ? null : process.exitValue();
    }

    /**
     * Sends a request and waits for its result ({@code null} JSON for an empty result).
     *
     * @throws LspException when the server answers with an error, does not answer in time, or exits
     */
    JsonNode request(String method, Object params, Duration timeout) {
        if (closed) {
            throw new LspException("the language server '" + name + "' is closed");
        }
        if (!process.isAlive()) {
            throw new LspException("the language server '" + name + "' exited with code " + process.exitValue());
        }
        long id = ids.incrementAndGet();
        CompletableFuture<JsonNode> result = new CompletableFuture<>();
        pending.put(id, result);
        ObjectNode message = JsonNodeFactory.instance.objectNode().put("jsonrpc", "2.0").put("id", id)
                .put("method", method);
        message.set("params", JSON.valueToTree(params));
        try {
            send(message);
            return result.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            notify("$/cancelRequest", Map.of("id", id));
            throw new LspException("the language server '" + name + "' did not answer " + method + " within "
                    + timeout.toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LspException("interrupted while waiting for " + method);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof LspException le ? le : new LspException(e.getCause().getMessage());
        } finally {
            pending.remove(id);
        }
    }

    /** Sends a notification; a server that is gone makes it fail. */
    void notify(String method, Object params) {
        ObjectNode message = JsonNodeFactory.instance.objectNode().put("jsonrpc", "2.0").put("method", method);
        if (params != null) {
            message.set("params", JSON.valueToTree(params));
        }
        send(message);
    }

    /** The diagnostics last published for a document, or null. */
    synchronized Published diagnostics(String uri) {
        return diagnostics.get(uri);
    }

    /** How many publishDiagnostics notifications arrived so far. */
    synchronized long publishedCount() {
        return published;
    }

    /**
     * Waits until the server has settled on {@code uri} after a change, and returns its diagnostics (the last known
     * ones, or null, when it did not settle in time). A server publishes diagnostics for an open document in steps
     * (TypeScript: syntax, then semantics once the project is loaded) and says nothing when it is done, so
     * "settled" is: a publication newer than {@code after} (a {@link #publishedCount()}), no work-done progress
     * running, and {@code quiet} without a further publication or progress ending. Servers publish for every
     * document they open, so a document never published for is waited for up to {@code max}; after a change a
     * server may stay silent (TypeScript says nothing when a clean file stays clean), so then the first publication
     * is waited for {@code firstWait} (longer while the server reports progress). {@code max} bounds it all.
     */
    synchronized Published settle(String uri, long after, Duration max, Duration firstWait, Duration quiet)
            throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + max.toNanos();
        long first = diagnostics.containsKey(uri) ? Math.min(firstWait.toNanos(), max.toNanos()) : max.toNanos();
        while (true) {
            Published p = diagnostics.get(uri);
            long now = System.nanoTime();
            if (now - deadline >= 0 || !process.isAlive()) {
                return p;
            }
            long until;
            if (!progress.isEmpty()) {
                until = deadline;
            } else if (p == null || p.sequence() <= after) {
                if (now - (start + first) >= 0) {
                    return p;
                }
                until = start + first;
            } else {
                long lastEvent = Math.max(p.at(), progressEndedAt);
                until = lastEvent + quiet.toNanos();
                if (now - until >= 0) {
                    return p;
                }
            }
            long wait = Math.min(until - now, deadline - now);
            if (wait > 0) {
                TimeUnit.NANOSECONDS.timedWait(this, wait);
            }
        }
    }

    private void send(JsonNode message) {
        byte[] body;
        try {
            body = JSON.writeValueAsBytes(message);
        } catch (IOException e) {
            throw new LspException("cannot encode a message: " + e.getMessage());
        }
        byte[] header = ("Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        synchronized (out) {
            try {
                out.write(header);
                out.write(body);
                out.flush();
            } catch (IOException e) {
                // A broken pipe usually means the server is exiting; it may not be reaped yet, so wait a moment to
                // name its exit code rather than the pipe.
                Integer code = exitCodeWithin(1);
                throw new LspException("cannot write to the language server '" + name + "'"
                        + (code == null ? ": " + e.getMessage() : ": it exited with code " + code));
            }
        }
    }

    /** The exit code if the server exits within {@code seconds}, else null. */
    private Integer exitCodeWithin(int seconds) {
        try {
            return exited.get(seconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (ExecutionException | TimeoutException e) {
            return null;
        }
    }

    private void readLoop() {
        InputStream in = process.getInputStream();
        try {
            JsonNode message;
            while ((message = readMessage(in)) != null) {
                try {
                    dispatch(message);
                } catch (RuntimeException e) {
                    log.warn("language server '{}': cannot handle a message: {}", name, e.toString());
                }
            }
        } catch (IOException e) {
            if (!closed) {
                log.debug("language server '{}': reading stopped", name, e);
            }
        }
        // The output ends before the process is reaped: give it a moment, so the error can name the exit code.
        try {
            exited.get(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // Still running with its output closed: said below.
        }
        failPending(process.isAlive() ? "the language server '" + name + "' closed its output"
                : "the language server '" + name + "' exited with code " + process.exitValue());
        synchronized (this) {
            notifyAll();
        }
    }

    /** One framed message, or null at the end of the stream. Headers other than Content-Length are skipped. */
    static JsonNode readMessage(InputStream in) throws IOException {
        int length = -1;
        while (true) {
            String line = readHeaderLine(in);
            if (line == null) {
                return null;
            }
            if (line.isEmpty()) {
                if (length >= 0) {
                    break;
                }
                continue; // a stray blank line before the headers
            }
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("Content-Length")) {
                try {
                    length = Integer.parseInt(line.substring(colon + 1).trim());
                } catch (NumberFormatException e) {
                    throw new IOException("bad Content-Length header: " + line);
                }
            }
        }
        byte[] body = in.readNBytes(length);
        if (body.length < length) {
            return null;
        }
        return JSON.readTree(body);
    }

    private static String readHeaderLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                String s = line.toString(StandardCharsets.US_ASCII);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            line.write(b);
        }
        return null;
    }

    private void dispatch(JsonNode message) {
        JsonNode id = message.get("id");
        String method = message.path("method").asText(null);
        if (method == null) {
            if (id != null && id.canConvertToLong()) {
                CompletableFuture<JsonNode> f = pending.get(id.asLong());
                if (f != null) {
                    JsonNode error = message.get("error");
                    if (error != null && !error.isNull()) {
                        f.completeExceptionally(new LspException("the language server answered with an error: "
                                + error.path("message").asText("(no message)") + " (code " + error.path("code").asInt()
                                + ")"));
                    } else {
                        f.complete(message.has("result") ? message.get("result") : JsonNodeFactory.instance.nullNode());
                    }
                }
            }
            return;
        }
        if (id != null && !id.isNull()) {
            answer(id, method, message.path("params"));
        } else if (method.equals("textDocument/publishDiagnostics")) {
            JsonNode params = message.path("params");
            List<JsonNode> list = new ArrayList<>();
            params.path("diagnostics").forEach(list::add);
            synchronized (this) {
                published++;
                diagnostics.put(canonical(params.path("uri").asText()), new Published(List.copyOf(list), published,
                        System.nanoTime()));
                notifyAll();
            }
        } else if (method.equals("$/progress")) {
            JsonNode params = message.path("params");
            String token = params.path("token").asText();
            String kind = params.path("value").path("kind").asText("");
            synchronized (this) {
                if (kind.equals("begin")) {
                    progress.add(token);
                } else if (kind.equals("end") && progress.remove(token)) {
                    progressEndedAt = System.nanoTime();
                }
                notifyAll();
            }
        } else if (method.equals("window/logMessage") || method.equals("window/showMessage")) {
            log.debug("language server '{}': {}", name, message.path("params").path("message").asText());
        }
    }

    /** The URI as {@link LspPaths#uri} writes it, whatever encoding the server chose. */
    private static String canonical(String uri) {
        Path p = LspPaths.path(uri);
        return p == null ? uri : LspPaths.uri(p);
    }

    /** Answers a request from the server: what a headless client can say, so that the server goes on. */
    private void answer(JsonNode id, String method, JsonNode params) {
        ObjectNode reply = JsonNodeFactory.instance.objectNode().put("jsonrpc", "2.0");
        reply.set("id", id);
        switch (method) {
            case "workspace/configuration" -> {
                ArrayNode items = reply.putArray("result");
                params.path("items").forEach(i -> items.addNull()); // no settings: the server's defaults
            }
            case "workspace/workspaceFolders" -> {
                ArrayNode folders = reply.putArray("result");
                folders.addObject().put("uri", LspPaths.uri(root)).put("name", String.valueOf(root.getFileName()));
            }
            case "workspace/applyEdit" -> reply.putObject("result").put("applied", false)
                    .put("failureReason", "this client does not apply edits the server asks for");
            case "window/workDoneProgress/create", "client/registerCapability", "client/unregisterCapability",
                 "window/showMessageRequest", "window/showDocument", "workspace/semanticTokens/refresh",
                 "workspace/inlayHint/refresh", "workspace/codeLens/refresh", "workspace/diagnostic/refresh" ->
                    reply.putNull("result");
            default -> reply.putObject("error").put("code", -32601).put("message", "method not supported: " + method);
        }
        try {
            send(reply);
        } catch (LspException e) {
            log.debug("language server '{}': cannot answer {}: {}", name, method, e.getMessage());
        }
    }

    private void failPending(String why) {
        for (CompletableFuture<JsonNode> f : pending.values()) {
            f.completeExceptionally(new LspException(why));
        }
        synchronized (this) {
            notifyAll();
        }
    }

    private void drainStderr(InputStream err) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(err, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                log.debug("[lsp {}] {}", name, line);
            }
        } catch (IOException e) {
            // The process ended; nothing more to read.
        }
    }

    /** {@code shutdown} then {@code exit}; a server that does not stop in time is killed. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        try {
            if (process.isAlive()) {
                try {
                    request("shutdown", null, STOP_GRACE);
                    notify("exit", null);
                } catch (LspException e) {
                    log.debug("language server '{}' did not shut down cleanly: {}", name, e.getMessage());
                }
            }
        } finally {
            closed = true;
            stop();
        }
    }

    private void stop() {
        // Taken before the process ends: afterwards its children (tsserver under typescript-language-server)
        // are no longer its descendants, and one left running would outlive the toolset.
        List<ProcessHandle> children = process.descendants().toList();
        try {
            out.close();
        } catch (IOException ignored) {
            // The process is going away.
        }
        try {
            if (!process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        for (ProcessHandle child : children) {
            if (child.isAlive()) {
                child.destroy();
                child.onExit().completeOnTimeout(child, STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS).join();
                child.destroyForcibly();
            }
        }
    }

    @Override
    public String toString() {
        return "LspConnection[" + name + ", pid " + process.pid() + (process.isAlive() ? "" : ", exited") + "]";
    }
}
