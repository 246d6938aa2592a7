package dev.keel.agents.internal;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.keel.agents.toolsets.OpenApiException;
import dev.keel.core.json.JsonArray;
import dev.keel.core.json.JsonBoolean;
import dev.keel.core.json.JsonNumber;
import dev.keel.core.json.JsonObject;
import dev.keel.core.json.JsonString;
import dev.keel.core.json.JsonValue;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An OpenAPI 3.x document (JSON or YAML) read into what the {@code openapi} toolset needs: the first server
 * and one {@link Operation} per path and method, with its arguments as a JSON schema. Local {@code $ref}s
 * ({@code #/components/...}) are followed; a recursive schema is cut to "any value" where it recurs. Anything
 * malformed fails with an {@link OpenApiException} naming the part. Immutable. Not API.
 */
public final class OpenApiDocument {
    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "options", "head", "patch",
            "trace");
    private static final Set<String> LOCATIONS = Set.of("path", "query", "header", "cookie");
    /** Keywords of a schema the tool schema keeps; OpenAPI-only ones ({@code nullable}, {@code xml}, …) go. */
    private static final Set<String> SCHEMA_KEYWORDS = Set.of("type", "description", "enum", "default", "format",
            "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength", "pattern",
            "minItems", "maxItems", "uniqueItems", "const", "title", "multipleOf", "minProperties", "maxProperties");
    private static final Pattern TEMPLATE = Pattern.compile("\\{([^{}/]+)}");
    private static final int MAX_DEPTH = 16;

    /** Where one argument goes. {@code in} is path, query, header, cookie, body (one field) or body-whole. */
    public record Param(String argument, String name, String in) {}

    /**
     * One operation as a tool.
     *
     * @param toolName    the sanitized, unique tool name
     * @param method      upper-case HTTP method
     * @param path        the path template, such as {@code /pets/{petId}}
     * @param description what the operation does
     * @param schema      the arguments' JSON schema
     * @param params      where each argument goes
     * @param contentType the request body's media type, or null without a body
     */
    public record Operation(String toolName, String method, String path, String description, JsonObject schema,
                            List<Param> params, String contentType) {
        /** Whether the method only reads (GET, HEAD, OPTIONS). */
        public boolean readOnly() {
            return method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS");
        }
    }

    private final String name;
    private final JsonObject root;
    private final String title;
    private final String server;
    private final List<Operation> operations;

    private OpenApiDocument(String name, JsonObject root) {
        this.name = name;
        this.root = root;
        this.title = root.get("info").flatMap(i -> i instanceof JsonObject o ? o.get("title") : Optional.empty())
                .filter(JsonString.class::isInstance).map(v -> ((JsonString) v).value()).orElse("");
        this.server = firstServer();
        this.operations = List.copyOf(readOperations());
    }

    /**
     * Reads a document.
     *
     * @param text the document, JSON or YAML
     * @param name its URL or file, for errors
     * @return the document
     * @throws OpenApiException when it is not an OpenAPI 3 document or a part of it is malformed
     */
    public static OpenApiDocument parse(String text, String name) {
        JsonValue parsed;
        try {
            JsonNode node = new ObjectMapper(new YAMLFactory()).readTree(text);
            parsed = JsonValue.parse(new ObjectMapper().writeValueAsString(node));
        } catch (JacksonException | RuntimeException e) {
            throw new OpenApiException(name, "", "not valid JSON or YAML: " + firstLine(e.getMessage()), e);
        }
        if (!(parsed instanceof JsonObject root)) {
            throw new OpenApiException(name, "", "the document must be an object, got " + parsed.typeName(), null);
        }
        if (root.has("swagger")) {
            throw new OpenApiException(name, "swagger", "a Swagger 2.0 document; only OpenAPI 3.x is supported "
                    + "(convert it, for example with swagger2openapi)", null);
        }
        // written unquoted (openapi: 3.1) YAML reads the version as a number
        String version = root.get("openapi").filter(v -> v instanceof JsonString || v instanceof JsonNumber)
                .map(v -> v instanceof JsonString s ? s.value() : v.toJson())
                .orElseThrow(() -> new OpenApiException(name, "openapi", "missing: an OpenAPI 3 document starts with "
                        + "'openapi: 3.x.y'", null));
        if (!version.startsWith("3.")) {
            throw new OpenApiException(name, "openapi", "version '" + version + "' is not 3.x", null);
        }
        return new OpenApiDocument(name, root);
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /** The {@code info.title}, or empty. */
    public String title() {
        return title;
    }

    /** The first server's URL with its variables at their defaults, or null when there is none. */
    public String server() {
        return server;
    }

    /** The operations, in document order. */
    public List<Operation> operations() {
        return operations;
    }

    private OpenApiException error(String at, String problem) {
        return new OpenApiException(name, at, problem, null);
    }

    private String firstServer() {
        Optional<JsonValue> servers = root.get("servers");
        if (servers.isEmpty() || servers.get().isNull()) {
            return null;
        }
        if (!(servers.get() instanceof JsonArray list)) {
            throw error("servers", "must be a list");
        }
        if (list.isEmpty()) {
            return null;
        }
        JsonObject s = object(list.get(0), "servers[0]");
        String url = string(s, "url", "servers[0]");
        Matcher m = TEMPLATE.matcher(url);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String var = m.group(1);
            String at = "servers[0].variables." + var;
            JsonObject v = s.get("variables").map(vs -> object(vs, "servers[0].variables"))
                    .flatMap(vs -> vs.get(var)).map(x -> object(x, at))
                    .orElseThrow(() -> error("servers[0].url", "variable {" + var + "} is not declared"));
            m.appendReplacement(sb, Matcher.quoteReplacement(string(v, "default", at)));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    private List<Operation> readOperations() {
        JsonValue paths = root.get("paths").orElse(null);
        if (paths == null || paths.isNull()) {
            return List.of();
        }
        JsonObject pathMap = object(paths, "paths");
        List<Operation> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (String path : pathMap.names()) {
            String at = "paths." + path;
            if (!path.startsWith("/")) {
                throw error(at, "a path must start with '/'");
            }
            JsonObject item = object(deref(pathMap.get(path).orElseThrow(), at), at);
            List<JsonObject> shared = parameters(item, at);
            for (String key : item.names()) {
                String method = key.toLowerCase(Locale.ROOT);
                if (METHODS.contains(method)) {
                    out.add(operation(path, method, object(item.get(key).orElseThrow(), at + "." + key), shared,
                            at + "." + key, names));
                }
            }
        }
        return out;
    }

    private List<JsonObject> parameters(JsonObject owner, String at) {
        Optional<JsonValue> ps = owner.get("parameters");
        if (ps.isEmpty() || ps.get().isNull()) {
            return List.of();
        }
        if (!(ps.get() instanceof JsonArray list)) {
            throw error(at + ".parameters", "must be a list");
        }
        List<JsonObject> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            String pat = at + ".parameters[" + i + "]";
            JsonObject p = object(deref(list.get(i), pat), pat);
            string(p, "name", pat);
            String in = string(p, "in", pat);
            if (!LOCATIONS.contains(in)) {
                throw error(pat + ".in", "'" + in + "' is not one of path, query, header, cookie");
            }
            out.add(p);
        }
        return out;
    }

    private Operation operation(String path, String method, JsonObject op, List<JsonObject> shared, String at,
                                Set<String> names) {
        Map<String, JsonObject> params = new LinkedHashMap<>();
        for (JsonObject p : shared) {
            params.put(key(p), p);
        }
        for (JsonObject p : parameters(op, at)) {
            params.put(key(p), p); // an operation's parameter overrides the path's of the same name and place
        }
        Set<String> declaredPath = new HashSet<>();
        Map<String, JsonValue> properties = new LinkedHashMap<>();
        List<String> required = new ArrayList<>();
        List<Param> where = new ArrayList<>();
        for (JsonObject p : params.values()) {
            String pname = ((JsonString) p.get("name").orElseThrow()).value();
            String in = ((JsonString) p.get("in").orElseThrow()).value();
            String pat = at + ".parameters." + pname;
            if (in.equals("path")) {
                if (!path.contains("{" + pname + "}")) {
                    continue; // declared but not in the template: nothing to fill
                }
                declaredPath.add(pname);
            }
            String arg = properties.containsKey(pname) ? in + "_" + pname : pname;
            JsonObject schema = p.get("schema").map(s -> toolSchema(s, pat + ".schema", new HashSet<>(), 0))
                    .or(() -> p.get("content").map(c -> contentSchema(c, pat + ".content")))
                    .orElse(JsonObject.of(Map.of("type", "string")));
            Optional<JsonValue> desc = p.get("description").filter(JsonString.class::isInstance);
            if (desc.isPresent()) {
                schema = schema.with("description", desc.get());
            }
            properties.put(arg, schema);
            if (in.equals("path") || p.get("required").filter(JsonBoolean.TRUE::equals).isPresent()) {
                required.add(arg);
            }
            where.add(new Param(arg, pname, in));
        }
        Matcher m = TEMPLATE.matcher(path);
        while (m.find()) {
            String pname = m.group(1);
            if (!declaredPath.contains(pname) && !properties.containsKey(pname)) {
                properties.put(pname, JsonObject.of(Map.of("type", "string")));
                required.add(pname);
                where.add(new Param(pname, pname, "path"));
            }
        }
        String contentType = null;
        Optional<JsonValue> rb = op.get("requestBody");
        if (rb.isPresent() && !rb.get().isNull()) {
            String bat = at + ".requestBody";
            JsonObject body = object(deref(rb.get(), bat), bat);
            JsonObject content = body.get("content").map(c -> object(c, bat + ".content"))
                    .orElseThrow(() -> error(bat, "a request body needs 'content'"));
            contentType = mediaType(content);
            if (contentType != null) {
                String cat = bat + ".content." + contentType;
                JsonObject media = object(content.get(contentType).orElseThrow(), cat);
                JsonObject schema = media.get("schema").map(s -> toolSchema(s, cat + ".schema", new HashSet<>(), 0))
                        .orElse(JsonObject.of());
                boolean bodyRequired = body.get("required").filter(JsonBoolean.TRUE::equals).isPresent();
                if (isJson(contentType) && schema.get("properties").filter(JsonObject.class::isInstance).isPresent()
                        && !schema.get("properties").map(v -> ((JsonObject) v).isEmpty()).orElse(true)) {
                    JsonObject props = (JsonObject) schema.get("properties").orElseThrow();
                    Set<String> req = new HashSet<>();
                    schema.get("required").filter(JsonArray.class::isInstance).ifPresent(r -> ((JsonArray) r).items()
                            .forEach(x -> req.add(x instanceof JsonString s ? s.value() : x.toJson())));
                    for (String field : props.names()) {
                        String arg = "body_" + field;
                        if (properties.containsKey(arg)) {
                            throw error(cat + ".schema.properties." + field, "argument '" + arg
                                    + "' is also a parameter of the operation");
                        }
                        properties.put(arg, props.get(field).orElseThrow());
                        if (req.contains(field)) {
                            required.add(arg);
                        }
                        where.add(new Param(arg, field, "body"));
                    }
                } else {
                    if (properties.containsKey("body")) {
                        throw error(cat, "argument 'body' is also a parameter of the operation");
                    }
                    JsonObject whole = schema;
                    if (!isJson(contentType) && schema.isEmpty()) {
                        whole = JsonObject.of(Map.of("type", "string"));
                    }
                    properties.put("body", whole.with("description", "The request body (" + contentType + ")"));
                    if (bodyRequired) {
                        required.add("body");
                    }
                    where.add(new Param("body", "body", "body-whole"));
                }
            }
        }
        JsonObject.Builder schema = JsonObject.builder().put("type", "object").put("properties", JsonObject.of(properties));
        if (!required.isEmpty()) {
            schema.put("required", JsonArray.of(required));
        }
        return new Operation(uniqueName(op, path, method, names), method.toUpperCase(Locale.ROOT), path,
                description(op, path, method), schema.build(), List.copyOf(where), contentType);
    }

    private static String key(JsonObject p) {
        return ((JsonString) p.get("in").orElseThrow()).value() + ":" + ((JsonString) p.get("name").orElseThrow()).value();
    }

    /** The body's media type: JSON when offered, else the first listed; null when the content is empty. */
    private static String mediaType(JsonObject content) {
        for (String type : content.names()) {
            if (isJson(type)) {
                return type;
            }
        }
        return content.names().stream().findFirst().orElse(null);
    }

    /** Whether a media type is JSON ({@code application/json}, {@code application/merge-patch+json}, …). */
    public static boolean isJson(String mediaType) {
        String t = mediaType.toLowerCase(Locale.ROOT);
        int semi = t.indexOf(';');
        t = (semi < 0 ? t : t.substring(0, semi)).strip();
        return t.equals("application/json") || t.endsWith("+json");
    }

    private JsonObject contentSchema(JsonValue content, String at) {
        JsonObject c = object(content, at);
        String type = mediaType(c);
        if (type == null) {
            return JsonObject.of(Map.of("type", "string"));
        }
        JsonObject media = object(c.get(type).orElseThrow(), at + "." + type);
        return media.get("schema").map(s -> toolSchema(s, at + "." + type + ".schema", new HashSet<>(), 0))
                .orElse(JsonObject.of(Map.of("type", "string")));
    }

    private static String description(JsonObject op, String path, String method) {
        String summary = op.get("summary").filter(JsonString.class::isInstance).map(v -> ((JsonString) v).value())
                .orElse("").strip();
        String desc = op.get("description").filter(JsonString.class::isInstance).map(v -> ((JsonString) v).value())
                .orElse("").strip();
        String text = summary.isEmpty() ? desc : desc.isEmpty() || desc.equals(summary) ? summary : summary + "\n\n" + desc;
        if (text.isEmpty()) {
            return method.toUpperCase(Locale.ROOT) + " " + path;
        }
        return text.length() > 1024 ? text.substring(0, 1024) + "…" : text;
    }

    private String uniqueName(JsonObject op, String path, String method, Set<String> names) {
        String base = op.get("operationId").filter(JsonString.class::isInstance).map(v -> ((JsonString) v).value())
                .map(OpenApiDocument::sanitize).filter(s -> !s.isEmpty())
                .orElseGet(() -> sanitize(method + "_" + path));
        if (base.isEmpty()) {
            base = method;
        }
        String candidate = base;
        for (int i = 2; !names.add(candidate); i++) {
            String suffix = "_" + i;
            candidate = base.substring(0, Math.min(base.length(), 64 - suffix.length())) + suffix;
        }
        return candidate;
    }

    /** A tool name from any text: [A-Za-z0-9_-], no doubled or edge underscores, at most 64 characters. */
    static String sanitize(String text) {
        String s = text.replaceAll("[^A-Za-z0-9_-]", "_").replaceAll("_+", "_").replaceAll("^_|_$", "");
        return s.length() > 64 ? s.substring(0, 64).replaceAll("_$", "") : s;
    }

    /** Follows a local {@code $ref} (and refs to refs); anything else is returned as it is. */
    private JsonValue deref(JsonValue v, String at) {
        JsonValue current = v;
        for (int hops = 0; current instanceof JsonObject o && o.get("$ref").isPresent(); hops++) {
            if (hops > MAX_DEPTH) {
                throw error(at, "$ref chain is too long or circular");
            }
            current = target(o.get("$ref").orElseThrow(), at);
        }
        return current;
    }

    private JsonValue target(JsonValue ref, String at) {
        if (!(ref instanceof JsonString s)) {
            throw error(at + ".$ref", "must be a string");
        }
        String r = s.value();
        if (!r.startsWith("#/")) {
            throw error(at + ".$ref", "'" + r + "' points outside the document; only local references (#/...) are "
                    + "supported, so bundle the document first");
        }
        JsonValue node = root;
        for (String token : r.substring(2).split("/", -1)) {
            String key = token.replace("~1", "/").replace("~0", "~");
            if (node instanceof JsonObject o && o.get(key).isPresent()) {
                node = o.get(key).orElseThrow();
            } else {
                throw error(at + ".$ref", "'" + r + "' does not point at anything in the document");
            }
        }
        return node;
    }

    /**
     * The tool-schema form of an OpenAPI schema: refs followed (a recursive one cut to "any value"), only the
     * JSON-Schema keywords a model's tool schema takes, {@code type: [x, "null"]} reduced to {@code x}.
     */
    private JsonObject toolSchema(JsonValue v, String at, Set<String> refs, int depth) {
        if (depth > MAX_DEPTH) {
            return JsonObject.of();
        }
        if (v instanceof JsonBoolean) {
            return JsonObject.of();
        }
        JsonObject o = object(v, at);
        Optional<JsonValue> ref = o.get("$ref");
        if (ref.isPresent()) {
            String r = ref.get() instanceof JsonString s ? s.value() : "";
            if (refs.contains(r)) {
                return JsonObject.of(); // recursive: any value from here down
            }
            Set<String> inner = new HashSet<>(refs);
            inner.add(r);
            return toolSchema(target(ref.get(), at), at, inner, depth + 1);
        }
        JsonObject.Builder out = JsonObject.builder();
        for (String k : o.names()) {
            JsonValue x = o.get(k).orElseThrow();
            switch (k) {
                case "type" -> out.put("type", x instanceof JsonArray types ? types.items().stream()
                        .filter(t -> !t.equals(JsonValue.of("null"))).findFirst().orElse(JsonValue.of("string")) : x);
                case "items", "not" -> out.put(k, toolSchema(x, at + "." + k, refs, depth + 1));
                case "additionalProperties" -> out.put(k, x instanceof JsonBoolean ? x
                        : toolSchema(x, at + "." + k, refs, depth + 1));
                case "properties" -> {
                    JsonObject props = object(x, at + ".properties");
                    JsonObject.Builder p = JsonObject.builder();
                    for (String field : props.names()) {
                        p.put(field, toolSchema(props.get(field).orElseThrow(), at + ".properties." + field, refs,
                                depth + 1));
                    }
                    out.put(k, p.build());
                }
                case "required" -> {
                    if (x instanceof JsonArray) {
                        out.put(k, x);
                    }
                }
                case "oneOf", "anyOf", "allOf" -> {
                    if (!(x instanceof JsonArray list)) {
                        throw error(at + "." + k, "must be a list");
                    }
                    List<JsonValue> items = new ArrayList<>();
                    for (int i = 0; i < list.size(); i++) {
                        items.add(toolSchema(list.get(i), at + "." + k + "[" + i + "]", refs, depth + 1));
                    }
                    out.put(k, JsonArray.of(items));
                }
                default -> {
                    if (SCHEMA_KEYWORDS.contains(k)) {
                        out.put(k, x);
                    }
                }
            }
        }
        return out.build();
    }

    private JsonObject object(JsonValue v, String at) {
        if (v instanceof JsonObject o) {
            return o;
        }
        throw error(at, "must be an object, got " + v.typeName());
    }

    private String string(JsonObject o, String key, String at) {
        JsonValue v = o.get(key).orElseThrow(() -> error(at + "." + key, "missing"));
        if (v instanceof JsonString s) {
            return s.value();
        }
        throw error(at + "." + key, "must be a string, got " + v.typeName());
    }

    @Override
    public String toString() {
        return "OpenApiDocument[" + name + ", " + operations.size() + " operations]";
    }
}
