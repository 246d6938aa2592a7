package dev.keel.core.testutil;

import dev.keel.core.json.JsonValue;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A real HTTP/1.1 server on 127.0.0.1 for provider tests: answers each request with the next scripted
 * {@link Reply} (or a dispatcher's), records what it received, and can stream a body in pieces, end it cleanly, or
 * cut the connection in the middle of a chunked body. One connection per request ({@code Connection: close}).
 * Written against the JDK only, so that provider tests do not depend on a mock-server library's version.
 */
public final class LoopbackServer implements AutoCloseable {
    private final ServerSocket socket;
    private final Thread acceptor;
    private final Deque<Reply> replies = new ArrayDeque<>();
    private final LinkedBlockingQueue<Recorded> received = new LinkedBlockingQueue<>();
    private final List<Recorded> all = Collections.synchronizedList(new ArrayList<>());
    private volatile Function<Recorded, Reply> dispatcher;
    private volatile boolean closed;

    private LoopbackServer() throws IOException {
        socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = new Thread(this::serve, "loopback-server-" + socket.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Starts a server on an ephemeral loopback port. */
    public static LoopbackServer start() {
        try {
            return new LoopbackServer();
        } catch (IOException e) {
            throw new IllegalStateException("cannot open a loopback port", e);
        }
    }

    /** {@code http://127.0.0.1:<port><path>}. */
    public String url(String path) {
        return "http://127.0.0.1:" + socket.getLocalPort() + path;
    }

    /** Answers the next request with {@code reply}. */
    public LoopbackServer enqueue(Reply reply) {
        synchronized (replies) {
            replies.add(reply);
        }
        return this;
    }

    /** Answers requests the queue has no reply for. */
    public LoopbackServer dispatcher(Function<Recorded, Reply> dispatcher) {
        this.dispatcher = dispatcher;
        return this;
    }

    /** The next request received, waiting up to ten seconds. */
    public Recorded takeRequest() {
        try {
            Recorded r = received.poll(10, TimeUnit.SECONDS);
            if (r == null) {
                throw new AssertionError("no request arrived within 10 s");
            }
            return r;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Every request received so far, in order. */
    public List<Recorded> requests() {
        synchronized (all) {
            return List.copyOf(all);
        }
    }

    public int requestCount() {
        return all.size();
    }

    private void serve() {
        while (!closed) {
            try (Socket s = socket.accept()) {
                handle(s);
            } catch (IOException e) {
                if (closed) {
                    return;
                }
            }
        }
    }

    private void handle(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        String requestLine = line(in);
        if (requestLine == null || requestLine.isEmpty()) {
            return;
        }
        String[] parts = requestLine.split(" ", 3);
        Map<String, String> headers = new LinkedHashMap<>();
        for (String h = line(in); h != null && !h.isEmpty(); h = line(in)) {
            int colon = h.indexOf(':');
            headers.put(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
        }
        int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
        byte[] body = in.readNBytes(length);
        Recorded recorded = new Recorded(parts[0], parts[1], Map.copyOf(headers), new String(body, StandardCharsets.UTF_8));
        all.add(recorded);
        received.add(recorded);
        Reply reply;
        synchronized (replies) {
            reply = replies.poll();
        }
        if (reply == null) {
            Function<Recorded, Reply> d = dispatcher;
            reply = d != null ? d.apply(recorded) : Reply.status(500, "no reply scripted for " + recorded.target());
        }
        reply.writeTo(s);
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                break;
            }
            if (c != '\r') {
                b.write(c);
            }
        }
        if (c < 0 && b.size() == 0) {
            return null;
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() {
        closed = true;
        try {
            socket.close();
            acceptor.join(5000);
        } catch (IOException e) {
            // already closed
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * A request as received.
     *
     * @param method  the method
     * @param target  path and query
     * @param headers headers, names lower-cased
     * @param body    the body as UTF-8
     */
    public record Recorded(String method, String target, Map<String, String> headers, String body) {
        /** The header {@code name} (any case), or null. */
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        /** The target without its query. */
        public String path() {
            int q = target.indexOf('?');
            return q < 0 ? target : target.substring(0, q);
        }

        /** The body parsed as JSON. */
        public JsonValue json() {
            return JsonValue.parse(body);
        }

        /** The value at a JSON Pointer of the body, e.g. {@code /input/0/role}. */
        public JsonValue at(String pointer) {
            return json().at(pointer).orElseThrow(() -> new AssertionError("no " + pointer + " in " + body));
        }

        /** The text at a JSON Pointer of the body. */
        public String text(String pointer) {
            return at(pointer).asString().orElseThrow(() -> new AssertionError(pointer + " is not a string in " + body));
        }
    }

    /** A scripted answer. Immutable; the {@code with…}-style methods return copies. */
    public static final class Reply {
        private final int status;
        private final Map<String, String> headers;
        private final byte[] body;
        private final boolean chunked;
        private final int pieceSize;
        private final int cutAfter;

        private Reply(int status, Map<String, String> headers, byte[] body, boolean chunked, int pieceSize, int cutAfter) {
            this.status = status;
            this.headers = headers;
            this.body = body;
            this.chunked = chunked;
            this.pieceSize = pieceSize;
            this.cutAfter = cutAfter;
        }

        /** 200 with a JSON body and a Content-Length. */
        public static Reply json(String body) {
            return new Reply(200, Map.of("Content-Type", "application/json"), body.getBytes(StandardCharsets.UTF_8),
                    false, 0, -1);
        }

        /** 200 with an event-stream body, sent chunked. */
        public static Reply sse(String body) {
            return new Reply(200, Map.of("Content-Type", "text/event-stream; charset=utf-8"),
                    body.getBytes(StandardCharsets.UTF_8), true, 0, -1);
        }

        /** {@code status} with a JSON body. */
        public static Reply status(int status, String body) {
            return new Reply(status, Map.of("Content-Type", "application/json"), body.getBytes(StandardCharsets.UTF_8),
                    false, 0, -1);
        }

        /** A copy with one more header. */
        public Reply header(String name, String value) {
            Map<String, String> h = new LinkedHashMap<>(headers);
            h.put(name, value);
            return new Reply(status, h, body, chunked, pieceSize, cutAfter);
        }

        /** A copy writing the body in pieces of {@code size} bytes, each flushed (and, if chunked, its own chunk). */
        public Reply inPieces(int size) {
            return new Reply(status, headers, body, chunked, size, cutAfter);
        }

        /**
         * A copy sent chunked that stops after {@code bytes} bytes of body without the terminating chunk and
         * closes the connection: a connection dropped mid-answer, as the client sees it.
         */
        public Reply cutAfter(int bytes) {
            return new Reply(status, headers, body, true, pieceSize, bytes);
        }

        void writeTo(Socket s) throws IOException {
            OutputStream out = s.getOutputStream();
            StringBuilder head = new StringBuilder("HTTP/1.1 ").append(status).append(' ').append(reason(status)).append("\r\n");
            headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
            head.append("Connection: close\r\n");
            if (chunked) {
                head.append("Transfer-Encoding: chunked\r\n");
            } else {
                head.append("Content-Length: ").append(body.length).append("\r\n");
            }
            head.append("\r\n");
            try {
                out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
                int end = cutAfter >= 0 ? Math.min(cutAfter, body.length) : body.length;
                int step = pieceSize > 0 ? pieceSize : Math.max(1, end);
                for (int from = 0; from < end; from += step) {
                    int n = Math.min(step, end - from);
                    if (chunked) {
                        out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                        out.write(body, from, n);
                        out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
                    } else {
                        out.write(body, from, n);
                    }
                    out.flush();
                }
                if (cutAfter >= 0) {
                    s.setSoLinger(true, 0); // reset, no terminating chunk
                    return;
                }
                if (chunked) {
                    out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                }
                out.flush();
            } catch (SocketException clientGone) {
                // the client gave up (a cancelled call); nothing to answer
            }
        }

        private static String reason(int status) {
            return switch (status) {
                case 200 -> "OK";
                case 400 -> "Bad Request";
                case 401 -> "Unauthorized";
                case 403 -> "Forbidden";
                case 404 -> "Not Found";
                case 429 -> "Too Many Requests";
                case 500 -> "Internal Server Error";
                case 503 -> "Service Unavailable";
                default -> "Status";
            };
        }

        @Override
        public String toString() {
            return "Reply[" + status + ", " + body.length + " bytes" + (cutAfter >= 0 ? ", cut after " + cutAfter : "") + "]";
        }
    }
}
