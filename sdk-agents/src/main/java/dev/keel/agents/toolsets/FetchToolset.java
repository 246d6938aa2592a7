package dev.keel.agents.toolsets;

import dev.keel.agents.internal.HostRules;
import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.ToolResult;
import dev.keel.agents.tool.Toolset;
import dev.keel.core.tool.JsonSchema;
import dev.keel.core.tool.ToolSpec;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import okhttp3.Call;
import okhttp3.Dns;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * cagent's {@code fetch} toolset: {@code fetch(urls, timeout)} does an HTTP GET of each URL with the given
 * OkHttp client (for example one from {@code dev.keel.core.http.HttpClients}) and returns status and body,
 * cut at {@link #maxBytes()}. Only http(s) URLs whose host matches one of {@link #allowedHosts()} are
 * fetched (an empty list allows every host), and none whose host matches one of {@link #blockedHosts()}. Host
 * patterns are docker-agent's: {@code example.com} (the domain and its subdomains), {@code .example.com} or
 * {@code *.example.com} (subdomains only), an IP address, or a CIDR range such as {@code 10.0.0.0/8}.
 *
 * <p>Non-public addresses (loopback, RFC 1918, link-local with the cloud metadata endpoint, unique local,
 * multicast, unspecified) are refused unless {@link Builder#allowPrivateAddresses(boolean)} is on: an address
 * written in the URL is checked before any connection, and a host name is checked on every address it resolves
 * to, when the connection is made (so a name that resolves to {@code 127.0.0.1}, or starts to, is refused too).
 * With a proxy on the client, the proxy resolves names and only literal addresses are checked here. Redirects
 * are not followed, so {@link #headers()} (credentials, typically) never reach another host. Read-only;
 * thread-safe.
 *
 * <pre>{@code
 * FetchToolset fetch = FetchToolset.builder(client).allowedHosts(List.of("docs.example.com"))
 *         .headers(Map.of("Authorization", "Bearer " + token))
 *         .timeout(Duration.ofSeconds(10)).build();
 * }</pre>
 */
public final class FetchToolset implements Toolset {
    /** Hosts OkHttp connects to as addresses, bypassing its {@link Dns}. */
    private static final java.util.regex.Pattern IP_LIKE = java.util.regex.Pattern.compile(
            "([0-9a-fA-F]*:[0-9a-fA-F:.]*)|([\\d.]+)");
    private final OkHttpClient client;
    private final List<String> allowedHosts;
    private final List<String> blockedHosts;
    private final boolean allowPrivateAddresses;
    private final Map<String, String> headers;
    private final boolean escapeHtml;
    private final Duration timeout;
    private final int maxBytes;

    private FetchToolset(Builder b) {
        client = b.client;
        allowedHosts = b.allowedHosts;
        blockedHosts = b.blockedHosts;
        allowPrivateAddresses = b.allowPrivateAddresses;
        headers = b.headers;
        escapeHtml = b.escapeHtml;
        timeout = b.timeout;
        maxBytes = b.maxBytes;
    }

    /**
     * Starts a fetch toolset using {@code client} (shared; this toolset never closes it).
     *
     * @param client the client
     * @return the builder
     */
    public static Builder builder(OkHttpClient client) {
        return new Builder(client);
    }

    /**
     * This toolset with every setting kept and requests sent through {@code client} instead, for example the same
     * client with an interceptor added (a run recording observes fetches that way).
     *
     * @param client the client
     * @return the copy
     */
    public FetchToolset withClient(OkHttpClient client) {
        Builder b = new Builder(client);
        b.allowedHosts = allowedHosts;
        b.blockedHosts = blockedHosts;
        b.allowPrivateAddresses = allowPrivateAddresses;
        b.headers = headers;
        b.escapeHtml = escapeHtml;
        b.timeout = timeout;
        b.maxBytes = maxBytes;
        return b.build();
    }

    /**
     * The HTTP client.
     *
     * @return the HTTP client
     */
    public OkHttpClient client() {
        return client;
    }

    /**
     * Host globs; empty = any host.
     *
     * @return host globs; empty = any host
     */
    public List<String> allowedHosts() {
        return allowedHosts;
    }

    /**
     * Host patterns never fetched.
     *
     * @return host patterns never fetched
     */
    public List<String> blockedHosts() {
        return blockedHosts;
    }

    /**
     * Whether loopback, private and link-local addresses may be fetched.
     *
     * @return whether non-public addresses may be fetched
     */
    public boolean allowPrivateAddresses() {
        return allowPrivateAddresses;
    }

    /**
     * Headers sent with every request.
     *
     * @return headers sent with every request
     */
    public Map<String, String> headers() {
        return headers;
    }

    /**
     * Whether {@code &}, {@code <} and {@code >} of fetched bodies are returned HTML-escaped.
     *
     * @return whether fetched bodies are HTML-escaped
     */
    public boolean escapeHtml() {
        return escapeHtml;
    }

    /**
     * Per-request limit.
     *
     * @return per-request limit
     */
    public Duration timeout() {
        return timeout;
    }

    /**
     * Body bytes kept per URL.
     *
     * @return body bytes kept per URL
     */
    public int maxBytes() {
        return maxBytes;
    }

    @Override
    public String name() {
        return "fetch";
    }

    @Override
    public List<Tool> tools() {
        return List.of(Tool.of(ToolSpec.of("fetch", "Fetch content from one or more HTTP/HTTPS URLs with GET.",
                JsonSchema.object().required("urls", JsonSchema.array(JsonSchema.string()).describedAs("URLs to fetch"))
                        .optional("timeout", JsonSchema.integer("Request timeout in seconds")).build()),
                true, (args, ctx) -> {
                    List<String> urls = args.strings("urls");
                    if (urls.isEmpty()) {
                        return ToolResult.error("'urls' must list at least one URL");
                    }
                    Duration t = args.has("timeout") ? Duration.ofSeconds(Math.max(1, Math.min(
                            args.integer("timeout"), timeout.toSeconds()))) : timeout;
                    StringBuilder sb = new StringBuilder();
                    boolean allFailed = true;
                    for (String url : urls) {
                        sb.append("=== ").append(url).append(" ===\n");
                        try {
                            sb.append(fetch(url, t));
                            allFailed = false;
                        } catch (IOException | IllegalArgumentException e) {
                            // An UnknownHostException's message is the refusal or the host; both say what failed.
                            sb.append("Error: ").append(e.getMessage());
                        }
                        sb.append("\n\n");
                    }
                    return allFailed ? ToolResult.error(sb.toString().strip()) : ToolResult.ok(sb.toString().strip());
                }));
    }

    /**
     * Whether {@code host} is on the allowlist (when there is one) and not on the blocklist. Says nothing about
     * the addresses it resolves to.
     *
     * @param host the host name
     * @return whether {@code host} passes the host lists
     */
    public boolean allows(String host) {
        return (allowedHosts.isEmpty() || HostRules.matchesAny(allowedHosts, host))
                && !HostRules.matchesAny(blockedHosts, host);
    }

    private String fetch(String url, Duration t) throws IOException {
        HttpUrl parsed = HttpUrl.parse(url);
        if (parsed == null) {
            throw new IllegalArgumentException("not an http(s) URL: " + url);
        }
        if (!allowedHosts.isEmpty() && !HostRules.matchesAny(allowedHosts, parsed.host())) {
            throw new IllegalArgumentException("host '" + parsed.host() + "' is not in the allowed hosts " + allowedHosts);
        }
        if (HostRules.matchesAny(blockedHosts, parsed.host())) {
            throw new IllegalArgumentException("host '" + parsed.host() + "' is blocked " + blockedHosts);
        }
        if (!allowPrivateAddresses && IP_LIKE.matcher(parsed.host()).matches()) {
            // OkHttp dials hosts it reads as addresses (127.1, 2130706433 and 127.0.0.1. included) without asking
            // its Dns, so they are checked here, as the platform reads them.
            publicOnly(parsed.host(), List.of(InetAddress.getAllByName(parsed.host())));
        }
        OkHttpClient.Builder b = client.newBuilder().callTimeout(t).followRedirects(false).followSslRedirects(false);
        if (!allowPrivateAddresses) {
            Dns dns = client.dns();
            b.dns(host -> publicOnly(host, dns.lookup(host)));
        }
        Request.Builder request = new Request.Builder().url(parsed).get();
        headers.forEach(request::header);
        Call call = b.build().newCall(request.build());
        try (Response r = call.execute()) {
            StringBuilder sb = new StringBuilder("HTTP ").append(r.code()).append('\n');
            if (r.isRedirect()) {
                // Redirects are not followed: the target host must pass the allowlist in its own call.
                return sb.append("redirect to ").append(r.header("Location")).toString();
            }
            if (r.body() != null) {
                try (InputStream in = r.body().byteStream()) {
                    byte[] body = in.readNBytes(maxBytes + 1);
                    boolean cut = body.length > maxBytes;
                    String text = new String(body, 0, Math.min(body.length, maxBytes), StandardCharsets.UTF_8);
                    sb.append(escapeHtml ? escape(text) : text);
                    if (cut) {
                        sb.append("\n[truncated at ").append(maxBytes).append(" bytes]");
                    }
                }
            }
            return sb.toString();
        }
    }

    /** Every address a name resolves to must be public; one private answer refuses the name (DNS rebinding). */
    private static List<InetAddress> publicOnly(String host, List<InetAddress> addresses) throws UnknownHostException {
        for (InetAddress a : addresses) {
            if (HostRules.isPrivate(a)) {
                throw new UnknownHostException(privateRefusal(host, a));
            }
        }
        return addresses;
    }

    private static String privateRefusal(String host, InetAddress a) {
        return "host '" + host + "' is the non-public address " + a.getHostAddress()
                + "; fetching private, loopback and link-local addresses is off (allow_private_ips)";
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FetchToolset other && client.equals(other.client) && allowedHosts.equals(other.allowedHosts)
                && blockedHosts.equals(other.blockedHosts) && allowPrivateAddresses == other.allowPrivateAddresses
                && headers.equals(other.headers) && escapeHtml == other.escapeHtml
                && timeout.equals(other.timeout) && maxBytes == other.maxBytes;
    }

    @Override
    public int hashCode() {
        return Objects.hash(client, allowedHosts, blockedHosts, allowPrivateAddresses, headers, escapeHtml, timeout,
                maxBytes);
    }

    /** Names the header names only: their values are usually credentials. */
    @Override
    public String toString() {
        return "FetchToolset[allowedHosts=" + (allowedHosts.isEmpty() ? "any" : allowedHosts)
                + (blockedHosts.isEmpty() ? "" : ", blockedHosts=" + blockedHosts)
                + ", privateAddresses=" + (allowPrivateAddresses ? "allowed" : "refused")
                + (headers.isEmpty() ? "" : ", headers=" + headers.keySet()) + (escapeHtml ? ", escapeHtml" : "")
                + ", timeout=" + timeout + ", maxBytes=" + maxBytes + "]";
    }

    /**
     * Builds a {@link FetchToolset}. Defaults: every public host allowed, non-public addresses refused, no extra
     * headers, bodies as they are, 30 s per request, 1 MiB kept per URL. Setters replace what was set before.
     * Not thread-safe.
     */
    public static final class Builder {
        private final OkHttpClient client;
        private List<String> allowedHosts = List.of();
        private List<String> blockedHosts = List.of();
        private boolean allowPrivateAddresses;
        private Map<String, String> headers = Map.of();
        private boolean escapeHtml;
        private Duration timeout = Duration.ofSeconds(30);
        private int maxBytes = 1 << 20;

        private Builder(OkHttpClient client) {
            this.client = Objects.requireNonNull(client, "client");
        }

        /**
         * Host patterns such as {@code example.com}, {@code *.example.com} or {@code 10.0.0.0/8} (replaces);
         * empty allows every host.
         *
         * @param hosts the hosts
         * @return this builder
         * @throws IllegalArgumentException naming a pattern that is not one (a bare {@code *}, a bad CIDR)
         */
        public Builder allowedHosts(List<String> hosts) {
            this.allowedHosts = patterns(hosts);
            return this;
        }

        /**
         * Host patterns never fetched (replaces), written as for {@link #allowedHosts}.
         *
         * @param hosts the hosts
         * @return this builder
         * @throws IllegalArgumentException naming a pattern that is not one
         */
        public Builder blockedHosts(List<String> hosts) {
            this.blockedHosts = patterns(hosts);
            return this;
        }

        private static List<String> patterns(List<String> hosts) {
            List<String> copy = List.copyOf(Objects.requireNonNull(hosts, "hosts"));
            copy.forEach(HostRules::check);
            return copy;
        }

        /**
         * Lets the toolset fetch loopback, private and link-local addresses (off by default: a model that is
         * told a URL must not reach the host's own services or the cloud metadata endpoint).
         *
         * @param allow whether non-public addresses may be fetched
         * @return this builder
         */
        public Builder allowPrivateAddresses(boolean allow) {
            this.allowPrivateAddresses = allow;
            return this;
        }

        /**
         * Headers sent with every request (replaces), for example credentials of the allowed hosts.
         *
         * @param headers names to values
         * @return this builder
         * @throws IllegalArgumentException when a value holds a line break
         */
        public Builder headers(Map<String, String> headers) {
            Map<String, String> copy = new LinkedHashMap<>(Objects.requireNonNull(headers, "headers"));
            copy.forEach((k, v) -> {
                if (k.isBlank() || k.contains("\n") || k.contains("\r") || v.contains("\n") || v.contains("\r")) {
                    throw new IllegalArgumentException("header '" + k.strip() + "' has a line break or no name");
                }
            });
            this.headers = java.util.Collections.unmodifiableMap(copy);
            return this;
        }

        /**
         * Returns {@code &}, {@code <} and {@code >} of fetched bodies HTML-escaped.
         *
         * @param escape whether to escape
         * @return this builder
         */
        public Builder escapeHtml(boolean escape) {
            this.escapeHtml = escape;
            return this;
        }

        /**
         * Per-request limit, and the most a model may ask for (positive).
         *
         * @param timeout the timeout
         * @return this builder
         */
        public Builder timeout(Duration timeout) {
            this.timeout = Limits.positive(timeout);
            return this;
        }

        /**
         * Body bytes kept per URL (positive).
         *
         * @param maxBytes the max bytes
         * @return this builder
         */
        public Builder maxBytes(int maxBytes) {
            this.maxBytes = Limits.positive(maxBytes, "maxBytes");
            return this;
        }

        /**
         * The toolset.
         *
         * @return the toolset
         */
        public FetchToolset build() {
            return new FetchToolset(this);
        }
    }
}
