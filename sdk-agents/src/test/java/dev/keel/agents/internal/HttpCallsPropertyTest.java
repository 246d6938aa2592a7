package dev.keel.agents.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import okhttp3.HttpUrl;

/** The encoding that keeps arguments inside one path segment or query value, and the address classes refused. */
class HttpCallsPropertyTest {

    @Property(tries = 500)
    void anEncodedValueIsOneSegmentThatDecodesBack(@ForAll String value) {
        String encoded = HttpCalls.percentEncode(value);
        assertThat(encoded).matches("[A-Za-z0-9._~%-]*");
        assertThat(URLDecoder.decode(encoded.replace("+", "%2B"), StandardCharsets.UTF_8)).isEqualTo(value);
        HttpUrl url = HttpUrl.get("https://api.example.com/items/" + encoded + "/x?q=" + encoded);
        assertThat(url.host()).isEqualTo("api.example.com");
        assertThat(url.queryParameterNames()).containsExactly("q");
        assertThat(url.queryParameter("q")).isEqualTo(value);
        if (!HttpCalls.dotSegment(value)) {
            assertThat(url.pathSegments()).containsExactly("items", value, "x");
        }
    }

    @Example
    void nonPublicAddressesAreNamedAndPublicOnesPass() throws Exception {
        String[][] cases = {
                {"127.0.0.1", "a loopback"}, {"::1", "a loopback"}, {"0.0.0.0", "the unspecified"},
                {"169.254.169.254", "a link-local"}, {"fe80::1", "a link-local"}, {"10.1.2.3", "a private"},
                {"172.16.0.1", "a private"}, {"192.168.1.1", "a private"}, {"100.64.0.1", "a carrier-grade NAT"},
                {"fd12:3456::1", "a unique-local"}, {"224.0.0.1", "a multicast"}};
        for (String[] c : cases) {
            assertThat(HttpCalls.privateKind(InetAddress.getByName(c[0]))).as(c[0]).isEqualTo(c[1]);
        }
        for (String ip : new String[] {"8.8.8.8", "172.32.0.1", "100.128.0.1", "2001:4860:4860::8888", "1.1.1.1"}) {
            assertThat(HttpCalls.privateKind(InetAddress.getByName(ip))).as(ip).isNull();
        }
    }
}
