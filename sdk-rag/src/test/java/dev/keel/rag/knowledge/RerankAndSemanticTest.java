package dev.keel.rag.knowledge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.openai.OpenAiCompatible;
import dev.keel.core.openai.OpenAiEmbeddings;
import dev.keel.rag.chunk.Source;
import dev.keel.testing.model.RecordedChatRequest;
import dev.keel.testing.model.ScriptedModelServer;
import dev.keel.testing.model.ScriptedReply;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Model reranking and semantic summaries against the scripted model server, over real HTTP. */
class RerankAndSemanticTest {
    @TempDir
    Path tmp;
    private ScriptedModelServer llm;
    private OpenAiCompatible chat;
    private OpenAiEmbeddings words;

    @BeforeEach
    void start() {
        llm = ScriptedModelServer.start();
        chat = OpenAiCompatible.builder().baseUrl(llm.baseUrl()).apiKey("test").model("judge").build();
        words = WordVectors.model(llm);
    }

    @AfterEach
    void stop() {
        words.close();
        chat.close();
        llm.close();
    }

    private KnowledgeBase.Builder threeDocs() {
        return KnowledgeBase.builder(tmp.resolve("index"))
                .document(Source.of("a", "Deploys go through the staging cluster first."))
                .document(Source.of("b", "The staging cluster is rebuilt every night."))
                .document(Source.of("c", "Rollbacks restore the previous staging deploy."))
                .strategy(Strategies.bm25());
    }

    @Test
    void scriptedScoresReorderThePassagesAndTheThresholdDropsSome() {
        try (KnowledgeBase kb = threeDocs().reranking(Reranking.of(Rerankers.model(chat, "Prefer operational steps."))
                .threshold(0.3)).build()) {
            kb.sync();
            List<KnowledgeHit> fused = KnowledgeBase.builder(tmp.resolve("index")).strategy(Strategies.bm25()).build()
                    .search("staging deploy");
            assertThat(fused).hasSize(3);
            // scores in the order the passages are sent: the fused order
            llm.respondWith(request -> {
                String body = request.body();
                int a = body.indexOf("Deploys go through");
                int b = body.indexOf("rebuilt every night");
                int c = body.indexOf("Rollbacks restore");
                Map<Integer, Double> byPosition = new java.util.TreeMap<>(Map.of(a, 0.2, b, 0.9, c, 0.6));
                return ScriptedReply.text("{\"scores\": " + byPosition.values() + "}");
            });
            List<KnowledgeHit> hits = kb.search("staging deploy");
            assertThat(hits).extracting(KnowledgeHit::source).containsExactly("b", "c"); // a: 0.2 < 0.3
            assertThat(hits.get(0).rerankScore()).hasValue(0.9);
            assertThat(hits.get(0).score()).isEqualTo(0.9);
            assertThat(hits.get(0).fusedScore()).isNotEqualTo(0.9);
            RecordedChatRequest request = llm.requests().get(0);
            assertThat(request.body()).contains("staging deploy").contains("Prefer operational steps.")
                    .contains("[1]").contains("[3]");
            llm.assertNoFailures();
        }
    }

    @Test
    void onlyTopKIsRerankedAndTheRestKeepsItsFusedOrder() {
        try (KnowledgeBase kb = threeDocs().reranking(Reranking.of(Rerankers.model(chat)).topK(2).threshold(0))
                .build()) {
            kb.sync();
            llm.respond(ScriptedReply.text("Scores: [0.1, 0.8]"));
            List<KnowledgeHit> hits = kb.search("staging deploy");
            assertThat(hits).hasSize(3);
            assertThat(hits.get(2).rerankScore()).isEmpty();
            assertThat(hits.get(0).rerankScore()).hasValue(0.8);
            assertThat(hits.get(1).rerankScore()).hasValue(0.1);
            String body = llm.requests().get(0).body();
            assertThat(body).contains("[2]").doesNotContain("[3]");
        }
    }

    @Test
    void aMalformedRerankReplyFailsTheSearchWithTheReason() {
        try (KnowledgeBase kb = threeDocs().reranker(Rerankers.model(chat)).build()) {
            kb.sync();
            llm.respond(ScriptedReply.text("{\"scores\": [0.9, 0.1]}"));
            assertThatThrownBy(() -> kb.search("staging deploy")).isInstanceOf(KnowledgeBaseException.class)
                    .hasMessageContaining("2 scores for 3 passages");
            llm.respond(ScriptedReply.text("{\"scores\": [0.9, 7, 0.1]}"));
            assertThatThrownBy(() -> kb.search("staging deploy")).hasMessageContaining("outside [0, 1]");
            llm.respond(ScriptedReply.text("I think the second one."));
            assertThatThrownBy(() -> kb.search("staging deploy")).hasMessageContaining("list of scores");
            llm.respond(ScriptedReply.error(500, "down"));
            assertThatThrownBy(() -> kb.search("staging deploy")).isInstanceOf(RuntimeException.class);
        }
    }

    @Test
    void theFilterRunsBeforeTheRerankerSoHiddenPassagesNeverReachIt() {
        try (KnowledgeBase kb = threeDocs().reranking(Reranking.of(Rerankers.model(chat)).threshold(0)).build()) {
            kb.sync();
            llm.respond(ScriptedReply.text("{\"scores\": [0.5, 0.4]}"));
            List<KnowledgeHit> hits = kb.search("staging deploy",
                    found -> found.stream().filter(h -> !h.source().equals("b")).toList());
            assertThat(hits).extracting(KnowledgeHit::source).doesNotContain("b").hasSize(2);
            assertThat(llm.requests().get(0).body()).doesNotContain("rebuilt every night");
        }
    }

    @Test
    void semanticSummariesAreEmbeddedAndCachedByChunkHash() throws Exception {
        Path docs = Files.createDirectories(tmp.resolve("docs"));
        Files.writeString(docs.resolve("retry.md"), "# Retry\nThe client waits 2^n seconds between attempts.\n");
        Files.writeString(docs.resolve("auth.md"), "# Auth\nTokens are read from KEEL_TOKEN.\n");
        llm.respondWith(request -> ScriptedReply.text(request.body().contains("2^n seconds")
                ? "Exponential backoff between retries of failed requests."
                : "Authentication with an access token from the environment."));
        try (KnowledgeBase kb = KnowledgeBase.builder(tmp.resolve("index")).source(docs)
                .strategy(Strategies.semantic(words, chat).withThreshold(0.05)).build()) {
            SyncResult first = kb.sync();
            assertThat(first.summariesWritten()).isEqualTo(2);
            assertThat(llm.requests()).hasSize(2);
            assertThat(llm.requests().get(0).body()).contains("docs/");
            // found through the summary's words, which the passage itself does not contain
            KnowledgeHit hit = kb.search("exponential backoff").get(0);
            assertThat(hit.source()).isEqualTo("docs/retry.md");
            assertThat(hit.text()).contains("2^n seconds");
            assertThat(embeddedInputs()).anyMatch(t -> t.startsWith("Exponential backoff"));

            Files.writeString(docs.resolve("auth.md"), "# Auth\nTokens are read from KEEL_TOKEN or a file.\n");
            SyncResult second = kb.sync();
            assertThat(second.summariesWritten()).isEqualTo(1); // retry.md's chunk kept its summary
            assertThat(llm.requests()).hasSize(3);
        }
        // the summaries are part of the index: reopening and syncing asks for none
        try (KnowledgeBase again = KnowledgeBase.builder(tmp.resolve("index")).source(docs)
                .strategy(Strategies.semantic(words, chat).withThreshold(0.05)).build()) {
            assertThat(again.sync().summariesWritten()).isZero();
            assertThat(again.search("exponential backoff").get(0).source()).isEqualTo("docs/retry.md");
        }
        assertThat(llm.requests()).hasSize(3);
    }

    @Test
    void codeContextPutsTheEnclosingDeclarationsInEachPromptAndSeparatesEqualPassages() throws Exception {
        Path src = Files.createDirectories(tmp.resolve("src"));
        String body = "        for (Line l : lines) {\n            sum = sum.plus(l.amount());\n        }\n";
        Files.writeString(src.resolve("Invoice.java"), "package com.acme.billing;\n\npublic class Invoice {\n"
                + "    Money total(List<Line> lines) {\n" + body + "    }\n}\n");
        Files.writeString(src.resolve("Refund.java"), "package com.acme.billing;\n\npublic class Refund {\n"
                + "    Money credited(List<Line> lines) {\n" + body + "    }\n}\n");
        llm.respondWith(request -> ScriptedReply.text("Adds up the amounts of the lines."));
        Strategy.SemanticEmbeddings semantic = Strategies.semantic(words, chat).withThreshold(0.05)
                .withChunking(Chunking.of(60, 0).codeAware(true))
                .withPrompt("Summarise ${basename}, part ${chunk_index} (${ast_context}):\n${content}");
        try (KnowledgeBase kb = KnowledgeBase.builder(tmp.resolve("index")).source(src)
                .strategy(semantic.withCodeContext(true)).build()) {
            kb.sync();
            List<String> prompts = llm.requests().stream().map(RecordedChatRequest::body).toList();
            assertThat(prompts).anyMatch(p -> p.contains("(package com.acme.billing > public class Invoice > "
                    + "Money total(List<Line> lines))") && p.contains("sum.plus"));
            assertThat(prompts).anyMatch(p -> p.contains("(package com.acme.billing > public class Refund > "
                    + "Money credited(List<Line> lines))") && p.contains("sum.plus"));
            // the same loop in two methods is two passages, each with a summary of its own
            assertThat(prompts.stream().filter(p -> p.contains("sum.plus"))).hasSize(2);
            assertThat(kb.search("adds up the amounts")).filteredOn(h -> h.text().contains("sum.plus"))
                    .extracting(h -> h.metadata().get(dev.keel.rag.chunk.Chunk.CODE_CONTEXT))
                    .isNotEmpty().allMatch(c -> c.equals(
                            "package com.acme.billing > public class Invoice > Money total(List<Line> lines)")
                            || c.equals("package com.acme.billing > public class Refund > Money credited(List<Line> lines)"));
        }
        int before = llm.requests().size();
        // turning code context off is another index: the summaries are written again, without the context
        try (KnowledgeBase kb = KnowledgeBase.builder(tmp.resolve("index")).source(src).strategy(semantic).build()) {
            SyncResult resync = kb.sync();
            assertThat(llm.requests().size()).as("%s", resync).isGreaterThan(before);
            List<String> prompts = llm.requests().subList(before, llm.requests().size()).stream()
                    .map(RecordedChatRequest::body).toList();
            assertThat(prompts).allMatch(p -> p.contains("()")).noneMatch(p -> p.contains("public class Invoice >"));
            assertThat(resync.summariesWritten()).isPositive();
            assertThat(kb.search("adds up the amounts")).isNotEmpty()
                    .allMatch(h -> !h.metadata().containsKey(dev.keel.rag.chunk.Chunk.CODE_CONTEXT));
        }
    }

    @Test
    void withoutAPlaceholderTheContextGoesOnALineBeforeTheContent() throws Exception {
        Path src = Files.createDirectories(tmp.resolve("src"));
        Files.writeString(src.resolve("Store.py"), "class Store:\n    def put(self, key):\n        self.items[key] = 1\n");
        llm.respondWith(request -> ScriptedReply.text("Stores an item."));
        try (KnowledgeBase kb = KnowledgeBase.builder(tmp.resolve("index")).source(src)
                .strategy(Strategies.semantic(words, chat).withThreshold(0.05).withCodeContext(true)
                        .withChunking(Chunking.of(30, 0))).build()) {
            kb.sync();
        }
        assertThat(llm.requests().stream().map(RecordedChatRequest::body))
                .anyMatch(p -> p.contains("Where it sits in its file: class Store > def put(self, key)"));
    }

    private List<String> embeddedInputs() {
        return llm.embeddingRequests().stream().flatMap(r -> r.inputs().stream()).toList();
    }

    @Test
    void theSearchToolIsDescribedAndAnsweredAsDockerAgentDoes() {
        try (KnowledgeBase kb = threeDocs().name("ops_docs").build();
             KnowledgeBase named = threeDocs().name("ops_docs").tool("search_ops", "Operations runbooks", "Search before deploying.")
                     .includeScore(true).build()) {
            kb.sync();
            assertThat(kb.tool().name()).isEqualTo("ops_docs");
            assertThat(kb.tool().description()).startsWith("Search project documents from ops_docs");
            assertThat(kb.tool().parametersSchema()).contains("\"query\"").contains("\"required\":[\"query\"]");
            String answer = kb.toolAnswer("rebuilt \"nightly\"\n", KnowledgeFilter.none());
            assertThat(answer).startsWith("[{\"source_path\":\"b\",\"content\":\"The staging cluster is rebuilt every night.\""
                    + ",\"similarity\":").contains("\"chunk_index\":0");
            assertThat(named.tool()).isEqualTo(new ToolDescription("search_ops", "Operations runbooks",
                    "Search before deploying."));
            named.sync(); // another instance on the same directory: sees generation 1, nothing to do
            assertThat(named.generation()).isEqualTo(1);
            assertThat(named.toolAnswer("staging", KnowledgeFilter.none())).contains("\"scores\":{\"bm25\":");
        }
        assertThatThrownBy(() -> new ToolDescription("bad name", "d", "i")).hasMessageContaining("tool name");
    }
}
