package dev.keel.sandbox.internal;

import dev.keel.sandbox.NetworkPolicy;
import dev.keel.sandbox.NetworkRequest;
import dev.keel.sandbox.SecretRule;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.security.MessageDigest;
import java.security.SecureRandom;
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
 * One sandbox's egress proxy, listening on loopback in the JVM. Only its own sandbox can use it: every connection
 * must first present the proxy's random token, which only the sandbox's {@link NetRelay} holds; anything else is
 * dropped before a byte is read. Destinations are decided by {@link EgressRules} on the address and port actually
 * connected to: the port of the {@code CONNECT} authority or absolute URI, else the scheme's default (443 for
 * {@code CONNECT} and {@code https}, 80 for {@code http}); the {@code Host} header never routes. Requests with an
 * absolute {@code http} or {@code https} URI are forwarded (over TLS for https) with {@code Connection: close}
 * after the secret rules bound to that exact scheme, host and port have set their headers. {@code CONNECT} to an
 * origin with an https credential rule is intercepted: the guest's TLS ends here with a certificate from the
 * sandbox's own CA, the request is read, the header set, and it goes on over a fresh TLS connection that verifies
 * the real host. {@code CONNECT} to any other permitted destination opens an
 * untouched tunnel. Anything the policy does not permit gets 403. Every request is logged with the address it
 * really went to; secret values never are. Thread-safe.
 */
final class EgressProxy implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EgressProxy.class);
    private static final int MAX_HEAD = 64 * 1024;
    /** Length of the token a connection must start with. */
    static final int TOKEN_BYTES = 32;
    private static final int AUTH_TIMEOUT_MS = 10_000;

    private final EgressRules rules;
    private final List<SecretRule> secrets;
    private final ServerSocket server;
    private final ExecutorService workers;
    private final Semaphore slots;
    private final ConcurrentLinkedQueue<NetworkRequest> requests = new ConcurrentLinkedQueue<>();
    private volatile boolean closed;
    private final SSLContext upstreamTls;
    private final SandboxCa ca;
    private final byte[] token = new byte[TOKEN_BYTES];
    private volatile java.time.Duration halfClosedIdle = java.time.Duration.ofSeconds(30);

    /**
     * @param upstreamTls trust for the proxy's own TLS connections to upstream hosts
     * @param ca          the sandbox's CA for intercepting HTTPS to hosts with a credential rule; null for none
     */
    EgressProxy(NetworkPolicy policy, List<SecretRule> secrets, String name, SSLContext upstreamTls, SandboxCa ca)
            throws IOException {
        this(EgressRules.of(policy), policy.maxConnections(), secrets, name, upstreamTls, ca);
    }

    EgressProxy(EgressRules rules, int maxConnections, List<SecretRule> secrets, String name, SSLContext upstreamTls,
                SandboxCa ca) throws IOException {
        this.rules = rules;
        this.upstreamTls = upstreamTls;
        this.ca = ca;
        this.secrets = List.copyOf(secrets);
        new SecureRandom().nextBytes(token);
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.slots = new Semaphore(maxConnections);
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

    /** What a connection must send first to be served (only the sandbox's relay knows it). */
    byte[] token() {
        return token.clone();
    }

    List<NetworkRequest> requests() {
        return new ArrayList<>(requests);
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = server.accept();
                workers.execute(() -> {
                    try (client) {
                        if (!authenticated(client)) {
                            log.debug("dropped a connection to the egress proxy that did not present its token");
                            return;
                        }
                        if (!slots.tryAcquire()) {
                            reply(client.getOutputStream(), "503 Too Many Connections", "too many connections");
                            return;
                        }
                        try {
                            serve(client);
                        } finally {
                            slots.release();
                        }
                    } catch (IOException e) {
                        log.debug("proxy connection ended: {}", e.toString());
                    }
                });
            } catch (IOException e) {
                if (!closed) {
                    log.debug("proxy accept failed", e);
                }
            }
        }
    }

    private boolean authenticated(Socket client) throws IOException {
        client.setSoTimeout(AUTH_TIMEOUT_MS);
        byte[] got;
        try {
            got = client.getInputStream().readNBytes(TOKEN_BYTES);
        } catch (java.net.SocketTimeoutException e) {
            return false;
        }
        client.setSoTimeout(0);
        return MessageDigest.isEqual(got, token);
    }

    private void log(Request r, Destination d, String scheme, String address, boolean allowed, String reason, long bytes) {
        requests.add(new NetworkRequest(Instant.now(), r.method, scheme, d != null ? d.host() : r.host,
                d != null ? d.port() : r.port, address, allowed, reason, bytes));
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
            reply(out, "400 Bad Request", "not a proxy request");
            return;
        }
        Destination d;
        try {
            d = Destination.parse(r.host, r.port);
        } catch (IllegalArgumentException e) {
            log(r, null, r.scheme, null, false, e.getMessage(), 0);
            reply(out, "400 Bad Request", e.getMessage());
            return;
        }
        EgressRules.Decision decision = rules.decide(d);
        if (!decision.allowed()) {
            log(r, d, r.scheme, null, false, decision.reason(), 0);
            reply(out, "403 Forbidden", decision.reason());
            return;
        }
        String scheme = r.scheme;
        if (r.method.equals("CONNECT") && ca != null && !rulesFor("https", d).isEmpty()) {
            // a credential goes to this origin: terminate the guest's TLS with the sandbox CA, read the request
            out.write("HTTP/1.1 200 Connection Established\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            SSLSocket tls = ca.serve(client, d.host());
            in = tls.getInputStream();
            out = tls.getOutputStream();
            String inner = readHead(in);
            Request ir = inner == null ? null : Request.parse(inner, true);
            if (ir == null) {
                reply(out, "400 Bad Request", "not an HTTP request");
                return;
            }
            r = new Request(ir.method, r.host, r.port, ir.path, ir.version, ir.lines, "https");
            scheme = "https";
        }
        AtomicLong bytes = new AtomicLong();
        String address = null;
        try (Socket upstream = connect(decision.addresses(), d, scheme.equals("https"))) {
            address = IpAddresses.text(upstream.getInetAddress());
            OutputStream up = upstream.getOutputStream();
            if (scheme.equals("tcp")) {
                out.write("HTTP/1.1 200 Connection Established\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            } else {
                up.write(rewrite(r, rulesFor(scheme, d)).getBytes(StandardCharsets.ISO_8859_1));
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
            log.debug("upstream {} failed: {}", d.authority(), e.toString());
            log(r, d, scheme, address, true, "upstream failed: " + e.getMessage(), bytes.get());
            reply(out, "502 Bad Gateway", "cannot reach " + d.authority());
            return;
        }
        log(r, d, scheme, address, true, "allowed", bytes.get());
    }

    /** The secret rules bound to exactly this scheme, host and port. */
    private List<SecretRule> rulesFor(String scheme, Destination d) {
        return secrets.stream().filter(rule -> rule.scheme().equals(scheme) && rule.port() == d.port()
                && hostMatches(rule.hostPattern(), d)).toList();
    }

    private static boolean hostMatches(String pattern, Destination d) {
        if (d.literal() != null) {
            InetAddress ruleAddress = IpAddresses.literal(pattern);
            return ruleAddress != null && ruleAddress.equals(d.literal());
        }
        return IpAddresses.literal(pattern) == null && EgressRules.nameMatches(pattern, d.host());
    }

    /** Connects to the first checked address that answers; never resolves the name again. */
    private Socket connect(List<InetAddress> addresses, Destination d, boolean tls) throws IOException {
        IOException last = new IOException("no address to connect to");
        for (InetAddress a : addresses) {
            Socket plain = new Socket();
            try {
                plain.connect(new InetSocketAddress(a, d.port()), 10_000);
            } catch (IOException e) {
                plain.close();
                last = e;
                continue;
            }
            if (!tls) {
                return plain;
            }
            SSLSocket s = (SSLSocket) upstreamTls.getSocketFactory().createSocket(plain, d.host(), d.port(), true);
            SSLParameters p = s.getSSLParameters();
            p.setEndpointIdentificationAlgorithm("HTTPS"); // the upstream's certificate must name the host
            s.setSSLParameters(p);
            s.setSoTimeout(30_000); // an upstream that never answers the handshake must not hold a slot for ever
            s.startHandshake();
            s.setSoTimeout(0);
            return s;
        }
        throw last;
    }

    /**
     * A parsed request head: CONNECT authority (scheme {@code tcp}), absolute http(s) URI, or (inside a tunnel)
     * origin form. The host is as the guest wrote it; {@link Destination} canonicalises it.
     */
    private record Request(String method, String host, int port, String path, String version, String[] lines,
                           String scheme) {
        static Request parse(String head, boolean originForm) {
            String[] lines = head.split("\r\n");
            String[] rl = lines[0].split(" ");
            if (rl.length != 3) {
                return null;
            }
            String method = rl[0].toUpperCase(Locale.ROOT);
            if (originForm) {
                return rl[1].startsWith("/") ? new Request(method, null, -1, rl[1], rl[2], lines, "https") : null;
            }
            if (method.equals("CONNECT")) {
                String[] hp = hostAndPort(rl[1], 443);
                return hp == null ? null : new Request(method, hp[0], parsePort(hp[1]), null, rl[2], lines, "tcp");
            }
            try {
                URI uri = new URI(rl[1]);
                String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
                String authority = uri.getRawAuthority();
                if (!(scheme.equals("http") || scheme.equals("https")) || authority == null) {
                    return null;
                }
                authority = authority.substring(authority.lastIndexOf('@') + 1); // no userinfo
                String[] hp = hostAndPort(authority, scheme.equals("https") ? 443 : 80);
                if (hp == null) {
                    return null;
                }
                String path = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                        + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
                return new Request(method, hp[0], parsePort(hp[1]), path, rl[2], lines, scheme);
            } catch (URISyntaxException e) {
                return null;
            }
        }

        /** {@code host[:port]} or {@code [v6][:port]} into host (brackets kept) and port text. */
        private static String[] hostAndPort(String authority, int defaultPort) {
            if (authority.startsWith("[")) {
                int close = authority.indexOf(']');
                if (close < 0) {
                    return null;
                }
                String rest = authority.substring(close + 1);
                if (!rest.isEmpty() && !rest.startsWith(":")) {
                    return null;
                }
                return new String[] {authority.substring(0, close + 1),
                        rest.isEmpty() ? Integer.toString(defaultPort) : rest.substring(1)};
            }
            int colon = authority.lastIndexOf(':');
            if (colon >= 0 && authority.indexOf(':') != colon) {
                return null; // an unbracketed IPv6 address: ambiguous
            }
            return colon < 0 ? new String[] {authority, Integer.toString(defaultPort)}
                    : new String[] {authority.substring(0, colon), authority.substring(colon + 1)};
        }
    }

    /** Origin-form request line, no hop-by-hop or proxy headers, secret headers set, one request per connection. */
    private static String rewrite(Request r, List<SecretRule> rules) {
        StringBuilder b = new StringBuilder(r.method).append(' ').append(r.path).append(' ').append(r.version)
                .append("\r\n");
        for (int i = 1; i < r.lines.length; i++) {
            String line = r.lines[i];
            int colon = line.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String name = line.substring(0, colon).trim();
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.startsWith("proxy-") || lower.equals("connection") || lower.equals("keep-alive")
                    || rules.stream().anyMatch(rule -> rule.header().equalsIgnoreCase(name))) {
                continue;
            }
            b.append(line).append("\r\n");
        }
        for (SecretRule rule : rules) {
            b.append(rule.header()).append(": ").append(rule.value()).append("\r\n");
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

    private static void reply(OutputStream out, String status, String reason) throws IOException {
        String body = status + ": " + reason.replace('\r', ' ').replace('\n', ' ') + "\n";
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
