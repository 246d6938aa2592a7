package dev.keel.sandbox.internal;

import dev.keel.sandbox.NetworkPolicy;
import dev.keel.sandbox.NetworkRequest;
import dev.keel.sandbox.SecretRule;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One sandbox's egress proxy, listening on loopback in the JVM. Plain HTTP requests (absolute URI) are
 * forwarded with {@code Connection: close} after the secret rules have set their headers; {@code CONNECT}
 * opens an untouched tunnel. Anything whose host the policy does not permit gets 403. Every request is
 * logged (host, method, allowed, bytes); secret values never are. Thread-safe.
 */
final class EgressProxy implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EgressProxy.class);
    private static final int MAX_HEAD = 64 * 1024;

    private final NetworkPolicy policy;
    private final List<SecretRule> secrets;
    private final ServerSocket server;
    private final ExecutorService workers;
    private final Semaphore slots;
    private final ConcurrentLinkedQueue<NetworkRequest> requests = new ConcurrentLinkedQueue<>();
    private volatile boolean closed;

    EgressProxy(NetworkPolicy policy, List<SecretRule> secrets, String name) throws IOException {
        this.policy = policy;
        this.secrets = List.copyOf(secrets);
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.slots = new Semaphore(policy.maxConnections());
        this.workers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "keel-sandbox-proxy-" + name);
            t.setDaemon(true);
            return t;
        });
        workers.execute(this::acceptLoop);
    }

    int port() {
        return server.getLocalPort();
    }

    List<NetworkRequest> requests() {
        return new ArrayList<>(requests);
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = server.accept();
                if (!slots.tryAcquire()) {
                    reply(client.getOutputStream(), "503 Too Many Connections");
                    client.close();
                    continue;
                }
                workers.execute(() -> {
                    try (client) {
                        serve(client);
                    } catch (IOException e) {
                        log.debug("proxy connection ended: {}", e.toString());
                    } finally {
                        slots.release();
                    }
                });
            } catch (IOException e) {
                if (!closed) {
                    log.debug("proxy accept failed", e);
                }
            }
        }
    }

    private void serve(Socket client) throws IOException {
        InputStream in = client.getInputStream();
        OutputStream out = client.getOutputStream();
        String head = readHead(in);
        if (head == null) {
            return;
        }
        String[] lines = head.split("\r\n");
        String[] requestLine = lines[0].split(" ");
        if (requestLine.length != 3) {
            reply(out, "400 Bad Request");
            return;
        }
        String method = requestLine[0].toUpperCase(Locale.ROOT);
        String host;
        int port;
        String path;
        if (method.equals("CONNECT")) {
            int colon = requestLine[1].lastIndexOf(':');
            host = colon > 0 ? requestLine[1].substring(0, colon) : requestLine[1];
            port = colon > 0 ? parsePort(requestLine[1].substring(colon + 1)) : 443;
            path = null;
        } else {
            try {
                URI uri = new URI(requestLine[1]);
                if (!"http".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
                    reply(out, "400 Bad Request");
                    return;
                }
                host = uri.getHost();
                port = uri.getPort() < 0 ? 80 : uri.getPort();
                path = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                        + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
            } catch (URISyntaxException e) {
                reply(out, "400 Bad Request");
                return;
            }
        }
        if (port <= 0 || !policy.permits(host)) {
            requests.add(new NetworkRequest(Instant.now(), method, host, port, false, 0));
            reply(out, "403 Forbidden");
            return;
        }
        AtomicLong bytes = new AtomicLong();
        try (Socket upstream = new Socket()) {
            upstream.connect(new InetSocketAddress(host, port), 10_000);
            OutputStream up = upstream.getOutputStream();
            if (method.equals("CONNECT")) {
                out.write("HTTP/1.1 200 Connection Established\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            } else {
                up.write(rewrite(lines, method, path, requestLine[2], host).getBytes(StandardCharsets.ISO_8859_1));
                up.flush();
            }
            Thread toUpstream = new Thread(() -> pump(in, up, bytes, upstream), "keel-sandbox-proxy-up");
            toUpstream.setDaemon(true);
            toUpstream.start();
            pump(upstream.getInputStream(), out, bytes, null);
            try {
                toUpstream.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        } catch (IOException e) {
            requests.add(new NetworkRequest(Instant.now(), method, host, port, true, bytes.get()));
            reply(out, "502 Bad Gateway");
            return;
        }
        requests.add(new NetworkRequest(Instant.now(), method, host, port, true, bytes.get()));
    }

    /** Origin-form request line, no hop-by-hop or proxy headers, secret headers set, one request per connection. */
    private String rewrite(String[] lines, String method, String path, String version, String host) {
        List<SecretRule> rules = secrets.stream().filter(r -> NetworkPolicy.matches(r.hostPattern(), host)).toList();
        StringBuilder b = new StringBuilder(method).append(' ').append(path).append(' ').append(version).append("\r\n");
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            int colon = line.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String name = line.substring(0, colon).trim();
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.startsWith("proxy-") || lower.equals("connection") || lower.equals("keep-alive")
                    || rules.stream().anyMatch(r -> r.header().equalsIgnoreCase(name))) {
                continue;
            }
            b.append(line).append("\r\n");
        }
        for (SecretRule r : rules) {
            b.append(r.header()).append(": ").append(r.value()).append("\r\n");
        }
        return b.append("Connection: close\r\n\r\n").toString();
    }

    private static void pump(InputStream from, OutputStream to, AtomicLong bytes, Socket closeWhenDone) {
        byte[] buf = new byte[16384];
        try {
            int n;
            while ((n = from.read(buf)) >= 0) {
                to.write(buf, 0, n);
                to.flush();
                bytes.addAndGet(n);
            }
        } catch (IOException e) {
            // either side closed: the relay is over
        } finally {
            if (closeWhenDone != null) {
                try {
                    closeWhenDone.shutdownOutput();
                } catch (IOException ignored) {
                    // already closed
                }
            }
        }
    }

    private static int parsePort(String s) {
        try {
            int p = Integer.parseInt(s);
            return p > 0 && p < 65536 ? p : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int state = 0;
        while (head.size() < MAX_HEAD) {
            int c = in.read();
            if (c < 0) {
                return null;
            }
            head.write(c);
            state = (c == '\r' && (state == 0 || state == 2)) ? state + 1 : (c == '\n' && (state == 1 || state == 3)) ? state + 1 : 0;
            if (state == 4) {
                return head.toString(StandardCharsets.ISO_8859_1);
            }
        }
        return null;
    }

    private static void reply(OutputStream out, String status) throws IOException {
        String body = status + "\n";
        out.write(("HTTP/1.1 " + status + "\r\nContent-Type: text/plain\r\nContent-Length: " + body.length()
                + "\r\nConnection: close\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing
        }
        workers.shutdownNow();
    }
}
