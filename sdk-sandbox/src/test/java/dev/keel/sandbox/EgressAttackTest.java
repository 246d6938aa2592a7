package dev.keel.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.core.exec.Command;
import dev.keel.core.exec.ExecResult;
import dev.keel.sandbox.internal.ProxyClient;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A hostile guest against the egress proxy, for real: inside a microVM it asks the proxy for what its policy
 * denies in every spelling it can think of, reaches for secrets on ports and schemes they are not bound to, and
 * tries to use another sandbox's proxy. The servers echo the headers they receive, so a leaked secret would come
 * back to the guest.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EgressAttackTest {
    static final String KEY = "Bearer sk-egress-attack-5b7e";
    static final String OTHER_KEY = "Bearer sk-other-sandbox-91c2";
    MockWebServer echo;
    MockWebServer explicit;
    MockWebServer forbidden;
    MockWebServer control;
    SandboxProvider provider;

    static MockWebServer echoServer(String address) throws Exception {
        MockWebServer s = new MockWebServer();
        s.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest r) {
                return new MockResponse.Builder().body("reached " + address + " auth=" + r.getHeaders().get("Authorization") + "\n").build();
            }
        });
        s.start(InetAddress.getByName(address), 0);
        return s;
    }

    @BeforeAll
    void start() throws Exception {
        echo = echoServer("127.0.0.1");
        explicit = echoServer("127.0.0.1");
        forbidden = echoServer("127.0.0.2");
        control = echoServer("127.0.0.3");
        provider = TestVms.provider();
    }

    @AfterAll
    void stop() throws Exception {
        if (provider != null) {
            provider.close();
        }
        for (MockWebServer s : new MockWebServer[] {echo, explicit, forbidden, control}) {
            if (s != null) {
                s.close();
            }
        }
    }

    /** Sends raw requests to the guest's proxy port in parallel; returns each response's first line. */
    static Map<String, String> rawRequests(Sandbox box, Map<String, String> requests) {
        StringBuilder script = new StringBuilder("cd /tmp; ");
        List<String> keys = new ArrayList<>(requests.keySet());
        for (int i = 0; i < keys.size(); i++) {
            String req = requests.get(keys.get(i)).replace("\r\n", "\\r\\n");
            script.append("(printf '").append(req).append("'; sleep 2) | timeout 10 nc 127.0.0.1 3128 > r").append(i).append(" 2>&1 & ");
        }
        script.append("wait; for i in $(seq 0 ").append(keys.size() - 1).append("); do echo \"#$i $(head -c 300 r$i | tr '\\r\\n' '  ')\"; done");
        ExecResult r = box.run(Command.shell(script.toString()).withTimeout(Duration.ofSeconds(90)));
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : r.stdout().lines().toList()) {
            if (line.startsWith("#")) {
                int sp = line.indexOf(' ');
                out.put(keys.get(Integer.parseInt(line.substring(1, sp))), line.substring(sp + 1));
            }
        }
        assertThat(out).as("every request got an answer or a hang-up: %s", r).hasSize(keys.size());
        return out;
    }

    /** Issue table #1: plain HTTP to another port of a host that has a secret rule. */
    @Test
    void aSecretReachesOnlyTheSchemeHostAndPortItIsBoundTo() throws Exception {
        try (Sandbox box = provider.create(SandboxSpec.builder("egress-secret-port")
                .network(NetworkPolicy.denyAll().allow("127.0.0.1"))
                .secret("127.0.0.1", "Authorization", KEY)                                      // https://127.0.0.1:443
                .secret("http://127.0.0.1:" + explicit.getPort(), "Authorization", KEY)          // explicit plain HTTP
                .build())) {
            String other = "127.0.0.1:" + echo.getPort();
            ExecResult plain = box.exec("wget", "-q", "-O", "-", "--header", "Authorization: " + SecretRule.SENTINEL,
                    "http://" + other + "/");
            assertThat(plain.stdout()).contains("reached 127.0.0.1").contains("auth=" + SecretRule.SENTINEL)
                    .doesNotContain("sk-egress");
            // through an opaque tunnel to the same port, and with another spelling of the address
            Map<String, String> answers = rawRequests(box, Map.of(
                    "tunnel", "CONNECT " + other + " HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                    "decimal", "GET http://2130706433:" + echo.getPort() + "/ HTTP/1.1\r\nHost: x\r\n\r\n",
                    "https-scheme-wrong-port", "GET https://127.0.0.1:" + echo.getPort() + "/ HTTP/1.1\r\nHost: x\r\n\r\n"));
            assertThat(answers.toString()).doesNotContain("sk-egress");
            // the explicit plain-HTTP rule does inject: the guest never sees the key, the server does
            ExecResult injected = box.exec("wget", "-q", "-O", "-", "http://127.0.0.1:" + explicit.getPort() + "/");
            assertThat(injected.stdout()).contains("auth=" + KEY);
            for (int i = echo.getRequestCount(); i > 0; i--) {
                RecordedRequest seen = echo.takeRequest(10, TimeUnit.SECONDS);
                assertThat(seen.getHeaders().get("Authorization")).as("request to another port").isNotEqualTo(KEY);
            }
        }
    }

    /** Issue table #2: CONNECT to another sandbox's egress proxy, then ask it for that sandbox's secret host. */
    @Test
    void anotherSandboxsProxyIsOfNoUseToTheGuest() throws Exception {
        try (Sandbox victim = provider.create(SandboxSpec.builder("egress-victim")
                     .network(NetworkPolicy.denyAll().allow("127.0.0.1"))
                     .secret("http://127.0.0.1:" + echo.getPort(), "Authorization", OTHER_KEY).build());
             Sandbox attacker = provider.create(SandboxSpec.builder("egress-attacker")
                     .network(NetworkPolicy.denyAll().allow("127.0.0.1")).build())) {
            int victimProxy = ProxyClient.proxyPortOf(victim);
            assertThat(victimProxy).isPositive();
            String inner = "GET http://127.0.0.1:" + echo.getPort() + "/steal HTTP/1.1\r\nHost: x\r\n\r\n";
            Map<String, String> answers = rawRequests(attacker, Map.of(
                    "tunnel", "CONNECT 127.0.0.1:" + victimProxy + " HTTP/1.1\r\n\r\n" + inner,
                    "forward", "GET http://127.0.0.1:" + victimProxy + "/ HTTP/1.1\r\nHost: x\r\n\r\n"));
            assertThat(answers.toString()).doesNotContain("sk-other").doesNotContain("reached");
            int before = echo.getRequestCount();
            for (int i = 0; i < before; i++) {
                assertThat(echo.takeRequest(10, TimeUnit.SECONDS).getTarget()).isNotEqualTo("/steal");
            }
            // the attacker's log names where the bytes went: the victim's proxy port, not an innocent CONNECT
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (attacker.networkLog().stream().noneMatch(e -> e.port() == victimProxy) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(attacker.networkLog()).anySatisfy(e -> {
                assertThat(e.port()).isEqualTo(victimProxy);
                assertThat(e.address()).isEqualTo("127.0.0.1");
            });
            // the victim still works for its own guest
            assertThat(victim.exec("wget", "-q", "-O", "-", "http://127.0.0.1:" + echo.getPort() + "/own").stdout())
                    .contains("auth=" + OTHER_KEY);
        }
    }

    /** Issue table #3: a denied address in other spellings; loopback, link-local and private need explicit rules. */
    @Test
    void deniedAndNonPublicAddressesStayDeniedInEverySpelling() throws Exception {
        int p = forbidden.getPort();
        try (Sandbox box = provider.create(SandboxSpec.builder("egress-spellings")
                .network(NetworkPolicy.denyAll().allow("*", "127.0.0.0/8").deny("127.0.0.2")).build());
             Sandbox star = provider.create(SandboxSpec.builder("egress-star")
                     .network(NetworkPolicy.denyAll().allow("*")).build())) {
            Map<String, String> requests = new LinkedHashMap<>();
            for (String host : List.of("127.0.0.2", "2130706434", "[::ffff:127.0.0.2]", "127.000.000.002", "127.2",
                    "0x7f000002", "0177.0.0.2", "0x7f.0.0.2", "127.0.2", "[::ffff:7f00:2]", "127.0.0.2.",
                    "[0:0:0:0:0:ffff:127.0.0.2]")) {
                requests.put("GET " + host, "GET http://" + host + ":" + p + "/ HTTP/1.1\r\nHost: x\r\n\r\n");
                requests.put("CONNECT " + host, "CONNECT " + host + ":" + p + " HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n");
            }
            requests.put("control", "GET http://127.0.0.3:" + control.getPort() + "/ HTTP/1.1\r\nHost: x\r\n\r\n");
            requests.put("control decimal", "GET http://2130706435:" + control.getPort() + "/ HTTP/1.1\r\nHost: x\r\n\r\n");
            Map<String, String> answers = rawRequests(box, requests);
            answers.forEach((what, answer) -> {
                if (what.startsWith("control")) {
                    assertThat(answer).as(what).contains("reached 127.0.0.3");
                } else {
                    assertThat(answer).as(what).startsWith("HTTP/1.1 4").doesNotContain("reached");
                }
            });
            assertThat(forbidden.getRequestCount()).isZero();
            assertThat(box.networkLog()).filteredOn(e -> e.port() == p).isNotEmpty()
                    .allSatisfy(e -> assertThat(e.allowed()).isFalse());

            // allow("*") names no address: loopback, the cloud metadata address and private ranges stay out of reach
            Map<String, String> special = rawRequests(star, Map.of(
                    "loopback", "GET http://127.0.0.3:" + control.getPort() + "/ HTTP/1.1\r\nHost: x\r\n\r\n",
                    "localhost", "GET http://localhost:" + control.getPort() + "/ HTTP/1.1\r\nHost: x\r\n\r\n",
                    "metadata", "GET http://169.254.169.254/latest/meta-data/ HTTP/1.1\r\nHost: x\r\n\r\n",
                    "private", "CONNECT 10.0.0.1:22 HTTP/1.1\r\n\r\n"));
            special.forEach((what, answer) -> assertThat(answer).as(what).startsWith("HTTP/1.1 403"));
            assertThat(control.getRequestCount()).isEqualTo(2);
        }
    }
}
