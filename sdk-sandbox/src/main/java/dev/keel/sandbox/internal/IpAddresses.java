package dev.keel.sandbox.internal;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * IP literals in every spelling a resolver accepts, reduced to one canonical address, and the address ranges
 * that are not on the public internet. IPv4 follows {@code inet_aton}: one to four parts, each decimal, octal
 * (leading {@code 0}) or hex ({@code 0x}), the last part filling the remaining bytes ({@code 2130706433},
 * {@code 127.1}, {@code 0177.0.0.1}, {@code 0x7f.0.0.1} are all 127.0.0.1). IPv6 literals may be bracketed;
 * IPv4-mapped and IPv4-compatible IPv6 addresses are reduced to their IPv4 address. Stateless.
 */
public final class IpAddresses {
    private static final Pattern NUMERIC_LABEL = Pattern.compile("[0-9]+|0[xX][0-9a-fA-F]*");
    private static final Pattern IPV6_CHARS = Pattern.compile("[0-9a-fA-F:.]+");

    private IpAddresses() {}

    /**
     * The address a host string denotes when it is an IP literal, {@code null} when it is a name.
     *
     * @throws IllegalArgumentException when it looks like an IP literal but is not a valid one (such a string must
     *                                  never reach a resolver, which might read it yet another way)
     */
    public static InetAddress literal(String host) {
        String h = host.endsWith(".") && !host.endsWith("..") ? host.substring(0, host.length() - 1) : host;
        if (h.startsWith("[") || h.indexOf(':') >= 0) {
            String inner = h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
            if (inner.isEmpty() || !IPV6_CHARS.matcher(inner).matches() || inner.indexOf(':') < 0) {
                throw new IllegalArgumentException("not a valid IPv6 literal: " + host);
            }
            try {
                return canonical(InetAddress.getByName("[" + inner + "]"));
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("not a valid IPv6 literal: " + host, e);
            }
        }
        String[] labels = h.split("\\.", -1);
        for (String label : labels) {
            if (!NUMERIC_LABEL.matcher(label).matches()) {
                return null; // a name (at least one label is not a number)
            }
        }
        return ipv4(h, labels);
    }

    private static InetAddress ipv4(String host, String[] parts) {
        if (parts.length > 4) {
            throw new IllegalArgumentException("not a valid IPv4 literal: " + host);
        }
        long[] v = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            v[i] = number(parts[i], host);
        }
        long value = 0;
        for (int i = 0; i < parts.length - 1; i++) {
            if (v[i] > 255) {
                throw new IllegalArgumentException("not a valid IPv4 literal: " + host);
            }
            value = (value << 8) | v[i];
        }
        int restBits = 8 * (5 - parts.length);
        long last = v[parts.length - 1];
        if (last >= (1L << restBits)) {
            throw new IllegalArgumentException("not a valid IPv4 literal: " + host);
        }
        value = (value << restBits) | last;
        byte[] b = {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value};
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long number(String part, String host) {
        try {
            long n;
            if (part.startsWith("0x") || part.startsWith("0X")) {
                n = part.length() == 2 ? 0 : Long.parseLong(part.substring(2), 16);
            } else if (part.length() > 1 && part.startsWith("0")) {
                n = Long.parseLong(part, 8);
            } else {
                n = Long.parseLong(part);
            }
            if (n < 0 || n > 0xffffffffL) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a valid IPv4 literal: " + host, e);
        }
    }

    /** IPv4-mapped ({@code ::ffff:a.b.c.d}) and IPv4-compatible ({@code ::a.b.c.d}) addresses as IPv4. */
    public static InetAddress canonical(InetAddress a) {
        if (a instanceof Inet6Address v6) {
            byte[] b = v6.getAddress();
            boolean zeros = true;
            for (int i = 0; i < 10; i++) {
                zeros &= b[i] == 0;
            }
            boolean mapped = zeros && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
            boolean compatible = zeros && b[10] == 0 && b[11] == 0 && !(b[12] == 0 && b[13] == 0 && b[14] == 0);
            if (mapped || compatible) {
                try {
                    return InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]});
                } catch (UnknownHostException e) {
                    throw new IllegalStateException(e);
                }
            }
            try { // drop any scope id: the same address, as a value
                return InetAddress.getByAddress(b);
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }
        return a;
    }

    /** Dotted IPv4, or compressed lower-case IPv6 (RFC 5952). */
    public static String text(InetAddress a) {
        if (a instanceof Inet4Address) {
            return a.getHostAddress();
        }
        byte[] b = a.getAddress();
        int[] w = new int[8];
        for (int i = 0; i < 8; i++) {
            w[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; ) {
            if (w[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && w[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                s.append(i == 0 ? "::" : ":");
                i += bestLen - 1;
                continue;
            }
            s.append(Integer.toHexString(w[i]));
            if (i < 7) {
                s.append(':');
            }
        }
        return s.toString().toLowerCase(Locale.ROOT);
    }

    /** Special-purpose ranges (IANA registries) that are not public internet destinations. */
    private static final List<Cidr> NOT_PUBLIC = List.of(
            Cidr.parse("0.0.0.0/8"), Cidr.parse("10.0.0.0/8"), Cidr.parse("100.64.0.0/10"), Cidr.parse("127.0.0.0/8"),
            Cidr.parse("169.254.0.0/16"), Cidr.parse("172.16.0.0/12"), Cidr.parse("192.0.0.0/24"),
            Cidr.parse("192.0.2.0/24"), Cidr.parse("192.88.99.0/24"), Cidr.parse("192.168.0.0/16"),
            Cidr.parse("198.18.0.0/15"), Cidr.parse("198.51.100.0/24"), Cidr.parse("203.0.113.0/24"),
            Cidr.parse("224.0.0.0/4"), Cidr.parse("240.0.0.0/4"),
            Cidr.parse("::/128"), Cidr.parse("::1/128"), Cidr.parse("64:ff9b::/96"), Cidr.parse("64:ff9b:1::/48"),
            Cidr.parse("100::/64"), Cidr.parse("2001::/23"), Cidr.parse("2001:db8::/32"), Cidr.parse("2002::/16"),
            Cidr.parse("fc00::/7"), Cidr.parse("fe80::/10"), Cidr.parse("fec0::/10"), Cidr.parse("ff00::/8"));

    /**
     * What kind of non-public address this is ("loopback", "link-local", "private", …), or {@code null} for a
     * public internet address.
     */
    public static String nonPublicKind(InetAddress address) {
        InetAddress a = canonical(address);
        if (a.isLoopbackAddress()) {
            return "loopback";
        }
        if (a.isLinkLocalAddress()) {
            return "link-local";
        }
        if (a.isSiteLocalAddress()) {
            return "private";
        }
        if (a.isMulticastAddress()) {
            return "multicast";
        }
        if (a.isAnyLocalAddress()) {
            return "unspecified";
        }
        for (Cidr c : NOT_PUBLIC) {
            if (c.contains(a)) {
                return "special-purpose (" + c + ")";
            }
        }
        return null;
    }
}
