package dev.keel.agents.toolsets;

import dev.keel.agents.approval.ToolPattern;
import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.ToolResult;
import dev.keel.agents.tool.Toolset;
import dev.keel.core.tool.JsonSchema;
import dev.keel.core.tool.ToolSpec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import okhttp3.Call;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * cagent's {@code fetch} toolset: {@code fetch(urls, timeout)} does an HTTP GET of each URL with the given
 * OkHttp client (for example one from {@code dev.keel.core.http.HttpClients}) and returns status and body,
 * cut at {@link #maxBytes()}. Only http(s) URLs whose host matches one of {@link #allowedHosts()} (globs
 * such as {@code *.example.com}) are fetched; an empty list allows every host. Redirects are not followed.
 * Read-only; thread-safe.
 *
 * <pre>{@code
 * FetchToolset fetch = FetchToolset.builder(client).allowedHosts(List.of("*.example.com"))
 *         .timeout(Duration.ofSeconds(10)).build();
 * }</pre>
 */
public final class FetchToolset implements Toolset {
    private final OkHttpClient client;
    private final List<String> allowedHosts;
    private final Duration timeout;
    private final int maxBytes;

    private FetchToolset(Builder b) {
        client = b.client;
        allowedHosts = b.allowedHosts;
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
                            sb.append("Error: ").append(e.getMessage());
                        }
                        sb.append("\n\n");
                    }
                    return allFailed ? ToolResult.error(sb.toString().strip()) : ToolResult.ok(sb.toString().strip());
                }));
    }

    /**
     * Whether {@code host} is on the allowlist.
     *
     * @param host the host name
     * @return whether {@code host} is on the allowlist
     */
    public boolean allows(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        return allowedHosts.isEmpty() || allowedHosts.stream().anyMatch(g -> ToolPattern.glob(g.toLowerCase(Locale.ROOT), h));
    }

    private String fetch(String url, Duration t) throws IOException {
        HttpUrl parsed = HttpUrl.parse(url);
        if (parsed == null) {
            throw new IllegalArgumentException("not an http(s) URL: " + url);
        }
        if (!allows(parsed.host())) {
            throw new IllegalArgumentException("host '" + parsed.host() + "' is not in the allowed hosts " + allowedHosts);
        }
        Call call = client.newBuilder().callTimeout(t).followRedirects(false).build()
                .newCall(new Request.Builder().url(parsed).get().build());
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
                    sb.append(new String(body, 0, Math.min(body.length, maxBytes), StandardCharsets.UTF_8));
                    if (cut) {
                        sb.append("\n[truncated at ").append(maxBytes).append(" bytes]");
                    }
                }
            }
            return sb.toString();
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FetchToolset other && client.equals(other.client) && allowedHosts.equals(other.allowedHosts)
                && timeout.equals(other.timeout) && maxBytes == other.maxBytes;
    }

    @Override
    public int hashCode() {
        return Objects.hash(client, allowedHosts, timeout, maxBytes);
    }

    @Override
    public String toString() {
        return "FetchToolset[allowedHosts=" + (allowedHosts.isEmpty() ? "any" : allowedHosts) + ", timeout=" + timeout
                + ", maxBytes=" + maxBytes + "]";
    }

    /**
     * Builds a {@link FetchToolset}. Defaults: every host allowed, 30 s per request, 1 MiB kept per URL.
     * Setters replace what was set before. Not thread-safe.
     */
    public static final class Builder {
        private final OkHttpClient client;
        private List<String> allowedHosts = List.of();
        private Duration timeout = Duration.ofSeconds(30);
        private int maxBytes = 1 << 20;

        private Builder(OkHttpClient client) {
            this.client = Objects.requireNonNull(client, "client");
        }

        /**
         * Host globs such as {@code *.example.com} (replaces); empty allows every host.
         *
         * @param hosts the hosts
         * @return this builder
         */
        public Builder allowedHosts(List<String> hosts) {
            this.allowedHosts = List.copyOf(Objects.requireNonNull(hosts, "hosts"));
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
