package dev.keel.agents.internal;

import dev.keel.agents.approval.ToolPattern;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;

/**
 * docker-agent's host patterns for {@code allowed_domains}/{@code blocked_domains}, and its notion of a
 * non-public address. A pattern is a bare domain ({@code example.com}: the apex and every subdomain, never
 * {@code badexample.com}), a leading dot or {@code *.} ({@code .example.com}: subdomains only), an IP literal
 * (exact), a CIDR range ({@code 10.0.0.0/8}; a host name never matches one), or, as Keel has always accepted,
 * another glob ({@code 127.0.0.*}). Matching is on the URL's host only; a trailing dot is dropped first so
 * {@code example.com.} cannot slip past a deny entry. Stateless.
 */
public final class HostRules {
    private HostRules() {}

    /**
     * Checks a pattern; an error names what is wrong with it.
     *
     * @param pattern the pattern
     * @throws IllegalArgumentException when it is not a pattern (a bare {@code *}, a malformed CIDR)
     */
    public static void check(String pattern) {
        String p = pattern.strip();
        if (p.isEmpty() || p.equals("*") || p.equals("*.") || p.equals(".")) {
            throw new IllegalArgumentException("'" + pattern + "' is not a host pattern");
        }
        int slash = p.indexOf('/');
        if (slash >= 0) {
            cidr(p);
        }
    }

    /**
     * Whether {@code host} matches one of {@code patterns}.
     *
     * @param patterns the patterns
     * @param host     a URL's host (an IPv6 literal with or without brackets)
     * @return whether one matches
     */
    public static boolean matchesAny(List<String> patterns, String host) {
        String h = normalise(host);
        return patterns.stream().anyMatch(p -> matches(p, h));
    }

    private static String normalise(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        while (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        InetAddress ip = literal(h);
        // IPv4-mapped IPv6 addresses come back as IPv4 ones: ::ffff:127.0.0.1 matches 127.0.0.1.
        return ip != null ? ip.getHostAddress() : h;
    }

    private static boolean matches(String pattern, String host) {
        String p = pattern.strip().toLowerCase(Locale.ROOT);
        if (p.contains("/")) {
            InetAddress ip = literal(host);
            return ip != null && inRange(ip, p);
        }
        if (p.startsWith("*.")) {
            p = p.substring(1);
        }
        if (p.startsWith(".")) {
            return host.endsWith(p) && host.length() > p.length();
        }
        if (p.contains("*") || p.contains("?")) {
            return ToolPattern.glob(p, host);
        }
        InetAddress ip = literal(p);
        if (ip != null) {
            InetAddress h = literal(host);
            return h != null && h.equals(ip);
        }
        return host.equals(p) || host.endsWith("." + p);
    }

    /**
     * Whether an address is not public: loopback, RFC 1918, link-local (the cloud metadata endpoint), unique
     * local IPv6, multicast, the unspecified address or {@code 0.0.0.0/8}.
     *
     * @param a the address
     * @return whether a public-only client must refuse it
     */
    public static boolean isPrivate(InetAddress a) {
        if (a.isLoopbackAddress() || a.isSiteLocalAddress() || a.isLinkLocalAddress() || a.isMulticastAddress()
                || a.isAnyLocalAddress()) {
            return true;
        }
        byte[] b = a.getAddress();
        if (b.length == 4) {
            return b[0] == 0 || (b[0] & 0xff) == 100 && (b[1] & 0xc0) == 64; // 0/8, 100.64/10 (carrier-grade NAT)
        }
        return (b[0] & 0xfe) == 0xfc; // fc00::/7
    }

    /**
     * The address a host names literally, or null for a host name (never a DNS lookup).
     *
     * @param host a host, IPv6 without brackets
     * @return the address, or null
     */
    public static InetAddress literal(String host) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        boolean v4 = h.matches("\\d{1,3}(\\.\\d{1,3}){3}");
        boolean v6 = h.contains(":") && h.matches("[0-9a-fA-F:.%a-zA-Z]+");
        if (!v4 && !v6) {
            return null;
        }
        try {
            return InetAddress.getByName(h); // a literal: parsed, not resolved
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static byte[][] cidr(String p) {
        int slash = p.indexOf('/');
        InetAddress net = literal(p.substring(0, slash));
        int bits;
        try {
            bits = Integer.parseInt(p.substring(slash + 1));
        } catch (NumberFormatException e) {
            bits = -1;
        }
        if (net == null || bits < 0 || bits > net.getAddress().length * 8) {
            throw new IllegalArgumentException("'" + p + "' is not a CIDR range");
        }
        return new byte[][] {net.getAddress(), {(byte) bits}};
    }

    private static boolean inRange(InetAddress ip, String p) {
        byte[][] c;
        try {
            c = cidr(p);
        } catch (IllegalArgumentException e) {
            return false;
        }
        byte[] net = c[0];
        int bits = c[1][0] & 0xff;
        byte[] a = ip.getAddress();
        if (a.length != net.length) {
            return false;
        }
        for (int i = 0; i < bits; i++) {
            int mask = 0x80 >> (i % 8);
            if ((a[i / 8] & mask) != (net[i / 8] & mask)) {
                return false;
            }
        }
        return true;
    }
}
