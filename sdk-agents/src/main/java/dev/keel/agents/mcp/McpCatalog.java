package dev.keel.agents.mcp;

import dev.keel.agents.internal.YamlTree;
import dev.keel.agents.internal.YamlTree.Entry;
import dev.keel.agents.internal.YamlTree.ListNode;
import dev.keel.agents.internal.YamlTree.MapNode;
import dev.keel.agents.internal.YamlTree.Node;
import dev.keel.agents.internal.YamlTree.Scalar;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The remote MCP servers an {@code mcp_catalog} toolset may enable while an agent runs (docker-agent's
 * {@code search_remote_mcp_servers} / {@code enable_remote_mcp_server}): streamable-HTTP servers, each with an id, a
 * title, a description, a URL, a category, tags and how it signs in. Keel ships no list of its own (Docker's curated
 * list is Docker's data and changes often): the host application supplies one, built in code or read from a file in
 * docker-agent's {@code servers.json} format, and gives it to a team with
 * {@code TeamServices.builder().mcpCatalog(catalog)}. Enabling is per session: a session sees and calls only the
 * servers it enabled itself (kept in its state, so a restored session has them again), however many sessions share
 * the runner.
 *
 * <pre>{@code
 * McpCatalog catalog = McpCatalog.read(Path.of("servers.json")).toBuilder()
 *         .server(McpCatalog.Server.builder("docs", "https://docs.example.com/mcp").title("Our docs").build())
 *         .headers("github", Map.of("Authorization", "Bearer " + token))
 *         .build();
 * }</pre>
 *
 * <p>Keel does not drive MCP's OAuth flow: a server whose {@link Auth} is {@link Auth#OAUTH} can be enabled only when
 * the catalog holds {@linkplain Builder#headers(String, Map) request headers} for it (a token the host obtained).
 * Header values are secrets: {@link #toString()} names only which servers have them. Immutable and thread-safe.
 */
public final class McpCatalog {
    /** Ids prefix the enabled server's tool names ({@code <id>_<tool>}), so they take the characters tool names take. */
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,48}");
    private static final McpCatalog EMPTY = new Builder().build();

    private final Map<String, Server> servers;
    private final Map<String, Map<String, String>> headers;

    private McpCatalog(Builder b) {
        this.servers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(b.servers));
        Map<String, Map<String, String>> h = new LinkedHashMap<>();
        b.headers.forEach((id, values) -> h.put(id, Map.copyOf(values)));
        this.headers = java.util.Collections.unmodifiableMap(h);
    }

    /** How a server signs its clients in. */
    public enum Auth {
        /** No credentials. */
        NONE,
        /**
         * An OAuth flow, which Keel does not drive: the host gives the server's headers (a token) with
         * {@link Builder#headers(String, Map)}.
         */
        OAUTH
    }

    /**
     * One server of the catalog.
     *
     * @param id              the id the model enables it by; its tools are named {@code <id>_<tool>} (letters,
     *                        digits, {@code _} and {@code -}, at most 48)
     * @param title           a human title
     * @param description     what the server does (searched)
     * @param url             the streamable-HTTP endpoint ({@code http} or {@code https})
     * @param category        a category (searched), empty when none
     * @param tags            tags (searched)
     * @param auth            how the server signs its clients in
     * @param allowPrivateIps whether the server may be on a loopback, private or link-local address (refused by
     *                        default, as for every remote MCP server of a team file)
     */
    public record Server(String id, String title, String description, String url, String category, List<String> tags,
                         Auth auth, boolean allowPrivateIps) {
        /**
         * Creates the entry, checking its components.
         *
         * @param id              the id the model enables it by
         * @param title           a human title
         * @param description     what the server does
         * @param url             the streamable-HTTP endpoint
         * @param category        a category, empty when none
         * @param tags            tags
         * @param auth            how the server signs its clients in
         * @param allowPrivateIps whether the server may be on a private address
         * @throws IllegalArgumentException when the id or the URL is not valid
         */
        public Server {
            Objects.requireNonNull(id, "id");
            if (!ID.matcher(id).matches()) {
                throw new IllegalArgumentException("server id '" + id + "' must be 1 to 48 letters, digits, '_' or '-' "
                        + "(it prefixes the server's tool names)");
            }
            Objects.requireNonNull(url, "url");
            URI uri;
            try {
                uri = URI.create(url);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("server '" + id + "': '" + url + "' is not a URL");
            }
            if (!("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()))
                    || uri.getHost() == null) {
                throw new IllegalArgumentException("server '" + id + "': '" + url + "' is not an http(s) URL");
            }
            title = title == null || title.isBlank() ? id : title;
            description = description == null ? "" : description;
            category = category == null ? "" : category;
            tags = List.copyOf(tags == null ? List.of() : tags);
            auth = auth == null ? Auth.NONE : auth;
        }

        /**
         * A builder for a server without credentials, on a public address.
         *
         * @param id  the id
         * @param url the streamable-HTTP endpoint
         * @return the builder
         */
        public static ServerBuilder builder(String id, String url) {
            return new ServerBuilder(id, url);
        }
    }

    /** Builds a {@link Server}. Not thread-safe. */
    public static final class ServerBuilder {
        private final String id;
        private final String url;
        private String title;
        private String description = "";
        private String category = "";
        private List<String> tags = List.of();
        private Auth auth = Auth.NONE;
        private boolean allowPrivateIps;

        private ServerBuilder(String id, String url) {
            this.id = id;
            this.url = url;
        }

        /**
         * The title; default: the id.
         *
         * @param title the title
         * @return this builder
         */
        public ServerBuilder title(String title) {
            this.title = title;
            return this;
        }

        /**
         * What the server does.
         *
         * @param description the description
         * @return this builder
         */
        public ServerBuilder description(String description) {
            this.description = description;
            return this;
        }

        /**
         * The category.
         *
         * @param category the category
         * @return this builder
         */
        public ServerBuilder category(String category) {
            this.category = category;
            return this;
        }

        /**
         * The tags.
         *
         * @param tags the tags
         * @return this builder
         */
        public ServerBuilder tags(List<String> tags) {
            this.tags = tags;
            return this;
        }

        /**
         * How the server signs its clients in; default {@link Auth#NONE}.
         *
         * @param auth how it signs in
         * @return this builder
         */
        public ServerBuilder auth(Auth auth) {
            this.auth = auth;
            return this;
        }

        /**
         * Lets the server be on a loopback, private or link-local address (a server inside your network).
         *
         * @param allow whether to allow it
         * @return this builder
         */
        public ServerBuilder allowPrivateIps(boolean allow) {
            this.allowPrivateIps = allow;
            return this;
        }

        /**
         * The server.
         *
         * @return the server
         * @throws IllegalArgumentException when the id or the URL is not valid
         */
        public Server build() {
            return new Server(id, title, description, url, category, tags, auth, allowPrivateIps);
        }
    }

    /**
     * A catalog without servers.
     *
     * @return the empty catalog
     */
    public static McpCatalog empty() {
        return EMPTY;
    }

    /**
     * A builder for a new catalog.
     *
     * @return a builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Reads a catalog in docker-agent's {@code servers.json} format: an object whose {@code servers} array holds
     * objects with {@code id}, {@code title}, {@code description}, {@code url}, {@code transport}
     * ({@code streamable-http}), {@code category}, {@code tags} and {@code auth.type} ({@code none} or
     * {@code oauth}). Other fields ({@code icon}, {@code readme}, the top-level {@code source}, …) are ignored.
     *
     * @param file the file
     * @return the catalog
     * @throws McpCatalogException when the file cannot be read, is not JSON, or an entry is not a valid server
     */
    public static McpCatalog read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new McpCatalogException(file.toString(), 0, "cannot read the MCP server catalog ("
                    + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
        }
        return parse(text, file.toString());
    }

    /**
     * Reads a catalog in docker-agent's {@code servers.json} format from a stream (see {@link #read(Path)}); the
     * stream is read to its end and not closed.
     *
     * @param in     the stream, UTF-8
     * @param source a name for errors, for example the resource's name
     * @return the catalog
     * @throws McpCatalogException when the stream cannot be read, is not JSON, or an entry is not a valid server
     */
    public static McpCatalog read(InputStream in, String source) {
        String text;
        try {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new McpCatalogException(source, 0, "cannot read the MCP server catalog (" + e.getMessage() + ")");
        }
        return parse(text, source);
    }

    private static McpCatalog parse(String text, String source) {
        Node root;
        try {
            root = YamlTree.parseJson(text);
        } catch (YamlTree.SyntaxException e) {
            throw new McpCatalogException(source, e.line(), "not JSON: " + e.getMessage());
        }
        if (!(root instanceof MapNode m)) {
            throw new McpCatalogException(source, root.line(), "expected an object with a 'servers' array");
        }
        Entry list = m.entries().get("servers");
        if (list == null || !(list.value() instanceof ListNode servers)) {
            throw new McpCatalogException(source, list == null ? m.line() : list.line(),
                    "expected a 'servers' array of server objects");
        }
        Builder b = new Builder();
        for (int i = 0; i < servers.items().size(); i++) {
            Node item = servers.items().get(i);
            String at = "servers[" + i + "]";
            if (!(item instanceof MapNode s)) {
                throw new McpCatalogException(source, item.line(), at + ": expected a server object");
            }
            String id = string(s, "id", at, source, true);
            String where = at + " ('" + id + "')";
            String url = string(s, "url", where, source, true);
            String transport = string(s, "transport", where, source, false);
            if (transport != null && !List.of("streamable-http", "streamable_http", "streamable", "http")
                    .contains(transport)) {
                throw new McpCatalogException(source, s.entries().get("transport").line(), where + ".transport: '"
                        + transport + "' is not supported; a catalog server is reached over streamable-http");
            }
            Auth auth = Auth.NONE;
            Entry authEntry = s.entries().get("auth");
            if (authEntry != null) {
                if (!(authEntry.value() instanceof MapNode am)) {
                    throw new McpCatalogException(source, authEntry.line(), where + ".auth: expected an object with a "
                            + "'type'");
                }
                String type = string(am, "type", where + ".auth", source, false);
                if (type != null && !type.equals("none") && !type.equals("oauth")) {
                    throw new McpCatalogException(source, am.entries().get("type").line(), where + ".auth.type: '"
                            + type + "' is unknown; it is none or oauth");
                }
                auth = "oauth".equals(type) ? Auth.OAUTH : Auth.NONE;
            }
            List<String> tags = new ArrayList<>();
            Entry tagEntry = s.entries().get("tags");
            if (tagEntry != null && !(tagEntry.value() instanceof Scalar sc && sc.value() == null)) {
                if (!(tagEntry.value() instanceof ListNode tl)) {
                    throw new McpCatalogException(source, tagEntry.line(), where + ".tags: expected an array of strings");
                }
                for (Node t : tl.items()) {
                    if (!(t instanceof Scalar ts) || !(ts.value() instanceof String tag)) {
                        throw new McpCatalogException(source, t.line(), where + ".tags: expected an array of strings");
                    }
                    tags.add(tag);
                }
            }
            if (b.servers.containsKey(id)) {
                throw new McpCatalogException(source, s.entries().get("id").line(), where + ": the id '" + id
                        + "' is listed twice");
            }
            try {
                b.server(new Server(id, string(s, "title", where, source, false),
                        string(s, "description", where, source, false), url,
                        string(s, "category", where, source, false), tags, auth, false));
            } catch (IllegalArgumentException e) {
                throw new McpCatalogException(source, s.line(), where + ": " + e.getMessage());
            }
        }
        return b.build();
    }

    private static String string(MapNode m, String key, String at, String source, boolean required) {
        Entry e = m.entries().get(key);
        if (e == null || e.value() instanceof Scalar s && s.value() == null) {
            if (required) {
                throw new McpCatalogException(source, m.line(), at + ": '" + key + "' is missing");
            }
            return null;
        }
        if (!(e.value() instanceof Scalar s) || !(s.value() instanceof String text)) {
            throw new McpCatalogException(source, e.line(), at + "." + key + ": expected a string");
        }
        if (required && text.isBlank()) {
            throw new McpCatalogException(source, e.line(), at + "." + key + ": is empty");
        }
        return text;
    }

    /**
     * The servers, in the order they were added.
     *
     * @return the servers
     */
    public List<Server> servers() {
        return List.copyOf(servers.values());
    }

    /**
     * The server with this id.
     *
     * @param id the id
     * @return the server, or empty
     */
    public Optional<Server> server(String id) {
        return Optional.ofNullable(servers.get(id));
    }

    /**
     * The request headers the host gave for a server (for example its OAuth token).
     *
     * @param id the server's id
     * @return the headers, empty when none were given
     */
    public Map<String, String> headers(String id) {
        return headers.getOrDefault(id, Map.of());
    }

    /**
     * A builder holding this catalog's servers and headers.
     *
     * @return a builder
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.servers.putAll(servers);
        b.headers.putAll(headers);
        return b;
    }

    /** Names the servers and which have headers; never a header's value. */
    @Override
    public String toString() {
        return "McpCatalog[" + servers.keySet() + (headers.isEmpty() ? "" : ", headers for " + headers.keySet()) + "]";
    }

    /** Builds an {@link McpCatalog}. A server added again with the same id replaces the earlier one. Not thread-safe. */
    public static final class Builder {
        private final Map<String, Server> servers = new LinkedHashMap<>();
        private final Map<String, Map<String, String>> headers = new LinkedHashMap<>();

        private Builder() {}

        /**
         * Adds a server (replacing one with the same id).
         *
         * @param server the server
         * @return this builder
         */
        public Builder server(Server server) {
            servers.put(Objects.requireNonNull(server, "server").id(), server);
            return this;
        }

        /**
         * Adds every server of another catalog, with its headers.
         *
         * @param catalog the catalog
         * @return this builder
         */
        public Builder servers(McpCatalog catalog) {
            servers.putAll(catalog.servers);
            headers.putAll(catalog.headers);
            return this;
        }

        /**
         * Request headers sent to a server (a token for an {@link Auth#OAUTH} server, an API key); they replace
         * earlier ones for the same id. The server may be added before or after.
         *
         * @param id      the server's id
         * @param headers the headers
         * @return this builder
         */
        public Builder headers(String id, Map<String, String> headers) {
            this.headers.put(Objects.requireNonNull(id, "id"), Map.copyOf(headers));
            return this;
        }

        /**
         * The catalog.
         *
         * @return the catalog
         * @throws IllegalArgumentException when headers name a server the catalog does not have
         */
        public McpCatalog build() {
            for (String id : headers.keySet()) {
                if (!servers.containsKey(id)) {
                    throw new IllegalArgumentException("headers are given for '" + id + "', which the catalog does not "
                            + "list; the servers are " + servers.keySet());
                }
            }
            return new McpCatalog(this);
        }
    }
}
