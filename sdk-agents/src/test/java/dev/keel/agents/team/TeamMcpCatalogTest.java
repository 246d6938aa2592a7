package dev.keel.agents.team;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.agents.AgentEvent;
import dev.keel.agents.Runner;
import dev.keel.agents.Session;
import dev.keel.agents.internal.McpCatalogToolset;
import dev.keel.agents.mcp.McpCatalog;
import dev.keel.agents.mcp.McpCatalogException;
import dev.keel.agents.mcp.McpServers;
import dev.keel.core.json.JsonArray;
import dev.keel.core.json.JsonObject;
import dev.keel.core.json.JsonValue;
import dev.keel.core.message.ToolResultMessage;
import dev.keel.testing.model.ScriptedModelServer;
import dev.keel.testing.model.ScriptedReply;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A team file's {@code mcp_catalog} toolset in real runs against the scripted model server, enabling real MCP servers
 * (server-everything over streamable HTTP on loopback) from a catalog the host supplies: search ranking and the
 * allow/block lists (block wins), enable then call a prefixed tool, disable removes the tools, unknown / blocked /
 * down servers, the private-address refusal, OAuth servers without credentials, malformed catalogs, and closing the
 * runner disconnecting enabled servers.
 */
class TeamMcpCatalogTest {
    private static final String TEAM = """
            agents:
              root:
                model: openai/main-model
                toolsets:
                  - type: mcp_catalog
            """;
    private static Process everything;
    private static int port;

    @TempDir
    Path dir;
    private ScriptedModelServer llm;

    @BeforeAll
    static void startServer() throws Exception {
        port = McpServers.freePort();
        everything = McpServers.everythingHttp("streamableHttp", port);
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (everything != null) {
            everything.destroyForcibly().waitFor();
        }
    }

    @BeforeEach
    void start() {
        llm = ScriptedModelServer.start();
    }

    @AfterEach
    void stop() {
        llm.close();
    }

    private static String url(int p) {
        return "http://127.0.0.1:" + p + "/mcp";
    }

    /** The live server as a catalog entry that may be on loopback. */
    private static McpCatalog.Server live(String id, int p) {
        return McpCatalog.Server.builder(id, url(p)).title("Everything").description("Reference server: echo, get-sum")
                .allowPrivateIps(true).build();
    }

    private Team team(String yaml, McpCatalog catalog) {
        return Teams.parse(yaml, "team.yaml", TeamFiles.isolated(dir).withServices(TeamServices.builder()
                .mcpCatalog(catalog).build()));
    }

    /** Runs to the end and returns every tool result, in order, as the runner reported them. */
    private static List<ToolResultMessage> run(Runner runner, String input) {
        List<ToolResultMessage> results = new CopyOnWriteArrayList<>();
        try (var ignored = runner.events().subscribe(e -> {
            if (e instanceof AgentEvent.ToolCallFinished f) {
                results.add(new ToolResultMessage(f.call().id(), f.call().name(), f.result(), f.error()));
            }
        })) {
            runner.run(input);
        }
        return List.copyOf(results);
    }

    private static ScriptedReply enable(String id) {
        return ScriptedReply.toolCall("enable_remote_mcp_server", Map.of("id", id));
    }

    private static ScriptedReply search(String query) {
        return ScriptedReply.toolCall("search_remote_mcp_servers", Map.of("query", query));
    }

    private static List<String> ids(String searchResult) {
        String json = searchResult.substring(searchResult.indexOf('\n') + 1);
        return ((JsonArray) JsonValue.parse(json)).items().stream()
                .map(v -> ((JsonObject) v).get("id").orElseThrow().asString().orElseThrow()).toList();
    }

    @Test
    void withoutACatalogTheFileLoadsCleanAndSearchSaysWhatToConfigure() {
        Team team = TeamFiles.parse(dir, TEAM + "        allowed_servers: [docs]\n        blocked_servers: [gitmcp]\n");
        assertThat(team.warnings()).isEmpty();
        llm.respond(search("docs")).respond(enable("docs")).respond(ScriptedReply.text("none"));
        List<ToolResultMessage> results;
        try (Runner runner = team.runner().models(llm.models()).yolo(true).build()) {
            results = run(runner, "find docs");
        }
        assertThat(results).hasSize(2).allSatisfy(r -> {
            assertThat(r.error()).isTrue();
            assertThat(r.content()).contains("no remote MCP server catalog is configured",
                    "TeamServices.builder().mcpCatalog(");
        });
        assertThat(llm.requests().get(0).toolNames()).containsExactly("search_remote_mcp_servers",
                "list_remote_mcp_servers", "enable_remote_mcp_server");
        assertThat(llm.requests().get(0).systemPrompt()).contains("enable_remote_mcp_server");
    }

    @Test
    void searchRanksMatchesAndTheListsNarrowTheCatalogWithBlockWinning() {
        McpCatalog catalog = McpCatalog.builder()
                .server(McpCatalog.Server.builder("weather", "https://weather.example.com/mcp").title("Weather")
                        .description("Forecasts").build())
                .server(McpCatalog.Server.builder("notes", "https://notes.example.com/mcp").title("Notes")
                        .description("Keeps notes next to your DOCS").build())
                .server(McpCatalog.Server.builder("wiki", "https://wiki.example.com/mcp").title("Wiki")
                        .tags(List.of("Docs", "knowledge")).build())
                .server(McpCatalog.Server.builder("dropbox-cs", "https://dropbox.example.com/mcp").title("Dropbox")
                        .description("Files").build())
                .server(McpCatalog.Server.builder("manual", "https://manual.example.com/mcp").title("Docs Manual")
                        .build())
                .server(McpCatalog.Server.builder("docs-archive", "https://archive.example.com/mcp").title("Archive")
                        .build())
                .server(McpCatalog.Server.builder("docs", "https://docs.example.com/mcp").title("Reference").build())
                .server(McpCatalog.Server.builder("docs-old", "https://old.example.com/mcp").title("Old docs").build())
                .build();
        Team team = team(TEAM
                + "        allowed_servers: [docs, docs-archive, manual, wiki, notes, dropbox-cs, docs-old, weather]\n"
                + "        blocked_servers: [docs-old, weather]\n", catalog);
        assertThat(team.warnings()).isEmpty();
        llm.respond(search("DOCS")).respond(search("")).respond(search("forecast")).respond(enable("docs-old"))
                .respond(enable("weather")).respond(ScriptedReply.text("done"));
        List<ToolResultMessage> r;
        try (Runner runner = team.runner().models(llm.models()).yolo(true).build()) {
            r = run(runner, "find docs");
        }
        assertThat(ids(r.get(0).content())).containsExactly("docs", "docs-archive", "manual", "wiki", "notes",
                "dropbox-cs");
        assertThat(ids(r.get(1).content())).containsExactlyInAnyOrder("docs", "docs-archive", "manual", "wiki",
                "notes", "dropbox-cs");
        assertThat(r.get(2).error()).isTrue();
        assertThat(r.get(2).content()).contains("no remote MCP servers match 'forecast'", "6 servers");
        for (ToolResultMessage blocked : r.subList(3, 5)) {
            assertThat(blocked.error()).isTrue();
            assertThat(blocked.content()).contains("unknown server id");
        }
    }

    @Test
    void unknownIdsOfBothListsAreWarnedAboutWithTheirLines() {
        McpCatalog catalog = McpCatalog.builder().server(live("everything", port)).build();
        Team team = team(TEAM + "        allowed_servers: [everything, ghost]\n        blocked_servers: [phantom]\n",
                catalog);
        assertThat(team.warnings()).hasSize(2);
        assertThat(team.warnings().get(0)).contains("6: agents.root.toolsets[0].allowed_servers: [ghost] not in the "
                + "host's MCP catalog", "[everything]");
        assertThat(team.warnings().get(1)).contains("7: agents.root.toolsets[0].blocked_servers: [phantom]");
    }

    @Test
    void enableThenCallAPrefixedToolAndDisableRemovesTheTools() {
        McpCatalog catalog = McpCatalog.builder().server(live("everything", port)).build();
        Team team = team(TEAM, catalog);
        assertThat(team.warnings()).isEmpty();
        llm.respond(search("everything")).respond(enable("everything"))
                .respond(ScriptedReply.toolCall("everything_echo", Map.of("message", "through the catalog")))
                .respond(enable("everything"))
                .respond(ScriptedReply.toolCall("list_remote_mcp_servers", Map.of()))
                .respond(ScriptedReply.toolCall("disable_remote_mcp_server", Map.of("id", "everything")))
                .respond(ScriptedReply.toolCall("everything_echo", Map.of("message", "gone?")))
                .respond(ScriptedReply.text("done"));
        List<ToolResultMessage> r;
        try (Runner runner = team.runner().models(llm.models()).yolo(true).build()) {
            r = run(runner, "echo something");
        }
        assertThat(r.get(0).error()).isFalse();
        assertThat(ids(r.get(0).content())).containsExactly("everything");
        assertThat(r.get(1).error()).as(r.get(1).content()).isFalse();
        assertThat(r.get(1).content()).contains("enabled 'everything'", "everything_echo");
        assertThat(r.get(2).error()).isFalse();
        assertThat(r.get(2).content()).isEqualTo("Echo: through the catalog");
        assertThat(r.get(3).content()).contains("already enabled");
        assertThat(r.get(4).content()).contains("\"id\":\"everything\"", "everything_echo", "connected");
        assertThat(r.get(5).error()).isFalse();
        assertThat(r.get(6).error()).isTrue(); // the tool is gone: the runner answers that it does not exist
        List<String> before = llm.requests().get(1).toolNames();
        List<String> enabled = llm.requests().get(2).toolNames();
        List<String> after = llm.requests().get(6).toolNames();
        assertThat(before).doesNotContain("everything_echo", "disable_remote_mcp_server", "reset_remote_mcp_server_auth");
        assertThat(enabled).contains("everything_echo", "everything_get-sum", "disable_remote_mcp_server",
                "reset_remote_mcp_server_auth");
        assertThat(enabled).noneMatch(n -> n.equals("echo")); // only the prefixed names
        assertThat(after).doesNotContain("everything_echo", "disable_remote_mcp_server");
    }

    // ---- enables belong to the session: two sessions of one runner never see each other's servers

    /** Runs {@code input} in {@code session}; the tool results, and the model requests the run made. */
    private record Turn(List<ToolResultMessage> results, List<dev.keel.testing.model.RecordedChatRequest> requests) {}

    private Turn turn(Runner runner, Session session, String input) {
        int before = llm.requests().size();
        List<ToolResultMessage> results = new CopyOnWriteArrayList<>();
        try (var ignored = runner.events().subscribe(e -> {
            if (e instanceof AgentEvent.ToolCallFinished f && f.sessionId().equals(session.id())) {
                results.add(new ToolResultMessage(f.call().id(), f.call().name(), f.result(), f.error()));
            }
        })) {
            runner.run(session, input);
        }
        return new Turn(List.copyOf(results), List.copyOf(llm.requests().subList(before, llm.requests().size())));
    }

    /** A runner of the one-toolset team over a catalog holding the live server at {@code p}. */
    private Runner catalogRunner(int p) {
        return team(TEAM, McpCatalog.builder().server(live("everything", p)).build()).runner().models(llm.models())
                .yolo(true).build();
    }

    /** {@code session} enables the live server in a turn of its own. */
    private Turn enableIn(Runner runner, Session session) {
        llm.respond(enable("everything")).respond(ScriptedReply.text("enabled"));
        return turn(runner, session, "connect");
    }

    private static ScriptedReply echo(String message) {
        return ScriptedReply.toolCall("everything_echo", Map.of("message", message));
    }

    private static ScriptedReply listEnabled() {
        return ScriptedReply.toolCall("list_remote_mcp_servers", Map.of());
    }

    /**
     * The leak this guards against: session A enables a server on a runner that session B shares. B's model is never
     * shown A's tools, calling one by name is the runner's unknown-tool error (the server never sees the call), and
     * B's search and list say nothing is enabled; A keeps its tools on its next turn.
     */
    @Test
    void oneSessionsEnableIsNeverSeenNorCallableFromAnotherSessionOfTheSameRunner() throws Exception {
        try (Tap tap = new Tap(port); Runner runner = catalogRunner(tap.port())) {
            Session a = Session.create();
            Session b = Session.create();
            Turn enabled = enableIn(runner, a);
            assertThat(enabled.results().get(0).error()).as(enabled.results().get(0).content()).isFalse();
            assertThat(enabled.requests().get(1).toolNames()).contains("everything_echo");

            llm.respond(echo("from B")).respond(ScriptedReply.toolCall("everything_get-sum", Map.of("a", 1, "b", 2)))
                    .respond(search("everything")).respond(listEnabled())
                    .respond(ScriptedReply.toolCall("disable_remote_mcp_server", Map.of("id", "everything")))
                    .respond(ScriptedReply.text("nothing"));
            Turn other = turn(runner, b, "use A's server");
            for (var request : other.requests()) {
                assertThat(request.toolNames()).containsExactly("search_remote_mcp_servers",
                        "list_remote_mcp_servers", "enable_remote_mcp_server");
            }
            assertThat(other.requests().get(0).body()).doesNotContain("everything_", "Echo");
            List<ToolResultMessage> r = other.results();
            assertThat(r.get(0).error()).isTrue();
            assertThat(r.get(0).content()).contains("unknown tool 'everything_echo'").doesNotContain("Echo:");
            assertThat(r.get(1).error()).isTrue();
            assertThat(r.get(1).content()).contains("unknown tool 'everything_get-sum'");
            assertThat(r.get(2).content()).contains("\"enabled\":false").doesNotContain("\"enabled\":true");
            assertThat(r.get(3).content()).contains("no remote MCP server is enabled");
            assertThat(r.get(4).error()).isTrue(); // B cannot disable A's server: it has none listed
            assertThat(tap.sent()).doesNotContain("from B");

            llm.respond(echo("from A")).respond(ScriptedReply.text("done"));
            Turn again = turn(runner, a, "echo");
            assertThat(again.requests().get(0).toolNames()).contains("everything_echo", "disable_remote_mcp_server");
            assertThat(again.results().get(0).content()).isEqualTo("Echo: from A");
            assertThat(a.state().get(McpCatalogToolset.ENABLED_STATE)).hasToString("[\"everything\"]");
            assertThat(b.state()).doesNotContainKey(McpCatalogToolset.ENABLED_STATE);
        }
    }

    /** Both sessions enable one server; A disables it, and B keeps its tools and calls them through the connection. */
    @Test
    void disablingInOneSessionLeavesTheServerEnabledInAnother() {
        try (Runner runner = catalogRunner(port)) {
            Session a = Session.create();
            Session b = Session.create();
            enableIn(runner, a);
            assertThat(enableIn(runner, b).results().get(0).content()).contains("enabled 'everything'");
            llm.respond(ScriptedReply.toolCall("disable_remote_mcp_server", Map.of("id", "everything")))
                    .respond(echo("A after disabling")).respond(ScriptedReply.text("a off"));
            Turn off = turn(runner, a, "disconnect");
            assertThat(off.results().get(0).error()).as(off.results().get(0).content()).isFalse();
            assertThat(off.results().get(1).error()).isTrue();
            assertThat(off.requests().get(1).toolNames()).noneMatch(n -> n.startsWith("everything_"));

            llm.respond(echo("B still")).respond(listEnabled()).respond(ScriptedReply.text("b on"));
            Turn still = turn(runner, b, "echo");
            assertThat(still.requests().get(0).toolNames()).contains("everything_echo", "everything_get-sum");
            assertThat(still.results().get(0).content()).isEqualTo("Echo: B still");
            assertThat(still.results().get(1).content()).contains("\"id\":\"everything\"", "connected");
        }
    }

    /**
     * The connection is shared, the enable is not: one session's {@code reset_remote_mcp_server_auth} ends the MCP
     * session on the server and drops the server from that session only; the other session still has the tools and
     * its next call reconnects.
     */
    @Test
    void aResetInOneSessionReconnectsTheOtherOnItsNextCall() throws Exception {
        try (Tap tap = new Tap(port); Runner runner = catalogRunner(tap.port())) {
            Session a = Session.create();
            Session b = Session.create();
            enableIn(runner, a);
            enableIn(runner, b);
            assertThat(tap.sent()).doesNotContain("DELETE /mcp");
            llm.respond(ScriptedReply.toolCall("reset_remote_mcp_server_auth", Map.of("id", "everything")))
                    .respond(ScriptedReply.text("reset"));
            Turn reset = turn(runner, a, "reset");
            assertThat(reset.results().get(0).content()).contains("disconnected 'everything'");
            assertThat(reset.requests().get(1).toolNames()).noneMatch(n -> n.startsWith("everything_"));
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!tap.sent().contains("DELETE /mcp") && System.nanoTime() < deadline) {
                Thread.sleep(50); // the forwarder records what the client sent on its own threads
            }
            assertThat(tap.sent()).as("the shared MCP session is ended").contains("DELETE /mcp");
            int sentBefore = tap.sent().length();

            llm.respond(echo("after reset")).respond(ScriptedReply.text("b still on"));
            Turn still = turn(runner, b, "echo");
            assertThat(still.requests().get(0).toolNames()).contains("everything_echo");
            assertThat(still.results().get(0).content()).isEqualTo("Echo: after reset");
            assertThat(tap.sent().substring(sentBefore)).as("a fresh MCP session").contains("initialize");
        }
    }

    /** A team file's {@code tools:} on the catalog toolset filters the servers' tools as it does the catalog's own. */
    @Test
    void aToolsFilterKeepsAnExcludedServerToolHidden() {
        McpCatalog catalog = McpCatalog.builder().server(live("everything", port)).build();
        Team team = team(TEAM + "        tools: [enable_remote_mcp_server, everything_echo]\n", catalog);
        llm.respond(enable("everything")).respond(ScriptedReply.toolCall("everything_get-sum", Map.of("a", 2, "b", 3)))
                .respond(echo("kept")).respond(ScriptedReply.text("done"));
        Session session = Session.create();
        Turn t;
        try (Runner runner = team.runner().models(llm.models()).yolo(true).build()) {
            t = turn(runner, session, "add");
        }
        assertThat(t.requests().get(0).toolNames()).containsExactly("enable_remote_mcp_server");
        assertThat(t.requests().get(1).toolNames()).containsExactly("enable_remote_mcp_server", "everything_echo");
        assertThat(t.results().get(1).error()).isTrue();
        assertThat(t.results().get(1).content()).contains("unknown tool 'everything_get-sum'");
        assertThat(t.results().get(2).content()).isEqualTo("Echo: kept");
    }

    /**
     * A stored session keeps its enables across runners (a restart): a new runner over the same store reconnects
     * when the session's tools are next listed, another session of that runner sees nothing, and a session whose
     * server is gone, or no longer allowed, gets its tools left out, a tool error for a call and the reason in
     * {@code list_remote_mcp_servers}.
     */
    @Test
    void aRestoredSessionKeepsItsEnablesAndReconnectsOnlyWhenAllowedAndReachable() throws Exception {
        McpCatalog catalog = McpCatalog.builder().server(live("everything", port)).build();
        dev.keel.agents.session.SessionStore store = dev.keel.agents.session.SessionStore.inDirectory(
                dir.resolve("sessions"));
        llm.respond(enable("everything")).respond(ScriptedReply.text("on"));
        try (Runner first = team(TEAM, catalog).runner().models(llm.models()).yolo(true).sessions(store).build()) {
            first.run("s1", "connect");
        }
        int before = llm.requests().size();
        llm.respond(echo("after restart")).respond(ScriptedReply.text("echoed"));
        llm.respond(echo("stranger")).respond(ScriptedReply.text("no"));
        try (Runner second = team(TEAM, catalog).runner().models(llm.models()).yolo(true).sessions(store).build()) {
            second.run("s1", "echo");
            second.run("s2", "echo");
        }
        List<dev.keel.testing.model.RecordedChatRequest> q = llm.requests().subList(before, llm.requests().size());
        assertThat(q.get(0).toolNames()).contains("everything_echo", "disable_remote_mcp_server");
        assertThat(q.get(1).body()).contains("Echo: after restart");
        assertThat(q.get(2).toolNames()).noneMatch(n -> n.startsWith("everything_"));
        assertThat(q.get(3).body()).contains("unknown tool 'everything_echo'");

        // The same session, restored from its JSON, where the server is down now, and where it is no longer allowed.
        Session stored = Session.fromJson(store.load("s1").orElseThrow().json());
        int down = McpServers.freePort();
        McpCatalog moved = McpCatalog.builder().server(live("everything", down)).build();
        McpCatalog strict = McpCatalog.builder().server(McpCatalog.Server.builder("everything", url(port)).build())
                .build();
        List<String> reasons = new java.util.ArrayList<>();
        for (McpCatalog now : List.of(moved, strict)) {
            Session s = Session.fromJson(stored.toJson());
            llm.respond(echo("unreachable")).respond(listEnabled()).respond(ScriptedReply.text("down"));
            Turn t;
            try (Runner runner = team(TEAM, now).runner().models(llm.models()).yolo(true).build()) {
                t = turn(runner, s, "echo");
            }
            assertThat(t.requests().get(0).toolNames()).contains("disable_remote_mcp_server")
                    .noneMatch(n -> n.startsWith("everything_"));
            assertThat(t.results().get(0).error()).isTrue();
            assertThat(t.results().get(0).content()).contains("unknown tool 'everything_echo'");
            assertThat(t.results().get(1).content()).contains("\"id\":\"everything\"", "unavailable");
            reasons.add(t.results().get(1).content());
            assertThat(s.state().get(McpCatalogToolset.ENABLED_STATE)).hasToString("[\"everything\"]");
        }
        assertThat(reasons.get(0)).contains("127.0.0.1:" + down);
        assertThat(reasons.get(1)).contains("is refused", "is a private address");
    }

    /** A session file written by someone else cannot enable what the team's toolset does not offer. */
    @Test
    void aSessionStateNamingABlockedServerShowsNothing() {
        McpCatalog catalog = McpCatalog.builder().server(live("everything", port)).server(live("other", port)).build();
        Session session = Session.create();
        session.state().put(McpCatalogToolset.ENABLED_STATE, JsonArray.of(List.of("everything", "ghost")));
        llm.respond(echo("smuggled")).respond(listEnabled()).respond(ScriptedReply.text("no"));
        Turn t;
        try (Runner runner = team(TEAM + "        blocked_servers: [everything]\n", catalog).runner()
                .models(llm.models()).yolo(true).build()) {
            t = turn(runner, session, "echo");
        }
        assertThat(t.requests().get(0).toolNames()).containsExactly("search_remote_mcp_servers",
                "list_remote_mcp_servers", "enable_remote_mcp_server");
        assertThat(t.results().get(0).content()).contains("unknown tool 'everything_echo'");
        assertThat(t.results().get(1).content()).contains("no remote MCP server is enabled");
    }

    @Test
    void unknownAndDownServersLeaveNothingEnabled() throws Exception {
        int down = McpServers.freePort(); // nothing listens there
        McpCatalog catalog = McpCatalog.builder().server(live("everything", port)).server(live("down", down)).build();
        Team team = team(TEAM, catalog);
        llm.respond(enable("ghost")).respond(enable("down"))
                .respond(ScriptedReply.toolCall("list_remote_mcp_servers", Map.of()))
                .respond(ScriptedReply.toolCall("disable_remote_mcp_server", Map.of("id", "down")))
                .respond(ScriptedReply.text("done"));
        List<ToolResultMessage> r;
        try (Runner runner = team.runner().models(llm.models()).yolo(true).build()) {
            r = run(runner, "connect");
        }
        assertThat(r.get(0).error()).isTrue();
        assertThat(r.get(0).content()).contains("unknown server id 'ghost'", "search_remote_mcp_servers");
        assertThat(r.get(1).error()).isTrue();
        assertThat(r.get(1).content()).contains("'down'", "127.0.0.1:" + down, "could not be reached",
                "it was not enabled");
        assertThat(r.get(2).content()).contains("no remote MCP server is enabled");
        assertThat(r.get(3).error()).isTrue(); // the disable tool is not even listed: nothing is enabled
        for (int i = 0; i < 4; i++) {
            assertThat(llm.requests().get(i).toolNames()).doesNotContain("disable_remote_mcp_server")
                    .noneMatch(n -> n.startsWith("down_"));
        }
    }

    /**
     * A catalog entry on a private address is refused before any connection unless the entry or the toolset opts in:
     * a listener on loopback, under several spellings of loopback, never sees a connection.
     */
    @Test
    void aPrivateAddressIsRefusedWithoutTheOptIn() throws Exception {
        try (ServerSocket trap = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            AtomicInteger accepted = new AtomicInteger();
            Thread acceptor = new Thread(() -> {
                while (!trap.isClosed()) {
                    try (Socket s = trap.accept()) {
                        accepted.incrementAndGet();
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
            acceptor.start();
            int p = trap.getLocalPort();
            McpCatalog catalog = McpCatalog.builder()
                    .server(McpCatalog.Server.builder("v4", "http://127.0.0.1:" + p + "/mcp").build())
                    .server(McpCatalog.Server.builder("name", "http://localhost:" + p + "/mcp").build())
                    .server(McpCatalog.Server.builder("v6", "http://[::1]:" + p + "/mcp").build())
                    .server(McpCatalog.Server.builder("metadata", "http://169.254.169.254/mcp").build())
                    .server(McpCatalog.Server.builder("everything", url(port)).build())
                    .build();
            llm.respond(enable("v4")).respond(enable("name")).respond(enable("v6")).respond(enable("metadata"))
                    .respond(enable("everything")).respond(ScriptedReply.text("refused"));
            List<ToolResultMessage> r;
            try (Runner runner = team(TEAM, catalog).runner().models(llm.models()).yolo(true).build()) {
                r = run(runner, "connect");
            }
            assertThat(r).hasSize(5).allSatisfy(t -> {
                assertThat(t.error()).as(t.content()).isTrue();
                assertThat(t.content()).contains("is a private address", "allow_private_ips");
            });
            assertThat(accepted.get()).isZero();
            trap.close();
            acceptor.join();
        }
        // The toolset's opt-in reaches the same live server.
        McpCatalog plain = McpCatalog.builder().server(McpCatalog.Server.builder("everything", url(port)).build())
                .build();
        llm.respond(enable("everything")).respond(ScriptedReply.toolCall("everything_get-sum", Map.of("a", 2, "b", 3)))
                .respond(ScriptedReply.text("five"));
        List<ToolResultMessage> r;
        try (Runner runner = team(TEAM + "        allow_private_ips: true\n", plain).runner().models(llm.models())
                .yolo(true).build()) {
            r = run(runner, "add");
        }
        assertThat(r.get(0).error()).as(r.get(0).content()).isFalse();
        assertThat(r.get(1).content()).contains("5");
    }

    @Test
    void anOauthServerNeedsTheHostsCredentialsWhichReachTheServerAndNeverTheModel() throws Exception {
        McpCatalog.Server oauth = McpCatalog.Server.builder("secure", url(port)).auth(McpCatalog.Auth.OAUTH)
                .allowPrivateIps(true).build();
        llm.respond(enable("secure")).respond(ScriptedReply.text("cannot"));
        List<ToolResultMessage> r;
        try (Runner runner = team(TEAM, McpCatalog.builder().server(oauth).build()).runner().models(llm.models())
                .yolo(true).build()) {
            r = run(runner, "connect");
        }
        assertThat(r.get(0).error()).isTrue();
        assertThat(r.get(0).content()).contains("signs in with OAuth", "headers(\"secure\"", "not enabled");

        try (Tap tap = new Tap(port)) {
            String token = "Bearer s3cr3t-" + "token-value";
            McpCatalog withToken = McpCatalog.builder().server(McpCatalog.Server.builder("secure", url(tap.port()))
                            .auth(McpCatalog.Auth.OAUTH).allowPrivateIps(true).build())
                    .headers("secure", Map.of("Authorization", token)).build();
            assertThat(withToken.toString()).contains("secure").doesNotContain("s3cr3t");
            llm.respond(enable("secure")).respond(ScriptedReply.toolCall("secure_echo", Map.of("message", "hi")))
                    .respond(ScriptedReply.text("ok"));
            try (Runner runner = team(TEAM, withToken).runner().models(llm.models()).yolo(true).build()) {
                r = run(runner, "connect");
            }
            assertThat(r.get(0).error()).as(r.get(0).content()).isFalse();
            assertThat(r.get(1).content()).isEqualTo("Echo: hi");
            assertThat(tap.sent()).containsIgnoringCase("authorization: " + token);
            assertThat(llm.requests()).allSatisfy(q -> assertThat(q.body()).doesNotContain("s3cr3t"));
        }
    }

    @Test
    void closingTheRunnerDisconnectsEnabledServersAndClosingTwiceIsHarmless() throws Exception {
        try (Tap tap = new Tap(port)) {
            McpCatalog catalog = McpCatalog.builder().server(live("everything", tap.port())).build();
            llm.respond(enable("everything")).respond(ScriptedReply.text("connected"));
            Team team = team(TEAM, catalog);
            Runner runner = team.runner().models(llm.models()).yolo(true).build();
            List<ToolResultMessage> r = run(runner, "connect");
            assertThat(r.get(0).error()).as(r.get(0).content()).isFalse();
            assertThat(tap.open()).isPositive();
            runner.close();
            runner.close();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while ((tap.open() > 0 || !tap.sent().contains("DELETE ")) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(tap.sent()).as("the MCP session is ended on the server").contains("DELETE /mcp");
            assertThat(tap.open()).as("connections left open").isZero();
        }
    }

    @Test
    void aServersJsonInDockerAgentsFormatIsRead() throws Exception {
        Path file = dir.resolve("servers.json");
        Files.writeString(file, """
                {
                  "source": "example", "schema_version": 1, "count": 2,
                  "servers": [
                    {"id": "docs", "title": "Docs", "description": "Search the docs", "url": "https://docs.example.com/mcp",
                     "transport": "streamable-http", "category": "documentation", "tags": ["docs", "search"],
                     "icon": "https://example.com/i.png", "readme": "x", "auth": {"type": "none"}},
                    {"id": "tracker", "title": "Tracker", "description": "Issues", "url": "https://tracker.example.com/mcp",
                     "transport": "streamable-http",
                     "auth": {"type": "oauth", "providers": [{"provider": "x", "env": "X", "secret": "y"}]}}
                  ]
                }
                """);
        McpCatalog catalog = McpCatalog.read(file);
        assertThat(catalog.servers()).extracting(McpCatalog.Server::id).containsExactly("docs", "tracker");
        McpCatalog.Server docs = catalog.server("docs").orElseThrow();
        assertThat(docs.tags()).containsExactly("docs", "search");
        assertThat(docs.category()).isEqualTo("documentation");
        assertThat(docs.auth()).isEqualTo(McpCatalog.Auth.NONE);
        assertThat(docs.allowPrivateIps()).isFalse();
        assertThat(catalog.server("tracker").orElseThrow().auth()).isEqualTo(McpCatalog.Auth.OAUTH);
        McpCatalog again = McpCatalog.read(new ByteArrayInputStream(Files.readAllBytes(file)), "copy");
        assertThat(again.servers()).isEqualTo(catalog.servers());
    }

    @Test
    void aMalformedServersJsonIsATypedErrorNamingTheLine() throws Exception {
        record Bad(String json, int line, String problem) {}
        List<Bad> cases = List.of(
                new Bad("{\n  \"servers\": [\n    {\"id\": \"a\",\n     \"url\": }\n  ]\n}", 4, "not JSON"),
                new Bad("{\"servers\": {}}", 1, "'servers' array"),
                new Bad("[]", 1, "'servers' array"),
                new Bad("", 1, "not JSON"),
                new Bad("{\"servers\": []} trailing", 1, "not JSON"),
                new Bad("{\n \"servers\": [\n  {\"id\": \"a\", \"url\": \"https://a.example.com/mcp\"},\n"
                        + "  {\"id\": \"b\"}\n ]\n}", 4, "servers[1] ('b'): 'url' is missing"),
                new Bad("{\"servers\": [\n {\"id\": \"a\", \"url\": \"https://a.example.com\"},\n"
                        + " {\"id\": \"a\", \"url\": \"https://b.example.com\"}]}", 3, "listed twice"),
                new Bad("{\"servers\": [\n {\"id\": \"a\", \"url\": \"https://a.example.com\",\n"
                        + "  \"transport\": \"sse\"}]}", 3, "'sse' is not supported"),
                new Bad("{\"servers\": [\n {\"id\": \"a\", \"url\": \"https://a.example.com\",\n"
                        + "  \"auth\": {\"type\": \"apikey\"}}]}", 3, "'apikey' is unknown"),
                new Bad("{\"servers\": [\n {\"id\": \"a b\", \"url\": \"https://a.example.com\"}]}", 2,
                        "letters, digits"),
                new Bad("{\"servers\": [\n {\"id\": \"a\", \"url\": \"file:///etc/passwd\"}]}", 2, "not an http(s) URL"),
                new Bad("{\"servers\": [\n {\"id\": \"a\", \"url\": \"https://a.example.com\", \"tags\": \"x\"}]}", 2,
                        "tags: expected an array"),
                new Bad("{\"servers\": [\n {\"id\": 7, \"url\": \"https://a.example.com\"}]}", 2, "id: expected a string"));
        for (Bad bad : cases) {
            Path file = dir.resolve("servers.json");
            Files.writeString(file, bad.json());
            assertThatThrownBy(() -> McpCatalog.read(file)).as(bad.json()).isInstanceOfSatisfying(
                    McpCatalogException.class, e -> {
                        assertThat(e.source()).isEqualTo(file.toString());
                        assertThat(e.line()).as(e.getMessage()).isEqualTo(bad.line());
                        assertThat(e.getMessage()).startsWith(file + ":" + bad.line() + ": ").contains(bad.problem());
                    });
        }
        Path missing = dir.resolve("nope.json");
        assertThatThrownBy(() -> McpCatalog.read(missing)).isInstanceOfSatisfying(McpCatalogException.class, e -> {
            assertThat(e.line()).isZero();
            assertThat(e.getMessage()).contains("nope.json", "cannot read");
        });
        assertThatThrownBy(() -> McpCatalog.builder().headers("ghost", Map.of("A", "b")).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'ghost'");
    }

    /**
     * A TCP forwarder on loopback between Keel and the real server: keeps what the client sent (to see headers and
     * the session's end) and counts the connections still open.
     */
    private static final class Tap implements AutoCloseable {
        private final ServerSocket socket;
        private final StringBuffer sent = new StringBuffer();
        private final AtomicInteger open = new AtomicInteger();
        private final List<Socket> sockets = new CopyOnWriteArrayList<>();

        Tap(int target) throws IOException {
            socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread acceptor = new Thread(() -> {
                while (!socket.isClosed()) {
                    try {
                        Socket client = socket.accept();
                        Socket server = new Socket(InetAddress.getLoopbackAddress(), target);
                        sockets.add(client);
                        sockets.add(server);
                        open.incrementAndGet();
                        AtomicInteger ends = new AtomicInteger();
                        Runnable closeBoth = () -> {
                            if (ends.incrementAndGet() == 1) {
                                try {
                                    client.close();
                                    server.close();
                                } catch (IOException ignored) {
                                    // closing
                                }
                                open.decrementAndGet();
                            }
                        };
                        pump(client.getInputStream(), server.getOutputStream(), true, closeBoth);
                        pump(server.getInputStream(), client.getOutputStream(), false, closeBoth);
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
        }

        private void pump(InputStream in, OutputStream out, boolean record, Runnable onEnd) {
            Thread t = new Thread(() -> {
                byte[] buf = new byte[8192];
                try {
                    int n;
                    while ((n = in.read(buf)) >= 0) {
                        if (record) {
                            sent.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
                        }
                        out.write(buf, 0, n);
                        out.flush();
                    }
                } catch (IOException ignored) {
                    // the other side closed
                } finally {
                    onEnd.run();
                }
            });
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        String sent() {
            return sent.toString();
        }

        int open() {
            return open.get();
        }

        @Override
        public void close() throws IOException {
            socket.close();
            for (Socket s : sockets) {
                s.close();
            }
        }
    }
}
