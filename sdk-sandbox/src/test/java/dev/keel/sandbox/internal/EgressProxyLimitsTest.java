package dev.keel.sandbox.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.sandbox.NetworkPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;

/** The proxy's connection limit and request log, without a VM. */
class EgressProxyLimitsTest {
    private static String readLine(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            b.append((char) c);
        }
        return b.toString().trim();
    }

    @Test
    void connectionsBeyondTheLimitAreRefusedAndFreedSlotsReused() throws Exception {
        try (ServerSocket upstream = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             EgressProxy proxy = new EgressProxy(NetworkPolicy.denyAll().allow("localhost", "127.0.0.1").withMaxConnections(2),
                     List.of(), "limits", SSLContext.getDefault(), null)) {
            proxy.halfClosedIdle(java.time.Duration.ofMillis(300));
            String connect = "CONNECT localhost:" + upstream.getLocalPort() + " HTTP/1.1\r\n\r\n";
            Socket a = ProxyClient.open(proxy);
            Socket b = ProxyClient.open(proxy);
            for (Socket s : List.of(a, b)) {
                s.setSoTimeout(10_000);
                s.getOutputStream().write(connect.getBytes(StandardCharsets.US_ASCII));
                assertThat(readLine(s.getInputStream())).isEqualTo("HTTP/1.1 200 Connection Established");
            }
            // two tunnels are open: a third connection is over the limit
            try (Socket c = ProxyClient.open(proxy)) {
                c.setSoTimeout(10_000);
                assertThat(readLine(c.getInputStream())).isEqualTo("HTTP/1.1 503 Too Many Connections");
            }
            a.close();
            b.close();
            long deadline = System.nanoTime() + 10_000_000_000L;
            String status = "";
            while (System.nanoTime() < deadline) { // the slots come back once the tunnels have wound down
                try (Socket d = ProxyClient.open(proxy)) {
                    d.setSoTimeout(10_000);
                    d.getOutputStream().write(connect.getBytes(StandardCharsets.US_ASCII));
                    status = readLine(d.getInputStream());
                }
                if (status.contains("200")) {
                    break;
                }
                Thread.sleep(50);
            }
            assertThat(status).isEqualTo("HTTP/1.1 200 Connection Established");
            assertThat(proxy.requests()).extracting(r -> r.method() + " " + r.host() + " " + r.allowed())
                    .contains("CONNECT localhost true");
        }
    }

    @Test
    void malformedAndUnsupportedRequestsAreRejected() throws Exception {
        try (EgressProxy proxy = new EgressProxy(NetworkPolicy.denyAll().allow("*"), List.of(), "bad",
                SSLContext.getDefault(), null)) {
            for (String request : List.of("NONSENSE\r\n\r\n", "GET ftp://example.com/ HTTP/1.1\r\n\r\n",
                    "GET /relative HTTP/1.1\r\n\r\n", "CONNECT localhost:99999 HTTP/1.1\r\n\r\n")) {
                try (Socket s = ProxyClient.open(proxy)) {
                    s.setSoTimeout(10_000);
                    s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
                    assertThat(readLine(s.getInputStream())).as(request).matches("HTTP/1.1 (400|403) .*");
                }
            }
        }
    }
}
