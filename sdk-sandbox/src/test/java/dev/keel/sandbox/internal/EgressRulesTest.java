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

    static EgressRules.Decision decide(EgressRules r, String host, int port) {
        return r.decide(Destination.parse(host, port));
    }

    @Property(tries = 300)
    void anEntryWithoutAPortAllowsEveryPortAndWithPortsExactlyThose(@ForAll("names") String host,
            @ForAll("portSets") Set<Integer> ports, @ForAll("ports") int asked, @ForAll boolean byAddress) {
        // a public address so that only the rule decides; a name rule, or an address rule for the same host
        String target = byAddress ? "93.184.216.34" : host;
        NetworkPolicy policy = NetworkPolicy.denyAll();
        if (ports.isEmpty()) {
            policy = policy.allow(target);
        } else {
            for (int p : ports) {
                policy = policy.allow(target, p);
            }
        }
        EgressRules r = rules(policy, Map.of(host, List.of("93.184.216.34")));
        boolean expected = ports.isEmpty() || ports.contains(asked);
        assertThat(decide(r, target, asked).allowed()).as(policy + " on " + asked).isEqualTo(expected);
        for (int p : ports) {
            assertThat(decide(r, target, p).allowed()).as(policy + " on " + p).isTrue();
            assertThat(decide(r, target.toUpperCase(java.util.Locale.ROOT) + ".", p).allowed()).isTrue();
        }
        // a deny with a port takes exactly that port away, a deny without one all of them
        EgressRules denied = rules(policy.deny(target + ":" + asked), Map.of(host, List.of("93.184.216.34")));
        assertThat(decide(denied, target, asked).allowed()).isFalse();
        int neighbour = asked == 65535 ? 1 : asked + 1;
        assertThat(decide(denied, target, neighbour).allowed())
                .isEqualTo(ports.isEmpty() || ports.contains(neighbour));
        assertThat(decide(rules(policy.deny(target), Map.of(host, List.of("93.184.216.34"))), target, asked).allowed())
                .isFalse();
    }

    @Property(tries = 200)
    void anEntrysNormalFormIsStableAndKeepsItsPort(@ForAll("names") String host, @ForAll("ports") int port,
                                                   @ForAll("zeros") String zeros) {
        String normal = EgressRules.validate(" " + host.toUpperCase(java.util.Locale.ROOT) + ":" + zeros + port + " ");
        assertThat(normal).isEqualTo(host + ":" + port);
        assertThat(EgressRules.validate(normal)).isEqualTo(normal);
        assertThat(NetworkPolicy.denyAll().allow(host, port).allowed()).containsExactly(normal);
    }

    @Property(tries = 200)
    void aPortOutsideOneTo65535IsATypedErrorNamingTheRule(@ForAll("badPorts") int port) {
        for (String host : List.of("example.com", "*.example.com", "*", "10.1.2.3", "10.0.0.0/8", "[::1]", "[fd00::/8]")) {
            assertThatThrownBy(() -> NetworkPolicy.denyAll().allow(host + ":" + port)).as(host)
                    .isInstanceOf(InvalidSandboxSpecException.class)
                    .hasMessageContaining("'" + host + ":" + port + "'")
                    .hasMessageContaining("1 to 65535");
            assertThatThrownBy(() -> NetworkPolicy.denyAll().allow(host, 443, port)).as(host)
                    .isInstanceOf(InvalidSandboxSpecException.class)
                    .hasMessageContaining(":" + port + "'");
            assertThatThrownBy(() -> NetworkPolicy.denyAll().deny(host + ":" + port)).as(host)
                    .isInstanceOf(InvalidSandboxSpecException.class);
        }
    }

    @Provide
    Arbitrary<Integer> ports() {
        return Arbitraries.oneOf(Arbitraries.integers().between(1, 65535), Arbitraries.of(1, 80, 443, 8080, 65535));
    }

    @Provide
    Arbitrary<Set<Integer>> portSets() {
        return Arbitraries.oneOf(Arbitraries.integers().between(1, 65535), Arbitraries.of(80, 443, 444))
                .set().ofMaxSize(4);
    }

    @Provide
    Arbitrary<Integer> badPorts() {
        return Arbitraries.oneOf(Arbitraries.integers().between(65536, 99999), Arbitraries.integers().lessOrEqual(0),
                Arbitraries.of(0, -1, 65536, 100000));
    }

    @Provide
    Arbitrary<String> zeros() {
        return Arbitraries.of("", "0", "00");
    }

    @Test
    void portRulesAreReadInEveryFormAndBadOnesNamed() {
        assertThat(NetworkPolicy.denyAll().allow("Example.COM:443", "*.example.com:08443", "*:443", "10.1.2.3:5432",
                "10.0.0.0/8:80", "[::1]:8080", "[FD00::/8]:443", "::1", "[::1]").allowed())
                .containsExactly("example.com:443", "*.example.com:8443", "*:443", "10.1.2.3:5432", "10.0.0.0/8:80",
                        "[::1]:8080", "[fd00::/8]:443", "::1", "[::1]");
        assertThat(NetworkPolicy.denyAll().allow("fd00::/8", 443, 8443).allowed())
                .containsExactly("[fd00::/8]:443", "[fd00::/8]:8443");
        for (String rule : List.of("example.com:", "example.com:http", "example.com:-1", "example.com:0",
                "example.com:65536", "example.com:1234567", "example.com: 443", "[::1]:", "[::1]x", "[::1]:0",
                "[::1]:8080:1", "10.1.2.3:99999", ":443", "a:b:c", "example.com:443/8")) {
            assertThatThrownBy(() -> NetworkPolicy.denyAll().allow(rule)).as(rule)
                    .isInstanceOf(InvalidSandboxSpecException.class)
                    .hasMessageContaining(rule.trim());
        }
        assertThatThrownBy(() -> NetworkPolicy.denyAll().allow("example.com:443", 443))
                .isInstanceOf(InvalidSandboxSpecException.class).hasMessageContaining("'example.com:443'");
        // a credential's host has its port apart: a port in the host is an error, not a rule that never matches
        assertThatThrownBy(() -> new dev.keel.sandbox.SecretRule("https", "api.example.com:443", 443, "X-Key", "v"))
                .isInstanceOf(InvalidSandboxSpecException.class).hasMessageContaining("api.example.com:443");
    }

    @Test
    void addressEntriesWithAPortNameThatAddressOnThatPortOnly() {
        Map<String, List<String>> dns = Map.of("localhost", List.of("127.0.0.1"));
        EgressRules r = rules(NetworkPolicy.denyAll().allow("localhost", "127.0.0.1:8080"), dns);
        assertThat(decide(r, "localhost", 8080).allowed()).isTrue();
        assertThat(decide(r, "127.0.0.1", 8080).allowed()).isTrue();
        EgressRules.Decision other = decide(r, "localhost", 9090);
        assertThat(other.allowed()).as("the name is allowed everywhere, loopback only on 8080").isFalse();
        assertThat(other.reason()).contains("allow it by IP or CIDR on port 9090");
        assertThat(decide(r, "127.0.0.1", 9090).reason()).contains("port 9090 of 127.0.0.1 is not allowed")
                .contains("127.0.0.1:8080");
        EgressRules cidr = rules(NetworkPolicy.denyAll().allow("*:443", "10.0.0.0/8:443"), Map.of());
        assertThat(decide(cidr, "10.9.8.7", 443).allowed()).isTrue();
        assertThat(decide(cidr, "93.184.216.34", 443).allowed()).isTrue();
        assertThat(decide(cidr, "10.9.8.7", 80).allowed()).isFalse();
        assertThat(decide(cidr, "93.184.216.34", 80).allowed()).isFalse();
        EgressRules v6 = rules(NetworkPolicy.denyAll().allow("[::1]:8080"), Map.of());
        assertThat(decide(v6, "[::1]", 8080).allowed()).isTrue();
        assertThat(decide(v6, "[0:0::1]", 8080).allowed()).isTrue();
        assertThat(decide(v6, "[::1]", 8081).allowed()).isFalse();
        // a denied address on one port does not stop the name elsewhere, and does stop it there
        EgressRules deny = rules(NetworkPolicy.denyAll().allow("*.example.com").deny("93.184.216.0/24:22"),
                Map.of("a.example.com", List.of("93.184.216.34")));
        assertThat(decide(deny, "a.example.com", 22).reason()).contains("denied by rule 93.184.216.0/24:22");
        assertThat(decide(deny, "a.example.com", 443).allowed()).isTrue();
    }
}
