package dev.keel.agents.toolsets;

import dev.keel.agents.internal.HttpCalls;
import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.ToolArguments;
import dev.keel.agents.tool.ToolResult;
import dev.keel.agents.tool.Toolset;
import dev.keel.core.json.JsonString;
import dev.keel.core.json.JsonValue;
import dev.keel.core.tool.JsonSchema;
import dev.keel.core.tool.ToolSpec;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;

/**
 * docker-agent's {@code api} toolset: one tool that calls a fixed HTTP endpoint. The endpoint may hold
 * {@code ${name}} placeholders (docker-agent's {@code ${encodeURIComponent(name)}} spelling too) that the
 * call's arguments fill in; for {@code POST}, {@code PUT} and {@code PATCH} the arguments are also sent as a
 * JSON body. The response body is returned to the model, cut at {@link #maxBytes()}; a status of 400 or more
 * is an error result naming the status.
 *
 * <p>Arguments can never change where the call goes: placeholders are only allowed after the host, every
 * value is percent-encoded for where it lands (so {@code /}, {@code ?}, {@code #} and {@code &} stay data),
 * and a value that is a whole {@code .} or {@code ..} path segment is refused. Redirects are not followed
 * (the configured headers, often credentials, never reach another host), and connections to loopback,
 * private, link-local and other non-public addresses are refused unless {@link Builder#allowPrivateIps}.
 * Header values never appear in {@link #toString()} or in errors. {@code GET} and {@code HEAD} tools are
 * read-only; the others are approved like any tool with side effects. Thread-safe.
 *
 * <pre>{@code
 * ApiToolset weather = ApiToolset.builder(client, "get_weather", "GET",
 *                 "https://api.weather.example/v1/current?city=${city}")
 *         .description("Current weather for a city")
 *         .parameters(JsonSchema.object().required("city", JsonSchema.string("City name")).build())
 *         .headers(Map.of("Authorization", "Bearer " + System.getenv("WEATHER_API_KEY")))
 *         .build();
 * }</pre>
 */
public final class ApiToolset implements Toolset {
    /** The methods an {@code api} tool may use. */
    public static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD");
    private static final Pattern PLACEHOLDER = Pattern.compile(
            "\\$\\{\\s*(?:encodeURIComponent\\(\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*\\)|([A-Za-z_][A-Za-z0-9_]*))\\s*}");
    private static final MediaType JSON = MediaType.get("application/json; charset=utf-8");

    private final OkHttpClient client;
    private final OkHttpClient calls;
    private final String toolName;
    private final String method;
    private final String endpoint;
    private final String description;
    private final JsonSchema parameters;
    private final Map<String, String> headers;
    private final Duration timeout;
    private final int maxBytes;
    private final boolean allowPrivateIps;

    private ApiToolset(Builder b) {
        client = b.client;
        toolName = b.toolName;
        method = b.method;
        endpoint = b.endpoint;
        description = b.description != null ? b.description : method + " " + endpoint;
        parameters = b.parameters;
        headers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(b.headers));
        timeout = b.timeout;
        maxBytes = b.maxBytes;
        allowPrivateIps = b.allowPrivateIps;
        calls = HttpCalls.derive(client, timeout, allowPrivateIps);
    }

    /**
     * Starts an {@code api} toolset whose one tool, {@code toolName}, sends {@code method} requests to
     * {@code endpoint} using {@code client} (shared; this toolset never closes it).
     *
     * @param client   the HTTP client
     * @param toolName the tool's name, as the model calls it
     * @param method   GET, POST, PUT, PATCH, DELETE or HEAD (any case)
     * @param endpoint an http(s) URL, with {@code ${name}} placeholders after the host
     * @return the builder
     */
    public static Builder builder(OkHttpClient client, String toolName, String method, String endpoint) {
        return new Builder(client, toolName, method, endpoint);
    }

    /**
     * The tool's name.
     *
     * @return the tool's name
     */
    public String toolName() {
        return toolName;
    }

    /**
     * The HTTP method, upper case.
     *
     * @return the HTTP method
     */
    public String method() {
        return method;
    }

    /**
     * The endpoint template.
     *
     * @return the endpoint template
     */
    public String endpoint() {
        return endpoint;
    }

    /**
     * The tool's description.
     *
     * @return the tool's description
     */
    public String description() {
        return description;
    }

    /**
     * The arguments' schema.
     *
     * @return the arguments' schema
     */
    public JsonSchema parameters() {
        return parameters;
    }

    /**
     * Names of the headers sent with every call (their values are not exposed).
     *
     * @return the header names, in the order given
     */
    public Set<String> headerNames() {
        return headers.keySet();
    }

    /**
     * Per-call limit.
     *
     * @return per-call limit
     */
    public Duration timeout() {
        return timeout;
    }

    /**
     * Response bytes kept.
     *
     * @return response bytes kept
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
        return "api:" + toolName;
    }

    @Override
    public String instructions() {
        return description.equals(method + " " + endpoint) ? "" : description;
    }

    @Override
    public List<Tool> tools() {
        boolean readOnly = method.equals("GET") || method.equals("HEAD");
        return List.of(Tool.of(ToolSpec.of(toolName, description, parameters), readOnly, (args, ctx) -> call(args)));
    }

    private ToolResult call(ToolArguments args) {
        String url;
        try {
            url = expand(args);
        } catch (IllegalArgumentException e) {
            return ToolResult.error(e.getMessage());
        }
        HttpUrl parsed = HttpUrl.parse(url);
        if (parsed == null) {
            return ToolResult.error("the endpoint with these arguments is not a valid URL");
        }
        boolean body = method.equals("POST") || method.equals("PUT") || method.equals("PATCH");
        Request.Builder request = new Request.Builder().url(parsed).headers(HttpCalls.headers(headers))
                .method(method, body ? RequestBody.create(args.value().toJson(), contentType()) : null);
        try {
            return HttpCalls.execute(calls, request.build(), maxBytes).toToolResult();
        } catch (IOException e) {
            return ToolResult.error(method + " " + parsed.scheme() + "://" + parsed.host() + parsed.encodedPath()
                    + " failed: " + e.getMessage());
        }
    }

    private MediaType contentType() {
        for (Map.Entry<String, String> h : headers.entrySet()) {
            if (h.getKey().equalsIgnoreCase("Content-Type")) {
                MediaType t = MediaType.parse(h.getValue());
                return t != null ? t : JSON;
            }
        }
        return JSON;
    }

    /** The endpoint with each placeholder replaced by its argument, percent-encoded. */
    private String expand(ToolArguments args) {
        Matcher m = PLACEHOLDER.matcher(endpoint);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String name = m.group(1) != null ? m.group(1) : m.group(2);
            String value = args.value(name).map(ApiToolset::text).orElse("");
            m.appendReplacement(sb, Matcher.quoteReplacement(HttpCalls.percentEncode(value)));
        }
        m.appendTail(sb);
        String url = sb.toString();
        if (HttpCalls.dotSegments(url) > HttpCalls.dotSegments(endpoint)) {
            throw new IllegalArgumentException("the arguments would make a '.' or '..' path segment, which moves the "
                    + "request to another path; pass a real name");
        }
        return url;
    }

    private static String text(JsonValue v) {
        return v instanceof JsonString s ? s.value() : v.toJson();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ApiToolset other && client.equals(other.client) && toolName.equals(other.toolName)
                && method.equals(other.method) && endpoint.equals(other.endpoint)
                && description.equals(other.description) && parameters.equals(other.parameters)
                && headers.equals(other.headers) && timeout.equals(other.timeout) && maxBytes == other.maxBytes
                && allowPrivateIps == other.allowPrivateIps;
    }

    @Override
    public int hashCode() {
        return Objects.hash(client, toolName, method, endpoint, description, parameters, headers, timeout, maxBytes,
                allowPrivateIps);
    }

    /**
     * A description for logs.
     *
     * @return name, method and endpoint; header names only, never their values
     */
    @Override
    public String toString() {
        return "ApiToolset[" + toolName + ", " + method + " " + endpoint + ", headers=" + headers.keySet()
                + ", timeout=" + timeout + ", maxBytes=" + maxBytes + (allowPrivateIps ? ", privateIps" : "") + "]";
    }

    /**
     * Builds an {@link ApiToolset}. Defaults: no description (the method and endpoint are shown), no arguments,
     * no headers, 30 s per call, 1 MiB of response kept, non-public addresses refused. Setters replace what was
     * set before. Not thread-safe.
     */
    public static final class Builder {
        private final OkHttpClient client;
        private final String toolName;
        private final String method;
        private final String endpoint;
        private String description;
        private JsonSchema parameters = JsonSchema.object().build();
        private Map<String, String> headers = Map.of();
        private Duration timeout = Duration.ofSeconds(30);
        private int maxBytes = 1 << 20;
        private boolean allowPrivateIps;

        private Builder(OkHttpClient client, String toolName, String method, String endpoint) {
            this.client = Objects.requireNonNull(client, "client");
            this.toolName = ToolSpec.of(Objects.requireNonNull(toolName, "toolName"), "").name();
            this.method = Objects.requireNonNull(method, "method").toUpperCase(Locale.ROOT);
            if (!METHODS.contains(this.method)) {
                throw new IllegalArgumentException("method '" + method + "' is not one of " + new java.util.TreeSet<>(METHODS));
            }
            this.endpoint = checkEndpoint(Objects.requireNonNull(endpoint, "endpoint"));
        }

        private static String checkEndpoint(String endpoint) {
            Matcher any = Pattern.compile("\\$\\{[^}]*}").matcher(endpoint);
            List<String> bad = new ArrayList<>();
            while (any.find()) {
                if (!PLACEHOLDER.matcher(any.group()).matches()) {
                    bad.add(any.group());
                }
            }
            if (!bad.isEmpty()) {
                throw new IllegalArgumentException("endpoint placeholder " + bad.get(0)
                        + " is not ${name} or ${encodeURIComponent(name)}");
            }
            String probe = PLACEHOLDER.matcher(endpoint).replaceAll("x");
            HttpUrl url = HttpUrl.parse(probe);
            if (url == null) {
                throw new IllegalArgumentException("endpoint '" + endpoint + "' is not an http or https URL");
            }
            int authorityEnd = endpoint.indexOf('/', endpoint.indexOf("//") + 2);
            Matcher m = PLACEHOLDER.matcher(endpoint);
            if (m.find() && (authorityEnd < 0 || m.start() < authorityEnd)) {
                throw new IllegalArgumentException("endpoint placeholder " + m.group()
                        + " is in the scheme or host; arguments may only fill the path and query");
            }
            return endpoint;
        }

        /**
         * What the tool does, for the model (docker-agent's {@code instruction}).
         *
         * @param description the description
         * @return this builder
         */
        public Builder description(String description) {
            this.description = description;
            return this;
        }

        /**
         * The arguments' schema (an object schema; its properties name the placeholders and body fields).
         *
         * @param parameters the schema
         * @return this builder
         */
        public Builder parameters(JsonSchema parameters) {
            this.parameters = Objects.requireNonNull(parameters, "parameters");
            return this;
        }

        /**
         * Headers sent with every call (replaces), for example credentials.
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
         * Per-call limit (positive).
         *
         * @param timeout the timeout
         * @return this builder
         */
        public Builder timeout(Duration timeout) {
            this.timeout = Limits.positive(timeout);
            return this;
        }

        /**
         * Response bytes kept (positive).
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
         * The toolset.
         *
         * @return the toolset
         */
        public ApiToolset build() {
            return new ApiToolset(this);
        }
    }
}
