package dev.keel.sandbox.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.sandbox.NetworkPolicy;
import dev.keel.sandbox.SecretRule;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * HTTPS through the egress proxy, against a real TLS server on loopback: interception with the sandbox CA
 * for hosts with a credential rule, untouched tunnels for the others, absolute https URIs, and upstream
 * certificates checked against the host name.
 */
class EgressProxyTlsTest {
    static final String KEY = "Bearer sk-tls-5e0c9a";
    final TestTls upstreamCa = new TestTls();
    MockWebServer server;
    SandboxCa sandboxCa;
    EgressProxy proxy;

    @BeforeEach
    void start() throws Exception {
        server = new MockWebServer();
        server.useHttps(upstreamCa.serverContext("localhost").getSocketFactory());
        server.start(InetAddress.getByName("127.0.0.1"), 0);
        sandboxCa = new SandboxCa("tls-test");
        proxy = new EgressProxy(NetworkPolicy.denyAll().allow("localhost", "127.0.0.1", "plain.localhost"),
                List.of(SecretRule.of("https://localhost:" + server.getPort(), "Authorization", KEY),
                        SecretRule.of("https://127.0.0.1:" + server.getPort(), "Authorization", KEY)),
                "tls-test", upstreamCa.clientContext(), sandboxCa);
    }

    @AfterEach
    void stop() throws Exception {
        proxy.close();
        server.close();
    }

    private Socket connectThroughProxy(String authority) throws IOException {
        Socket s = ProxyClient.open(proxy);
        s.setSoTimeout(10_000);
        s.getOutputStream().write(("CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        String status = readHead(s.getInputStream());
        assertThat(status).startsWith("HTTP/1.1 200");
        return s;
    }

    private static SSLSocket tls(Socket tunnel, String host, SSLContext trust) throws IOException {
        SSLSocket s = (SSLSocket) trust.getSocketFactory().createSocket(tunnel, host, tunnel.getPort(), true);
        s.startHandshake();
        return s;
    }

    private static String exchange(Socket s, String request) throws IOException {
        s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        // the upstream may keep its side open: read the head, then Content-Length bytes
        InputStream in = s.getInputStream();
        String head = readHead(in);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(head);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (m.find()) {
            body.write(in.readNBytes(Integer.parseInt(m.group(1))));
        }
        return head + body.toString(StandardCharsets.UTF_8);
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        while (!b.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                break;
            }
            b.append((char) c);
        }
        return b.toString();
    }

    @Test
    void connectToAHostWithACredentialIsInterceptedAndTheKeyInjected() throws Exception {
        server.enqueue(new MockResponse.Builder().body("secure-ok").build());
        String authority = "localhost:" + server.getPort();
        try (Socket tunnel = connectThroughProxy(authority);
             SSLSocket s = tls(tunnel, "localhost", TestTls.trusting(sandboxCa))) {
            // the certificate the guest sees is the sandbox CA's, not the upstream's
            assertThat(((java.security.cert.X509Certificate) s.getSession().getPeerCertificates()[1])
                    .getSubjectX500Principal().getName()).contains("Keel sandbox tls-test CA");
            String response = exchange(s, "GET /secure HTTP/1.1\r\nHost: " + authority + "\r\nAuthorization: "
                    + SecretRule.SENTINEL + "\r\n\r\n");
            assertThat(response).startsWith("HTTP/1.1 200").endsWith("secure-ok");
        }
        RecordedRequest req = server.takeRequest(10, TimeUnit.SECONDS);
        assertThat(req.getTarget()).isEqualTo("/secure");
        assertThat(req.getHeaders().get("Authorization")).isEqualTo(KEY);
        assertThat(req.getHandshake()).as("the proxy reached the upstream over TLS").isNotNull();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (proxy.requests().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20); // an exchange is logged once both sides have closed
        }
        assertThat(proxy.requests()).anySatisfy(e -> {
            assertThat(e.method()).isEqualTo("GET");
            assertThat(e.host()).isEqualTo("localhost");
            assertThat(e.allowed()).isTrue();
        });
        assertThat(proxy.requests().toString()).doesNotContain("sk-tls");
    }

    @Test
    void aClientThatDoesNotTrustTheSandboxCaRefusesTheInterception() throws Exception {
        try (Socket tunnel = connectThroughProxy("localhost:" + server.getPort())) {
            assertThatThrownBy(() -> tls(tunnel, "localhost", upstreamCa.clientContext()))
                    .isInstanceOf(SSLHandshakeException.class);
        }
        assertThat(server.getRequestCount()).isZero();
    }

    @Test
    void connectToAHostWithoutACredentialIsTunnelledUntouched() throws Exception {
        server.enqueue(new MockResponse.Builder().body("tunnel-ok").build());
        // plain.localhost has no credential rule: end-to-end TLS with the upstream's own certificate
        NetworkPolicy policy = NetworkPolicy.denyAll().allow("localhost", "127.0.0.1");
        try (EgressProxy noRules = new EgressProxy(policy, List.of(), "t2", upstreamCa.clientContext(), sandboxCa);
             Socket raw = ProxyClient.open(noRules)) {
            raw.setSoTimeout(10_000);
            String authority = "localhost:" + server.getPort();
            raw.getOutputStream().write(("CONNECT " + authority + " HTTP/1.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            assertThat(readHead(raw.getInputStream())).startsWith("HTTP/1.1 200");
            try (SSLSocket s = tls(raw, "localhost", upstreamCa.clientContext())) {
                String response = exchange(s, "GET /t HTTP/1.1\r\nHost: " + authority + "\r\nAuthorization: "
                        + SecretRule.SENTINEL + "\r\nConnection: close\r\n\r\n");
                assertThat(response).endsWith("tunnel-ok");
            }
        }
        assertThat(server.takeRequest(10, TimeUnit.SECONDS).getHeaders().get("Authorization")).isEqualTo(SecretRule.SENTINEL);
    }

    @Test
    void absoluteHttpsUrisAreFetchedOverTlsWithTheKey() throws Exception {
        server.enqueue(new MockResponse.Builder().body("abs-ok").build());
        try (Socket s = ProxyClient.open(proxy)) {
            s.setSoTimeout(10_000);
            String response = exchange(s, "GET https://localhost:" + server.getPort() + "/abs HTTP/1.1\r\nHost: localhost\r\n\r\n");
            assertThat(response).startsWith("HTTP/1.1 200").endsWith("abs-ok");
        }
        RecordedRequest req = server.takeRequest(10, TimeUnit.SECONDS);
        assertThat(req.getHeaders().get("Authorization")).isEqualTo(KEY);
        assertThat(req.getHandshake()).isNotNull();
    }

    @Test
    void anUpstreamCertificateForAnotherHostIsRejectedAndTheKeyNotSent() throws Exception {
        // the server's certificate names localhost; asking for 127.0.0.1 must fail verification
        try (Socket s = ProxyClient.open(proxy)) {
            s.setSoTimeout(10_000);
            String response = exchange(s, "GET https://127.0.0.1:" + server.getPort() + "/x HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(response).startsWith("HTTP/1.1 502");
        }
        assertThat(server.getRequestCount()).isZero();
    }
}
