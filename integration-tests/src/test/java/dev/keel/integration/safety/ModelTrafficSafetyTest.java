package dev.keel.integration.safety;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.agents.Agent;
import dev.keel.agents.Recording;
import dev.keel.agents.Runner;
import dev.keel.agents.Session;
import dev.keel.agents.recording.RecordedRun;
import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.ToolResult;
import dev.keel.agents.tool.Toolset;
import dev.keel.authz.ObjectRef;
import dev.keel.authz.PermissionsClient;
import dev.keel.authz.SubjectRef;
import dev.keel.authz.filter.PostFilter;
import dev.keel.core.json.JsonValue;
import dev.keel.core.message.ToolResultMessage;
import dev.keel.core.openai.OpenAiCompatible;
import dev.keel.core.secrets.SecretScanner;
import dev.keel.core.tool.JsonSchema;
import dev.keel.core.tool.ToolSpec;
import dev.keel.testing.model.ScriptedModelServer;
import dev.keel.testing.model.ScriptedReply;
import dev.keel.testing.safety.DocumentPermissions;
import dev.keel.testing.safety.ModelTraffic;
import dev.keel.testing.spicedb.EmbeddedSpiceDb;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The safety assertions over a real agent loop and the real SpiceDB (embedded): a search tool that forgets to
 * filter leaks a document the user may not read into the model request, and the assertion names it; the filtered
 * tool passes; a key a tool printed is caught in the request, and the recording of the same run is checked the same
 * way.
 */
@EmbeddedSpiceDb(schemaText = """
        definition user {}
        definition document {
            relation owner: user
            relation viewer: user
            permission read = owner + viewer
        }
        """, relationshipsText = """
        document:roadmap#owner@user:emilia
        document:faq#viewer@user:emilia
        document:faq#viewer@user:charlie
        """)
class ModelTrafficSafetyTest {
    static final String ROADMAP = "Usage-based pricing launches on 3 March for every enterprise customer, "
            + "together with the partner portal.";
    static final String FAQ = "Refunds are possible within 30 days of purchase for every plan we sell.";
    /** A document nobody is related to: fail closed, nobody may read it. */
    static final String DRAFT = "The board approved the acquisition of a small robotics company last Tuesday evening.";

    @TempDir
    Path dir;

    static Map<ObjectRef, String> documents() {
        Map<ObjectRef, String> docs = new LinkedHashMap<>();
        docs.put(ObjectRef.of("document", "roadmap"), ROADMAP);
        docs.put(ObjectRef.of("document", "faq"), FAQ);
        docs.put(ObjectRef.of("document", "draft"), DRAFT);
        return docs;
    }

    /** Runs one question for {@code user}: the model searches, then answers; returns what the model received. */
    private static ModelTraffic ask(String user, boolean filtered, PermissionsClient spicedb, Recording recording) {
        try (ScriptedModelServer llm = ScriptedModelServer.start();
             OpenAiCompatible model = OpenAiCompatible.builder().providerName("scripted").baseUrl(llm.baseUrl())
                     .model("helpdesk").build()) {
            llm.respondWith(req -> req.messages().stream().anyMatch(m -> m instanceof ToolResultMessage)
                    ? ScriptedReply.text("Here is what I found.")
                    : ScriptedReply.toolCall("search", Map.of("query", "pricing")));
            ToolSpec spec = ToolSpec.of("search", "Searches documents",
                    JsonSchema.object().required("query", JsonSchema.string()).build());
            Toolset search = Toolset.of("docs", Tool.of(spec, true, (args, ctx) -> {
                SubjectRef who = SubjectRef.of("user", ctx.state().get("user").asString().orElseThrow());
                StringBuilder found = new StringBuilder();
                documents().forEach((ref, text) -> {
                    if (!filtered || spicedb.check(ref, "read", who).allowed()) {
                        // the way real tools reformat: a heading, the text upper-cased and re-wrapped
                        found.append("## ").append(ref).append('\n').append(text.toUpperCase().replace(", ", ",\n"))
                                .append("\n\n");
                    }
                });
                return ToolResult.ok(found.toString());
            }));
            Agent agent = Agent.builder("helpdesk").model(model).instruction("Search, then answer.").toolsets(search).build();
            Runner.Builder builder = Runner.builder(agent);
            if (recording != null) {
                builder.recording(recording);
            }
            try (Runner runner = builder.build()) {
                Session session = Session.create();
                session.state().put("user", JsonValue.of(user));
                runner.run(session, "When does usage-based pricing start?");
            }
            return ModelTraffic.of(llm.requests());
        }
    }

    @Test
    void aToolThatForgetsToFilterIsCaughtLeakingAnUnreadableDocument(PermissionsClient spicedb) {
        DocumentPermissions<ObjectRef> permissions = DocumentPermissions.of(spicedb, "read");
        SubjectRef charlie = SubjectRef.of("user", "charlie");
        assertThat(permissions.unreadable(charlie, documents())).containsExactly("document:roadmap", "document:draft");

        ModelTraffic leaky = ask("charlie", false, spicedb, null);
        assertThatThrownBy(() -> permissions.assertNoUnreadableText(leaky, charlie, documents()))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("on behalf of user:charlie carry text of documents user:charlie may not read")
                .hasMessageContaining("request #2 ").hasMessageContaining("text of document:roadmap: \"usage based pricing")
                .hasMessageContaining("text of document:draft")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("document:faq"));

        ModelTraffic filtered = ask("charlie", true, spicedb, null);
        assertThatCode(() -> permissions.assertNoUnreadableText(filtered, charlie, documents())).doesNotThrowAnyException();
        // the FAQ charlie may read did reach the model: the assertion is not vacuous
        assertThatThrownBy(() -> filtered.assertNoTextFrom(Map.of("document:faq", FAQ))).isInstanceOf(AssertionError.class);

        // emilia owns the roadmap: its text in her requests is no leak, the unrelated draft still is
        SubjectRef emilia = SubjectRef.of("user", "emilia");
        assertThatThrownBy(() -> permissions.assertNoUnreadableText(ask("emilia", false, spicedb, null), emilia, documents()))
                .hasMessageContaining("document:draft").satisfies(e -> assertThat(e.getMessage()).doesNotContain("document:roadmap"));
        assertThatCode(() -> permissions.assertNoUnreadableText(ask("emilia", true, spicedb, null), emilia, documents()))
                .doesNotThrowAnyException();
    }

    @Test
    void thePostFilterOfTheRetrievalDecidesWhatIsUnreadable(PermissionsClient spicedb) {
        // the indexed chunks as a retrieval would hold them: several per document
        record Chunk(String document, int index) {
        }
        Map<Chunk, String> indexed = new LinkedHashMap<>();
        documents().forEach((ref, text) -> {
            int half = text.indexOf(' ', text.length() / 2);
            indexed.put(new Chunk(ref.id(), 0), text.substring(0, half));
            indexed.put(new Chunk(ref.id(), 1), text.substring(half + 1));
        });
        PostFilter<Chunk> readable = PostFilter.of(spicedb, "read", c -> ObjectRef.of("document", c.document()));
        DocumentPermissions<Chunk> permissions = DocumentPermissions.of(readable).leakWords(5);
        SubjectRef charlie = SubjectRef.of("user", "charlie");
        assertThat(permissions.unreadable(charlie, indexed)).containsExactly("document:roadmap", "document:draft");

        assertThatThrownBy(() -> permissions.assertNoUnreadableText(ask("charlie", false, spicedb, null), charlie, indexed))
                .isInstanceOf(AssertionError.class).hasMessageContaining("document:roadmap")
                .hasMessageContaining("as the post-filter decides")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("document:faq"));
        assertThatCode(() -> permissions.assertNoUnreadableText(ask("charlie", true, spicedb, null), charlie, indexed))
                .doesNotThrowAnyException();
        // emilia may read the roadmap: only the draft is withheld from her
        assertThat(permissions.unreadable(SubjectRef.of("user", "emilia"), indexed)).containsExactly("document:draft");
    }

    @Test
    void aKeyATookPrintedIntoARealRunIsCaughtInTheModelRequests() {
        String key = "sk-proj-" + "Q9w8E7r6T5y4U3i2O1p0A9s8D7f6G5h4";
        try (ScriptedModelServer llm = ScriptedModelServer.start();
             OpenAiCompatible model = OpenAiCompatible.builder().providerName("scripted").baseUrl(llm.baseUrl())
                     .model("ops").build()) {
            llm.respondWith(req -> req.messages().stream().anyMatch(m -> m instanceof ToolResultMessage)
                    ? ScriptedReply.text("The environment is set.")
                    : ScriptedReply.toolCall("env", Map.of()));
            Toolset env = Toolset.of("ops", Tool.of(ToolSpec.of("env", "Prints the environment"), true,
                    (args, ctx) -> ToolResult.ok("HOME=/root\nOPENAI_API_KEY=" + key + "\n")));
            Agent agent = Agent.builder("ops").model(model).instruction("Check the environment.").toolsets(env).build();
            try (Runner runner = Runner.builder(agent).build()) {
                runner.run("Is the environment set?");
            }
            ModelTraffic traffic = ModelTraffic.of(llm.requests());
            assertThatThrownBy(traffic::assertNoSecret).isInstanceOf(AssertionError.class)
                    .hasMessageContaining("1 of 2 model requests carry a secret").hasMessageContaining("request #2")
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain(key));
            // the first request, before the tool ran, is clean: the assertion does not fire on everything
            assertThatCode(() -> ModelTraffic.of(llm.requests().subList(0, 1)).assertNoSecret()).doesNotThrowAnyException();
        }
    }

    @Test
    void theRecordingOfARunIsCheckedLikeItsTraffic(PermissionsClient spicedb) {
        Path file = dir.resolve("leak.run.yaml");
        ask("charlie", false, spicedb, Recording.record(file));
        ModelTraffic recorded = ModelTraffic.ofRecording(RecordedRun.read(file));
        assertThat(recorded.requests()).hasSize(2).first().satisfies(r -> assertThat(r.label()).contains("helpdesk"));
        assertThatThrownBy(() -> DocumentPermissions.of(spicedb, "read")
                .assertNoUnreadableText(recorded, SubjectRef.of("user", "charlie"), documents()))
                .hasMessageContaining("model call of agent 'helpdesk', turn 1").hasMessageContaining("document:roadmap");
    }

    @Test
    void aSecretATookPrintedIsFoundInTheRequestWithoutBeingShown() {
        String key = "sk-proj-" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6";
        ModelTraffic traffic = ModelTraffic.ofTexts(java.util.List.of("list the files", "env printed: OPENAI=" + key));
        assertThatThrownBy(traffic::assertNoSecret).isInstanceOf(AssertionError.class)
                .hasMessageContaining("1 of 2 model requests carry a secret").hasMessageContaining("request #1")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(key));
        String internal = "corp-internal-token-77c1";
        ModelTraffic custom = ModelTraffic.ofTexts(java.util.List.of("token is " + internal));
        assertThatCode(custom::assertNoSecret).doesNotThrowAnyException();
        assertThatThrownBy(() -> custom.assertNoSecret(SecretScanner.builder().secret(internal).build()))
                .hasMessageNotContaining(internal);
    }
}
