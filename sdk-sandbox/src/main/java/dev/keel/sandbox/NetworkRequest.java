package dev.keel.sandbox;

import java.time.Instant;

/**
 * One request the egress proxy handled.
 *
 * @param time    when it arrived
 * @param method  HTTP method ({@code CONNECT} for HTTPS tunnels)
 * @param host    target host
 * @param port    target port
 * @param allowed whether the policy let it through
 * @param bytes   bytes relayed in both directions
 */
public record NetworkRequest(Instant time, String method, String host, int port, boolean allowed, long bytes) {
    @Override
    public String toString() {
        return method + " " + host + ":" + port + (allowed ? " allowed " : " denied ") + bytes + "B";
    }
}
