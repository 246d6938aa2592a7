package dev.keel.samples;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The flagship end to end: real SpiceDB, real embeddings and vector search, agent loop over real HTTP. */
class FlagshipSampleTest {
    /** Text that only the roadmap and the incident review contain. */
    static final List<String> CONFIDENTIAL = List.of("3 March", "partner portal", "payment token", "212 refunds");

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
    void eachUserGetsAnAnswerFromWhatTheyMayReadAndNothingElseReachesTheModel() throws Exception {
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
        assertThat(results.get("charlie").output()).contains("refund within 30 days");
        for (String secret : CONFIDENTIAL) {
            assertThat(results.get("charlie").output()).doesNotContainIgnoringCase(secret);
        }
        // two model calls per user (search, then answer); charlie's are the last two
        assertThat(requests).hasSize(4);
        assertThat(requests.get(1).body()).contains("3 March");
        for (RecordedChatRequest charlies : requests.subList(2, 4)) {
            for (String secret : CONFIDENTIAL) {
                assertThat(charlies.body()).as("request sent to the model for charlie").doesNotContainIgnoringCase(secret);
            }
        }
        String console = printed.toString(StandardCharsets.UTF_8);
        assertThat(console).contains("→ search_docs").contains("helpdesk: From the documents").contains("withheld from user:charlie").contains("document:roadmap DENIED");
        assertThat(console).doesNotContain("withheld from user:emilia");
    }

    @ParameterizedTest
    @ValueSource(strings = {"When does usage-based pricing launch?", "Why did refunds fail in September?",
            "What does the partner portal include?", "How do I get my travel expenses back?"})
    void searchesNeverReturnADocumentTheUserCannotRead(String question) {
        for (String user : FlagshipSample.USERS) {
            SubjectRef subject = SubjectRef.of("user", user);
            CompanyKnowledge.Search search = knowledge.search(question, subject);
            for (Hit hit : search.hits()) {
                assertThat(knowledge.mayRead(subject, hit.sourceId())).as(user + " reads " + hit.sourceId()).isTrue();
            }
            if (user.equals("charlie")) {
                assertThat(search.hits()).extracting(Hit::sourceId).allMatch("handbook"::equals);
            }
        }
    }
}
