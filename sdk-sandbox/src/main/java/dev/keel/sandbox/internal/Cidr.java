package dev.keel.sandbox.internal;

import java.net.InetAddress;
import java.util.Arrays;

/**
 * An address block: {@code 10.0.0.0/8}, {@code fd00::/8}, or one address ({@code /32}, {@code /128}).
 *
 * @param network the block's first address (host bits zero)
 * @param prefix  leading bits that must match
 */
public record Cidr(InetAddress network, int prefix) {

    public Cidr {
        network = IpAddresses.canonical(network);
        int max = network.getAddress().length * 8;
        if (prefix < 0 || prefix > max) {
            throw new IllegalArgumentException("prefix must be 0.." + max + ", was " + prefix);
        }
        byte[] b = network.getAddress();
        for (int bit = prefix; bit < max; bit++) {
            if ((b[bit / 8] & (0x80 >>> (bit % 8))) != 0) {
                throw new IllegalArgumentException("host bits set in " + IpAddresses.text(network) + "/" + prefix);
            }
        }
    }

    /**
     * Parses {@code address/prefix} or a single address; addresses in standard notation only (dotted quad,
     * IPv6 with or without brackets).
     *
     * @throws IllegalArgumentException when it is neither
     */
    public static Cidr parse(String text) {
        int slash = text.indexOf('/');
        String addr = slash < 0 ? text : text.substring(0, slash);
        InetAddress a = IpAddresses.literal(addr);
        if (a == null || (addr.indexOf(':') < 0 && !addr.matches("(0|[1-9][0-9]{0,2})(\\.(0|[1-9][0-9]{0,2})){3}"))) {
            throw new IllegalArgumentException("not an IP address or CIDR block in standard notation: " + text);
        }
        int bits = a.getAddress().length * 8;
        int prefix;
        try {
            prefix = slash < 0 ? bits : Integer.parseInt(text.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad prefix length in " + text, e);
        }
        return new Cidr(a, prefix);
    }

    /** Whether {@code address} lies in this block (IPv4-mapped IPv6 counts as IPv4). */
    public boolean contains(InetAddress address) {
        byte[] a = IpAddresses.canonical(address).getAddress();
        byte[] n = network.getAddress();
        if (a.length != n.length) {
            return false;
        }
        int full = prefix / 8;
        if (!Arrays.equals(a, 0, full, n, 0, full)) {
            return false;
        }
        int rest = prefix % 8;
        return rest == 0 || ((a[full] ^ n[full]) & (0xff << (8 - rest)) & 0xff) == 0;
    }

    @Override
    public String toString() {
        return IpAddresses.text(network) + "/" + prefix;
    }
}
