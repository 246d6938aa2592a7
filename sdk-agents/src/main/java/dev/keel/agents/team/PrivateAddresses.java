package dev.keel.agents.team;

import dev.keel.agents.internal.PrivateHosts;
import dev.keel.agents.tool.ToolsetException;

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
        PrivateHosts.privateAddress(url).ifPresent(what -> {
            throw new ToolsetException(field + ": the remote MCP server's host " + what
                    + "; set allow_private_ips: true on the toolset to reach it");
        });
    }
}
