package dev.keel.samples;

import dev.keel.agents.RecordingDivergenceException;
import dev.keel.agents.recording.CheckedResource;
import dev.keel.agents.recording.RecordedRun;
import dev.keel.agents.recording.RecordedStep;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keel.agents.AgentResult;
import dev.keel.authz.SubjectRef;
import dev.keel.authz.embedded.EmbeddedSpiceDb;
import dev.keel.authz.embedded.SpiceDbLibraryNotFoundException;
import dev.keel.core.openai.OpenAiCompatible;
import dev.keel.rag.store.Hit;
import dev.keel.testing.model.RecordedChatRequest;
import dev.keel.testing.model.ScriptedModelServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The seeds' permission-aware RAG scenario end to end, as the flagship runs it: real chunks, in-process
 * embeddings, Keel's vector store and retriever, the real SpiceDB (embedded), the agent loop over real HTTP.
 */
class FlagshipSampleTest {
    /** Text only the roadmap (doc1) contains, and text only the playbook (doc2) contains. */
    static final List<String> ROADMAP = List.of("3 March", "partner portal");
    static final List<String> PLAYBOOK = List.of("second approver", "sales leadership", "account manager");
    static final Map<String, Set<String>> READABLE = Map.of(
            "emilia", Set.of("doc1", "doc3"), "beatrice", Set.of("doc2", "doc3"), "charlie", Set.of("doc3"));

    static CompanyKnowledge knowledge;

    @BeforeAll
    static void open() {
        try {
            EmbeddedSpiceDb.locateLibrary();
        } catch (SpiceDbLibraryNotFoundException e) {
            // CI must have it (the build installs it); elsewhere a machine without npm access skips, saying why
            Assumptions.assumeTrue("true".equals(System.getenv("CI")), e.getMessage());
            throw e;
        }
        knowledge = CompanyKnowledge.open();
    }

    @AfterAll
    static void close() {
        if (knowledge != null) {
            knowledge.close();
        }
    }

    @Test
    void eachUserGetsAnAnswerFromWhatTheyMayReadAndNothingElseReachesTheModel() {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        Map<String, AgentResult> results;
        List<RecordedChatRequest> requests;
        try (ScriptedModelServer llm = OfflineHelpdesk.start();
             OpenAiCompatible model = OpenAiCompatible.builder().baseUrl(llm.baseUrl()).model("offline").build()) {
            results = FlagshipSample.run(knowledge, model, FlagshipSample.QUESTION,
                    new PrintStream(printed, true, StandardCharsets.UTF_8));
            requests = llm.requests();
            llm.assertNoFailures();
        }

        assertThat(results.get("emilia").output()).contains("3 March").contains("refund within 30 days");
        assertThat(results.get("beatrice").output()).contains("billing console").contains("refund within 30 days");
        assertThat(results.get("charlie").output()).contains("refund within 30 days");
        // two model calls per user (search, then answer), users in order
        assertThat(requests).hasSize(6);
        assertThat(requests.get(1).body()).contains("3 March");
        assertThat(requests.get(3).body()).contains("second approver");
        assertNoneContain(List.of(results.get("beatrice").output(), requests.get(2).body(), requests.get(3).body()), ROADMAP);
        assertNoneContain(List.of(results.get("emilia").output(), requests.get(0).body(), requests.get(1).body()), PLAYBOOK);
        for (RecordedChatRequest charlies : requests.subList(4, 6)) {
            assertNoneContain(List.of(charlies.body(), results.get("charlie").output()), ROADMAP);
            assertNoneContain(List.of(charlies.body(), results.get("charlie").output()), PLAYBOOK);
        }
        String console = printed.toString(StandardCharsets.UTF_8);
        assertThat(console).contains("→ search_docs").contains("helpdesk: From the documents")
                .contains("withheld from user:charlie").contains("document:doc1 DENIED");
    }

    @Test
    void aRecordedRunReplaysTheSameTranscriptWithNoModelNoDocumentsAndNoSpiceDb(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("flagship.run.yaml");
        SampleRecording record = SampleRecording.parse(new String[] {"--record", file.toString()});
        ByteArrayOutputStream recorded = new ByteArrayOutputStream();
        try (ScriptedModelServer llm = OfflineHelpdesk.start();
             OpenAiCompatible model = OpenAiCompatible.builder().providerName("scripted").baseUrl(llm.baseUrl())
                     .model("offline-helpdesk").build()) {
            FlagshipSample.run(knowledge, model, FlagshipSample.QUESTION,
                    new PrintStream(recorded, true, StandardCharsets.UTF_8), record);
            llm.assertNoFailures();
        }
        RecordedRun run = RecordedRun.read(file);
        assertThat(run.steps(RecordedStep.PermissionCheck.class)).hasSize(3).anySatisfy(check -> {
            assertThat(check.subject()).isEqualTo("user:charlie");
            assertThat(check.checked()).contains(CheckedResource.withheld("document:doc1", "DENIED"))
                    .noneMatch(c -> c.allowed() && !c.resource().equals("document:doc3"));
        });
        assertThat(run.steps(RecordedStep.PermissionCheck.class).toString()).doesNotContainIgnoringCase("3 March");

        // Replay: the knowledge base (embeddings, SpiceDB) is not opened and the model cannot be called.
        SampleRecording replay = SampleRecording.parse(new String[] {"--replay", file.toString()});
        ByteArrayOutputStream replayed = new ByteArrayOutputStream();
        FlagshipSample.run(null, FlagshipSample.replayOnly(replay.replayedModelLabel()), FlagshipSample.QUESTION,
                new PrintStream(replayed, true, StandardCharsets.UTF_8), replay);
        assertThat(replayed.toString(StandardCharsets.UTF_8)).isEqualTo(recorded.toString(StandardCharsets.UTF_8))
                .contains("=== charlie asks:", "user:charlie read: [", "document:doc1 DENIED")
                .doesNotContain(" ms)");

        // Another question is not in the recording: the first divergence names the agent and turn.
        assertThatThrownBy(() -> FlagshipSample.run(null, FlagshipSample.replayOnly(replay.replayedModelLabel()),
                "What is the office wifi password?", new PrintStream(new ByteArrayOutputStream(), true,
                        StandardCharsets.UTF_8), replay))
                .isInstanceOfSatisfying(RecordingDivergenceException.class, e -> {
                    assertThat(e.agent()).isEqualTo("helpdesk");
                    assertThat(e.turn()).isZero();
                    assertThat(e.session()).isEqualTo("s1");
                    assertThat(e.diff()).contains("+ ").contains("wifi password");
                });
    }

    @ParameterizedTest
    @ValueSource(strings = {"When does usage-based pricing launch?", "How do refunds work?",
            "What does the partner portal include?", "Can I give a customer a discount?", "Which plans are there?"})
    void eachUsersSearchReturnsOnlyWhatTheyMayRead(String question) {
        for (String user : FlagshipSample.USERS) {
            SubjectRef subject = SubjectRef.of("user", user);
            CompanyKnowledge.Search search = knowledge.search(question, subject);
            for (Hit hit : search.hits()) {
                assertThat(READABLE.get(user)).as(user + " got " + hit.sourceId()).contains(hit.sourceId());
                assertThat(knowledge.mayRead(subject, hit.sourceId())).isTrue();
            }
            assertThat(search.withheld()).allSatisfy(d ->
                    assertThat(READABLE.get(user)).doesNotContain(d.resource().id()));
        }
    }

    @Test
    void theTraceFileIsOtlpJsonWithTheRunsSpansAndNoDocumentText(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("flagship-trace.json");
        try (TraceFile traces = TraceFile.create(file, "keel-flagship-sample");
             ScriptedModelServer llm = OfflineHelpdesk.start();
             OpenAiCompatible model = OpenAiCompatible.builder().baseUrl(llm.baseUrl()).model("offline").build()) {
            FlagshipSample.run(knowledge, model, FlagshipSample.QUESTION,
                    new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), traces.telemetry());
            assertThat(file).doesNotExist(); // written whole on close, never half
        }
        String text = Files.readString(file);
        JsonNode request = new ObjectMapper().readTree(text);
        JsonNode resource = request.path("resourceSpans").get(0);
        assertThat(resource.path("resource").path("attributes").toString())
                .contains("\"service.name\"").contains("keel-flagship-sample");
        List<JsonNode> spans = new ArrayList<>();
        resource.path("scopeSpans").forEach(scope -> scope.path("spans").forEach(spans::add));
        Map<String, JsonNode> byId = new HashMap<>();
        spans.forEach(s -> byId.put(s.path("spanId").asText(), s));
        Map<String, Long> names = spans.stream().collect(Collectors.groupingBy(s -> s.path("name").asText(),
                Collectors.counting()));
        // three users, each one run of two turns: search, then answer
        assertThat(names).containsEntry("invoke_agent helpdesk", 3L).containsEntry("keel.turn helpdesk", 6L)
                .containsEntry("chat offline", 6L).containsEntry("execute_tool search_docs", 3L)
                .containsEntry("keel.retrieval", 3L).containsEntry("keel.permission_filter", 3L);
        for (JsonNode span : spans) {
            assertThat(span.path("traceId").asText()).matches("[0-9a-f]{32}");
            assertThat(span.path("spanId").asText()).matches("[0-9a-f]{16}");
            assertThat(Long.parseLong(span.path("endTimeUnixNano").asText()))
                    .isGreaterThanOrEqualTo(Long.parseLong(span.path("startTimeUnixNano").asText()));
            if (span.has("parentSpanId")) {
                JsonNode parent = byId.get(span.path("parentSpanId").asText());
                assertThat(parent).as("parent of " + span.path("name")).isNotNull();
                assertThat(parent.path("traceId")).isEqualTo(span.path("traceId"));
            } else {
                assertThat(span.path("name").asText()).isEqualTo("invoke_agent helpdesk");
            }
        }
        // The permission filter ran inside the search tool's call: its span says how many were checked, kept and
        // dropped; charlie may read only the public FAQ, so some of his candidates were dropped.
        List<JsonNode> filters = spans.stream().filter(s -> s.path("name").asText().equals("keel.permission_filter")).toList();
        for (JsonNode filter : filters) {
            assertThat(byId.get(filter.path("parentSpanId").asText()).path("name").asText())
                    .isEqualTo("execute_tool search_docs");
            assertThat(attribute(filter, "keel.authz.checked") ).isEqualTo(
                    attribute(filter, "keel.authz.kept") + attribute(filter, "keel.authz.dropped"));
        }
        assertThat(filters).anySatisfy(f -> assertThat(attribute(f, "keel.authz.dropped")).isPositive());
        // No document text, no prompt, no answer in the file.
        assertNoneContain(List.of(text), ROADMAP);
        assertNoneContain(List.of(text), PLAYBOOK);
        assertThat(text).doesNotContain("refund within 30 days").doesNotContain("usage-based pricing starts");
    }

    private static long attribute(JsonNode span, String key) {
        for (JsonNode a : span.path("attributes")) {
            if (a.path("key").asText().equals(key)) {
                return Long.parseLong(a.path("value").path("intValue").asText());
            }
        }
        throw new AssertionError("no attribute " + key + " on " + span.path("name"));
    }

    private static void assertNoneContain(List<String> texts, List<String> secrets) {
        for (String text : texts) {
            for (String secret : secrets) {
                assertThat(text).doesNotContainIgnoringCase(secret);
            }
        }
    }
}
