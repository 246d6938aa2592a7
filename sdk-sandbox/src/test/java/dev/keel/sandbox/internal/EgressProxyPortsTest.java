package dev.keel.sandbox.internal;

import static dev.keel.sandbox.internal.EgressProxySecretsTest.send;
import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.sandbox.NetworkPolicy;
import dev.keel.sandbox.NetworkRequest;
import dev.keel.sandbox.SecretRule;
import java.net.InetAddress;
import java.net.Socket;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import javax.net.ssl.SSLContext;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Port rules on the real proxy, without a VM: two real HTTP servers on loopback, the policy allows one port, and
 * every way of asking for the other port (CONNECT, an absolute http URL, a spoofed {@code Host} header, another
 * spelling of the host) gets the proxy's 403 without a byte reaching it.
 */
class EgressProxyPortsTest {
    static final String KEY = "Bearer sk-port-bound-5c1e";
    MockWebServer allowed;
    MockWebServer otherPort;

    @BeforeEach
    void start() throws Exception {
        allowed = new MockWebServer();
        allowed.start(InetAddress.getByName("127.0.0.1"), 0);
        otherPort = new MockWebServer();
        otherPort.start(InetAddress.getByName("127.0.0.1"), 0);
    }

    @AfterEach
    void stop() throws Exception {
        allowed.close();
        otherPort.close();
    }

    private EgressProxy proxy(NetworkPolicy policy) throws Exception {
        return new EgressProxy(policy, List.of(SecretRule.of("http://127.0.0.1:" + allowed.getPort(), "Authorization",
                KEY)), "ports", SSLContext.getDefault(), null);
    }

    private static String exchange(EgressProxy proxy, String request) throws Exception {
        try (Socket s = ProxyClient.open(proxy)) {
            return send(s, request);
        }
    }

    /** CONNECT, then one plain request through the tunnel; both answers. */
    private static String tunnel(EgressProxy proxy, String authority, String hostHeader) throws Exception {
        try (Socket s = ProxyClient.open(proxy)) {
            String established = send(s, "CONNECT " + authority + " HTTP/1.1\r\nHost: " + hostHeader + "\r\n\r\n");
            if (!established.startsWith("HTTP/1.1 200")) {
                return established;
            }
            return established + send(s, "GET /tunnelled HTTP/1.1\r\nHost: " + hostHeader + "\r\nConnection: close\r\n\r\n");
        }
    }

    /** Waits (polling) for a logged request: a relayed exchange is logged once both sides have closed. */
    private static NetworkRequest logged(EgressProxy proxy, Predicate<NetworkRequest> which) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            for (NetworkRequest r : proxy.requests()) {
                if (which.test(r)) {
                    return r;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("not logged; the log is " + proxy.requests());
    }

    @Test
    void theOtherPortOfAnAllowedHostIsRefusedOverConnectAndPlainHttp() throws Exception {
        int a = allowed.getPort();
        int b = otherPort.getPort();
        try (EgressProxy proxy = proxy(NetworkPolicy.denyAll().allow("127.0.0.1", a))) {
            allowed.enqueue(new MockResponse.Builder().body("via-connect").build());
            allowed.enqueue(new MockResponse.Builder().body("via-http").build());
            assertThat(tunnel(proxy, "127.0.0.1:" + a, "127.0.0.1:" + a)).startsWith("HTTP/1.1 200")
                    .endsWith("via-connect");
            assertThat(exchange(proxy, "GET http://127.0.0.1:" + a + "/plain HTTP/1.1\r\nHost: 127.0.0.1:" + a
                    + "\r\n\r\n")).endsWith("via-http");
            assertThat(allowed.getRequestCount()).isEqualTo(2);

            assertThat(tunnel(proxy, "127.0.0.1:" + b, "127.0.0.1:" + b)).startsWith("HTTP/1.1 403 Forbidden")
                    .contains("port " + b + " of 127.0.0.1 is not allowed");
            for (String spelling : List.of("127.0.0.1", "2130706433", "0x7f.0.0.1", "[::ffff:127.0.0.1]")) {
                assertThat(exchange(proxy, "GET http://" + spelling + ":" + b + "/plain HTTP/1.1\r\nHost: 127.0.0.1:" + b
                        + "\r\nAuthorization: " + SecretRule.SENTINEL + "\r\n\r\n")).as(spelling)
                        .startsWith("HTTP/1.1 403 Forbidden");
            }
            assertThat(otherPort.getRequestCount()).as("nothing reached the other port").isZero();

            NetworkRequest refused = logged(proxy, r -> !r.allowed() && r.method().equals("CONNECT"));
            assertThat(refused.port()).isEqualTo(b);
            assertThat(refused.address()).as("nothing was connected").isNull();
            assertThat(refused.reason()).contains("127.0.0.1:" + a);
            assertThat(proxy.requests()).filteredOn(r -> !r.allowed()).hasSize(5)
                    .allSatisfy(r -> assertThat(r.port()).isEqualTo(b));
            assertThat(proxy.requests().toString()).doesNotContain("sk-port-bound");
        }
    }

    @Test
    void aHostHeaderNeverChoosesThePortOnlyTheRequestLineDoes() throws Exception {
        int a = allowed.getPort();
        int b = otherPort.getPort();
        try (EgressProxy proxy = proxy(NetworkPolicy.denyAll().allow("127.0.0.1:" + a))) {
            // the request line names the allowed port, the Host header the other: it goes to the allowed port
            allowed.enqueue(new MockResponse.Builder().body("line-wins").build());
            assertThat(exchange(proxy, "GET http://127.0.0.1:" + a + "/spoof HTTP/1.1\r\nHost: 127.0.0.1:" + b
                    + "\r\n\r\n")).endsWith("line-wins");
            RecordedRequest got = allowed.takeRequest(10, TimeUnit.SECONDS);
            assertThat(got.getTarget()).isEqualTo("/spoof");
            allowed.enqueue(new MockResponse.Builder().body("tunnel-line-wins").build());
            assertThat(tunnel(proxy, "127.0.0.1:" + a, "127.0.0.1:" + b)).endsWith("tunnel-line-wins");

            // the other way round: the request line names the other port, the Host header the allowed one
            assertThat(exchange(proxy, "GET http://127.0.0.1:" + b + "/spoof HTTP/1.1\r\nHost: 127.0.0.1:" + a
                    + "\r\n\r\n")).startsWith("HTTP/1.1 403 Forbidden");
            assertThat(tunnel(proxy, "127.0.0.1:" + b, "127.0.0.1:" + a)).startsWith("HTTP/1.1 403 Forbidden");
            // an origin-form request is never routed by its Host header, and neither is a URL without a host
            assertThat(exchange(proxy, "GET /spoof HTTP/1.1\r\nHost: 127.0.0.1:" + a + "\r\n\r\n"))
                    .startsWith("HTTP/1.1 400");
            assertThat(exchange(proxy, "GET http:///spoof HTTP/1.1\r\nHost: 127.0.0.1:" + a + "\r\n\r\n"))
                    .startsWith("HTTP/1.1 400");
            // userinfo that looks like an authority does not move the port either
            assertThat(exchange(proxy, "GET http://127.0.0.1:" + a + "@127.0.0.1:" + b + "/spoof HTTP/1.1\r\nHost: x"
                    + "\r\n\r\n")).startsWith("HTTP/1.1 403 Forbidden");
            assertThat(otherPort.getRequestCount()).isZero();
            assertThat(allowed.getRequestCount()).isEqualTo(2);
        }
    }

    @Test
    void hostNamesKeepTheirMatchingRulesOnTheAllowedPortOnly() throws Exception {
        int a = allowed.getPort();
        int b = otherPort.getPort();
        EgressRules rules = new EgressRules(NetworkPolicy.denyAll().allow("*.example.test", a).allow("127.0.0.1", a),
                name -> new InetAddress[] {InetAddress.getByName("127.0.0.1")}, Set::of);
        try (EgressProxy proxy = new EgressProxy(rules, 8, List.of(), "names", SSLContext.getDefault(), null)) {
            for (String host : List.of("api.example.test", "API.Example.TEST", "api.example.test.", "a.b.example.test")) {
                allowed.enqueue(new MockResponse.Builder().body("ok").build());
                assertThat(exchange(proxy, "GET http://" + host + ":" + a + "/ HTTP/1.1\r\nHost: h\r\n\r\n")).as(host)
                        .endsWith("ok");
                assertThat(exchange(proxy, "GET http://" + host + ":" + b + "/ HTTP/1.1\r\nHost: h\r\n\r\n")).as(host)
                        .startsWith("HTTP/1.1 403");
                assertThat(tunnel(proxy, host + ":" + b, host)).as(host).startsWith("HTTP/1.1 403");
            }
            assertThat(exchange(proxy, "GET http://example.test:" + a + "/ HTTP/1.1\r\nHost: h\r\n\r\n")).as("*. is "
                    + "for subdomains, as before").startsWith("HTTP/1.1 403");
            assertThat(otherPort.getRequestCount()).isZero();
            assertThat(allowed.getRequestCount()).isEqualTo(4);
        }
    }

    @Test
    void anIpv6LiteralIsAllowedOnItsPortOnly() throws Exception {
        try (MockWebServer v6a = new MockWebServer(); MockWebServer v6b = new MockWebServer()) {
            v6a.start(InetAddress.getByName("::1"), 0);
            v6b.start(InetAddress.getByName("::1"), 0);
            int a = v6a.getPort();
            int b = v6b.getPort();
            for (NetworkPolicy policy : List.of(NetworkPolicy.denyAll().allow("[::1]:" + a),
                    NetworkPolicy.denyAll().allow("::1", a), NetworkPolicy.denyAll().allow("[0:0:0:0:0:0:0:1]", a))) {
                try (EgressProxy proxy = new EgressProxy(policy, List.of(), "v6", SSLContext.getDefault(), null)) {
                    v6a.enqueue(new MockResponse.Builder().body("v6-ok").build());
                    v6a.enqueue(new MockResponse.Builder().body("v6-tunnel").build());
                    assertThat(exchange(proxy, "GET http://[::1]:" + a + "/ HTTP/1.1\r\nHost: [::1]:" + a + "\r\n\r\n"))
                            .as(policy.toString()).endsWith("v6-ok");
                    assertThat(tunnel(proxy, "[0::1]:" + a, "[::1]:" + a)).endsWith("v6-tunnel");
                    assertThat(exchange(proxy, "GET http://[::1]:" + b + "/ HTTP/1.1\r\nHost: [::1]:" + a + "\r\n\r\n"))
                            .startsWith("HTTP/1.1 403");
                    assertThat(tunnel(proxy, "[::1]:" + b, "[::1]:" + a)).startsWith("HTTP/1.1 403");
                    assertThat(exchange(proxy, "CONNECT ::1:" + a + " HTTP/1.1\r\n\r\n")).as("unbracketed: ambiguous")
                            .startsWith("HTTP/1.1 400");
                }
            }
            assertThat(v6b.getRequestCount()).isZero();
        }
    }

    @Test
    void aUrlWithoutAPortMeansTheSchemesDefault() throws Exception {
        // example.test resolves to loopback, named on 443 only: nothing listens there, so an allowed request ends
        // in 502 (the proxy tried) and a refused one in 403 (it never tried)
        EgressRules rules = new EgressRules(NetworkPolicy.denyAll().allow("example.test:443", "127.0.0.1:443"),
                name -> new InetAddress[] {InetAddress.getByName("127.0.0.1")}, Set::of);
        try (EgressProxy proxy = new EgressProxy(rules, 8, List.of(), "defaults", SSLContext.getDefault(), null)) {
            for (String connect : List.of("example.test", "example.test:443", "EXAMPLE.test.:0443")) {
                assertThat(exchange(proxy, "CONNECT " + connect + " HTTP/1.1\r\n\r\n")).as(connect)
                        .doesNotStartWith("HTTP/1.1 403");
            }
            assertThat(exchange(proxy, "GET https://example.test/x HTTP/1.1\r\nHost: example.test\r\n\r\n"))
                    .doesNotStartWith("HTTP/1.1 403");
            assertThat(exchange(proxy, "GET http://example.test/x HTTP/1.1\r\nHost: example.test:443\r\n\r\n"))
                    .as("http without a port is port 80").startsWith("HTTP/1.1 403");
            assertThat(exchange(proxy, "CONNECT example.test:8443 HTTP/1.1\r\n\r\n")).startsWith("HTTP/1.1 403");
            assertThat(proxy.requests()).filteredOn(NetworkRequest::allowed).hasSize(4)
                    .allSatisfy(r -> assertThat(r.port()).isEqualTo(443));
            assertThat(proxy.requests()).filteredOn(r -> !r.allowed()).extracting(NetworkRequest::port)
                    .containsExactlyInAnyOrder(80, 8443);
        }
        // and the other way round: a rule for port 80 allows http://host/ but not https://host/
        EgressRules http = new EgressRules(NetworkPolicy.denyAll().allow("example.test:80"),
                name -> new InetAddress[] {InetAddress.getByName("93.184.216.34")}, Set::of);
        assertThat(http.decide(Destination.parse("example.test", 80)).allowed()).isTrue();
        assertThat(http.decide(Destination.parse("example.test", 443)).allowed()).isFalse();
    }
}
