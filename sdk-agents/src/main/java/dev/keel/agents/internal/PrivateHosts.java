package dev.keel.agents.internal;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * Whether a remote server's URL points at a loopback, private, link-local (cloud metadata), multicast or unspecified
 * address: the check docker-agent's protected HTTP clients make before reaching a remote MCP server. The host is
 * looked up now; a client resolves it again when it connects, so a name whose answer changes in between (DNS
 * rebinding) is not caught here. Stateless.
 */
public final class PrivateHosts {
    private PrivateHosts() {}

    /**
     * The private address {@code url}'s host is or resolves to, described as {@code host is a private address (ip)};
     * empty for a public host, a malformed URL (the client reports it) or a host that does not resolve (the
     * connection fails on its own).
     *
     * @param url the server's URL
     * @return the description of the private address, or empty
     */
    public static Optional<String> privateAddress(String url) {
        String host;
        try {
            host = URI.create(url).getHost();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        if (host == null) {
            return Optional.empty();
        }
        InetAddress[] addresses;
        try {
            InetAddress literal = HostRules.literal(host);
            addresses = literal != null ? new InetAddress[] {literal} : InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
        for (InetAddress a : addresses) {
            if (HostRules.isPrivate(a)) {
                return Optional.of(host + " is a private address (" + a.getHostAddress() + ")");
            }
        }
        return Optional.empty();
    }
}
