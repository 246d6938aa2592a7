package dev.keel.sandbox.internal;

import dev.keel.sandbox.NetworkPolicy;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * A {@link NetworkPolicy} applied to a real destination. A request passes when its host name matches an allowed
 * pattern (or, for an IP literal, an allowed address, CIDR block or {@code *}), no denied pattern, address or block
 * matches the name, the literal or any address the name resolves to, and at least one resolved address is either a
 * public internet address or named by an allowed IP/CIDR rule: loopback, link-local (169.254.169.254 included),
 * private, multicast and other special-purpose addresses, and the host's own addresses, are refused unless a rule
 * names them by address. The addresses a decision returns are the ones the proxy connects to: a name is
 * resolved once, so no second lookup can point it elsewhere. Thread-safe.
 */
public final class EgressRules {
    private static final Pattern NAME_PATTERN = Pattern.compile("\\*|(\\*\\.)?[a-z0-9_]([a-z0-9_.-]*[a-z0-9_])?");

    /** Resolves a host name (never an IP literal) to its addresses. */
    @FunctionalInterface
    interface Resolver {
        InetAddress[] resolve(String name) throws UnknownHostException;
    }

    /**
     * The outcome for one destination.
     *
     * @param allowed   whether the request may pass
     * @param reason    why, in words fit for a log (no secrets)
     * @param addresses the checked addresses to connect to, in order (empty when denied)
     */
    record Decision(boolean allowed, String reason, List<InetAddress> addresses) {
        static Decision deny(String reason) {
            return new Decision(false, reason, List.of());
        }
    }

    /** One policy entry: a host name pattern or an address block. */
    private record Rule(String text, String pattern, Cidr block) {
        boolean matchesName(String name) {
            return pattern != null && nameMatches(pattern, name);
        }

        boolean matchesAddress(InetAddress a) {
            return block != null && block.contains(a);
        }
    }

    private final boolean enabled;
    private final List<Rule> allowed;
    private final List<Rule> denied;
    private final Resolver resolver;
    private final Supplier<Set<InetAddress>> ownAddresses;

    EgressRules(NetworkPolicy policy, Resolver resolver, Supplier<Set<InetAddress>> ownAddresses) {
        this.enabled = policy.enabled();
        this.allowed = policy.allowed().stream().map(EgressRules::rule).toList();
        this.denied = policy.denied().stream().map(EgressRules::rule).toList();
        this.resolver = resolver;
        this.ownAddresses = ownAddresses;
    }

    /** The rules with the system resolver and this host's interface addresses. */
    static EgressRules of(NetworkPolicy policy) {
        return new EgressRules(policy, InetAddress::getAllByName, EgressRules::interfaceAddresses);
    }

    /**
     * Checks one policy entry: {@code *}, a host name ({@code example.com}), a subdomain pattern
     * ({@code *.example.com}), an IP address or a CIDR block. Returns its normal form.
     *
     * @throws IllegalArgumentException for anything else
     */
    public static String validate(String entry) {
        String v = entry.trim().toLowerCase(Locale.ROOT);
        rule(v);
        return v;
    }

    private static Rule rule(String text) {
        boolean looksLikeAddress = text.indexOf('/') >= 0 || text.indexOf(':') >= 0 || text.startsWith("[");
        if (!looksLikeAddress) {
            try {
                looksLikeAddress = IpAddresses.literal(text) != null;
            } catch (IllegalArgumentException numericButInvalid) {
                throw new IllegalArgumentException("invalid IP address in network rule: " + text);
            }
        }
        if (looksLikeAddress) {
            try {
                return new Rule(text, null, Cidr.parse(text.startsWith("[") && text.endsWith("]")
                        ? text.substring(1, text.length() - 1) : text));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("invalid address rule '" + text + "': " + e.getMessage(), e);
            }
        }
        if (!NAME_PATTERN.matcher(text).matches()) {
            throw new IllegalArgumentException("invalid host pattern: " + text);
        }
        return new Rule(text, text, null);
    }

    /** Whether a host name matches {@code example.com}, {@code *.example.com} or {@code *} (names are lower case). */
    static boolean nameMatches(String pattern, String name) {
        if (pattern.equals("*")) {
            return true;
        }
        if (pattern.startsWith("*.")) {
            return name.endsWith(pattern.substring(1)) && name.length() > pattern.length() - 1;
        }
        return name.equals(pattern);
    }

    /** Decides for a parsed destination; resolves a name at most once. */
    Decision decide(Destination d) {
        if (!enabled) {
            return Decision.deny("the sandbox has no network");
        }
        List<InetAddress> candidates;
        if (d.literal() != null) {
            InetAddress a = d.literal();
            for (Rule r : denied) {
                if (r.matchesAddress(a) || "*".equals(r.pattern())) {
                    return Decision.deny("denied by rule " + r.text());
                }
            }
            if (allowed.stream().noneMatch(r -> r.matchesAddress(a) || "*".equals(r.pattern()))) {
                return Decision.deny(d.host() + " is not allowed by the policy");
            }
            candidates = List.of(a);
        } else {
            for (Rule r : denied) {
                if (r.matchesName(d.host())) {
                    return Decision.deny("denied by rule " + r.text());
                }
            }
            if (allowed.stream().noneMatch(r -> r.matchesName(d.host()))) {
                return Decision.deny(d.host() + " is not allowed by the policy");
            }
            try {
                candidates = new ArrayList<>();
                for (InetAddress a : resolver.resolve(d.host())) {
                    candidates.add(IpAddresses.canonical(a));
                }
            } catch (UnknownHostException e) {
                return Decision.deny("cannot resolve " + d.host());
            }
            for (InetAddress a : candidates) {
                for (Rule r : denied) {
                    if (r.matchesAddress(a)) {
                        return Decision.deny(d.host() + " resolves to " + IpAddresses.text(a) + ", denied by rule "
                                + r.text());
                    }
                }
            }
        }
        Set<InetAddress> own = ownAddresses.get();
        List<InetAddress> reachable = new ArrayList<>();
        String refused = null;
        for (InetAddress a : candidates) {
            boolean named = allowed.stream().anyMatch(r -> r.matchesAddress(a));
            String kind = IpAddresses.nonPublicKind(a);
            if (kind == null && own.contains(a)) {
                kind = "this host's own";
            }
            if (kind == null || named) {
                reachable.add(a);
            } else if (refused == null) {
                refused = IpAddresses.text(a) + " is a " + kind + " address (allow it by IP or CIDR to reach it)";
            }
        }
        if (reachable.isEmpty()) {
            return Decision.deny(d.literal() != null ? refused : d.host() + " resolves to " + refused);
        }
        return new Decision(true, "allowed", List.copyOf(reachable));
    }

    /** Every address bound to one of this host's interfaces. */
    static Set<InetAddress> interfaceAddresses() {
        Set<InetAddress> out = new HashSet<>();
        try {
            for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                for (InetAddress a : Collections.list(ni.getInetAddresses())) {
                    out.add(IpAddresses.canonical(a));
                }
            }
        } catch (SocketException e) {
            // no interface list: the ranges above still apply
        }
        return out;
    }
}
