package dev.keel.sandbox.internal;

import java.net.InetAddress;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Where a guest request wants to go, with the host in one canonical form: a lower-case name without a trailing
 * dot, or — for an IP literal in any spelling — the address's standard text.
 *
 * @param host    canonical host name or address text
 * @param literal the address when the host is an IP literal, else {@code null}
 * @param port    TCP port
 */
record Destination(String host, InetAddress literal, int port) {
    private static final Pattern NAME = Pattern.compile("[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*");

    /**
     * @throws IllegalArgumentException for a host that is neither a valid name nor a valid IP literal, or a bad port
     */
    static Destination parse(String rawHost, int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("invalid port " + port);
        }
        if (rawHost == null || rawHost.isEmpty() || rawHost.length() > 253) {
            throw new IllegalArgumentException("invalid host");
        }
        InetAddress literal = IpAddresses.literal(rawHost);
        if (literal != null) {
            return new Destination(IpAddresses.text(literal), literal, port);
        }
        String name = rawHost.toLowerCase(Locale.ROOT);
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        if (!NAME.matcher(name).matches() || name.substring(name.lastIndexOf('.') + 1).matches("[0-9]+")) {
            // (a name's last label is never all digits: such a string is a malformed IP literal)
            throw new IllegalArgumentException("invalid host name: " + rawHost);
        }
        return new Destination(name, null, port);
    }

    /** {@code host:port}, with brackets around an IPv6 address. */
    String authority() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
