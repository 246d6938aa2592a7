package dev.keel.agents.team;

import dev.keel.agents.internal.HostRules;
import dev.keel.agents.tool.ToolsetException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;

/**
 * The check docker-agent's protected HTTP clients make for remote MCP servers: a server whose host is, or resolves
 * to, a loopback, private, link-local (cloud metadata), multicast or unspecified address is refused unless the
 * toolset sets {@code allow_private_ips: true}. Keel looks the host up when the toolset starts; the MCP client
 * resolves it again when it connects, so a name whose answer changes in between (DNS rebinding) is not caught
 * here. Stateless.
 */
final class PrivateAddresses {
    private PrivateAddresses() {}

    /** Fails when {@code url}'s host is not public; a host that does not resolve is left to the connection. */
    static void refuse(String url, String field) {
        String host;
        try {
            host = URI.create(url).getHost();
        } catch (IllegalArgumentException e) {
            return; // the client reports a malformed URL itself
        }
        if (host == null) {
            return;
        }
        InetAddress[] addresses;
        try {
            InetAddress literal = HostRules.literal(host);
            addresses = literal != null ? new InetAddress[] {literal} : InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            return;
        }
        for (InetAddress a : addresses) {
            if (HostRules.isPrivate(a)) {
                throw new ToolsetException(field + ": the remote MCP server's host " + host + " is a private address ("
                        + a.getHostAddress() + "); set allow_private_ips: true on the toolset to reach it");
            }
        }
    }
}
