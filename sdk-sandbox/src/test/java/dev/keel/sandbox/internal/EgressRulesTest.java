package dev.keel.sandbox.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.sandbox.InvalidSandboxSpecException;
import dev.keel.sandbox.NetworkPolicy;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** Policy decisions on canonical, resolved addresses; every spelling of an address is the same address. */
class EgressRulesTest {

    static InetAddress ip(String s) throws UnknownHostException {
        return InetAddress.getByName(s);
    }

    static EgressRules rules(NetworkPolicy p, Map<String, List<String>> dns) {
        return new EgressRules(p, name -> {
            List<String> a = dns.get(name);
            if (a == null) {
                throw new UnknownHostException(name);
            }
            List<InetAddress> out = new ArrayList<>();
            for (String s : a) {
                out.add(ip(s));
            }
            return out.toArray(new InetAddress[0]);
        }, () -> Set.of());
    }

    static EgressRules.Decision decide(EgressRules r, String host) {
        return r.decide(Destination.parse(host, 80));
    }

    /** Spellings a resolver (inet_aton, getaddrinfo) or an HTTP client accepts for one IPv4 address. */
    static List<String> spellings(int a, int b, int c, int d) {
        long v = ((long) a << 24) | ((long) b << 16) | ((long) c << 8) | d;
        return List.of(a + "." + b + "." + c + "." + d,
                Long.toString(v),
                "0x" + Long.toHexString(v),
                "0" + Long.toOctalString(v),
                String.format("%04o.%04o.%04o.%04o", a, b, c, d),
                "0" + Integer.toOctalString(a) + ".0" + Integer.toOctalString(b) + ".0" + Integer.toOctalString(c) + ".0"
                        + Integer.toOctalString(d),
                "0x" + Integer.toHexString(a) + ".0x" + Integer.toHexString(b) + "." + c + "." + d,
                a + "." + ((b << 16) | (c << 8) | d),
                a + "." + b + "." + ((c << 8) | d),
                a + "." + b + "." + c + "." + d + ".",
                "[::ffff:" + a + "." + b + "." + c + "." + d + "]",
                "[::ffff:" + Integer.toHexString((a << 8) | b) + ":" + Integer.toHexString((c << 8) | d) + "]",
                "[0:0:0:0:0:ffff:" + a + "." + b + "." + c + "." + d + "]");
    }

    @Property(tries = 300)
    void everySpellingOfAnIpv4AddressIsThatAddress(@ForAll("octet") int a, @ForAll("octet") int b,
                                                   @ForAll("octet") int c, @ForAll("octet") int d) throws Exception {
        InetAddress expected = InetAddress.getByAddress(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
        for (String s : spellings(a, b, c, d)) {
            Destination dest = Destination.parse(s, 80);
            assertThat(dest.literal()).as(s).isEqualTo(expected);
            assertThat(dest.host()).as(s).isEqualTo(a + "." + b + "." + c + "." + d);
        }
    }

    @Property(tries = 200)
    void aDeniedAddressIsDeniedInEverySpelling(@ForAll("octet") int c, @ForAll("octet") int d) {
        EgressRules r = rules(NetworkPolicy.denyAll().allow("*", "10.0.0.0/8").deny("10.9." + c + "." + d), Map.of());
        for (String s : spellings(10, 9, c, d)) {
            EgressRules.Decision dec = decide(r, s);
            assertThat(dec.allowed()).as(s).isFalse();
            assertThat(dec.reason()).as(s).contains("denied by rule 10.9." + c + "." + d);
        }
        // the neighbour is reachable: the rule is about that one address, not about numeric hosts
        int other = (d + 1) % 256;
        assertThat(decide(r, "10.9." + c + "." + other).allowed()).isTrue();
    }

    @Property(tries = 300)
    void denyAlwaysWinsForNames(@ForAll("names") String host) {
        Map<String, List<String>> dns = Map.of(host, List.of("93.184.216.34"));
        assertThat(decide(rules(NetworkPolicy.denyAll().allow("*", host).deny(host), dns), host).allowed()).isFalse();
        assertThat(decide(rules(NetworkPolicy.denyAll().allow(host), dns), host.toUpperCase()).allowed()).isTrue();
        assertThat(decide(rules(NetworkPolicy.none().allow("*").deny("*"), dns), host).allowed()).isFalse();
    }

    @Provide
    Arbitrary<String> names() {
        return Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(10)
                .list().ofMinSize(1).ofMaxSize(4).map(l -> String.join(".", l));
    }

    @Provide
    Arbitrary<Integer> octet() {
        return Arbitraries.integers().between(0, 255);
    }

    @Test
    void nonPublicAddressesAreRefusedUnlessNamedByAddress() {
        EgressRules any = rules(NetworkPolicy.denyAll().allow("*"), Map.of());
        for (String host : List.of("127.0.0.1", "127.1", "2130706433", "[::1]", "169.254.169.254", "10.1.2.3",
                "172.16.0.1", "192.168.1.1", "100.64.0.1", "224.0.0.1", "0.0.0.0", "0", "[::]", "[fe80::1]",
                "[fd00::1]", "[::ffff:169.254.169.254]", "255.255.255.255", "[64:ff9b::7f00:1]", "[2002:7f00:1::]")) {
            EgressRules.Decision d = decide(any, host);
            assertThat(d.allowed()).as(host).isFalse();
            assertThat(d.reason()).as(host).contains("allow it by IP or CIDR");
        }
        assertThat(decide(any, "93.184.216.34").allowed()).isTrue();
        EgressRules named = rules(NetworkPolicy.denyAll().allow("127.0.0.1", "169.254.0.0/16", "::1"), Map.of());
        assertThat(decide(named, "127.0.0.1").allowed()).isTrue();
        assertThat(decide(named, "0x7f000001").allowed()).isTrue();
        assertThat(decide(named, "169.254.169.254").allowed()).isTrue();
        assertThat(decide(named, "[::1]").allowed()).isTrue();
        assertThat(decide(named, "127.0.0.2").allowed()).as("another loopback address is not named").isFalse();
    }

    @Test
    void namesAreDecidedOnWhatTheyResolveTo() {
        Map<String, List<String>> dns = Map.of("localhost", List.of("127.0.0.1"),
                "metadata.example.com", List.of("169.254.169.254"),
                "mixed.example.com", List.of("10.0.0.5", "93.184.216.34"),
                "public.example.com", List.of("93.184.216.34"),
                "denied-address.example.com", List.of("93.184.216.34", "203.0.113.9"));
        EgressRules r = rules(NetworkPolicy.denyAll().allow("*.example.com", "localhost").deny("203.0.113.0/24"), dns);
        assertThat(decide(r, "public.example.com").addresses()).extracting(IpAddresses::text).containsExactly("93.184.216.34");
        assertThat(decide(r, "PUBLIC.example.com.").allowed()).isTrue();
        EgressRules.Decision meta = decide(r, "metadata.example.com");
        assertThat(meta.allowed()).isFalse();
        assertThat(meta.reason()).contains("169.254.169.254").contains("link-local");
        assertThat(decide(r, "localhost").allowed()).as("a name for loopback is not an address rule").isFalse();
        // only the checked, public address is connected to
        assertThat(decide(r, "mixed.example.com").addresses()).extracting(IpAddresses::text).containsExactly("93.184.216.34");
        // deny wins when any resolved address is denied
        assertThat(decide(r, "denied-address.example.com").reason()).contains("denied by rule 203.0.113.0/24");
        assertThat(decide(r, "unknown.example.com").reason()).contains("cannot resolve");
        assertThat(decide(r, "example.org").reason()).contains("not allowed");
        EgressRules both = rules(NetworkPolicy.denyAll().allow("localhost", "127.0.0.1"), dns);
        assertThat(decide(both, "localhost").allowed()).isTrue();
    }

    @Test
    void theHostsOwnAddressesAreRefusedUnlessNamed() throws Exception {
        InetAddress own = ip("93.184.216.99");
        EgressRules r = new EgressRules(NetworkPolicy.denyAll().allow("*"), n -> new InetAddress[] {own}, () -> Set.of(own));
        assertThat(decide(r, "93.184.216.99").reason()).contains("this host's own");
        assertThat(decide(r, "myself.example.com").allowed()).isFalse();
        EgressRules named = new EgressRules(NetworkPolicy.denyAll().allow("93.184.216.99"), n -> new InetAddress[0],
                () -> Set.of(own));
        assertThat(decide(named, "93.184.216.99").allowed()).isTrue();
    }

    @Test
    void aNameIsResolvedOnceAndOnlyCheckedAddressesAreReturned() {
        AtomicInteger lookups = new AtomicInteger();
        EgressRules r = new EgressRules(NetworkPolicy.denyAll().allow("rebind.example.com", "127.0.0.3"), name -> {
            // a rebinding resolver: the first answer is allowed, every later one points at another loopback address
            return new InetAddress[] {ip(lookups.getAndIncrement() == 0 ? "127.0.0.3" : "127.0.0.2")};
        }, Set::of);
        EgressRules.Decision d = decide(r, "rebind.example.com");
        assertThat(d.allowed()).isTrue();
        assertThat(d.addresses()).extracting(IpAddresses::text).containsExactly("127.0.0.3");
        assertThat(lookups).hasValue(1);
    }

    @Test
    void malformedHostsAndRulesAreRejected() {
        for (String host : List.of("256.1.1.1", "1.2.3.4.5", "08.1.1.1", "0x1g.0.0.1", "[::1", "[127.0.0.1]",
                "a b", "exa_mple..com", "", "[fe80::1%eth0]", "4294967296")) {
            assertThatThrownBy(() -> Destination.parse(host, 80)).as(host).isInstanceOf(IllegalArgumentException.class);
        }
        for (String rule : List.of("bad host", "10.0.0.0/33", "10.0.0.1/8", "1.2.3.4.5", "0x7f000001", "2130706433",
                "10.0.0.0/x")) {
            assertThatThrownBy(() -> NetworkPolicy.denyAll().allow(rule)).as(rule)
                    .isInstanceOf(InvalidSandboxSpecException.class);
        }
        assertThat(NetworkPolicy.denyAll().allow("10.0.0.0/8", "[::1]", "FD00::/8", "*.Example.COM").allowed())
                .containsExactly("10.0.0.0/8", "[::1]", "fd00::/8", "*.example.com");
    }
}
