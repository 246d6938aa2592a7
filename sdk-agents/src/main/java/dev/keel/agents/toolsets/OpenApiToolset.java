package dev.keel.agents.toolsets;

import dev.keel.agents.internal.HttpCalls;
import dev.keel.agents.internal.OpenApiDocument;
import dev.keel.agents.internal.OpenApiDocument.Operation;
import dev.keel.agents.internal.OpenApiDocument.Param;
import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.ToolArguments;
import dev.keel.agents.tool.ToolResult;
import dev.keel.agents.tool.Toolset;
import dev.keel.core.json.JsonArray;
import dev.keel.core.json.JsonObject;
import dev.keel.core.json.JsonString;
import dev.keel.core.json.JsonValue;
import dev.keel.core.tool.JsonSchema;
import dev.keel.core.tool.ToolSpec;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * docker-agent's {@code openapi} toolset: one tool per operation of an OpenAPI 3.x document (JSON or YAML, from
 * an http(s) URL or a file). A tool is named after the operation's {@code operationId} (or method and path);
 * its arguments are the operation's path, query, header and cookie parameters under their own names and the
 * fields of a JSON request body prefixed {@code body_} (a body that is not a JSON object is one {@code body}
 * argument), as docker-agent names them. The response body is returned to the model, cut at
 * {@link #maxBytes()}; a status of 400 or more is an error result naming it. {@code GET}, {@code HEAD} and
 * {@code OPTIONS} tools are read-only.
 *
 * <p>The document is read on the first {@link #tools()} call (up to 10 MiB; the configured headers are sent
 * with the fetch too) and kept. A document that cannot be read or is malformed fails with an
 * {@link OpenApiException} naming the part at fault; the next call tries again.
 *
 * <p><b>Where calls go.</b> To {@link Builder#baseUrl} when set; otherwise to the document's first
 * {@code servers} entry (its variables at their defaults), resolved against the document's URL when
 * relative, or to the document's own origin when there is none. A server on another host than the document
 * is followed, as docker-agent does (APIs are often described on another host), and logged; but a server
 * whose scheme is not http or https, or a plain-http server for a document fetched over https (the headers,
 * often credentials, would travel in clear), fails with an {@link OpenApiException}. Path parameters are
 * percent-encoded as one segment, so a value cannot add {@code /}, {@code ?} or {@code #}, and a value of
 * {@code .} or {@code ..} is refused. Redirects are not followed, and non-public addresses are refused unless
 * {@link Builder#allowPrivateIps}. Header values never appear in {@link #toString()}, errors or logs.
 * Thread-safe.
 *
 * <pre>{@code
 * OpenApiToolset petstore = OpenApiToolset.builder(client, URI.create("https://petstore3.swagger.io/api/v3/openapi.json"))
 *         .headers(Map.of("api_key", System.getenv("PETSTORE_KEY")))
 *         .build();
 * }</pre>
 */
public final class OpenApiToolset implements Toolset {
    private static final Logger LOG = LoggerFactory.getLogger(OpenApiToolset.class);
    /** The largest document read. */
    public static final int MAX_DOCUMENT_BYTES = 10 << 20;

    private final OkHttpClient client;
    private final OkHttpClient calls;
    private final URI document;
    private final String baseUrl;
    private final Map<String, String> headers;
    private final Duration timeout;
    private final int maxBytes;
    private final boolean allowPrivateIps;
    private volatile Loaded loaded;

    private record Loaded(OpenApiDocument doc, HttpUrl base, List<Tool> tools) {}

    private OpenApiToolset(Builder b) {
        client = b.client;
        document = b.document;
        baseUrl = b.baseUrl;
        headers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(b.headers));
        timeout = b.timeout;
        maxBytes = b.maxBytes;
        allowPrivateIps = b.allowPrivateIps;
        calls = HttpCalls.derive(client, timeout, allowPrivateIps);
    }

    /**
     * Starts a toolset from the document at {@code document}: an http(s) URL or a {@code file:} URI.
     *
     * @param client   the HTTP client (shared; this toolset never closes it)
     * @param document where the document is
     * @return the builder
     */
    public static Builder builder(OkHttpClient client, URI document) {
        return new Builder(client, document);
    }

    /**
     * Starts a toolset from a document file.
     *
     * @param client   the HTTP client (shared; this toolset never closes it)
     * @param document the file
     * @return the builder
     */
    public static Builder builder(OkHttpClient client, Path document) {
        return new Builder(client, Objects.requireNonNull(document, "document").toAbsolutePath().normalize().toUri());
    }

    /**
     * Where the document is.
     *
     * @return where the document is
     */
    public URI document() {
        return document;
    }

    /**
     * The base URL set on the builder, or null when the document's servers decide.
     *
     * @return the base URL set on the builder, or null
     */
    public String baseUrl() {
        return baseUrl;
    }

    /**
     * Names of the headers sent with every request (their values are not exposed).
     *
     * @return the header names
     */
    public Set<String> headerNames() {
        return headers.keySet();
    }

    /**
     * Per-request limit, for the document's fetch and each call.
     *
     * @return per-request limit
     */
    public Duration timeout() {
        return timeout;
    }

    /**
     * Response bytes kept per call.
     *
     * @return response bytes kept per call
     */
    public int maxBytes() {
        return maxBytes;
    }

    /**
     * Whether non-public addresses may be reached.
     *
     * @return whether non-public addresses may be reached
     */
    public boolean allowPrivateIps() {
        return allowPrivateIps;
    }

    @Override
    public String name() {
        return "openapi";
    }

    @Override
    public String instructions() {
        Loaded l = loaded;
        String title = l != null && !l.doc().title().isEmpty() ? " (" + l.doc().title() + ")" : "";
        return "These tools call the HTTP API described by the OpenAPI document at " + document + title
                + ": one tool per operation. Arguments named body_* are fields of the request body.";
    }

    /**
     * One tool per operation of the document, reading it on the first call.
     *
     * @return the tools
     * @throws OpenApiException when the document cannot be read, is not OpenAPI 3, or is malformed
     */
    @Override
    public List<Tool> tools() {
        return load().tools();
    }

    private Loaded load() {
        Loaded l = loaded;
        if (l != null) {
            return l;
        }
        synchronized (this) {
            if (loaded == null) {
                OpenApiDocument doc = OpenApiDocument.parse(read(), document.toString());
                HttpUrl base = base(doc);
                List<Tool> tools = new ArrayList<>();
                for (Operation op : doc.operations()) {
                    tools.add(Tool.of(ToolSpec.of(op.toolName(), op.description(), JsonSchema.of(op.schema())),
                            op.readOnly(), (args, ctx) -> call(base, op, args)));
                }
                loaded = new Loaded(doc, base, List.copyOf(tools));
                LOG.debug("OpenAPI document {}: {} operations, calls go to {}", document, tools.size(), base);
            }
            return loaded;
        }
    }

    private String read() {
        String name = document.toString();
        if ("file".equalsIgnoreCase(document.getScheme())) {
            Path file = Path.of(document);
            try (InputStream in = Files.newInputStream(file)) {
                return text(in.readNBytes(MAX_DOCUMENT_BYTES + 1), name);
            } catch (IOException e) {
                throw new OpenApiException(name, "", "cannot read the file: " + e.getMessage(), e);
            }
        }
        Request request = new Request.Builder().url(HttpUrl.get(document.toString())).headers(HttpCalls.headers(headers))
                .header("Accept", "application/json, application/yaml;q=0.9, */*;q=0.5").get().build();
        HttpCalls.Reply reply;
        try {
            reply = HttpCalls.execute(calls, request, MAX_DOCUMENT_BYTES);
        } catch (IOException e) {
            throw new OpenApiException(name, "", "cannot fetch the document: " + e.getMessage(), e);
        }
        if (reply.redirect()) {
            throw new OpenApiException(name, "", "the server redirects to " + reply.location()
                    + "; redirects are not followed, so use that URL", null);
        }
        if (reply.code() != 200) {
            throw new OpenApiException(name, "", "fetching the document returned HTTP " + reply.code(), null);
        }
        if (reply.truncated()) {
            throw tooLarge(name);
        }
        return reply.body();
    }

    private static String text(byte[] bytes, String name) {
        if (bytes.length > MAX_DOCUMENT_BYTES) {
            throw tooLarge(name);
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static OpenApiException tooLarge(String name) {
        return new OpenApiException(name, "", "the document is larger than " + (MAX_DOCUMENT_BYTES >> 20) + " MiB", null);
    }

    /** Where the calls go; see the class documentation. */
    private HttpUrl base(OpenApiDocument doc) {
        String name = document.toString();
        boolean fromFile = "file".equalsIgnoreCase(document.getScheme());
        String where = baseUrl != null ? "baseUrl" : "servers[0].url";
        String raw = baseUrl != null ? baseUrl : doc.server();
        URI resolved;
        if (raw == null) {
            if (fromFile) {
                throw new OpenApiException(name, "servers", "the document has no servers, so there is no URL to call; "
                        + "set a base URL", null);
            }
            resolved = URI.create(document.getScheme() + "://" + document.getRawAuthority() + "/");
        } else {
            try {
                resolved = URI.create(raw);
            } catch (IllegalArgumentException e) {
                throw new OpenApiException(name, where, "'" + raw + "' is not a URL", e);
            }
            if (!resolved.isAbsolute()) {
                if (fromFile) {
                    throw new OpenApiException(name, where, "'" + raw + "' is relative, and a file has no URL to "
                            + "resolve it against; set a base URL", null);
                }
                resolved = document.resolve(resolved);
            }
        }
        String scheme = resolved.getScheme() == null ? "" : resolved.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new OpenApiException(name, where, "scheme '" + scheme + "' of " + resolved
                    + " is not http or https; calls are only made over HTTP", null);
        }
        if (baseUrl == null && scheme.equals("http") && "https".equalsIgnoreCase(document.getScheme())) {
            throw new OpenApiException(name, where, "the document came over https but sends its calls to plain http ("
                    + resolved + "), where the headers would travel in clear; set the base URL explicitly to allow it",
                    null);
        }
        HttpUrl base = HttpUrl.parse(resolved.toString());
        if (base == null) {
            throw new OpenApiException(name, where, "'" + resolved + "' is not an http(s) URL", null);
        }
        if (!fromFile && baseUrl == null && !base.host().equalsIgnoreCase(document.getHost())) {
            LOG.info("OpenAPI document {} sends its calls to another host: {}", name, base.host());
        }
        return base;
    }

    private ToolResult call(HttpUrl base, Operation op, ToolArguments args) {
        StringBuilder path = new StringBuilder();
        String template = op.path();
        Map<String, String> pathValues = new LinkedHashMap<>();
        HttpUrl.Builder url;
        Headers.Builder hs = HttpCalls.headers(headers).newBuilder();
        List<String> cookies = new ArrayList<>();
        JsonObject.Builder bodyFields = JsonObject.builder();
        boolean anyBodyField = false;
        JsonValue wholeBody = null;
        List<String[]> query = new ArrayList<>();
        for (Param p : op.params()) {
            if (!args.has(p.argument())) {
                continue;
            }
            JsonValue v = args.value(p.argument()).orElseThrow();
            switch (p.in()) {
                case "path" -> {
                    String value = scalar(v);
                    if (value.isEmpty() || HttpCalls.dotSegment(value)) {
                        return ToolResult.error("argument '" + p.argument() + "' cannot be '" + value
                                + "': a path parameter must name something");
                    }
                    pathValues.put(p.name(), value);
                }
                case "query" -> {
                    if (v instanceof JsonArray a) {
                        a.items().forEach(item -> query.add(new String[] {p.name(), scalar(item)}));
                    } else {
                        query.add(new String[] {p.name(), scalar(v)});
                    }
                }
                case "header" -> {
                    String value = scalar(v);
                    try {
                        HttpCalls.checkHeader(p.name(), value);
                    } catch (IllegalArgumentException e) {
                        return ToolResult.error("argument '" + p.argument() + "': " + e.getMessage());
                    }
                    hs.set(p.name(), value);
                }
                case "cookie" -> cookies.add(p.name() + "=" + HttpCalls.percentEncode(scalar(v)));
                case "body" -> {
                    bodyFields.put(p.name(), v);
                    anyBodyField = true;
                }
                default -> wholeBody = v; // body-whole
            }
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\{([^{}/]+)}").matcher(template);
        while (m.find()) {
            String value = pathValues.get(m.group(1));
            if (value == null) {
                return ToolResult.error("argument '" + m.group(1) + "' is required: it is part of the path " + template);
            }
            m.appendReplacement(path, java.util.regex.Matcher.quoteReplacement(HttpCalls.percentEncode(value)));
        }
        m.appendTail(path);
        if (HttpCalls.dotSegments(path.toString()) > HttpCalls.dotSegments(template)) {
            return ToolResult.error("the path arguments would make a '.' or '..' path segment; pass real names");
        }
        String basePath = base.encodedPath().endsWith("/") ? base.encodedPath().substring(0, base.encodedPath().length() - 1)
                : base.encodedPath();
        url = base.newBuilder().encodedPath(basePath + path).query(null);
        for (String[] q : query) {
            url.addQueryParameter(q[0], q[1]);
        }
        if (!cookies.isEmpty()) {
            hs.set("Cookie", String.join("; ", cookies));
        }
        RequestBody body = null;
        if (op.contentType() != null && (anyBodyField || wholeBody != null)) {
            MediaType type = MediaType.parse(op.contentType());
            String text = anyBodyField ? bodyFields.build().toJson()
                    : OpenApiDocument.isJson(op.contentType()) ? wholeBody.toJson() : scalar(wholeBody);
            body = RequestBody.create(text, type);
        } else if (op.method().equals("POST") || op.method().equals("PUT") || op.method().equals("PATCH")) {
            body = RequestBody.create(new byte[0]);
        }
        if (hs.get("Accept") == null) {
            hs.set("Accept", "application/json, */*;q=0.5");
        }
        HttpUrl target = url.build();
        Request request = new Request.Builder().url(target).headers(hs.build()).method(op.method(), body).build();
        try {
            return HttpCalls.execute(calls, request, maxBytes).toToolResult();
        } catch (IOException e) {
            return ToolResult.error(op.method() + " " + target.scheme() + "://" + target.host() + target.encodedPath()
                    + " failed: " + e.getMessage());
        }
    }

    private static String scalar(JsonValue v) {
        return v instanceof JsonString s ? s.value() : v.toJson();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OpenApiToolset other && client.equals(other.client) && document.equals(other.document)
                && Objects.equals(baseUrl, other.baseUrl) && headers.equals(other.headers)
                && timeout.equals(other.timeout) && maxBytes == other.maxBytes && allowPrivateIps == other.allowPrivateIps;
    }

    @Override
    public int hashCode() {
        return Objects.hash(client, document, baseUrl, headers, timeout, maxBytes, allowPrivateIps);
    }

    /**
     * A description for logs.
     *
     * @return the document, base URL and header names; never header values
     */
    @Override
    public String toString() {
        Loaded l = loaded;
        return "OpenApiToolset[" + document + (baseUrl != null ? ", baseUrl=" + baseUrl : "") + ", headers="
                + headers.keySet() + ", timeout=" + timeout + ", maxBytes=" + maxBytes
                + (allowPrivateIps ? ", privateIps" : "") + (l != null ? ", " + l.tools().size() + " tools" : "") + "]";
    }

    /**
     * Builds an {@link OpenApiToolset}. Defaults: calls go where the document says, no headers, 30 s per request,
     * 1 MiB of each response kept, non-public addresses refused. Setters replace what was set before. Not
     * thread-safe.
     */
    public static final class Builder {
        private final OkHttpClient client;
        private final URI document;
        private String baseUrl;
        private Map<String, String> headers = Map.of();
        private Duration timeout = Duration.ofSeconds(30);
        private int maxBytes = 1 << 20;
        private boolean allowPrivateIps;

        private Builder(OkHttpClient client, URI document) {
            this.client = Objects.requireNonNull(client, "client");
            Objects.requireNonNull(document, "document");
            String scheme = document.getScheme() == null ? "" : document.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https") && !scheme.equals("file")) {
                throw new IllegalArgumentException("document '" + document + "' is not an http(s) URL or a file");
            }
            this.document = document;
        }

        /**
         * Sends the calls here instead of where the document says (an absolute http(s) URL; its path is put before
         * each operation's path).
         *
         * @param baseUrl the base URL, or null for the document's servers
         * @return this builder
         */
        public Builder baseUrl(String baseUrl) {
            if (baseUrl != null && HttpUrl.parse(baseUrl) == null) {
                throw new IllegalArgumentException("baseUrl '" + baseUrl + "' is not an http or https URL");
            }
            this.baseUrl = baseUrl;
            return this;
        }

        /**
         * Headers sent with every request, the document's fetch included (replaces), for example credentials.
         *
         * @param headers name → value
         * @return this builder
         * @throws IllegalArgumentException naming a header HTTP does not allow (never showing its value)
         */
        public Builder headers(Map<String, String> headers) {
            Map<String, String> copy = new LinkedHashMap<>(Objects.requireNonNull(headers, "headers"));
            copy.forEach(HttpCalls::checkHeader);
            this.headers = copy;
            return this;
        }

        /**
         * Per-request limit (positive).
         *
         * @param timeout the timeout
         * @return this builder
         */
        public Builder timeout(Duration timeout) {
            this.timeout = Limits.positive(timeout);
            return this;
        }

        /**
         * Response bytes kept per call (positive).
         *
         * @param maxBytes the limit
         * @return this builder
         */
        public Builder maxBytes(int maxBytes) {
            this.maxBytes = Limits.positive(maxBytes, "maxBytes");
            return this;
        }

        /**
         * Whether loopback, private, link-local and other non-public addresses may be reached (default false).
         *
         * @param allow whether to allow them
         * @return this builder
         */
        public Builder allowPrivateIps(boolean allow) {
            this.allowPrivateIps = allow;
            return this;
        }

        /**
         * The toolset; the document is read when its tools are first listed.
         *
         * @return the toolset
         */
        public OpenApiToolset build() {
            return new OpenApiToolset(this);
        }
    }
}
