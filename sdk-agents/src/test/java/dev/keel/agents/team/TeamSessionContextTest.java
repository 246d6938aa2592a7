package dev.keel.agents.team;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.agents.AgentEvent;
import dev.keel.agents.RunOutcome;
import dev.keel.agents.Runner;
import dev.keel.agents.internal.SessionCodec;
import dev.keel.agents.session.SessionHistory;
import dev.keel.agents.session.SessionScope;
import dev.keel.agents.session.SessionStore;
import dev.keel.core.Usage;
import dev.keel.core.json.JsonArray;
import dev.keel.core.json.JsonObject;
import dev.keel.core.json.JsonValue;
import dev.keel.core.message.AssistantMessage;
import dev.keel.core.message.Message;
import dev.keel.core.message.ToolCall;
import dev.keel.core.message.ToolResultMessage;
import dev.keel.core.message.UserMessage;
import dev.keel.testing.model.RecordedChatRequest;
import dev.keel.testing.model.ScriptedModelServer;
import dev.keel.testing.model.ScriptedReply;
import dev.keel.testing.postgres.PostgresCluster;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A team file's {@code session_context} toolset in real runs against the scripted model server, over the file,
 * in-memory and PostgreSQL stores the runner keeps its sessions in: another user's sessions are never listed nor
 * readable (by id or relative reference), the running session is never shown, relative references and limits are
 * checked, long transcripts keep their end, secrets are redacted, a damaged session does not hide the others, and a
 * host that wired no history gets a tool error naming what to configure.
 */
class TeamSessionContextTest {
    private static final String TEAM = """
            agents:
              root:
                model: openai/main-model
                toolsets:
                  - type: session_context
            """;
    private static final String TOKEN = "ghp_" + "abcdefghijklmnopqrstuvwxyz0123456789";
    private static PostgresCluster pg;
    private static final AtomicInteger TABLES = new AtomicInteger();

    @TempDir
    Path dir;
    private ScriptedModelServer llm;

    @BeforeAll
    static void startPostgres() {
        pg = PostgresCluster.start();
    }

    @AfterAll
    static void stopPostgres() {
        if (pg != null) {
            pg.close();
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

    private SessionStore store(String kind) {
        return switch (kind) {
            case "file" -> SessionStore.inDirectory(dir.resolve("sessions"));
            case "memory" -> SessionStore.inMemory();
            case "postgres" -> SessionStore.postgres(pg.dataSource(), "team_sessions_" + TABLES.incrementAndGet());
            default -> throw new IllegalArgumentException(kind);
        };
    }

    private Team team(SessionStore store) {
        Team team = Teams.parse(TEAM, "team.yaml", TeamFiles.isolated(dir).withServices(TeamServices.builder()
                .sessionHistory(new SessionHistory(store, SessionScope.sameOwner("/"))).build()));
        assertThat(team.warnings()).isEmpty();
        return team;
    }

    private static ScriptedReply read(String ref) {
        return ScriptedReply.toolCall("read_session", Map.of("session_id", ref));
    }

    /**
     * Runs {@code sessionId} to its end and returns every tool result of the run, in order, as the runner reported
     * them (the wire format to the model has no error flag).
     */
    private static List<ToolResultMessage> run(Runner runner, String sessionId, String input) {
        List<ToolResultMessage> results = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (var ignored = runner.events().subscribe(e -> {
            if (e instanceof AgentEvent.ToolCallFinished f) {
                results.add(new ToolResultMessage(f.call().id(), f.call().name(), f.result(), f.error()));
            }
        })) {
            assertThat(runner.run(sessionId, input)).isInstanceOf(RunOutcome.Completed.class);
        }
        return List.copyOf(results);
    }

    private static List<JsonObject> listed(String content) {
        return ((JsonArray) JsonValue.parse(content)).items().stream().map(JsonObject.class::cast).toList();
    }

    private static String field(JsonObject o, String name) {
        JsonValue v = o.get(name).orElseThrow(() -> new AssertionError("no " + name + " in " + o));
        return v.asString().orElseGet(v::toJson);
    }

    private static void seed(SessionStore store, String id, List<Message> messages) {
        store.save(id, SessionCodec.write(new SessionCodec.Data(id, messages, Map.of(), null, Usage.ZERO, null, Set.of(),
                null, null, 0)), 0);
    }

    @ParameterizedTest
    @ValueSource(strings = {"file", "memory", "postgres"})
    void anotherUsersSessionsAreNeverShownAndTheRunningOneIsNeither(String kind) {
        try (SessionStore store = store(kind); Runner runner = team(store).runner().models(llm.models())
                .sessions(store).build()) {
            llm.respond(ScriptedReply.text("Billing is set up."));
            run(runner, "alice/1", "Set up billing in eu-west-1 with token " + TOKEN);
            llm.respond(ScriptedReply.text("Noted."));
            run(runner, "bob/1", "What is my salary of 12345 after tax?");
            llm.respond(ScriptedReply.toolCall("list_sessions", Map.of()))
                    .respond(ScriptedReply.text("Invoices are monthly."));
            List<ToolResultMessage> second = run(runner, "alice/2", "How often are invoices sent?");
            assertThat(listed(second.get(0).content()).size()).isEqualTo(1);

            llm.respond(ScriptedReply.toolCall("list_sessions", Map.of()))
                    .respond(read("-1")).respond(read("-2")).respond(read("-3"))
                    .respond(read("bob/1")).respond(read("alice/nope"))
                    .respond(read("alice/3")).respond(read("-0")).respond(read("-999")).respond(read("-1x"))
                    .respond(read("garbage")).respond(read(" ")).respond(read("bob/"))
                    .respond(ScriptedReply.toolCall("list_sessions", Map.of("limit", 1)))
                    .respond(ScriptedReply.toolCall("list_sessions", Map.of("limit", -5)))
                    .respond(ScriptedReply.text("done"));
            List<ToolResultMessage> r = run(runner, "alice/3", "What did we do before?");
            assertThat(r).hasSize(15);
            // the running session was in the store while its tools ran, and still was not shown
            assertThat(store.list("alice/", 10)).extracting(s -> s.id()).contains("alice/3");

            List<JsonObject> listed = listed(r.get(0).content());
            assertThat(listed).extracting(o -> field(o, "id")).containsExactly("alice/2", "alice/1");
            assertThat(field(listed.get(0), "title")).isEqualTo("How often are invoices sent?");
            assertThat(field(listed.get(0), "messages")).isEqualTo("4");
            assertThat(field(listed.get(0), "last_saved")).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
            assertThat(field(listed.get(1), "title")).isEqualTo("Set up billing in eu-west-1 with token [REDACTED]");

            assertThat(r.get(1).error()).isFalse();
            assertThat(r.get(1).content()).startsWith("# Session alice/2 — How often are invoices sent?\n")
                    .contains("## user\nHow often are invoices sent?", "→ called tool `list_sessions`",
                            "## tool result (list_sessions)", "## assistant\nInvoices are monthly.");
            assertThat(r.get(2).content()).startsWith("# Session alice/1").contains("## assistant\nBilling is set up.")
                    .contains("token [REDACTED]").doesNotContain(TOKEN);
            assertThat(r.get(3).error()).isTrue();
            assertThat(r.get(3).content()).contains("there are 2 earlier sessions you may read");
            // out of scope and missing answer alike: nothing tells the model that bob/1 exists
            assertThat(r.get(4).error()).isTrue();
            assertThat(r.get(4).content().replace("bob/1", "X"))
                    .isEqualTo(r.get(5).content().replace("alice/nope", "X"));
            assertThat(r.get(6).content()).contains("the session you are running in");
            assertThat(r.get(7).content()).contains("'-0' names no session");
            assertThat(r.get(8).content()).contains("reaches too far back");
            assertThat(r.get(9).content().replace("-1x", "X")).isEqualTo(r.get(5).content().replace("alice/nope", "X"));
            assertThat(r.get(10).content().replace("garbage", "X"))
                    .isEqualTo(r.get(5).content().replace("alice/nope", "X"));
            assertThat(r.get(11).content()).contains("session_id is empty");
            assertThat(r.get(12).content().replace("bob/", "X")).isEqualTo(r.get(5).content().replace("alice/nope", "X"));
            assertThat(listed(r.get(13).content()).size()).isEqualTo(1);
            assertThat(listed(r.get(14).content()).size()).isEqualTo(2);
            for (int i = 3; i < 13; i++) {
                assertThat(r.get(i).error()).as(r.get(i).content()).isTrue();
            }
            assertThat(r).allSatisfy(m -> assertThat(m.content()).doesNotContain("salary", "12345", "bob/1\""));

            // bob's run sees his own session only
            llm.respond(ScriptedReply.toolCall("list_sessions", Map.of())).respond(read("-2")).respond(read("alice/1"))
                    .respond(ScriptedReply.text("ok"));
            List<ToolResultMessage> bob = run(runner, "bob/2", "Anything from before?");
            assertThat(bob.get(0).content()).contains("\"bob/1\"").doesNotContain("alice");
            assertThat(bob.get(1).content()).contains("there is 1 earlier session you may read");
            assertThat(bob.get(2).content().replace("alice/1", "X")).isEqualTo(r.get(5).content().replace("alice/nope", "X"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"file", "memory", "postgres"})
    void limitsAreClampedAndADamagedSessionIsNamedWithoutHidingTheOthers(String kind) {
        try (SessionStore store = store(kind); Runner runner = team(store).runner().models(llm.models())
                .sessions(store).build()) {
            for (int i = 0; i < 105; i++) {
                seed(store, String.format("u/%03d", i), List.of(new UserMessage("question " + i)));
            }
            store.save("u/broken", "{\"version\":1,\"id\":\"u/broken\",\"messages\":[{\"role\":\"alien\"}]}", 0);
            seed(store, "u/newest", List.of(new UserMessage("the newest")));
            llm.respond(ScriptedReply.toolCall("list_sessions", Map.of()))
                    .respond(ScriptedReply.toolCall("list_sessions", Map.of("limit", 0)))
                    .respond(ScriptedReply.toolCall("list_sessions", Map.of("limit", 1000)))
                    .respond(ScriptedReply.toolCall("list_sessions", Map.of("limit", 3)))
                    .respond(read("-2"))
                    .respond(read("-101"))
                    .respond(ScriptedReply.toolCall("list_sessions", Map.of("limit", "many")))
                    .respond(ScriptedReply.text("done"));
            List<ToolResultMessage> r = run(runner, "u/now", "look back");
            assertThat(listed(r.get(0).content()).size()).isEqualTo(20);
            assertThat(listed(r.get(1).content()).size()).isEqualTo(20);
            assertThat(listed(r.get(2).content()).size()).isEqualTo(100);
            List<JsonObject> three = listed(r.get(3).content());
            assertThat(three).extracting(o -> field(o, "id")).containsExactly("u/newest", "u/broken", "u/104");
            assertThat(field(three.get(1), "unreadable")).isEqualTo("true");
            assertThat(three.get(1).has("title")).isFalse();
            assertThat(r.get(4).error()).isTrue();
            assertThat(r.get(4).content()).contains("u/broken", "cannot be read");
            assertThat(r.get(5).content()).contains("reaches too far back");
            assertThat(r.get(6).error()).isTrue();
        }
    }

    @Test
    void aLongSessionKeepsItsEndAndItsHeaderWithinTheBudget() {
        SessionStore store = store("memory");
        List<Message> long_ = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            long_.add(new UserMessage("question " + i + " " + "q".repeat(300)));
            long_.add(new AssistantMessage("answer " + i + " " + "a".repeat(300),
                    List.of(new ToolCall("c" + i, "lookup", "{\"n\":" + i + "}"))));
            long_.add(new ToolResultMessage("c" + i, "lookup", "result " + i + " " + "r".repeat(300), i % 7 == 0));
        }
        seed(store, "carol/long", long_);
        try (Runner runner = team(store).runner().models(llm.models()).sessions(store).build()) {
            llm.respond(read("carol/long")).respond(ScriptedReply.text("done"));
            String transcript = run(runner, "carol/now", "continue").get(0).content();
            assertThat(transcript.length()).isLessThanOrEqualTo(24_000);
            assertThat(transcript).startsWith("# Session carol/long — question 0 ")
                    .contains("Messages: 180\n")
                    .containsPattern("\\[\\d+ earlier message\\(s\\) left out to stay within the size limit; the last "
                            + "\\d+ follow]")
                    .contains("result 59 ", "answer 59 ", "→ called tool `lookup` with {\"n\":59}")
                    .doesNotContain("## user\nquestion 0 ");
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\[(\\d+) earlier message\\(s\\) left out.*"
                    + "the last (\\d+) follow]").matcher(transcript);
            assertThat(m.find()).isTrue();
            assertThat(Integer.parseInt(m.group(1)) + Integer.parseInt(m.group(2))).isEqualTo(180);
            assertThat(transcript.split("\n## ", -1).length - 1).isEqualTo(Integer.parseInt(m.group(2)));
        }
    }

    @Test
    void withoutAHistoryTheFileLoadsCleanAndEachCallSaysWhatToConfigure() {
        Team team = TeamFiles.parse(dir, TEAM);
        assertThat(team.warnings()).isEmpty();
        llm.respond(ScriptedReply.toolCall("list_sessions", Map.of())).respond(read("-1"))
                .respond(ScriptedReply.text("nothing to recall"));
        List<ToolResultMessage> results;
        try (Runner runner = team.runner().models(llm.models()).sessions(SessionStore.inMemory()).build()) {
            results = run(runner, "alice/1", "recall");
        }
        assertThat(results).hasSize(2).allSatisfy(t -> {
            assertThat(t.error()).isTrue();
            assertThat(t.content()).contains("TeamServices.builder().sessionHistory(new SessionHistory(store, scope))");
        });
        assertThat(llm.requests().get(0).toolNames()).contains("list_sessions", "read_session");
        assertThat(llm.requests().get(0).systemPrompt()).contains("list_sessions", "read_session");
    }

    @Test
    void aScopeThatCannotTellTheOwnerShowsNothing() {
        SessionStore store = store("memory");
        seed(store, "alice/1", List.of(new UserMessage("hello")));
        try (Runner runner = team(store).runner().models(llm.models()).sessions(store).build()) {
            llm.respond(ScriptedReply.toolCall("list_sessions", Map.of())).respond(read("-1")).respond(read("alice/1"))
                    .respond(ScriptedReply.text("done"));
            List<ToolResultMessage> r = run(runner, "no-owner-session", "look back");
            assertThat(r.get(0).content()).isEqualTo("[]");
            assertThat(r.get(1).content()).contains("there are 0 earlier sessions");
            assertThat(r.get(2).content()).contains("there is no earlier session 'alice/1'");
        }
    }
}
