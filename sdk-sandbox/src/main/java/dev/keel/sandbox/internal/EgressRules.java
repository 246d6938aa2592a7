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
 * A {@link NetworkPolicy} applied to a real destination: host and port. A request passes when its host name matches
 * an allowed pattern (or, for an IP literal, an allowed address, CIDR block or {@code *}) on its port, no denied
 * pattern, address or block matches the name, the literal or any address the name resolves to on that port, and
 * at least one resolved address is either a public internet address or named by an allowed IP/CIDR rule on that
 * port: loopback, link-local (169.254.169.254 included), private, multicast and other special-purpose addresses,
 * and the host's own addresses, are refused unless a rule names them by address. The addresses a decision returns are the ones the proxy connects to: a name is
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

    /**
     * One policy entry: a host name pattern or an address block, on every port ({@code port == 0}) or on one.
     *
     * @param text    the entry's normal form, for reasons
     * @param pattern the host name pattern, or null for an address rule
     * @param block   the address block, or null for a name rule
     * @param port    the one port the entry is about, or 0 for every port
     */
    record Rule(String text, String pattern, Cidr block, int port) {
        boolean matchesPort(int p) {
            return port == 0 || port == p;
        }

        /** Whether a name (lower case, no trailing dot) matches this entry on some port. */
        boolean coversName(String name) {
            return pattern != null && nameMatches(pattern, name);
        }

        /** Whether an address matches this entry on some port (a {@code *} entry matches every address). */
        boolean coversAddress(InetAddress a) {
            return block != null ? block.contains(a) : "*".equals(pattern);
        }

        boolean matchesName(String name, int p) {
            return coversName(name) && matchesPort(p);
        }

        boolean matchesAddress(InetAddress a, int p) {
            return coversAddress(a) && matchesPort(p);
        }

        /** Whether this entry's block (never {@code *}) names an address on port {@code p}. */
        boolean namesAddress(InetAddress a, int p) {
            return block != null && block.contains(a) && matchesPort(p);
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
     * ({@code *.example.com}), an IP address or a CIDR block, each optionally with {@code :port}
     * ({@code example.com:443}, {@code 10.0.0.0/8:5432}; an IPv6 address or block in brackets:
     * {@code [::1]:8080}). Returns its normal form: lower case, the port without leading zeros.
     *
     * @param entry the entry as written
     * @return its normal form
     * @throws IllegalArgumentException for anything else, naming the entry
     */
    public static String validate(String entry) {
        return rule(entry.trim().toLowerCase(Locale.ROOT)).text();
    }

    /**
     * Checks a host entry that must not carry a port (a secret rule's host: its port is separate).
     *
     * @param entry the entry as written
     * @return its normal form
     * @throws IllegalArgumentException for anything {@link #validate} refuses, or an entry with a port
     */
    public static String validateHost(String entry) {
        Rule r = rule(entry.trim().toLowerCase(Locale.ROOT));
        if (r.port() != 0) {
            throw new IllegalArgumentException("a port does not belong in the host '" + entry.trim() + "'");
        }
        return r.text();
    }

    /** Parses an entry that is already trimmed and lower case. */
    static Rule rule(String text) {
        String host = text;
        String portText = null;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close >= 0 && close < text.length() - 1) {
                if (text.charAt(close + 1) != ':') {
                    throw new IllegalArgumentException("invalid network rule '" + text + "': only ':port' may follow ']'");
                }
                host = text.substring(0, close + 1);
                portText = text.substring(close + 2);
            }
        } else if (text.indexOf(':') >= 0 && text.indexOf(':') == text.lastIndexOf(':')) {
            // one colon: host:port (an IPv6 address has at least two; with a port it goes in brackets)
            host = text.substring(0, text.indexOf(':'));
            portText = text.substring(text.indexOf(':') + 1);
        }
        int port = 0;
        if (portText != null) {
            port = portText.matches("0*[0-9]{1,5}") ? Integer.parseInt(portText) : -1;
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("invalid port in network rule '" + text
                        + "': a port is a number from 1 to 65535, was '" + portText + "'");
            }
        }
        String normal = port == 0 ? host : host + ":" + port;
        boolean looksLikeAddress = host.indexOf('/') >= 0 || host.indexOf(':') >= 0 || host.startsWith("[");
        if (!looksLikeAddress) {
            try {
                looksLikeAddress = IpAddresses.literal(host) != null;
            } catch (IllegalArgumentException numericButInvalid) {
                throw new IllegalArgumentException("invalid IP address in network rule: " + text);
            }
        }
        if (looksLikeAddress) {
            try {
                return new Rule(normal, null, Cidr.parse(host.startsWith("[") && host.endsWith("]")
                        ? host.substring(1, host.length() - 1) : host), port);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("invalid address rule '" + text + "': " + e.getMessage(), e);
            }
        }
        if (!NAME_PATTERN.matcher(host).matches()) {
            throw new IllegalArgumentException("invalid host pattern: " + text);
        }
        return new Rule(normal, host, null, port);
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

    /** Decides for a parsed destination, host and port; resolves a name at most once. */
    Decision decide(Destination d) {
        if (!enabled) {
            return Decision.deny("the sandbox has no network");
        }
        int port = d.port();
        List<InetAddress> candidates;
        if (d.literal() != null) {
            InetAddress a = d.literal();
            for (Rule r : denied) {
                if (r.matchesAddress(a, port)) {
                    return Decision.deny("denied by rule " + r.text());
                }
            }
            if (allowed.stream().noneMatch(r -> r.matchesAddress(a, port))) {
                return Decision.deny(notAllowed(d, allowed.stream().filter(r -> r.coversAddress(a)).toList()));
            }
            candidates = List.of(a);
        } else {
            for (Rule r : denied) {
                if (r.matchesName(d.host(), port)) {
                    return Decision.deny("denied by rule " + r.text());
                }
            }
            if (allowed.stream().noneMatch(r -> r.matchesName(d.host(), port))) {
                return Decision.deny(notAllowed(d, allowed.stream().filter(r -> r.coversName(d.host())).toList()));
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
                    if (r.namesAddress(a, port)) {
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
            boolean named = allowed.stream().anyMatch(r -> r.namesAddress(a, port));
            String kind = IpAddresses.nonPublicKind(a);
            if (kind == null && own.contains(a)) {
                kind = "this host's own";
            }
            if (kind == null || named) {
                reachable.add(a);
            } else if (refused == null) {
                boolean namedOnOtherPorts = allowed.stream().anyMatch(r -> r.block() != null && r.block().contains(a));
                refused = IpAddresses.text(a) + " is a " + kind + " address (allow it by IP or CIDR"
                        + (namedOnOtherPorts ? " on port " + port : "") + " to reach it)";
            }
        }
        if (reachable.isEmpty()) {
            return Decision.deny(d.literal() != null ? refused : d.host() + " resolves to " + refused);
        }
        return new Decision(true, "allowed", List.copyOf(reachable));
    }

    /** Why a destination no allowed entry matches is refused; names the ports when the host is allowed elsewhere. */
    private static String notAllowed(Destination d, List<Rule> onOtherPorts) {
        if (onOtherPorts.isEmpty()) {
            return d.host() + " is not allowed by the policy";
        }
        return "port " + d.port() + " of " + d.host() + " is not allowed by the policy (allowed: "
                + String.join(", ", onOtherPorts.stream().map(Rule::text).toList()) + ")";
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
