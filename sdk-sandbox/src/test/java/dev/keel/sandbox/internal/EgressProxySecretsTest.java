package dev.keel.sandbox.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.sandbox.NetworkPolicy;
import dev.keel.sandbox.NetworkRequest;
import dev.keel.sandbox.SecretRule;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Without a VM: secrets go to their exact origin only, the proxy serves only its token holder, no rebinding. */
class EgressProxySecretsTest {
    static final String HTTPS_KEY = "Bearer sk-https-only-77";
    static final String HTTP_KEY = "sk-plain-explicit-42";
    MockWebServer other;
    MockWebServer explicit;

    @BeforeEach
    void start() throws Exception {
        other = new MockWebServer();
        other.start(InetAddress.getByName("127.0.0.1"), 0);
        explicit = new MockWebServer();
        explicit.start(InetAddress.getByName("127.0.0.1"), 0);
    }

    @AfterEach
    void stop() throws Exception {
        other.close();
        explicit.close();
    }

    /** Sends a request and reads one response (head, then Content-Length bytes); "" when the proxy hung up. */
    static String send(Socket s, String request) throws IOException {
        s.setSoTimeout(10_000);
        s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
        InputStream in = s.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                return head.toString();
            }
            head.append((char) c);
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(head);
        byte[] body = m.find() ? in.readNBytes(Integer.parseInt(m.group(1))) : new byte[0];
        return head + new String(body, StandardCharsets.ISO_8859_1);
    }

    @Test
    void aSecretGoesOnlyToTheSchemeHostAndPortItIsBoundTo() throws Exception {
        List<SecretRule> secrets = List.of(SecretRule.of("127.0.0.1", "Authorization", HTTPS_KEY),
                SecretRule.of("http://127.0.0.1:" + explicit.getPort(), "X-Key", HTTP_KEY));
        try (EgressProxy proxy = new EgressProxy(NetworkPolicy.denyAll().allow("127.0.0.1"), secrets, "secrets",
                SSLContext.getDefault(), null)) {
            other.enqueue(new MockResponse.Builder().body("other").build());
            try (Socket s = ProxyClient.open(proxy)) {
                assertThat(send(s, "GET http://127.0.0.1:" + other.getPort() + "/x HTTP/1.1\r\nHost: h\r\nAuthorization: "
                        + SecretRule.SENTINEL + "\r\n\r\n")).endsWith("other");
            }
            RecordedRequest toOther = other.takeRequest(10, TimeUnit.SECONDS);
            // the https:443 rule does not apply to plain HTTP on another port: the guest's own header passes as it was
            assertThat(toOther.getHeaders().get("Authorization")).isEqualTo(SecretRule.SENTINEL);
            assertThat(toOther.getHeaders().get("X-Key")).isNull();

            for (String spelling : List.of("127.0.0.1", "2130706433", "[::ffff:127.0.0.1]")) {
                explicit.enqueue(new MockResponse.Builder().body("explicit").build());
                try (Socket s = ProxyClient.open(proxy)) {
                    assertThat(send(s, "GET http://" + spelling + ":" + explicit.getPort() + "/y HTTP/1.1\r\nHost: h\r\n\r\n"))
                            .endsWith("explicit");
                }
                RecordedRequest toExplicit = explicit.takeRequest(10, TimeUnit.SECONDS);
                assertThat(toExplicit.getHeaders().get("X-Key")).as(spelling).isEqualTo(HTTP_KEY);
                assertThat(toExplicit.getHeaders().get("Authorization")).as(spelling).isNull();
            }
            assertThat(proxy.requests()).extracting(NetworkRequest::address).containsOnly("127.0.0.1");
            assertThat(proxy.requests().toString()).doesNotContain(HTTP_KEY).doesNotContain("sk-https");
        }
    }

    @Test
    void connectionsWithoutTheTokenAreDroppedBeforeAnythingIsRead() throws Exception {
        try (EgressProxy proxy = new EgressProxy(NetworkPolicy.denyAll().allow("127.0.0.1"),
                List.of(SecretRule.of("http://127.0.0.1:" + other.getPort(), "X-Key", HTTP_KEY)), "auth",
                SSLContext.getDefault(), null)) {
            String request = "GET http://127.0.0.1:" + other.getPort() + "/z HTTP/1.1\r\nHost: h\r\n\r\n";
            byte[] wrong = proxy.token();
            wrong[0] ^= 1;
            for (byte[] prefix : List.of(new byte[0], wrong, new byte[EgressProxy.TOKEN_BYTES])) {
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
                    s.getOutputStream().write(prefix);
                    assertThat(send(s, request + request)).as("a connection without the right token gets nothing").isEmpty();
                }
            }
            assertThat(other.getRequestCount()).isZero();
            assertThat(proxy.requests()).isEmpty();
            other.enqueue(new MockResponse.Builder().body("ok").build());
            try (Socket s = ProxyClient.open(proxy)) {
                assertThat(send(s, request)).endsWith("ok");
            }
            assertThat(other.takeRequest(10, TimeUnit.SECONDS).getHeaders().get("X-Key")).isEqualTo(HTTP_KEY);
        }
    }

    @Test
    void theProxyConnectsToTheAddressItCheckedNotToANewAnswer() throws Exception {
        try (MockWebServer checked = new MockWebServer(); MockWebServer rebound = new MockWebServer()) {
            checked.start(InetAddress.getByName("127.0.0.3"), 0);
            rebound.start(InetAddress.getByName("127.0.0.2"), checked.getPort());
            checked.enqueue(new MockResponse.Builder().body("checked").build());
            AtomicInteger lookups = new AtomicInteger();
            EgressRules rules = new EgressRules(NetworkPolicy.denyAll().allow("rebind.example.com", "127.0.0.3"),
                    name -> new InetAddress[] {InetAddress.getByName(lookups.getAndIncrement() == 0 ? "127.0.0.3" : "127.0.0.2")},
                    Set::of);
            try (EgressProxy proxy = new EgressProxy(rules, 8, List.of(), "rebind", SSLContext.getDefault(), null)) {
                try (Socket s = ProxyClient.open(proxy)) {
                    assertThat(send(s, "GET http://rebind.example.com:" + checked.getPort() + "/ HTTP/1.1\r\nHost: h\r\n\r\n"))
                            .endsWith("checked");
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (proxy.requests().isEmpty() && System.nanoTime() < deadline) {
                    Thread.sleep(20); // an exchange is logged once both sides have closed
                }
                assertThat(proxy.requests()).singleElement().satisfies(r -> {
                    assertThat(r.host()).isEqualTo("rebind.example.com");
                    assertThat(r.address()).isEqualTo("127.0.0.3");
                });
            }
            assertThat(rebound.getRequestCount()).isZero();
            assertThat(lookups).hasValue(1);
        }
    }
}
