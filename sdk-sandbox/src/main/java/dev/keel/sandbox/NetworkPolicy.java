package dev.keel.sandbox;

import dev.keel.sandbox.internal.EgressRules;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Egress rules. {@link #none()} (the default) gives the guest no network at all. Any other policy gives it
 * exactly one way out: Keel's HTTP proxy in the JVM (guest {@code http_proxy}/{@code https_proxy} point at it).
 * The guest has no network interface, so nothing bypasses the proxy.
 *
 * <p>Entries are host names ({@code example.com}, exact and case-insensitive), subdomain patterns
 * ({@code *.example.com}), {@code *} (any host), IP addresses ({@code 10.1.2.3}, {@code ::1}) and CIDR blocks
 * ({@code 10.0.0.0/8}), each on every port or, with {@code :port}, on that one port only: {@code example.com:443},
 * {@code *.example.com:8443}, {@code *:443}, {@code 10.1.2.3:5432}, {@code 10.0.0.0/8:80}, and an IPv6 address or
 * block in brackets, {@code [::1]:8080} or {@code [fd00::/8]:443} ({@link #allow(String, int, int...)} writes these
 * for you). A request passes when its host matches an allowed entry on the port it goes to and no denied entry
 * matches it there (deny wins). The port is the one the proxy connects to: the authority's port of a
 * {@code CONNECT} or an absolute {@code http}/{@code https} URL, else the scheme's default (80 for {@code http},
 * 443 for {@code https} and {@code CONNECT}) — never the {@code Host} header. So {@code allow("example.com:443")}
 * allows {@code CONNECT example.com}, {@code CONNECT example.com:443} and {@code https://example.com/}, and refuses
 * {@code http://example.com/} (port 80) and {@code CONNECT example.com:22} with the proxy's 403, as it refuses a host
 * no entry names.
 * Decisions are made on the address the proxy actually connects to: IP literals in any spelling
 * ({@code 2130706433}, {@code 127.1}, {@code 0x7f.0.0.1}, {@code [::ffff:127.0.0.1]}) are reduced to one address
 * first, a host name is resolved once and denied entries are checked against every address it resolves to, and
 * the proxy connects to an address it checked. <b>Loopback, link-local (including 169.254.169.254), private,
 * multicast and other special-purpose addresses, and the host's own addresses, are refused unless an allowed
 * entry names them by IP or CIDR</b> — {@code allow("localhost")} alone does not reach the host's loopback,
 * {@code allow("localhost", "127.0.0.1")} does. Host-name entries match names only; an IP literal in a request
 * matches address entries (and {@code *}).
 *
 * @param enabled        whether the guest gets the proxy at all
 * @param allowed        entries that may be reached
 * @param denied         entries that may never be reached, even when allowed
 * @param maxConnections concurrent proxied connections per sandbox
 */
public record NetworkPolicy(boolean enabled, List<String> allowed, List<String> denied, int maxConnections) {

    /**
     * Validates and normalises the entries.
     *
     * @param enabled        whether the guest gets the proxy at all
     * @param allowed        entries that may be reached
     * @param denied         entries that may never be reached, even when allowed
     * @param maxConnections concurrent proxied connections per sandbox
     * @throws InvalidSandboxSpecException for an entry that is not a host pattern, IP address or CIDR block with an
     *                                     optional {@code :port} from 1 to 65535 (the message names the entry), or a
     *                                     connection limit below 1
     */
    public NetworkPolicy {
        allowed = normalise(allowed);
        denied = normalise(denied);
        if (maxConnections < 1) {
            throw new InvalidSandboxSpecException("maxConnections must be positive, was " + maxConnections);
        }
    }

    private static List<String> normalise(List<String> entries) {
        List<String> out = new ArrayList<>();
        for (String e : Objects.requireNonNull(entries, "entries")) {
            try {
                out.add(EgressRules.validate(Objects.requireNonNull(e, "network rule")));
            } catch (IllegalArgumentException bad) {
                throw new InvalidSandboxSpecException(bad.getMessage(), bad);
            }
        }
        return List.copyOf(out);
    }

    /**
     * No network at all (no interface, no proxy).
     *
     * @return the policy
     */
    public static NetworkPolicy none() {
        return new NetworkPolicy(false, List.of(), List.of(), 32);
    }

    /**
     * The proxy, with nothing allowed yet; add {@link #allow}.
     *
     * @return the proxy, with nothing allowed yet
     */
    public static NetworkPolicy denyAll() {
        return new NetworkPolicy(true, List.of(), List.of(), 32);
    }

    /**
     * A copy that also allows these entries.
     *
     * @param entries host patterns, IP addresses or CIDR blocks, each optionally with {@code :port}
     * @return a copy that also allows them
     */
    public NetworkPolicy allow(String... entries) {
        List<String> a = new ArrayList<>(allowed);
        a.addAll(List.of(entries));
        return new NetworkPolicy(true, a, denied, maxConnections);
    }

    /**
     * A copy that also allows one host pattern, IP address or CIDR block on these ports only (and on no other,
     * unless another entry allows it there). {@code allow("example.com", 443, 8443)} is
     * {@code allow("example.com:443", "example.com:8443")}; an IPv6 address or block is put in brackets.
     *
     * @param host      a host pattern, IP address or CIDR block, without a port
     * @param port      a port from 1 to 65535
     * @param morePorts further ports from 1 to 65535
     * @return a copy that also allows the host on those ports
     * @throws InvalidSandboxSpecException for a bad host, a host that already has a port, or a port out of range
     *                                     (the message names the entry)
     */
    public NetworkPolicy allow(String host, int port, int... morePorts) {
        String h = Objects.requireNonNull(host, "host").trim();
        try {
            h = EgressRules.validateHost(h);
        } catch (IllegalArgumentException bad) {
            throw new InvalidSandboxSpecException(bad.getMessage(), bad);
        }
        String bracketed = h.indexOf(':') >= 0 && !h.startsWith("[") ? "[" + h + "]" : h;
        List<String> entries = new ArrayList<>();
        entries.add(bracketed + ":" + port);
        for (int p : morePorts) {
            entries.add(bracketed + ":" + p);
        }
        return allow(entries.toArray(String[]::new));
    }

    /**
     * A copy that also denies these entries (deny wins over allow, for names and for every resolved address; an
     * entry with {@code :port} denies that port only).
     *
     * @param entries host patterns, IP addresses or CIDR blocks, each optionally with {@code :port}
     * @return a copy that also denies them
     */
    public NetworkPolicy deny(String... entries) {
        List<String> d = new ArrayList<>(denied);
        d.addAll(List.of(entries));
        return new NetworkPolicy(enabled, allowed, d, maxConnections);
    }

    /**
     * A copy with another connection limit.
     *
     * @param max the most concurrent connections
     * @return a copy with another connection limit
     */
    public NetworkPolicy withMaxConnections(int max) {
        return new NetworkPolicy(enabled, allowed, denied, max);
    }
}
