package dev.keel.sandbox.internal;

import dev.keel.sandbox.NetworkRequest;
import dev.keel.sandbox.SandboxSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;

/**
 * A sandbox's egress: the JVM-side proxy, the relay that carries the guest's connections to it over the agent
 * channel, the guest's listening proxy port, and — when there are https secrets — the sandbox CA the guest trusts.
 * Thread-safe.
 */
final class GuestNetwork implements AutoCloseable {
    /** Where the guest finds the sandbox CA (alone, and as the system bundle, which the busybox root lacks). */
    static final String CA_FILE = "/etc/ssl/certs/keel-sandbox-ca.pem";
    static final String CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt";
    /** The guest port the agent listens on for the proxy. */
    static final int GUEST_PROXY_PORT = 3128;
    private static final Duration STEP_TIMEOUT = Duration.ofSeconds(30);

    private final EgressProxy proxy;
    private final NetRelay relay;
    private final boolean trustsSandboxCa;

    private GuestNetwork(EgressProxy proxy, NetRelay relay, boolean trustsSandboxCa) {
        this.proxy = proxy;
        this.relay = relay;
        this.trustsSandboxCa = trustsSandboxCa;
    }

    /** Sets up the proxy and the guest side of it; on failure whatever was started is closed again. */
    static GuestNetwork setUp(SandboxSpec spec, AgentConnection agent, SSLContext upstreamTls)
            throws IOException, AgentConnection.AgentError {
        // a CA only where the proxy may have to terminate the guest's TLS: for https secret rules
        boolean https = spec.secrets().stream().anyMatch(rule -> rule.scheme().equals("https"));
        SandboxCa ca = https ? new SandboxCa(spec.name()) : null;
        EgressProxy proxy = new EgressProxy(spec.network(), spec.secrets(), spec.name(), upstreamTls, ca);
        NetRelay relay = null;
        try {
            if (ca != null) {
                installCa(agent, ca);
            }
            relay = new NetRelay(agent, proxy, spec.name());
            agent.onNetwork(relay::onFrame);
            agent.request(AgentProtocol.T_NET_LISTEN, new Payload().u32(GUEST_PROXY_PORT).bytes(), STEP_TIMEOUT);
            return new GuestNetwork(proxy, relay, ca != null);
        } catch (IOException | AgentConnection.AgentError | RuntimeException e) {
            if (relay != null) {
                relay.close();
            }
            proxy.close();
            throw e;
        }
    }

    /** The guest trusts the sandbox CA, so TLS clients accept the proxy's certificates. */
    private static void installCa(AgentConnection agent, SandboxCa ca) throws IOException, AgentConnection.AgentError {
        byte[] pem = ca.pem().getBytes(StandardCharsets.US_ASCII);
        agent.request(AgentProtocol.T_WRITE, new Payload().u32(0644).string(CA_FILE).raw(pem).bytes(), STEP_TIMEOUT);
        byte[] bundle = pem;
        try { // a Debian root has the public CAs already: add ours
            byte[] existing = agent.request(AgentProtocol.T_READ, new Payload().string(CA_BUNDLE).bytes(), STEP_TIMEOUT)
                    .payload();
            bundle = new byte[existing.length + pem.length];
            System.arraycopy(existing, 0, bundle, 0, existing.length);
            System.arraycopy(pem, 0, bundle, existing.length, pem.length);
        } catch (AgentConnection.AgentError noBundle) {
            // the busybox root has none
        }
        agent.request(AgentProtocol.T_WRITE, new Payload().u32(0644).string(CA_BUNDLE).raw(bundle).bytes(), STEP_TIMEOUT);
    }

    /** The variables that point the guest's HTTP clients at the proxy (and at the sandbox CA). */
    Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>();
        String url = "http://127.0.0.1:" + GUEST_PROXY_PORT;
        for (String k : List.of("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY")) {
            env.put(k, url);
        }
        if (trustsSandboxCa) {
            for (String k : List.of("SSL_CERT_FILE", "CURL_CA_BUNDLE", "REQUESTS_CA_BUNDLE", "NODE_EXTRA_CA_CERTS",
                    "GIT_SSL_CAINFO")) {
                env.put(k, CA_BUNDLE);
            }
        }
        return env;
    }

    List<NetworkRequest> log() {
        return proxy.requests();
    }

    EgressProxy proxy() {
        return proxy;
    }

    @Override
    public void close() {
        relay.close();
        proxy.close();
    }
}
