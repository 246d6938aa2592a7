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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One sandbox's egress proxy, listening on loopback in the JVM. Requests with an absolute {@code http} or
 * {@code https} URI are forwarded (over TLS for https) with {@code Connection: close} after the secret
 * rules have set their headers. {@code CONNECT} to a host with a credential rule is intercepted: the
 * guest's TLS ends here with a certificate from the sandbox's own CA, the request is read, the header set,
 * and it goes on over a fresh TLS connection that verifies the real host. {@code CONNECT} to any other
 * permitted host opens an untouched tunnel. Anything whose host the policy does not permit gets 403. Every request is
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
    private final SSLContext upstreamTls;
    private final SandboxCa ca;
    private volatile java.time.Duration halfClosedIdle = java.time.Duration.ofSeconds(30);

    /**
     * @param upstreamTls trust for the proxy's own TLS connections to upstream hosts
     * @param ca          the sandbox's CA for intercepting HTTPS to hosts with a credential rule; null for none
     */
    EgressProxy(NetworkPolicy policy, List<SecretRule> secrets, String name, SSLContext upstreamTls, SandboxCa ca)
            throws IOException {
        this.policy = policy;
        this.upstreamTls = upstreamTls;
        this.ca = ca;
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
        Request r = Request.parse(head, false);
        if (r == null) {
            reply(out, "400 Bad Request");
            return;
        }
        if (r.port <= 0 || !policy.permits(r.host)) {
            requests.add(new NetworkRequest(Instant.now(), r.method, r.host, r.port, false, 0));
            reply(out, "403 Forbidden");
            return;
        }
        boolean upstreamTls = r.https;
        if (r.method.equals("CONNECT") && ca != null && hasRule(r.host)) {
            // a credential goes to this host: terminate the guest's TLS with the sandbox CA, read the request
            out.write("HTTP/1.1 200 Connection Established\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            SSLSocket tls = ca.serve(client, r.host);
            in = tls.getInputStream();
            out = tls.getOutputStream();
            String inner = readHead(in);
            Request ir = inner == null ? null : Request.parse(inner, true);
            if (ir == null) {
                reply(out, "400 Bad Request");
                return;
            }
            r = new Request(ir.method, r.host, r.port, ir.path, ir.version, ir.lines, true);
            upstreamTls = true;
        }
        AtomicLong bytes = new AtomicLong();
        try (Socket upstream = connect(r.host, r.port, upstreamTls)) {
            OutputStream up = upstream.getOutputStream();
            if (r.method.equals("CONNECT")) {
                out.write("HTTP/1.1 200 Connection Established\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            } else {
                up.write(rewrite(r.lines, r.method, r.path, r.version, r.host).getBytes(StandardCharsets.ISO_8859_1));
                up.flush();
            }
            InputStream clientIn = in;
            AtomicBoolean clientDone = new AtomicBoolean();
            Thread toUpstream = new Thread(() -> {
                pump(clientIn, up, bytes, upstream);
                clientDone.set(true);
            }, "keel-sandbox-proxy-up");
            toUpstream.setDaemon(true);
            toUpstream.start();
            pumpFromUpstream(upstream, out, bytes, clientDone);
            try {
                toUpstream.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        } catch (IOException e) {
            log.debug("upstream {}:{} failed: {}", r.host, r.port, e.toString());
            requests.add(new NetworkRequest(Instant.now(), r.method, r.host, r.port, true, bytes.get()));
            reply(out, "502 Bad Gateway");
            return;
        }
        requests.add(new NetworkRequest(Instant.now(), r.method, r.host, r.port, true, bytes.get()));
    }

    private boolean hasRule(String host) {
        return secrets.stream().anyMatch(rule -> NetworkPolicy.matches(rule.hostPattern(), host));
    }

    private Socket connect(String host, int port, boolean tls) throws IOException {
        Socket plain = new Socket();
        plain.connect(new InetSocketAddress(host, port), 10_000);
        if (!tls) {
            return plain;
        }
        SSLSocket s = (SSLSocket) upstreamTls.getSocketFactory().createSocket(plain, host, port, true);
        SSLParameters p = s.getSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS"); // the upstream's certificate must name the host
        s.setSSLParameters(p);
        s.startHandshake();
        return s;
    }

    /** A parsed request head: CONNECT authority, absolute http(s) URI, or (inside a tunnel) origin form. */
    private record Request(String method, String host, int port, String path, String version, String[] lines,
                           boolean https) {
        static Request parse(String head, boolean originForm) {
            String[] lines = head.split("\r\n");
            String[] rl = lines[0].split(" ");
            if (rl.length != 3) {
                return null;
            }
            String method = rl[0].toUpperCase(Locale.ROOT);
            if (originForm) {
                return rl[1].startsWith("/") ? new Request(method, null, -1, rl[1], rl[2], lines, true) : null;
            }
            if (method.equals("CONNECT")) {
                int colon = rl[1].lastIndexOf(':');
                String host = colon > 0 ? rl[1].substring(0, colon) : rl[1];
                int port = colon > 0 ? parsePort(rl[1].substring(colon + 1)) : 443;
                return new Request(method, host, port, null, rl[2], lines, false);
            }
            try {
                URI uri = new URI(rl[1]);
                String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
                if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
                    return null;
                }
                boolean https = scheme.equals("https");
                String path = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                        + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
                int port = uri.getPort() < 0 ? (https ? 443 : 80) : uri.getPort();
                return new Request(method, uri.getHost(), port, path, rl[2], lines, https);
            } catch (URISyntaxException e) {
                return null;
            }
        }
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

    /**
     * Upstream to guest until the upstream closes, the guest goes away, or — once the guest has closed its
     * side — the upstream stays silent for {@link #halfClosedIdle}: an upstream that never closes must not
     * hold one of the sandbox's connection slots for ever.
     */
    private void pumpFromUpstream(Socket upstream, OutputStream to, AtomicLong bytes, AtomicBoolean clientDone) {
        byte[] buf = new byte[16384];
        long lastData = System.nanoTime();
        try {
            upstream.setSoTimeout(200);
            InputStream from = upstream.getInputStream();
            while (true) {
                int n;
                try {
                    n = from.read(buf);
                } catch (java.net.SocketTimeoutException idle) {
                    if (clientDone.get() && System.nanoTime() - lastData > halfClosedIdle.toNanos()) {
                        return;
                    }
                    continue;
                }
                if (n < 0) {
                    return;
                }
                lastData = System.nanoTime();
                to.write(buf, 0, n);
                to.flush();
                bytes.addAndGet(n);
            }
        } catch (IOException e) {
            // either side closed: the relay is over
        }
    }

    /** How long an upstream may stay silent after the guest closed its side (tests shorten it). */
    void halfClosedIdle(java.time.Duration value) {
        this.halfClosedIdle = value;
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
