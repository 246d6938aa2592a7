package dev.keel.agents.internal;

import dev.keel.agents.tool.ToolResult;
import java.io.IOException;
import java.io.InputStream;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import okhttp3.Connection;
import okhttp3.Headers;
import okhttp3.Interceptor;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * The HTTP plumbing the {@code api}, {@code openapi} and {@code a2a} toolsets share: a per-toolset client
 * derived from the host's shared one (its own timeout, redirects not followed so configured headers never
 * reach another host, and the private-address guard), header validation that never echoes a value (values
 * are often secrets), and a size-limited read of the response. Stateless and thread-safe. Not API.
 */
public final class HttpCalls {
    private HttpCalls() {}

    /** What one call returned: status, body text (cut at the limit) and the redirect target, if any. */
    public record Reply(int code, String body, boolean truncated, String location) {
        /** Whether the status is 2xx. */
        public boolean ok() {
            return code >= 200 && code < 300;
        }

        /** Whether the server answered with a redirect (which is not followed). */
        public boolean redirect() {
            return code >= 300 && code < 400 && location != null;
        }

        /** The reply as the model sees it: the body, or an error naming the status. */
        public ToolResult toToolResult() {
            if (redirect()) {
                return ToolResult.error("HTTP " + code + ": redirect to " + location + " (not followed)");
            }
            String text = truncated ? body + "\n[truncated]" : body;
            return ok() ? ToolResult.ok(text) : ToolResult.error("HTTP " + code + (text.isEmpty() ? "" : ": " + text));
        }
    }

    /**
     * A client sharing {@code base}'s pool and dispatcher, with {@code timeout} per call, no redirects, and
     * (unless {@code allowPrivateAddresses}) connections to non-public addresses refused.
     */
    public static OkHttpClient derive(OkHttpClient base, Duration timeout, boolean allowPrivateAddresses) {
        OkHttpClient.Builder b = base.newBuilder().callTimeout(timeout).followRedirects(false).followSslRedirects(false);
        if (!allowPrivateAddresses) {
            okhttp3.Dns dns = base.dns();
            b.dns(host -> publicOnly(host, dns.lookup(host))).addNetworkInterceptor(HttpCalls::guard);
        }
        return b.build();
    }

    /**
     * The public addresses of {@code host}, so that no connection is even opened to a non-public one a name
     * resolves to.
     */
    private static java.util.List<InetAddress> publicOnly(String host, java.util.List<InetAddress> all)
            throws java.net.UnknownHostException {
        java.util.List<InetAddress> kept = all.stream().filter(a -> privateKind(a) == null).toList();
        if (kept.isEmpty() && !all.isEmpty()) {
            throw new java.net.UnknownHostException("refused to connect to " + host + ": it resolves to "
                    + all.get(0).getHostAddress() + " (" + privateKind(all.get(0)) + " address); set allow_private_ips "
                    + "(allowPrivateIps) to reach internal services");
        }
        return kept;
    }

    /**
     * Refuses a connection whose peer is a non-public address. Runs once the socket is connected (after DNS,
     * so a public name resolving to a private address is caught, and for IP literals too). Through a proxy
     * the proxy decides where the request goes, so the check does not apply.
     */
    private static Response guard(Interceptor.Chain chain) throws IOException {
        Connection c = chain.connection();
        if (c != null && c.route().proxy().type() == Proxy.Type.DIRECT) {
            InetAddress peer = c.route().socketAddress().getAddress();
            String kind = privateKind(peer);
            if (kind != null) {
                throw new IOException("refused to connect to " + peer.getHostAddress() + " (" + kind + " address) for "
                        + chain.request().url().host() + "; set allow_private_ips (allowPrivateIps) to reach internal "
                        + "services");
            }
        }
        return chain.proceed(chain.request());
    }

    /** What kind of non-public address {@code a} is, or null for a public one. */
    public static String privateKind(InetAddress a) {
        if (a == null) {
            return null;
        }
        if (a.isLoopbackAddress()) {
            return "a loopback";
        }
        if (a.isAnyLocalAddress()) {
            return "the unspecified";
        }
        if (a.isLinkLocalAddress()) {
            return "a link-local";
        }
        if (a.isSiteLocalAddress()) {
            return "a private";
        }
        if (a.isMulticastAddress()) {
            return "a multicast";
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address && (b[0] & 0xff) == 100 && (b[1] & 0xc0) == 64) {
            return "a carrier-grade NAT";
        }
        if (a instanceof Inet6Address && (b[0] & 0xfe) == 0xfc) {
            return "a unique-local";
        }
        return null;
    }

    /**
     * Headers from a map, checked: a name or value that HTTP does not allow fails naming the header, never
     * showing the value.
     *
     * @throws IllegalArgumentException naming the header
     */
    public static Headers headers(Map<String, String> headers) {
        Headers.Builder b = new Headers.Builder();
        headers.forEach((name, value) -> {
            checkHeader(name, value);
            b.add(name, value);
        });
        return b.build();
    }

    /** Fails naming the header (not its value) when HTTP does not allow it. */
    public static void checkHeader(String name, String value) {
        if (name == null || name.isEmpty() || !name.chars().allMatch(c -> c > 32 && c < 127 && c != ':')) {
            throw new IllegalArgumentException("header name '" + name + "' is not a valid HTTP header name");
        }
        if (value == null || !value.chars().allMatch(c -> c == '\t' || (c >= 32 && c != 127))) {
            throw new IllegalArgumentException("the value of header '" + name
                    + "' has a character HTTP does not allow (a line break or control character)");
        }
    }

    /** Runs {@code request}, keeping at most {@code maxBytes} of the body. */
    public static Reply execute(OkHttpClient client, Request request, int maxBytes) throws IOException {
        try (Response r = client.newCall(request).execute()) {
            ResponseBody body = r.body();
            byte[] bytes = new byte[0];
            boolean cut = false;
            if (body != null) {
                try (InputStream in = body.byteStream()) {
                    bytes = in.readNBytes(maxBytes + 1);
                    cut = bytes.length > maxBytes;
                }
            }
            String text = cut ? Utf8.cut(bytes, maxBytes) : new String(bytes, StandardCharsets.UTF_8);
            return new Reply(r.code(), text, cut, r.isRedirect() ? r.header("Location") : null);
        }
    }

    /**
     * {@code value} percent-encoded so that it stays one path segment or one query component: only the
     * unreserved characters ({@code A-Z a-z 0-9 - . _ ~}) are left as they are, so {@code /}, {@code ?},
     * {@code #}, {@code &}, {@code =} and {@code %} cannot change the URL's structure.
     */
    public static String percentEncode(String value) {
        StringBuilder sb = new StringBuilder();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
                    || c == '_' || c == '~') {
                sb.append((char) c);
            } else {
                sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return sb.toString();
    }

    /** Whether {@code value}, as a whole path segment, would move up or stay ({@code .} or {@code ..}). */
    public static boolean dotSegment(String value) {
        return value.equals(".") || value.equals("..");
    }

    /** How many {@code .} or {@code ..} segments the path of {@code url} (a URL or a path) has. */
    public static int dotSegments(String url) {
        int scheme = url.indexOf("://");
        int start = scheme < 0 ? 0 : url.indexOf('/', scheme + 3);
        if (start < 0) {
            return 0;
        }
        int q = url.indexOf('?', start);
        int f = url.indexOf('#', start);
        int end = q < 0 ? (f < 0 ? url.length() : f) : f < 0 ? q : Math.min(q, f);
        int n = 0;
        for (String segment : url.substring(start, end).split("/", -1)) {
            if (dotSegment(segment)) {
                n++;
            }
        }
        return n;
    }

    /** UTF-8 decoding that does not split a character at the cut. */
    private static final class Utf8 {
        static String cut(byte[] bytes, int max) {
            int end = max;
            while (end > 0 && (bytes[end] & 0xc0) == 0x80) {
                end--; // bytes[end] continues a character that started before it: cut before that character
            }
            return new String(bytes, 0, end, StandardCharsets.UTF_8);
        }
    }
}
