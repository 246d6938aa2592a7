package dev.keel.agents.team;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.agents.Runner;
import dev.keel.agents.tool.ToolsetException;
import dev.keel.core.json.JsonArray;
import dev.keel.core.json.JsonObject;
import dev.keel.core.json.JsonValue;
import dev.keel.core.message.ToolResultMessage;
import dev.keel.rag.knowledge.KnowledgeHit;
import dev.keel.testing.model.RecordedChatRequest;
import dev.keel.testing.model.ScriptedModelServer;
import dev.keel.testing.model.ScriptedReply;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * docker-agent's {@code rag:} knowledge bases in team files, end to end: the team starts, indexes real files in a
 * temp directory, the scripted model calls the search tool docker-agent exposes, and the tool's answer reaches the
 * next model request. Embeddings are served by the scripted model server over loopback HTTP. The host's
 * {@link KnowledgeAccess} filter is attacked: a dropped document and a throwing filter must leave no trace of the
 * hidden text in any request the model receives.
 */
class TeamRagTest {
    private static final String ROTATION = "Rotate the signing key with keelctl rotate-key every ninety days.";
    private static final String BACKUPS = "Backups of the ledger run nightly at two in the morning.";
    private static final String SECRET = "The merger with Initech closes on the first of March.";

    /** The smallest knowledge base: keyword search over the docs folder, on the root agent's rag list. */
    private static final String HANDBOOK_BM25 = """
            rag:
              handbook:
                docs: [docs]
                strategies: [{type: bm25}]
            agents:
              root:
                model: openai/gpt-5
                rag: [handbook]
            """;

    @TempDir
    Path dir;
    private ScriptedModelServer llm;
    private Path work;

    @BeforeEach
    void start() throws Exception {
        llm = ScriptedModelServer.start();
        work = Files.createDirectories(dir.resolve("work"));
        Path docs = Files.createDirectories(work.resolve("docs"));
        Files.writeString(docs.resolve("security.md"), "# Security\n\n" + ROTATION + "\n");
        Files.writeString(docs.resolve("operations.md"), "# Operations\n\n" + BACKUPS + "\n");
        Files.writeString(docs.resolve("notes.txt"), "not markdown, not matched by the glob\n");
        // A vector per topic: texts about the signing key point one way, everything else another.
        llm.embeddings(text -> text.toLowerCase().contains("signing key") ? new float[] {1, 0, 0}
                : text.toLowerCase().contains("merger") ? new float[] {0.6f, 0.8f, 0} : new float[] {0, 0, 1});
    }

    @AfterEach
    void stop() {
        llm.close();
    }

    private Team load(String yaml, TeamServices.Builder services) {
        return Teams.parse(yaml, "team.yaml", TeamOptions.defaults(dir).withWorkingDirectory(work)
                .withEnv(Map.of("OPENAI_API_KEY", "sk-test"))
                .withServices(services.build()));
    }

    private Team load(String yaml) {
        return load(yaml, TeamServices.builder().syncKnowledgeOnStart(true));
    }

    private static List<ToolResultMessage> toolResults(RecordedChatRequest request) {
        return request.messages().stream().filter(ToolResultMessage.class::isInstance)
                .map(ToolResultMessage.class::cast).toList();
    }

    private String ask(Team team, String tool, String query) {
        llm.respond(ScriptedReply.toolCall(tool, Map.of("query", query))).respond(ScriptedReply.text("done"));
        try (Runner runner = team.runner().models(llm.models()).build()) {
            assertThat(runner.run("question").output()).isEqualTo("done");
        }
        List<RecordedChatRequest> requests = llm.requests();
        List<ToolResultMessage> results = toolResults(requests.get(requests.size() - 1));
        assertThat(results).hasSize(1);
        return results.get(0).content();
    }

    private static JsonArray answer(String json) {
        return (JsonArray) JsonValue.parse(json);
    }

    private static String content(JsonValue passage) {
        return ((JsonObject) passage).get("content").flatMap(JsonValue::asString).orElseThrow();
    }

    private static String source(JsonValue passage) {
        return ((JsonObject) passage).get("source_path").flatMap(JsonValue::asString).orElseThrow();
    }

    private void assertNoRequestContains(String text) {
        for (RecordedChatRequest r : llm.requests()) {
            assertThat(r.body()).doesNotContain(text);
        }
    }

    @Test
    void bm25KnowledgeBaseFromTheAgentRagListAnswersTheSearchToolAsDockerAgentDoes() {
        Team team = load("""
                rag:
                  handbook:
                    docs: [docs/**/*.md]
                    strategies:
                      - type: bm25
                agents:
                  root:
                    model: openai/gpt-5
                    rag: [handbook]
                """);
        String json = ask(team, "handbook", "how do I rotate the signing key?");
        JsonArray passages = answer(json);
        assertThat(passages.size()).isGreaterThanOrEqualTo(1);
        assertThat(content(passages.get(0))).contains(ROTATION);
        assertThat(source(passages.get(0))).isEqualTo("docs/security.md"); // relative to the working directory
        assertThat(((JsonObject) passages.get(0)).get("chunk_index")).isPresent();
        assertThat(json).doesNotContain("not matched by the glob");

        // the tool as docker-agent exposes it: named after the rag entry, its default description, one query
        RecordedChatRequest first = llm.requests().get(0);
        JsonObject tool = tool(first, "handbook");
        JsonObject function = (JsonObject) tool.get("function").orElseThrow();
        assertThat(function.get("description").flatMap(JsonValue::asString).orElseThrow())
                .isEqualTo("Search project documents from handbook to find relevant code or documentation. Provide a "
                        + "natural language query describing what you need. Returns the most relevant document "
                        + "chunks with file paths.");
        JsonObject parameters = (JsonObject) function.get("parameters").orElseThrow();
        assertThat(parameters.get("required").orElseThrow().toJson()).isEqualTo("[\"query\"]");
        assertThat(((JsonObject) parameters.get("properties").orElseThrow()).names()).containsExactly("query");
        assertThat(first.systemPrompt()).contains("Search documents in handbook to find relevant code or documentation.");
        // the index lives under the working directory unless a database says otherwise
        assertThat(work.resolve(".keel/rag/handbook")).isDirectory();
    }

    private static JsonObject tool(RecordedChatRequest request, String name) {
        for (JsonValue t : ((JsonArray) request.json().get("tools").orElseThrow()).items()) {
            JsonObject function = (JsonObject) ((JsonObject) t).get("function").orElseThrow();
            if (function.get("name").flatMap(JsonValue::asString).orElse("").equals(name)) {
                return (JsonObject) t;
            }
        }
        throw new AssertionError("no tool " + name + " in " + request.toolNames());
    }

    @Test
    void chunkedEmbeddingsEmbedThroughTheTeamsModelOverHttpAndTheToolBlockRenamesTheTool() {
        Team team = load("""
                models:
                  embedder:
                    provider: openai
                    model: text-embedding-3-small
                    base_url: %s
                rag:
                  handbook:
                    name: Operations handbook
                    tool:
                      name: search_handbook
                      description: The operations handbook
                      instruction: Search the handbook before answering.
                    docs: [docs]
                    strategies:
                      - type: chunked-embeddings
                        embedding_model: embedder
                        database: ./index/handbook
                        vector_dimensions: 3
                        similarity_metric: cosine_similarity
                        threshold: 0.5
                        limit: 5
                        embedding_batch_size: 2
                        max_embedding_concurrency: 2
                        chunking: {size: 200, overlap: 20, respect_word_boundaries: true}
                agents:
                  root:
                    model: openai/gpt-5
                    toolsets:
                      - type: rag
                        ref: handbook
                """.formatted(llm.baseUrl()));
        assertThat(team.warnings()).isEmpty();
        // name is the toolset's display name; the tool keeps tool.name
        assertThat(team.root().toolsets().get(0).name()).isEqualTo("Operations handbook");
        String json = ask(team, "search_handbook", "what about the signing key?");
        JsonArray passages = answer(json);
        assertThat(passages.size()).isEqualTo(1); // the other documents score 0, under the threshold
        assertThat(content(passages.get(0))).contains(ROTATION);
        assertThat(llm.embeddingRequests()).isNotEmpty();
        assertThat(llm.embeddingRequests()).allSatisfy(r -> assertThat(r.model()).isEqualTo("text-embedding-3-small"));
        // embedding_batch_size 2: no call carries more than two chunks
        assertThat(llm.embeddingRequests()).allSatisfy(r -> assertThat(r.inputs().size()).isLessThanOrEqualTo(2));
        RecordedChatRequest first = llm.requests().get(0);
        assertThat(first.toolNames()).contains("search_handbook").doesNotContain("handbook");
        assertThat(tool(first, "search_handbook").toJson()).contains("The operations handbook");
        assertThat(first.systemPrompt()).contains("Search the handbook before answering.");
        assertThat(work.resolve("index/handbook")).isDirectory();
    }

    @Test
    void hybridRrfFusesBm25AndEmbeddingsAndTheIndexIsSharedByAgents() {
        Team team = load("""
                models:
                  embedder: {provider: openai, model: text-embedding-3-small, base_url: %s}
                rag:
                  handbook:
                    docs: [docs]
                    strategies:
                      - type: chunked-embeddings
                        embedding_model: embedder
                        threshold: 0.1
                      - type: bm25
                        k1: 1.2
                        b: 0.5
                    results:
                      fusion: {strategy: rrf, k: 60}
                      deduplicate: true
                      include_score: true
                      limit: 2
                agents:
                  root:
                    model: openai/gpt-5
                    rag: [handbook]
                    sub_agents: [helper]
                  helper:
                    model: openai/gpt-5
                    toolsets: [{type: rag, ref: handbook}]
                """.formatted(llm.baseUrl()));
        assertThat(team.agents().get("root").toolsets()).hasSize(1);
        assertThat(team.agents().get("helper").toolsets().get(0)).isSameAs(team.agents().get("root").toolsets().get(0));
        String json = ask(team, "handbook", "rotate signing key keelctl");
        JsonArray passages = answer(json);
        assertThat(passages.size()).isBetween(1, 2);
        assertThat(content(passages.get(0))).contains(ROTATION);
        assertThat(json).contains("chunked-embeddings", "bm25"); // include_score: each strategy's score
    }

    /** Three strategies, each with its own docker-agent {@code database}, over the team's embedder. */
    private String threeDatabases(String kb) {
        return """
                models:
                  embedder: {provider: openai, model: text-embedding-3-small, base_url: %s}
                rag:
                  %s:
                    docs: [docs]
                    strategies:
                      - type: chunked-embeddings
                        embedding_model: embedder
                        database: ./rag/%s.vectors.db
                        vector_dimensions: 3
                        threshold: 0.1
                      - type: bm25
                        database: ./rag/%s.bm25.db
                      - type: chunked-embeddings
                        embedding_model: embedder
                        database: ./rag/%s.small.db
                        vector_dimensions: 3
                        threshold: 0.1
                        chunking: {size: 60, overlap: 0}
                    results:
                      include_score: true
                      deduplicate: false
                agents:
                  root:
                    model: openai/gpt-5
                    toolsets: [{type: rag, ref: %s}]
                """.formatted(llm.baseUrl(), kb, kb, kb, kb, kb);
    }

    private List<String> embeddedInputs() {
        return llm.embeddingRequests().stream().flatMap(r -> r.inputs().stream()).toList();
    }

    @Test
    void eachStrategyKeepsItsIndexInItsOwnDatabaseTheirResultsAreFusedAndARestartEmbedsNoDocumentAgain()
            throws Exception {
        Team team = load(threeDatabases("handbook"));
        assertThat(team.warnings()).isEmpty();
        String json = ask(team, "handbook", "rotate the signing key");
        assertThat(content(answer(json).get(0))).contains(ROTATION);
        // include_score names each strategy that found the passage: all three directories answered
        assertThat(json).contains("\"chunked-embeddings\"", "\"bm25\"", "\"chunked-embeddings-2\"");
        for (String db : List.of("vectors", "bm25", "small")) {
            assertThat(work.resolve("rag/handbook." + db + ".db/CURRENT")).as(db).isRegularFile();
        }
        assertThat(work.resolve(".keel/rag/handbook")).as("no strategy uses the default directory").doesNotExist();
        List<String> first = embeddedInputs();
        assertThat(first).anyMatch(t -> t.contains("signing key"));

        // a restart: every directory is reused, no document is embedded again (only the question)
        Team again = load(threeDatabases("handbook"));
        String json2 = ask(again, "handbook", "rotate the signing key");
        assertThat(content(answer(json2).get(0))).contains(ROTATION);
        List<String> later = embeddedInputs().subList(first.size(), embeddedInputs().size());
        assertThat(later).isNotEmpty().allSatisfy(t -> assertThat(t).isEqualTo("rotate the signing key"));
    }

    @Test
    void anUnwritableDatabaseIsATypedErrorNamingTheStrategyAndPathAndNothingIsWrittenElsewhere() throws Exception {
        Files.writeString(work.resolve("blocker"), "a file where a directory should be");
        Team team = load("""
                rag:
                  handbook:
                    docs: [docs]
                    strategies:
                      - type: bm25
                        database: ./rag/handbook.bm25.db
                      - type: bm25
                        database: ./blocker/handbook.db
                        k1: 1.2
                      - type: bm25
                        b: 0.5
                agents:
                  root: {model: openai/gpt-5, toolsets: [{type: rag, ref: handbook}]}
                """);
        assertThat(team.warnings()).isEmpty();
        Path blocked = work.resolve("blocker/handbook.db").toAbsolutePath().normalize();
        assertThatThrownBy(() -> team.root().toolsets().get(0).tools()).isInstanceOf(ToolsetException.class)
                .hasMessageContaining("knowledge base 'handbook'").hasMessageContaining("strategy 'bm25-1'")
                .hasMessageContaining(blocked.toString()).hasMessageContaining("cannot be written");
        assertThat(work.resolve("rag")).doesNotExist();
        assertThat(work.resolve(".keel")).doesNotExist();
        team.root().toolsets().get(0).close();
    }

    @Test
    void strategiesOfOneKnowledgeBaseShareADatabaseTwoKnowledgeBasesNever() {
        Team team = load("""
                models:
                  embedder: {provider: openai, model: text-embedding-3-small, base_url: %s}
                rag:
                  handbook:
                    docs: [docs]
                    strategies:
                      - type: chunked-embeddings
                        embedding_model: embedder
                        database: ./rag/handbook.db
                        vector_dimensions: 3
                        threshold: 0.1
                      - type: bm25
                        database: ./rag/./handbook.db
                agents:
                  root: {model: openai/gpt-5, toolsets: [{type: rag, ref: handbook}]}
                """.formatted(llm.baseUrl()));
        assertThat(team.warnings()).isEmpty();
        String json = ask(team, "handbook", "rotate the signing key");
        assertThat(content(answer(json).get(0))).contains(ROTATION);
        assertThat(work.resolve("rag/handbook.db/CURRENT")).isRegularFile();
        assertThat(work.resolve("rag")).isDirectoryContaining(p -> p.getFileName().toString().equals("handbook.db"));

        assertThatThrownBy(() -> load("""
                rag:
                  handbook:
                    docs: [docs]
                    strategies:
                      - type: bm25
                        database: ./rag/shared.db
                  runbook:
                    docs: [docs]
                    strategies:
                      - type: bm25
                        database: rag/shared.db
                agents:
                  root: {model: openai/gpt-5, toolsets: [{type: rag, ref: handbook}, {type: rag, ref: runbook}]}
                """)).isInstanceOf(TeamFileException.class)
                .hasMessageContaining("team.yaml:11: rag.runbook.strategies[0].database")
                .hasMessageContaining("knowledge base 'handbook' (rag.handbook.strategies[0].database, line 6)");
        assertThatThrownBy(() -> load("""
                rag:
                  handbook:
                    docs: [docs]
                    strategies:
                      - type: bm25
                        database: ./rag
                      - type: bm25
                        database: ./rag/inner
                agents:
                  root: {model: openai/gpt-5, toolsets: [{type: rag, ref: handbook}]}
                """)).isInstanceOf(TeamFileException.class)
                .hasMessageContaining("rag.handbook.strategies[1].database").hasMessageContaining("lies inside");
    }

    @Test
    void aDatabaseWrittenByAnotherKnowledgeBaseIsRefusedAndLeftIntact() throws Exception {
        Team first = load(threeDatabases("handbook"));
        ask(first, "handbook", "rotate the signing key");
        Path theirs = work.resolve("rag/handbook.bm25.db");
        String live = Files.readString(theirs.resolve("CURRENT"));
        int embedded = embeddedInputs().size();

        // another team file whose knowledge base names the first one's database
        Team other = load("""
                rag:
                  runbook:
                    docs: [docs]
                    strategies:
                      - type: bm25
                        database: ./rag/handbook.bm25.db
                agents:
                  root: {model: openai/gpt-5, toolsets: [{type: rag, ref: runbook}]}
                """);
        assertThatThrownBy(() -> other.root().toolsets().get(0).tools()).isInstanceOf(ToolsetException.class)
                .hasMessageContaining("strategy 'bm25' of knowledge base 'runbook'")
                .hasMessageContaining(theirs.toAbsolutePath().normalize().toString())
                .hasMessageContaining("holds the index of knowledge base 'handbook'");
        other.root().toolsets().get(0).close();
        assertThat(Files.readString(theirs.resolve("CURRENT"))).isEqualTo(live);

        // and the owner still finds its index whole: nothing is embedded again
        Team again = load(threeDatabases("handbook"));
        assertThat(content(answer(ask(again, "handbook", "rotate the signing key")).get(0))).contains(ROTATION);
        assertThat(embeddedInputs().subList(embedded, embeddedInputs().size()))
                .allSatisfy(t -> assertThat(t).isEqualTo("rotate the signing key"));
    }

    @Test
    void theDefaultIndexesInTheBackgroundAndTheFirstSearchWaitsForTheFirstPass() {
        Team team = load(HANDBOOK_BM25, TeamServices.builder());
        String json = ask(team, "handbook", "ledger backups nightly");
        assertThat(content(answer(json).get(0))).contains(BACKUPS);
    }

    @Test
    void aDocumentTheAccessFilterDropsNeverReachesTheModel() throws Exception {
        Files.writeString(work.resolve("docs/board.md"), "# Board\n\n" + SECRET + " The signing key is unrelated.\n");
        AtomicInteger calls = new AtomicInteger();
        KnowledgeAccess access = (kb, ctx) -> {
            calls.incrementAndGet();
            assertThat(kb).isEqualTo("handbook");
            assertThat(ctx.agent()).isEqualTo("root");
            return hits -> hits.stream().filter(h -> !h.source().equals("docs/board.md")).toList();
        };
        Team team = load(HANDBOOK_BM25, TeamServices.builder().syncKnowledgeOnStart(true).knowledgeAccess(access));
        String json = ask(team, "handbook", "signing key merger Initech");
        assertThat(calls.get()).isEqualTo(1);
        assertThat(content(answer(json).get(0))).contains(ROTATION);
        assertNoRequestContains("closes on the first of March"); // the query names Initech; the passage must not show
    }

    @Test
    void aThrowingOrNullFilterFailsTheCallClosedWithoutShowingAnyPassage() throws Exception {
        Files.writeString(work.resolve("docs/board.md"), "# Board\n\n" + SECRET + "\n");
        for (KnowledgeAccess broken : List.<KnowledgeAccess>of(
                (kb, ctx) -> hits -> {
                    throw new IllegalStateException("denied: " + hits.stream().map(KnowledgeHit::text).toList());
                },
                (kb, ctx) -> {
                    throw new IllegalStateException("authz is down");
                },
                (kb, ctx) -> null,
                (kb, ctx) -> hits -> null)) {
            Team team = load(HANDBOOK_BM25, TeamServices.builder().syncKnowledgeOnStart(true).knowledgeAccess(broken));
            int before = llm.requests().size();
            llm.respond(ScriptedReply.toolCall("handbook", Map.of("query", "merger Initech"))).respond(ScriptedReply.text("ok"));
            try (Runner runner = team.runner().models(llm.models()).build()) {
                runner.run("question");
            }
            List<RecordedChatRequest> requests = llm.requests();
            ToolResultMessage result = toolResults(requests.get(requests.size() - 1)).get(0);
            assertThat(result.content()).startsWith("knowledge base 'handbook': ")
                    .containsAnyOf("the access check failed, so nothing is shown", "the search filter returned null");
            assertThat(requests.size()).isEqualTo(before + 2);
            assertNoRequestContains("closes on the first of March");
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "threshold: high|4|rag.kb.strategies[0].threshold: expected a number",
            "threshold: -1|4|rag.kb.strategies[0].threshold: must be between 0 and any",
            "limit: 0|4|rag.kb.strategies[0].limit: must be at least 1",
            "chunking: {size: 100, overlap: 100}|4|rag.kb.strategies[0].chunking.overlap: must be at least 0 and less than the size",
            "k1: [1]|4|rag.kb.strategies[0].k1: expected a number",
            "b: 2|4|rag.kb.strategies[0].b: must be between 0 and 1",
    })
    void malformedStrategyFieldsAreLocatedErrors(String field, int line, String message) {
        assertThatThrownBy(() -> load("""
                rag:
                  kb:
                    strategies:
                      - type: bm25
                        %s
                agents:
                  root: {model: openai/gpt-5, rag: [kb]}
                """.formatted(field)))
                .isInstanceOf(TeamFileException.class)
                .hasMessageContaining("team.yaml:5: " + message);
    }

    /**
     * The agent's side of a conversation through {@code respondWith}: search once with {@code query}, then answer.
     * Other model calls (summaries, reranking) go to {@code others}.
     */
    private static java.util.function.Function<RecordedChatRequest, ScriptedReply> agentSearching(String tool,
            String query, java.util.function.Function<RecordedChatRequest, ScriptedReply> others) {
        return request -> {
            if (!request.toolNames().contains(tool)) {
                return others.apply(request);
            }
            return toolResults(request).isEmpty() ? ScriptedReply.toolCall(tool, Map.of("query", query))
                    : ScriptedReply.text("done");
        };
    }

    private String lastToolAnswer() {
        List<RecordedChatRequest> agentRequests = llm.requests().stream()
                .filter(r -> !toolResults(r).isEmpty()).toList();
        return toolResults(agentRequests.get(agentRequests.size() - 1)).get(0).content();
    }

    @Test
    void aModelReranksWhatTheFilterLeftAndNeverSeesTheDroppedDocument() throws Exception {
        Files.writeString(work.resolve("docs/board.md"), "# Board\n\n" + SECRET + " Ledger backups and the signing "
                + "key are on the agenda.\n");
        List<String> rerankPrompts = new java.util.concurrent.CopyOnWriteArrayList<>();
        llm.respondWith(agentSearching("handbook", "signing key ledger backups", request -> {
            String prompt = request.lastUserText();
            rerankPrompts.add(prompt);
            // one score per numbered passage: the backups passage is the most relevant
            List<String> scores = new java.util.ArrayList<>();
            for (String part : prompt.split("\n\\[\\d+\\] ")) {
                if (part.startsWith("(")) {
                    scores.add(part.contains("Backups") ? "0.9" : "0.2");
                }
            }
            return ScriptedReply.text("{\"scores\": " + scores + "}");
        }));
        Team team = load("""
                models:
                  judge: {provider: openai, model: gpt-5-mini}
                rag:
                  handbook:
                    docs: [docs]
                    strategies: [{type: bm25}]
                    results:
                      reranking: {model: judge, top_k: 5, threshold: 0.1, criteria: Prefer operations notes.}
                agents:
                  root:
                    model: openai/gpt-5
                    rag: [handbook]
                """, TeamServices.builder().syncKnowledgeOnStart(true).models(llm.models())
                .knowledgeAccess((kb, ctx) -> hits -> hits.stream().filter(h -> !h.source().endsWith("board.md")).toList()));
        try (Runner runner = team.runner().models(llm.models()).build()) {
            assertThat(runner.run("question").output()).isEqualTo("done");
        }
        assertThat(rerankPrompts).hasSize(1);
        assertThat(rerankPrompts.get(0)).contains("Prefer operations notes.", ROTATION, BACKUPS);
        assertThat(llm.requests()).anySatisfy(r -> assertThat(r.model()).isEqualTo("gpt-5-mini"));
        JsonArray passages = answer(lastToolAnswer());
        assertThat(passages.size()).isEqualTo(2);
        assertThat(content(passages.get(0))).contains(BACKUPS); // the reranker's order, not BM25's
        assertThat(content(passages.get(1))).contains(ROTATION);
        assertNoRequestContains("closes on the first of March");
    }

    @Test
    void semanticEmbeddingsMatchTheModelsSummariesAndAnswerWithTheChunksOwnText() {
        List<String> summarised = new java.util.concurrent.CopyOnWriteArrayList<>();
        llm.respondWith(agentSearching("handbook", "which signing key procedure exists?", request -> {
            String prompt = request.lastUserText();
            summarised.add(prompt);
            return ScriptedReply.text(prompt.contains("keelctl") ? "How to renew the signing key." : "Nightly jobs.");
        }));
        Team team = load("""
                models:
                  embedder: {provider: openai, model: text-embedding-3-small, base_url: %s}
                  writer: {provider: openai, model: gpt-5-nano}
                rag:
                  handbook:
                    docs: [docs]
                    strategies:
                      - type: semantic-embeddings
                        embedding_model: embedder
                        chat_model: writer
                        semantic_prompt: "Summarise ${path}: ${content}"
                agents:
                  root:
                    model: openai/gpt-5
                    rag: [handbook]
                """.formatted(llm.baseUrl()), TeamServices.builder().syncKnowledgeOnStart(true).models(llm.models()));
        try (Runner runner = team.runner().models(llm.models()).build()) {
            assertThat(runner.run("question").output()).isEqualTo("done");
        }
        assertThat(summarised).hasSize(3).allSatisfy(p -> assertThat(p).startsWith("Summarise docs/"));
        // the summaries were embedded, not the chunks
        assertThat(llm.embeddingRequests().stream().flatMap(r -> r.inputs().stream()).toList())
                .contains("How to renew the signing key.", "Nightly jobs.").doesNotContain(ROTATION);
        JsonArray passages = answer(lastToolAnswer());
        assertThat(passages.size()).isEqualTo(1);
        assertThat(content(passages.get(0))).contains(ROTATION);
    }

    @Test
    void theWatcherReindexesAChangedFileWhileTheTeamRuns() throws Exception {
        llm.respondWith(agentSearching("handbook", "afternoon", request -> ScriptedReply.text("unused")));
        Team team = load(HANDBOOK_BM25);
        try (Runner runner = team.runner().models(llm.models()).build()) {
            runner.run("question");
            assertThat(answer(lastToolAnswer()).size()).isZero();
            Files.writeString(work.resolve("docs/operations.md"), "# Operations\n\nBackups moved to the afternoon.\n");
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
            String found = "[]";
            while (!found.contains("afternoon") && System.nanoTime() < deadline) {
                Thread.sleep(100); // polling the condition: the watcher re-indexes after its debounce
                runner.run("question");
                found = lastToolAnswer();
            }
            assertThat(found).contains("Backups moved to the afternoon.");
        }
    }

    static Stream<Arguments> mistakes() {
        return Stream.of(
                Arguments.of("""
                rag:
                  kb:
                    strategies:
                      - type: vector-search
                agents:
                  root: {model: openai/gpt-5}
                """, List.of("team.yaml:4: rag.kb.strategies[0].type: unknown strategy type 'vector-search'", "bm25, chunked-embeddings, semantic-embeddings")),
                Arguments.of("""
                rag:
                  kb:
                    strategies: [{type: bm25}]
                agents:
                  root: {model: openai/gpt-5, rag: [kb, missing]}
                """, List.of("unknown knowledge base 'missing'", "[kb]")),
                Arguments.of("""
                rag:
                  kb:
                    docs: [docs]
                agents:
                  root: {model: openai/gpt-5}
                """, List.of("rag.kb.strategies: a knowledge base needs at least one strategy")),
                Arguments.of("""
                rag:
                  kb:
                    strategies:
                      - type: chunked-embeddings
                        threshold: 0.2
                agents:
                  root: {model: openai/gpt-5}
                """, List.of("team.yaml:4: rag.kb.strategies[0].embedding_model: a 'chunked-embeddings' "
                        + "strategy needs an embedding_model")),
                Arguments.of("""
                rag:
                  kb:
                    strategies:
                      - type: chunked-embeddings
                        embedding_model: openai/text-embedding-3-small
                        similarity_metric: dot_product
                agents:
                  root: {model: openai/gpt-5}
                """, List.of("team.yaml:6: rag.kb.strategies[0].similarity_metric: similarity metric "
                        + "'dot_product' is not supported")),
                Arguments.of("""
                rag:
                  kb:
                    strategies: [{type: bm25}]
                    results:
                      fusion:
                        strategy: weighted
                        weights: {bm25: 1, vectors: 2}
                agents:
                  root: {model: openai/gpt-5}
                """, List.of("team.yaml:7: rag.kb.results.fusion.weights.vectors: no strategy is named "
                        + "'vectors'")),
                Arguments.of("""
                rag:
                  kb:
                    strategies: [{type: bm25}]
                    results:
                      fusion: {strategy: borda}
                agents:
                  root: {model: openai/gpt-5}
                """, List.of("team.yaml:5: rag.kb.results.fusion.strategy: unknown fusion 'borda'")),
                Arguments.of("""
                rag:
                  kb:
                    tool: {name: "search the docs"}
                    strategies: [{type: bm25}]
                agents:
                  root: {model: openai/gpt-5}
                """, List.of("rag.kb.tool.name: 'search the docs' is not a tool name")),
                Arguments.of("""
                agents:
                  root:
                    model: openai/gpt-5
                    toolsets: [{type: rag}]
                """, List.of("team.yaml:4: agents.root.toolsets[0]: a rag toolset needs 'ref'")),
                Arguments.of("""
                rag:
                  kb:
                    strategies: [{type: bm25}]
                agents:
                  root:
                    model: openai/gpt-5
                    rag: {kb: true}
                """, List.of("team.yaml:7: agents.root.rag: expected a list of names")));
    }

    @ParameterizedTest
    @MethodSource("mistakes")
    void unknownStrategyTypesAndOtherMistakesAreLocatedErrorsNamingThem(String yaml, List<String> messages) {
        assertThatThrownBy(() -> load(yaml)).isInstanceOf(TeamFileException.class)
                .satisfies(e -> assertThat(e.getMessage()).contains(messages));
    }

    @Test
    void aDeferredKnowledgeBaseIsFoundThroughTheToolSearchAndThenAnswers() {
        Team team = load("""
                rag:
                  handbook:
                    docs: [docs]
                    strategies: [{type: bm25}]
                    defer: true
                agents:
                  root:
                    model: openai/gpt-5
                    toolsets: [{type: rag, ref: handbook}]
                """);
        assertThat(team.warnings()).isEmpty();
        llm.respond(ScriptedReply.toolCall("add_tool", Map.of("name", "handbook")))
                .respond(ScriptedReply.toolCall("handbook", Map.of("query", "how do I rotate the signing key?")))
                .respond(ScriptedReply.text("done"));
        try (Runner runner = team.runner().models(llm.models()).build()) {
            assertThat(runner.run("question").output()).isEqualTo("done");
        }
        List<RecordedChatRequest> calls = llm.requests();
        assertThat(calls.get(0).toolNames()).contains("search_tool", "add_tool").doesNotContain("handbook");
        assertThat(calls.get(1).toolNames()).contains("handbook");
        List<ToolResultMessage> results = toolResults(calls.get(2));
        assertThat(content(answer(results.get(results.size() - 1).content()).get(0))).contains(ROTATION);
    }

    @Test
    void astContextTellsTheSummaryModelWhichDeclarationsEncloseEachChunk() throws Exception {
        Path src = Files.createDirectories(work.resolve("src"));
        Files.writeString(src.resolve("KeyRotation.java"), """
                package com.acme.security;

                public final class KeyRotation {
                    void rotate(SigningKey key) {
                        key.retire();
                    }
                }
                """);
        List<String> summarised = new java.util.concurrent.CopyOnWriteArrayList<>();
        llm.respondWith(agentSearching("code", "signing key retirement", request -> {
            summarised.add(request.lastUserText());
            return ScriptedReply.text(request.lastUserText().contains("retire") ? "Retires a signing key." : "Other code.");
        }));
        Team team = load("""
                models:
                  embedder: {provider: openai, model: text-embedding-3-small, base_url: %s}
                  writer: {provider: openai, model: gpt-5-nano}
                rag:
                  code:
                    docs: [src]
                    strategies:
                      - type: semantic-embeddings
                        embedding_model: embedder
                        chat_model: writer
                        semantic_prompt: "In ${ast_context}: ${content}"
                        ast_context: true
                        chunking: {size: 40, overlap: 0, code_aware: true}
                agents:
                  root:
                    model: openai/gpt-5
                    toolsets: [{type: rag, ref: code}]
                """.formatted(llm.baseUrl()), TeamServices.builder().syncKnowledgeOnStart(true).models(llm.models()));
        assertThat(team.warnings()).isEmpty();
        try (Runner runner = team.runner().models(llm.models()).build()) {
            assertThat(runner.run("question").output()).isEqualTo("done");
        }
        assertThat(content(answer(lastToolAnswer()).get(0))).contains("key.retire()");
        assertThat(summarised).anySatisfy(p -> assertThat(p)
                .startsWith("In package com.acme.security > public final class KeyRotation > void rotate(SigningKey key): ")
                .contains("key.retire()"));
    }

    @Test
    void fieldsOfAnotherStrategyTypeAreWarningsAndTheRagSectionIsNoLongerPending() {
        Team team = load("""
                rag:
                  kb:
                    strategies:
                      - type: bm25
                        embedding_model: openai/text-embedding-3-small
                agents:
                  root:
                    model: openai/gpt-5
                    toolsets: [{type: rag, ref: kb}]
                """);
        assertThat(team.warnings()).anySatisfy(w -> assertThat(w).contains("5:", "embedding_model", "'bm25' strategy"));
        assertThat(team.warnings()).noneSatisfy(w -> assertThat(w).contains("does not act on it yet"));
        assertThat(team.warnings()).noneSatisfy(w -> assertThat(w).contains("not supported"));
    }
}
