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
 * cut at {@code maxBytes}. Only http(s) URLs whose host matches one of {@code allowedHosts} (globs such as
 * {@code *.example.com}) are fetched; an empty list allows every host. Read-only; thread-safe.
 *
 * @param client       the HTTP client (shared, not closed by this toolset)
 * @param allowedHosts host globs; empty = any host
 * @param timeout      per-request limit
 * @param maxBytes     body bytes kept per URL
 */
public record FetchToolset(OkHttpClient client, List<String> allowedHosts, Duration timeout, int maxBytes)
        implements Toolset {
    /**
     * Creates the value, checking its components.
     *
     * @param client the HTTP client (shared, not closed by this toolset)
     * @param allowedHosts host globs; empty = any host
     * @param timeout per-request limit
     * @param maxBytes body bytes kept per URL
     */
    public FetchToolset {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(timeout, "timeout");
        allowedHosts = List.copyOf(allowedHosts == null ? List.of() : allowedHosts);
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("maxBytes must be positive");
        }
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
                    List<String> urls = Args.strings(args, "urls", true);
                    if (urls.isEmpty()) {
                        return ToolResult.error("'urls' must list at least one URL");
                    }
                    Duration t = args.hasNonNull("timeout") ? Duration.ofSeconds(Math.max(1, Math.min(
                            args.get("timeout").asLong(), timeout.toSeconds()))) : timeout;
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
}
