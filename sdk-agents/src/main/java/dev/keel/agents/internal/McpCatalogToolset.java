package dev.keel.agents.internal;

import dev.keel.agents.mcp.McpCatalog;
import dev.keel.agents.mcp.McpToolset;
import dev.keel.agents.mcp.McpTransport;
import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.ToolArguments;
import dev.keel.agents.tool.ToolContext;
import dev.keel.agents.tool.ToolResult;
import dev.keel.agents.tool.Toolset;
import dev.keel.agents.tool.ToolsetException;
import dev.keel.core.json.JsonArray;
import dev.keel.core.json.JsonObject;
import dev.keel.core.json.JsonValue;
import dev.keel.core.tool.JsonSchema;
import dev.keel.core.tool.ToolSpec;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * docker-agent's {@code mcp_catalog} toolset over a catalog the host supplies ({@link McpCatalog}):
 * {@code search_remote_mcp_servers}, {@code list_remote_mcp_servers} and {@code enable_remote_mcp_server}, plus
 * {@code disable_remote_mcp_server} and {@code reset_remote_mcp_server_auth} once a server is enabled. Enabling
 * connects to the server over streamable HTTP before the call returns, so the model learns in the same turn whether
 * it worked; the server's tools are then listed as {@code <id>_<tool>} and the runner shows them from the next model
 * call on (as it does for {@code add_tool}). A server on a private address is refused unless its entry or the
 * toolset allows private addresses; an OAuth server is refused unless the catalog holds headers for it.
 *
 * <p><b>State:</b> which servers are enabled belongs to the session, kept in its state under {@value #ENABLED_STATE}
 * (so a saved and restored session has them again): a session sees, calls, lists and disables only the servers it
 * enabled itself, however many sessions share the runner, and the runner lists them per session
 * ({@link SessionScopedToolset}), through a configuration's {@code tools:} / {@code readonly} filter. The connections
 * are this toolset's, one per server id, shared by the sessions that enabled it: disabling in one session leaves the
 * connection (and the other sessions' tools) alone; {@code reset_remote_mcp_server_auth} closes it, and the sessions
 * that still have the server reconnect on their next step. A restored session reconnects when its tools are next
 * listed, after the same checks as an enable (the catalog may have changed meanwhile); a server that cannot be reached
 * then, or is refused, has its tools left out and {@code list_remote_mcp_servers} says why. {@link #close()}
 * disconnects every server; closing twice is harmless, and nothing connects after. Thread-safe.
 */
public final class McpCatalogToolset implements Toolset, SessionScopedToolset {
    private static final Logger LOG = LoggerFactory.getLogger(McpCatalogToolset.class);
    public static final String SEARCH = "search_remote_mcp_servers";
    public static final String LIST = "list_remote_mcp_servers";
    public static final String ENABLE = "enable_remote_mcp_server";
    public static final String DISABLE = "disable_remote_mcp_server";
    public static final String RESET_AUTH = "reset_remote_mcp_server_auth";
    /** The session-state key listing the ids of the servers a session enabled. */
    public static final String ENABLED_STATE = "keel.mcp_catalog.enabled";
    static final String NOT_CONFIGURED = "no remote MCP server catalog is configured here: the host application gives "
            + "one with TeamServices.builder().mcpCatalog(McpCatalog.read(Path.of(\"servers.json\"))), or "
            + "Toolsets.mcpCatalog(catalog) in code";

    private final McpCatalog catalog;
    /** The servers offered: the catalog's, narrowed by the allow and block lists; null when no catalog is given. */
    private final Map<String, McpCatalog.Server> offered;
    private final boolean allowPrivateIps;
    private final List<Tool> metaTools;
    private final List<Tool> enabledMetaTools;
    /** The connections by server id, shared by the sessions that enabled the server; guarded by {@code this}. */
    private final Map<String, McpToolset> connections = new TreeMap<>();
    private boolean closed;


    private McpCatalogToolset(McpCatalog catalog, Collection<String> allowed, Collection<String> blocked,
                              boolean allowPrivateIps) {
        this.catalog = catalog;
        this.allowPrivateIps = allowPrivateIps;
        if (catalog == null) {
            offered = null;
        } else {
            Set<String> allow = ids(allowed);
            Set<String> block = ids(blocked);
            Map<String, McpCatalog.Server> servers = new LinkedHashMap<>();
            for (McpCatalog.Server s : catalog.servers()) {
                // Block wins over allow, as in docker-agent.
                if ((allow.isEmpty() || allow.contains(s.id())) && !block.contains(s.id())) {
                    servers.put(s.id(), s);
                }
            }
            offered = servers;
        }
        JsonSchema idArg = JsonSchema.object().required("id", JsonSchema.string("The server's id, as "
                + SEARCH + " shows it")).build();
        metaTools = List.of(
                Tool.of(ToolSpec.of(SEARCH, "Search the catalog of remote MCP servers by keyword (case-insensitive; "
                        + "matches id, title, description, category and tags; best matches first). Returns each "
                        + "server's id, title, description, category, tags, auth, url and whether it is enabled. An "
                        + "empty query lists every server.", JsonSchema.object().optional("query",
                        JsonSchema.string("Keyword to look for; empty for every server")).build()), true, this::search),
                Tool.of(ToolSpec.of(LIST, "List the remote MCP servers enabled now, with their tools.",
                        JsonSchema.object().build()), true, (args, ctx) -> list(ctx.state())),
                Tool.of(ToolSpec.of(ENABLE, "Enable a remote MCP server of the catalog by id. Connects before "
                        + "answering: on success the server's tools (named <id>_<tool>) can be called from your next "
                        + "step; on error the answer says why.", idArg), this::enable));
        enabledMetaTools = List.of(
                Tool.of(ToolSpec.of(DISABLE, "Disable an enabled remote MCP server: its tools go away.", idArg),
                        (args, ctx) -> disable(args.string("id").strip(), false, ctx.state())),
                Tool.of(ToolSpec.of(RESET_AUTH, "Disconnect an enabled remote MCP server that started rejecting "
                        + "requests, so that enabling it again connects afresh with the credentials the host holds now.",
                        idArg), (args, ctx) -> disable(args.string("id").strip(), true, ctx.state())));
    }

    /**
     * The toolset over {@code catalog} narrowed by the lists.
     *
     * @param catalog         the host's catalog; null: every search and enable answers that none is configured
     * @param allowed         the ids offered (empty: every id)
     * @param blocked         the ids never offered, even when allowed
     * @param allowPrivateIps whether every server may be on a private address (otherwise only entries that allow it)
     * @return the toolset
     */
    public static McpCatalogToolset of(McpCatalog catalog, Collection<String> allowed, Collection<String> blocked,
                                       boolean allowPrivateIps) {
        return new McpCatalogToolset(catalog, allowed, blocked, allowPrivateIps);
    }

    /**
     * The ids of the lists that the catalog does not have (a typo leaves an agent with fewer servers than meant).
     *
     * @param catalog the catalog
     * @param lists   the allow and block lists
     * @return the unknown ids, sorted
     */
    @SafeVarargs
    public static List<String> unknownIds(McpCatalog catalog, Collection<String>... lists) {
        Set<String> unknown = new TreeSet<>();
        for (Collection<String> list : lists) {
            ids(list).stream().filter(id -> catalog.server(id).isEmpty()).forEach(unknown::add);
        }
        return List.copyOf(unknown);
    }

    /**
     * The ids of the servers a session enabled (of every catalog toolset), sorted.
     *
     * @param sessionState the session's state
     * @return the ids
     */
    public static Set<String> enabledIds(Map<String, JsonValue> sessionState) {
        Set<String> ids = new TreeSet<>();
        if (sessionState.get(ENABLED_STATE) instanceof JsonArray a) {
            a.items().forEach(v -> v.asString().ifPresent(ids::add));
        }
        return ids;
    }

    /** Adds ({@code on}) or removes {@code id} in the session's list; whether that changed it. */
    private static boolean setEnabled(Map<String, JsonValue> sessionState, String id, boolean on) {
        boolean[] changed = new boolean[1];
        sessionState.compute(ENABLED_STATE, (k, v) -> {
            Set<String> ids = new TreeSet<>();
            if (v instanceof JsonArray a) {
                a.items().forEach(item -> item.asString().ifPresent(ids::add));
            }
            changed[0] = on ? ids.add(id) : ids.remove(id);
            return ids.isEmpty() ? null : JsonArray.of(List.copyOf(ids));
        });
        if (changed[0]) {
            ToolListChange.signal(sessionState);
        }
        return changed[0];
    }

    private static Set<String> ids(Collection<String> list) {
        Set<String> out = new TreeSet<>();
        if (list != null) {
            list.stream().map(String::strip).filter(s -> !s.isEmpty()).forEach(out::add);
        }
        return out;
    }

    @Override
    public String name() {
        return "mcp_catalog";
    }

    @Override
    public String instructions() {
        return """
                ## Remote MCP servers
                A catalog of remote MCP servers can add tools to this conversation; none is enabled at first.
                1. Find servers with `search_remote_mcp_servers` and a keyword that fits the task.
                2. Enable one with `enable_remote_mcp_server` and its `id`. The call connects before it answers: on \
                success the server's tools, named `<id>_<tool>`, can be called from your next step, so go on with \
                the user's request at once; on an error, act on the reason given and do not call `<id>_` tools.
                3. `disable_remote_mcp_server` removes a server you no longer need; \
                `reset_remote_mcp_server_auth` disconnects one that started rejecting requests, so that enabling \
                it again connects afresh.
                Enable only the servers the task needs: each one adds tools to every later step.""";
    }

    /**
     * The catalog's own tools: search, list and enable. The servers a session enabled, and the tools to disable them,
     * are that session's ({@link #sessionTools}).
     *
     * @return the tools every session has
     */
    @Override
    public List<Tool> tools() {
        return metaTools;
    }

    /**
     * The session's enabled servers' tools as {@code <id>_<tool>}, after {@code disable_remote_mcp_server} and
     * {@code reset_remote_mcp_server_auth}; empty when the session enabled none. A server is connected here when it
     * is not yet (a restored session); one that cannot be reached, or that the catalog no longer allows, has its tools
     * left out.
     *
     * @param sessionState the session's state
     * @return the session's own tools of this toolset
     */
    @Override
    public List<Tool> sessionTools(Map<String, JsonValue> sessionState) {
        List<McpCatalog.Server> on = enabledServers(sessionState);
        if (on.isEmpty()) {
            return List.of();
        }
        List<Tool> out = new ArrayList<>(enabledMetaTools);
        for (McpCatalog.Server server : on) {
            List<Tool> serverTools;
            try {
                serverTools = connected(server).tools();
            } catch (RuntimeException ex) {
                // As docker-agent: a server that went away leaves its tools out; list_remote_mcp_servers says why.
                LOG.warn("enabled remote MCP server '{}' cannot list its tools: {}", server.id(), ex.getMessage());
                continue;
            }
            for (Tool t : serverTools) {
                Tool prefixed = prefixed(server.id(), t);
                if (prefixed != null) {
                    out.add(prefixed);
                }
            }
        }
        return out;
    }

    /** The servers of this toolset's offer that the session enabled, by id. */
    private List<McpCatalog.Server> enabledServers(Map<String, JsonValue> sessionState) {
        if (offered == null) {
            return List.of();
        }
        return enabledIds(sessionState).stream().map(offered::get).filter(java.util.Objects::nonNull).toList();
    }

    /**
     * The connection to {@code server}, made now (not yet connected) when there is none; the same checks as an enable
     * first, as the catalog may have changed since the session enabled it.
     *
     * @throws ToolsetException when the server is refused or this toolset is closed
     */
    private McpToolset connected(McpCatalog.Server server) {
        synchronized (this) {
            McpToolset existing = connections.get(server.id());
            if (existing != null) {
                return existing;
            }
        }
        String refused = refusal(server); // outside the lock: it may resolve the host's name
        if (refused != null) {
            throw new ToolsetException(refused);
        }
        synchronized (this) {
            if (closed) {
                throw new ToolsetException("the mcp_catalog toolset is closed");
            }
            McpToolset existing = connections.get(server.id());
            if (existing != null) {
                return existing;
            }
            McpToolset made = McpToolset.builder(new McpTransport.StreamableHttp(server.url(),
                    catalog.headers(server.id()))).name("mcp_catalog:" + server.id()).build();
            connections.put(server.id(), made);
            return made;
        }
    }

    /** Why {@code server} may not be connected to, or null when it may. */
    private String refusal(McpCatalog.Server server) {
        String id = server.id();
        if (server.auth() == McpCatalog.Auth.OAUTH && catalog.headers(id).isEmpty()) {
            return "server '" + id + "' signs in with OAuth, which Keel does not drive, and the host application gave "
                    + "no credentials for it (McpCatalog.builder().headers(\"" + id + "\", Map.of(\"Authorization\", "
                    + "\"Bearer …\")))";
        }
        if (!server.allowPrivateIps() && !allowPrivateIps) {
            String address = PrivateHosts.privateAddress(server.url()).orElse(null);
            if (address != null) {
                return "server '" + id + "' is refused: its host " + address + "; a catalog entry reaches a private address only "
                        + "when the entry allows it (McpCatalog.Server.builder(…).allowPrivateIps(true)) or the toolset "
                        + "sets allow_private_ips: true";
            }
        }
        return null;
    }

    /** The tool named {@code <id>_<name>}; null (logged) when that name is longer than a tool name may be. */
    private static Tool prefixed(String id, Tool t) {
        ToolSpec spec;
        try {
            spec = ToolSpec.of(id + "_" + t.spec().name(), t.spec().description(), t.spec().parameters());
        } catch (IllegalArgumentException e) {
            LOG.warn("tool '{}' of remote MCP server '{}' is left out: {}", t.spec().name(), id, e.getMessage());
            return null;
        }
        return Tool.of(spec, t.readOnly(), t::call);
    }

    private ToolResult search(ToolArguments args, ToolContext ctx) {
        if (offered == null) {
            return ToolResult.error(NOT_CONFIGURED);
        }
        String query = args.string("query", "").strip();
        String q = query.toLowerCase(Locale.ROOT);
        Set<String> on = enabledIds(ctx.state());
        record Hit(McpCatalog.Server server, int rank) {}
        List<Hit> hits = new ArrayList<>();
        for (McpCatalog.Server s : offered.values()) {
            int rank = q.isEmpty() ? 0 : rank(s, q);
            if (rank >= 0) {
                hits.add(new Hit(s, rank));
            }
        }
        if (hits.isEmpty()) {
            return ToolResult.error("no remote MCP servers match '" + query + "' (the catalog has " + offered.size()
                    + " servers); try another keyword, or an empty query for every server");
        }
        hits.sort(Comparator.comparingInt(Hit::rank).thenComparing(h -> h.server().id()));
        List<JsonValue> rows = new ArrayList<>();
        for (Hit h : hits) {
            McpCatalog.Server s = h.server();
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("id", s.id());
            row.put("title", s.title());
            row.put("description", s.description());
            if (!s.category().isEmpty()) {
                row.put("category", s.category());
            }
            if (!s.tags().isEmpty()) {
                row.put("tags", JsonArray.of(s.tags()));
            }
            row.put("auth", s.auth().name().toLowerCase(Locale.ROOT));
            row.put("url", s.url());
            row.put("enabled", on.contains(s.id()));
            rows.add(JsonObject.of(row));
        }
        return ToolResult.ok("found " + hits.size() + " server(s):\n" + JsonArray.of(rows).toJson());
    }

    /**
     * How well {@code s} matches {@code q} (lower case), best first: 0 the id itself, 1 a part of the id, 2 of the
     * title, 3 a tag or the category, 4 the description, 5 the query's characters in order in the id or title
     * (docker-agent's fuzzy match); -1 no match.
     */
    static int rank(McpCatalog.Server s, String q) {
        String id = s.id().toLowerCase(Locale.ROOT);
        String title = s.title().toLowerCase(Locale.ROOT);
        if (id.equals(q)) {
            return 0;
        }
        if (id.contains(q)) {
            return 1;
        }
        if (title.contains(q)) {
            return 2;
        }
        if (s.category().toLowerCase(Locale.ROOT).contains(q)
                || s.tags().stream().anyMatch(t -> t.toLowerCase(Locale.ROOT).contains(q))) {
            return 3;
        }
        if (s.description().toLowerCase(Locale.ROOT).contains(q)) {
            return 4;
        }
        return FuzzyMatch.inOrder(q, id) || FuzzyMatch.inOrder(q, title) ? 5 : -1;
    }

    private ToolResult list(Map<String, JsonValue> sessionState) {
        List<McpCatalog.Server> on = enabledServers(sessionState);
        if (on.isEmpty()) {
            return ToolResult.ok("no remote MCP server is enabled; find one with " + SEARCH + " and enable it with "
                    + ENABLE);
        }
        List<JsonValue> rows = new ArrayList<>();
        for (McpCatalog.Server server : on) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("id", server.id());
            row.put("title", server.title());
            row.put("url", server.url());
            try {
                row.put("tools", JsonArray.of(connected(server).tools().stream()
                        .map(t -> server.id() + "_" + t.spec().name()).toList()));
                row.put("state", "connected");
            } catch (RuntimeException ex) {
                row.put("state", "unavailable: " + ex.getMessage());
            }
            rows.add(JsonObject.of(row));
        }
        return ToolResult.ok(JsonArray.of(rows).toJson());
    }

    private ToolResult enable(ToolArguments args, ToolContext ctx) {
        if (offered == null) {
            return ToolResult.error(NOT_CONFIGURED);
        }
        String id = args.string("id").strip();
        McpCatalog.Server server = offered.get(id);
        if (server == null) {
            return ToolResult.error("unknown server id '" + id + "'; find the ids with " + SEARCH);
        }
        if (enabledIds(ctx.state()).contains(id)) {
            return ToolResult.ok("server '" + id + "' is already enabled; its tools (names starting with '" + id
                    + "_') are available");
        }
        McpToolset connection;
        List<Tool> serverTools;
        try {
            connection = connected(server);
        } catch (ToolsetException e) {
            return ToolResult.error(e.getMessage() + "; it was not enabled");
        }
        try {
            serverTools = connection.tools(); // connects: the model learns now whether the server answers
        } catch (RuntimeException e) {
            drop(id, connection); // the next enable, in any session, connects afresh
            return ToolResult.error("server '" + id + "' (" + server.url() + ") could not be reached: " + e.getMessage()
                    + "; it was not enabled");
        }
        if (!setEnabled(ctx.state(), id, true)) {
            return ToolResult.ok("server '" + id + "' is already enabled; its tools (names starting with '" + id
                    + "_') are available");
        }
        LOG.info("session {} enabled remote MCP server '{}' at {} ({} tools)", ctx.sessionId(), id, server.url(),
                serverTools.size());
        return ToolResult.ok("enabled '" + id + "' (" + server.title() + "): its " + serverTools.size()
                + " tools can be called from your next step, named " + serverTools.stream()
                .map(t -> id + "_" + t.spec().name()).toList() + ". Go on with the user's request using them.");
    }

    private ToolResult disable(String id, boolean reset, Map<String, JsonValue> sessionState) {
        if (!setEnabled(sessionState, id, false)) {
            return ToolResult.error("server '" + id + "' is not enabled; the enabled ones are "
                    + enabledIds(sessionState));
        }
        if (reset) {
            McpToolset connection;
            synchronized (this) {
                connection = connections.get(id);
            }
            drop(id, connection);
        }
        LOG.info("{} remote MCP server '{}'", reset ? "reset the connection of" : "disabled", id);
        return ToolResult.ok(reset
                ? "disconnected '" + id + "'; Keel keeps no credentials of its own (the host gives them), so enable it "
                + "again to connect afresh"
                : "disabled '" + id + "': its tools are gone from your next step");
    }

    /** Closes {@code connection} and forgets it, unless another one replaced it meanwhile. */
    private void drop(String id, McpToolset connection) {
        if (connection == null) {
            return;
        }
        synchronized (this) {
            connections.remove(id, connection);
        }
        connection.close();
    }

    /** Disconnects every server; nothing connects after. Idempotent. */
    @Override
    public void close() {
        List<Map.Entry<String, McpToolset>> toClose;
        synchronized (this) {
            closed = true;
            toClose = List.copyOf(connections.entrySet());
            connections.clear();
        }
        for (Map.Entry<String, McpToolset> e : toClose) {
            try {
                e.getValue().close();
            } catch (RuntimeException ex) {
                LOG.warn("cannot close remote MCP server '{}': {}", e.getKey(), ex.toString());
            }
        }
    }

    @Override
    public synchronized String toString() {
        return "McpCatalogToolset[" + (offered == null ? "no catalog" : offered.size() + " servers")
                + ", connected " + connections.keySet() + (closed ? ", closed" : "") + "]";
    }
}
