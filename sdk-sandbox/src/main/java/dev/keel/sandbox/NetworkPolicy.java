package dev.keel.sandbox;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Egress rules. {@link #none()} (the default) gives the guest no network at all. Any other policy gives
 * it exactly one way out: Keel's HTTP proxy in the JVM (guest {@code http_proxy}/{@code https_proxy}
 * point at it), which lets a request through only when its host matches an allowed pattern and no denied
 * one (deny wins). Patterns: {@code example.com} (exact, case-insensitive), {@code *.example.com} (any
 * subdomain), {@code *} (any host). The guest has no network interface, so nothing bypasses the proxy.
 *
 * @param enabled        whether the guest gets the proxy at all
 * @param allowed        host patterns that may be reached
 * @param denied         host patterns that may never be reached, even when allowed
 * @param maxConnections concurrent proxied connections per sandbox
 */
public record NetworkPolicy(boolean enabled, List<String> allowed, List<String> denied, int maxConnections) {
    private static final Pattern HOST_PATTERN = Pattern.compile("\\*|(\\*\\.)?[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?");

    /**
     * Creates the value, checking its components.
     *
     * @param enabled whether the guest gets the proxy at all
     * @param allowed host patterns that may be reached
     * @param denied host patterns that may never be reached, even when allowed
     * @param maxConnections concurrent proxied connections per sandbox
     */
    public NetworkPolicy {
        allowed = normalise(allowed);
        denied = normalise(denied);
        if (maxConnections < 1) {
            throw new InvalidSandboxSpecException("maxConnections must be positive, was " + maxConnections);
        }
    }

    private static List<String> normalise(List<String> patterns) {
        List<String> out = new ArrayList<>();
        for (String p : Objects.requireNonNull(patterns, "patterns")) {
            String v = p.trim().toLowerCase(Locale.ROOT);
            if (!HOST_PATTERN.matcher(v).matches()) {
                throw new InvalidSandboxSpecException("invalid host pattern: " + p);
            }
            out.add(v);
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
     * A copy that also allows these host patterns.
     *
     * @param patterns the host patterns
     * @return a copy that also allows these host patterns
     */
    public NetworkPolicy allow(String... patterns) {
        List<String> a = new ArrayList<>(allowed);
        a.addAll(List.of(patterns));
        return new NetworkPolicy(true, a, denied, maxConnections);
    }

    /**
     * A copy that also denies these host patterns (deny wins over allow).
     *
     * @param patterns the host patterns
     * @return a copy that also denies these host patterns
     */
    public NetworkPolicy deny(String... patterns) {
        List<String> d = new ArrayList<>(denied);
        d.addAll(List.of(patterns));
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

    /**
     * Whether a request to {@code host} may pass.
     *
     * @param host the host name
     * @return whether a request to {@code host} may pass
     */
    public boolean permits(String host) {
        if (!enabled || host == null || host.isEmpty()) {
            return false;
        }
        String h = host.toLowerCase(Locale.ROOT);
        return denied.stream().noneMatch(p -> matches(p, h)) && allowed.stream().anyMatch(p -> matches(p, h));
    }

    /**
     * Whether {@code host} matches {@code pattern} (see the class description).
     *
     * @param pattern the host pattern
     * @param host the host name
     * @return whether {@code host} matches {@code pattern}
     */
    public static boolean matches(String pattern, String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (pattern.equals("*")) {
            return true;
        }
        if (pattern.startsWith("*.")) {
            return h.endsWith(pattern.substring(1)) && h.length() > pattern.length() - 1;
        }
        return h.equals(pattern);
    }
}
