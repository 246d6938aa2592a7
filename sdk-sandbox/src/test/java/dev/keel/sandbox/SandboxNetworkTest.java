package dev.keel.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.core.exec.Command;
import dev.keel.core.exec.ExecResult;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Egress through the proxy only: allow/deny, no bypass, credential injection the guest never sees. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SandboxNetworkTest {
    static final String KEY = "Bearer sk-live-8d2f77c1e0";
    MockWebServer server;
    /** An HTTPS server whose certificate comes from a test CA the proxy (not the guest) is told to trust. */
    MockWebServer tlsServer;
    /** On 127.0.0.2: an allowed host without a credential rule, so CONNECT to it is a plain tunnel. */
    MockWebServer tunnelServer;
    final dev.keel.sandbox.internal.TestTls upstreamCa = new dev.keel.sandbox.internal.TestTls();
    SandboxProvider provider;
    Sandbox box;

    @BeforeAll
    void boot() throws Exception {
        server = new MockWebServer();
        server.start(java.net.InetAddress.getByName("127.0.0.1"), 0);
        tunnelServer = new MockWebServer();
        tunnelServer.start(java.net.InetAddress.getByName("127.0.0.2"), 0);
        tlsServer = new MockWebServer();
        tlsServer.useHttps(upstreamCa.serverContext("localhost").getSocketFactory());
        tlsServer.start(java.net.InetAddress.getByName("127.0.0.1"), 0);
        provider = TestVms.provider(MicroVmConfig.defaults().withUpstreamTls(upstreamCa.clientContext()));
        box = provider.create(SandboxSpec.builder("network-test")
                // loopback is reachable only because it is named by address; plain HTTP gets the key only
                // because its rule names the scheme and port
                .network(NetworkPolicy.denyAll().allow("localhost", "127.0.0.1", "127.0.0.2").deny("blocked.localhost"))
                .secret("http://localhost:" + server.getPort(), "Authorization", KEY)
                .secret("https://localhost:" + tlsServer.getPort(), "Authorization", KEY)
                .build());
    }

    @AfterAll
    void shutdown() throws Exception {
        if (provider != null) {
            provider.close();
        }
        if (server != null) {
            server.close();
        }
        if (tlsServer != null) {
            tlsServer.close();
        }
        if (tunnelServer != null) {
            tunnelServer.close();
        }
    }

    private String url(String host) {
        return "http://" + host + ":" + server.getPort() + "/v1/models";
    }

    @Test
    void allowedHostWorksAndGetsTheInjectedKey() throws Exception {
        server.enqueue(new MockResponse.Builder().body("models-list").build());
        ExecResult r = box.run(Command.of("wget", "-q", "-O", "-", "--header", "Authorization: " + SecretRule.SENTINEL,
                url("localhost")));
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.stdout()).isEqualTo("models-list");
        RecordedRequest req = server.takeRequest(10, TimeUnit.SECONDS);
        assertThat(req).isNotNull();
        assertThat(req.getHeaders().get("Authorization")).isEqualTo(KEY);
        assertThat(req.getTarget()).isEqualTo("/v1/models");
        assertThat(box.networkLog()).anySatisfy(e -> {
            assertThat(e.host()).isEqualTo("localhost");
            assertThat(e.allowed()).isTrue();
            assertThat(e.address()).isEqualTo("127.0.0.1");
            assertThat(e.bytes()).isPositive();
        });
    }

    @Test
    void deniedHostsFailAndAreLogged() {
        int before = server.getRequestCount();
        ExecResult notAllowed = box.run(Command.of("wget", "-q", "-O", "-", url("example.org")));
        ExecResult denied = box.run(Command.of("wget", "-q", "-O", "-", url("blocked.localhost")));
        assertThat(notAllowed.exitCode()).isNotZero();
        assertThat(denied.exitCode()).isNotZero();
        assertThat(server.getRequestCount()).isEqualTo(before);
        assertThat(box.networkLog()).anySatisfy(e -> {
            assertThat(e.host()).isEqualTo("blocked.localhost");
            assertThat(e.allowed()).isFalse();
        }).anySatisfy(e -> {
            assertThat(e.host()).isEqualTo("example.org");
            assertThat(e.allowed()).isFalse();
            assertThat(e.address()).isNull();
        });
    }

    @Test
    void directConnectionsBypassingTheProxyFail() {
        int before = server.getRequestCount();
        // -Y off: ignore http_proxy. The guest has no NIC: neither the host's address nor its loopback is reachable.
        for (String host : new String[] {"127.0.0.1", "10.0.2.2", "172.17.0.1"}) {
            ExecResult r = box.run(Command.of("wget", "-Y", "off", "-O", "-", url(host)));
            assertThat(r.exitCode()).as(host).isEqualTo(1);
            // refused by the guest kernel (its own loopback, or no route at all), not a crash or a timeout
            assertThat(r.stderr()).as(host).containsPattern("can't connect to remote host .*(unreachable|refused)");
        }
        assertThat(box.run(Command.shell("ls /sys/class/net")).stdout().trim()).isEqualTo("lo");
        assertThat(server.getRequestCount()).isEqualTo(before);
    }

    @Test
    void theKeyIsNowhereInTheGuest() {
        server.enqueue(new MockResponse.Builder().body("ok").build());
        Execution running = box.start(Command.shell("wget -q -O - " + url("localhost") + "; sleep 30"),
                dev.keel.core.exec.OutputListener.NONE);
        String secretPart = KEY.substring(7);
        String seen = box.run(Command.shell("env; cat /proc/*/environ /proc/*/cmdline 2>/dev/null | tr '\\0' '\\n'; ps -o args;"
                + " echo end")).stdout();
        assertThat(TestVms.guestFilesContaining(box, secretPart)).isEmpty();
        // the search itself works: a file written in the guest is found
        box.writeFile("/root/control.txt", "control-b41f".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(TestVms.guestFilesContaining(box, "control-b41f")).contains("/root/control.txt");
        running.kill();
        assertThat(seen).contains("http_proxy=").endsWith("end\n").doesNotContain(secretPart);
        assertThat(box.spec().toString()).doesNotContain(secretPart);
        assertThat(box.networkLog().toString()).doesNotContain(secretPart);
    }

    private ExecResult rawProxy(String request) {
        // the request travels on stdin; the sleep keeps nc reading until the proxy has answered
        return box.run(Command.shell("(cat; sleep 1) | nc 127.0.0.1 3128").withStdin(request)
                .withTimeout(java.time.Duration.ofSeconds(30)));
    }

    @Test
    void httpsConnectIsTunnelledForAllowedHostsOnly() throws Exception {
        tunnelServer.enqueue(new MockResponse.Builder().body("through-the-tunnel").build());
        String target = "127.0.0.2:" + tunnelServer.getPort();
        // what a TLS client would send after CONNECT is opaque to the proxy; plain HTTP shows it arrives untouched
        ExecResult tunnel = rawProxy("CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n\r\n"
                + "GET /tunnelled HTTP/1.1\r\nHost: " + target + "\r\nAuthorization: " + SecretRule.SENTINEL
                + "\r\nConnection: close\r\n\r\n");
        assertThat(tunnel.stdout()).as(tunnel.toString()).startsWith("HTTP/1.1 200 Connection Established")
                .contains("through-the-tunnel");
        RecordedRequest req = tunnelServer.takeRequest(10, TimeUnit.SECONDS);
        assertThat(req).as("the tunnelled request reached the server").isNotNull();
        assertThat(req.getTarget()).isEqualTo("/tunnelled");
        // no credential rule for this host: the tunnel is not intercepted, the sentinel goes through as it is
        assertThat(req.getHeaders().get("Authorization")).isEqualTo(SecretRule.SENTINEL);

        int before = server.getRequestCount() + tunnelServer.getRequestCount();
        for (String host : new String[] {"blocked.localhost", "127.0.0.9", "example.com"}) {
            ExecResult denied = rawProxy("CONNECT " + host + ":" + server.getPort() + " HTTP/1.1\r\n\r\n");
            assertThat(denied.stdout()).as(host).startsWith("HTTP/1.1 403");
        }
        assertThat(server.getRequestCount() + tunnelServer.getRequestCount()).isEqualTo(before);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (box.networkLog().stream().noneMatch(e -> e.host().equals("127.0.0.2")) && System.nanoTime() < deadline) {
            Thread.sleep(20); // a tunnel is logged once both sides have closed
        }
        assertThat(box.networkLog()).anySatisfy(e -> {
            assertThat(e.method()).isEqualTo("CONNECT");
            assertThat(e.host()).isEqualTo("127.0.0.2");
            assertThat(e.scheme()).isEqualTo("tcp");
            assertThat(e.address()).isEqualTo("127.0.0.2");
            assertThat(e.allowed()).isTrue();
            assertThat(e.bytes()).isPositive();
        }).anySatisfy(e -> {
            assertThat(e.method()).isEqualTo("CONNECT");
            assertThat(e.host()).isEqualTo("blocked.localhost");
            assertThat(e.allowed()).isFalse();
        });
    }

    @Test
    void httpsRequestsGetTheKeyAndTheGuestTrustsItsSandboxCa() throws Exception {
        tlsServer.enqueue(new MockResponse.Builder().body("secure-models").build());
        // busybox wget sends https URLs to the proxy in absolute form; the proxy speaks TLS to the upstream
        ExecResult r = box.run(Command.of("wget", "-q", "-O", "-", "--header", "Authorization: " + SecretRule.SENTINEL,
                "https://localhost:" + tlsServer.getPort() + "/v1/secure"));
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.stdout()).isEqualTo("secure-models");
        RecordedRequest req = tlsServer.takeRequest(10, TimeUnit.SECONDS);
        assertThat(req.getHeaders().get("Authorization")).isEqualTo(KEY);
        assertThat(req.getHandshake()).isNotNull();

        // TLS clients that CONNECT (curl, python, node, git) find the sandbox CA through the usual variables
        String env = box.exec("env").stdout();
        assertThat(env).contains("SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt")
                .contains("NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt");
        String pem = new String(box.readFile("/etc/ssl/certs/ca-certificates.crt"), java.nio.charset.StandardCharsets.US_ASCII);
        assertThat(pem).startsWith("-----BEGIN CERTIFICATE-----").doesNotContain("PRIVATE");
        java.security.cert.X509Certificate ca = (java.security.cert.X509Certificate) java.security.cert.CertificateFactory
                .getInstance("X.509").generateCertificate(new java.io.ByteArrayInputStream(pem.getBytes(
                        java.nio.charset.StandardCharsets.US_ASCII)));
        assertThat(ca.getSubjectX500Principal().getName()).contains("network-test");
        assertThat(ca.getBasicConstraints()).isGreaterThanOrEqualTo(0);
    }
}
