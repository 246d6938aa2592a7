package dev.keel.sandbox;

import java.time.Instant;

/**
 * One request the egress proxy handled, with where it really went.
 *
 * @param time    when it arrived
 * @param method  HTTP method; {@code CONNECT} for a tunnel the proxy did not open (the bytes inside are the
 *                guest's), the inner request's method when the proxy terminated the guest's TLS to set a secret
 * @param scheme  {@code http}, {@code https} (the proxy read the request), or {@code tcp} (an opaque tunnel)
 * @param host    the destination host as the guest named it, in canonical form (lower-case name, or the standard
 *                text of an IP address however it was spelled)
 * @param port    the destination port
 * @param address the IP address the proxy connected to (the final destination), or {@code null} when nothing was
 *                connected
 * @param allowed whether the policy let it through
 * @param reason  why it was refused (or {@code allowed}), in words; never holds a secret
 * @param bytes   bytes relayed in both directions
 */
public record NetworkRequest(Instant time, String method, String scheme, String host, int port, String address,
                             boolean allowed, String reason, long bytes) {
    @Override
    public String toString() {
        return method + " " + scheme + "://" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port
                + (address != null ? " -> " + address : "") + (allowed ? " allowed " : " denied (" + reason + ") ")
                + bytes + "B";
    }
}
