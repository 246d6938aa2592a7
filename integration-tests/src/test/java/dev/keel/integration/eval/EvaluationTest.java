package dev.keel.integration.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.agents.Agent;
import dev.keel.agents.Recording;
import dev.keel.agents.Runner;
import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.ToolResult;
import dev.keel.agents.tool.Toolset;
import dev.keel.core.message.ToolResultMessage;
import dev.keel.core.openai.OpenAiCompatible;
import dev.keel.core.tool.JsonSchema;
import dev.keel.core.tool.ToolSpec;
import dev.keel.testing.eval.ArgumentMatcher;
import dev.keel.testing.eval.EvalCase;
import dev.keel.testing.eval.EvalException;
import dev.keel.testing.eval.EvalReport;
import dev.keel.testing.eval.EvalResult;
import dev.keel.testing.eval.Evaluator;
import dev.keel.testing.eval.ExpectedToolCall;
import dev.keel.testing.eval.OutputCheck;
import dev.keel.testing.eval.Size;
import dev.keel.testing.eval.ToolCallOrder;
import dev.keel.testing.model.RecordedChatRequest;
import dev.keel.testing.model.ScriptedModelServer;
import dev.keel.testing.model.ScriptedReply;
import dev.keel.testing.model.ScriptedToolCall;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The evaluation API against a real agent loop over HTTP: a scripted model lists a directory and reads a file, a
 * scripted judge answers relevance statements. Each expectation is also shown to fail when the run does not meet
 * it, and a judge that answers nonsense or fails its self-check stops the evaluation.
 */
@Timeout(120)
class EvaluationTest {
    @TempDir
    Path dir;

    ScriptedModelServer llm;
    ScriptedModelServer judgeServer;
    OpenAiCompatible model;
    OpenAiCompatible judge;
    final AtomicInteger reads = new AtomicInteger();

    @BeforeEach
    void start() {
        llm = ScriptedModelServer.start();
        llm.respondWith(EvaluationTest::files);
        judgeServer = ScriptedModelServer.start();
        judgeServer.respondWith(EvaluationTest::judging);
        model = OpenAiCompatible.builder().providerName("scripted").baseUrl(llm.baseUrl()).model("files").build();
        judge = OpenAiCompatible.builder().providerName("scripted").baseUrl(judgeServer.baseUrl()).model("judge").build();
    }

    @AfterEach
    void stop() {
        model.close();
        judge.close();
        llm.close();
        judgeServer.close();
    }

    /** Lists the directory, reads both files in parallel, then answers. */
    private static ScriptedReply files(RecordedChatRequest req) {
        long results = req.messages().stream().filter(m -> m instanceof ToolResultMessage).count();
        if (results == 0) {
            return ScriptedReply.toolCall("list_directory", Map.of("path", "."));
        }
        if (results == 1) {
            return ScriptedReply.toolCalls(ScriptedToolCall.of("read_file", Map.of("path", "README.md")),
                    ScriptedToolCall.of("read_file", Map.of("path", "agent.yaml")));
        }
        return ScriptedReply.text(req.lastUserText().contains("JSON")
                ? "```json\n{\"files\": [\"README.md\", \"agent.yaml\"], \"count\": 2}\n```"
                : "There are 2 files: README.md and agent.yaml.");
    }

    /** A judge that passes a statement when the transcript supports it, by keyword. */
    private static ScriptedReply judging(RecordedChatRequest req) {
        String ask = req.lastUserText();
        String transcript = ask.substring(0, ask.indexOf("</transcript>"));
        String criterion = ask.substring(ask.indexOf("Criterion: ") + "Criterion: ".length());
        boolean pass = criterion.contains("color") ? transcript.contains("blue")
                : criterion.contains("2 files") ? transcript.contains("2 files")
                : criterion.contains("README") && transcript.contains("README");
        return ScriptedReply.text("{\"result\": \"" + (pass ? "pass" : "fail") + "\", \"reason\": \"judged on "
                + (pass ? "evidence" : "its absence") + "\"}");
    }

    private Runner.Builder runner() {
        return runner(null);
    }

    private Runner.Builder runner(CountDownLatch together) {
        ToolSpec list = ToolSpec.of("list_directory", "Lists a directory",
                JsonSchema.object().required("path", JsonSchema.string()).build());
        ToolSpec read = ToolSpec.of("read_file", "Reads a file", JsonSchema.object().required("path", JsonSchema.string()).build());
        Toolset files = Toolset.of("files", Tool.of(list, true, (args, ctx) -> {
            if (together != null) {
                together.countDown();
                if (!together.await(30, TimeUnit.SECONDS)) {
                    return ToolResult.error("the other case never ran at the same time");
                }
            }
            return ToolResult.ok("README.md\nagent.yaml");
        }), Tool.of(read, true, (args, ctx) -> {
            reads.incrementAndGet();
            return ToolResult.ok("contents of " + args.string("path"));
        }));
        Agent root = Agent.builder("root").model(model).instruction("You know the files.").toolsets(files).build();
        return Runner.builder(root);
    }

    private static EvalCase.Builder counting(String name) {
        return EvalCase.builder(name).input("How many files are in the folder?");
    }

    @Test
    void aCaseThatMeetsEveryExpectationPassesAndTheReportSaysSo() throws Exception {
        EvalCase good = counting("counting files")
                .toolCalls(ToolCallOrder.IN_ORDER,
                        ExpectedToolCall.of("list_directory").by("root").with("path", "."),
                        ExpectedToolCall.of("read_file").with("path", ArgumentMatcher.matches(".*\\.md")))
                .output(OutputCheck.contains("2 files"), OutputCheck.size(Size.S), OutputCheck.maxChars(100))
                .relevance("The answer says there are 2 files", "The answer names README.md")
                .build();
        EvalCase json = EvalCase.builder("files as JSON").input("List the files as JSON.")
                .toolCalls(ToolCallOrder.ANY_ORDER, ExpectedToolCall.of("read_file").with("path", "agent.yaml"),
                        ExpectedToolCall.of("read_file"), ExpectedToolCall.of("list_directory"))
                .output(OutputCheck.jsonSchema(JsonSchema.parse("""
                        {"type": "object", "required": ["files", "count"], "additionalProperties": false,
                         "properties": {"files": {"type": "array", "items": {"type": "string"}, "minItems": 1},
                                        "count": {"type": "integer", "minimum": 0}}}""")))
                .build();
        Path reports = dir.resolve("reports");
        EvalReport report = Evaluator.builder(this::runner).judge(judge).concurrency(2).reportDirectory(reports).build()
                .run("files", List.of(good, json));

        report.assertAllPassed();
        assertThat(report.results()).extracting(EvalResult::name).containsExactly("counting files", "files as JSON");
        EvalResult first = report.results().get(0);
        assertThat(first.toolCallF1()).isEqualTo(0.8); // expected [list, read] against [list, read, read]
        assertThat(first.toolCalls()).extracting(c -> c.tool()).containsExactly("list_directory", "read_file", "read_file");
        assertThat(first.toolCalls().get(1).result()).isEqualTo("contents of README.md");
        assertThat(first.checks()).filteredOn(c -> c.kind().equals("relevance")).hasSize(2)
                .allSatisfy(c -> assertThat(c.detail()).isEqualTo("judged on evidence"));
        assertThat(first.transcript()).contains("[Agent root calls tool \"list_directory\"", "[Tool \"read_file\" returns: contents of");
        String jsonReport = Files.readString(reports.resolve(EvalReport.JSON_FILE));
        assertThat(jsonReport).contains("\"passed\":2", "\"relevance_passed\":2", "\"name\":\"counting files\"");
        assertThat(Files.readString(reports.resolve(EvalReport.MARKDOWN_FILE)))
                .contains("2 of 2 cases passed", "| counting files | ✅ pass | 0.80 | 3/3 | 2/2 |");
        // the judge was asked once to validate itself, then once per statement
        assertThat(judgeServer.requests()).hasSize(3);
    }

    @Test
    void eachUnmetExpectationFailsItsCaseWithAReadableReason() {
        EvalCase wrongOrder = counting("wrong order").toolCalls(ToolCallOrder.IN_ORDER,
                ExpectedToolCall.of("read_file"), ExpectedToolCall.of("list_directory")).build();
        EvalCase wrongArgument = counting("wrong argument").toolCalls(ToolCallOrder.ANY_ORDER,
                ExpectedToolCall.of("read_file").with("path", ArgumentMatcher.contains("CHANGES"))).build();
        EvalCase wrongAgent = counting("wrong agent").toolCalls(ToolCallOrder.ANY_ORDER,
                ExpectedToolCall.of("list_directory").by("researcher")).build();
        EvalCase tooFew = counting("three reads").toolCalls(ToolCallOrder.ANY_ORDER, ExpectedToolCall.of("read_file"),
                ExpectedToolCall.of("read_file"), ExpectedToolCall.of("read_file")).build();
        EvalCase output = counting("output").output(OutputCheck.contains("3 files"), OutputCheck.size(Size.M),
                OutputCheck.doesNotContain("README"), OutputCheck.jsonSchema(JsonSchema.object().build())).build();
        EvalCase irrelevant = counting("irrelevant").relevance("The answer mentions CHANGES.md").build();

        EvalReport report = Evaluator.builder(this::runner).judge(judge).concurrency(3).build()
                .run("failures", List.of(wrongOrder, wrongArgument, wrongAgent, tooFew, output, irrelevant));

        assertThat(report.passedCount()).isZero();
        assertThat(report.results().get(0).failureMessage())
                .contains("#2 list_directory", "not made after read_file", "calls made: [root: list_directory");
        assertThat(report.results().get(1).failureMessage()).contains("read_file(path contains \"CHANGES\")");
        assertThat(report.results().get(2).failureMessage()).contains("list_directory by researcher");
        assertThat(report.results().get(3).failures()).hasSize(1); // two of the three reads are there
        assertThat(report.results().get(4).failures()).extracting(EvalResult.Check::detail).hasSize(4)
                .contains("the output does not contain \"3 files\"", "the output is size S (44 characters), not M",
                        "the output contains \"README\"")
                .anySatisfy(d -> assertThat(d).startsWith("the output is not JSON: "));
        assertThat(report.results().get(5).failureMessage()).contains("relevance: The answer mentions CHANGES.md — judged on its absence");
        assertThatThrownBy(report::assertAllPassed).hasMessageStartingWith("6 of 6 evaluation cases failed:");
        assertThat(report.toMarkdown()).contains("0 of 6 cases passed", "## wrong order", "❌ fail");
    }

    @Test
    void casesRunConcurrentlyAndEachBecomesAJUnitTest() {
        // Each case's first tool waits for the other case's: with concurrency 1 neither could finish.
        CountDownLatch together = new CountDownLatch(2);
        EvalCase a = counting("a").toolCalls(ToolCallOrder.IN_ORDER, ExpectedToolCall.of("list_directory")).build();
        EvalCase b = counting("b").toolCalls(ToolCallOrder.IN_ORDER, ExpectedToolCall.of("missing_tool")).build();
        List<DynamicTest> tests = Evaluator.builder(() -> runner(together)).concurrency(2).build()
                .tests("junit", List.of(a, b)).toList();

        assertThat(tests).extracting(DynamicTest::getDisplayName).containsExactly("a", "b");
        assertThat(together.getCount()).isZero();
        assertThat(reads).hasValue(4);
        org.assertj.core.api.Assertions.assertThatCode(() -> tests.get(0).getExecutable().execute()).doesNotThrowAnyException();
        assertThatThrownBy(() -> tests.get(1).getExecutable().execute()).isInstanceOf(AssertionError.class)
                .hasMessageContaining("#1 missing_tool").hasMessageContaining("not made");
    }

    @Test
    void aJudgeThatAnswersNonsenseOrFailsItsSelfCheckStopsTheEvaluation() {
        EvalCase judged = counting("judged").relevance("The answer says there are 2 files").build();
        judgeServer.respondWith(req -> ScriptedReply.text("Sure! The answer looks fine to me."));
        assertThatThrownBy(() -> Evaluator.builder(this::runner).judge(judge).build().run("nonsense", List.of(judged)))
                .isInstanceOf(EvalException.class).hasMessageContaining("the judge answered \"Sure! The answer looks fine")
                .hasMessageContaining("not {\"result\": \"pass\"|\"fail\"");
        judgeServer.respondWith(req -> ScriptedReply.text("{\"result\": \"fail\", \"reason\": \"no\"}"));
        assertThatThrownBy(() -> Evaluator.builder(this::runner).judge(judge).build().run("lazy", List.of(judged)))
                .isInstanceOf(EvalException.class).hasMessageContaining("failed its self-check");
        assertThatThrownBy(() -> Evaluator.builder(this::runner).build().run("no judge", List.of(judged)))
                .isInstanceOf(EvalException.class).hasMessageContaining("no judge");
        assertThat(llm.requests()).as("no case ran without a usable judge").isEmpty();
    }

    @Test
    void aRecordedRunIsEvaluatedOfflineAndBecomesTheBaselineOfALiveOne() throws Exception {
        Path file = dir.resolve("count.run.yaml");
        try (Runner recorder = runner().recording(Recording.record(file)).build()) {
            recorder.run("How many files are in the folder?");
        }
        int served = llm.requests().size();
        EvalCase fromRecording = EvalCase.fromRecording("from the recording", file)
                .output(OutputCheck.contains("2 files")).build();
        assertThat(fromRecording.inputs()).containsExactly("How many files are in the folder?");
        assertThat(fromRecording.toolCalls()).extracting(ExpectedToolCall::toString)
                .containsExactly("list_directory by root", "read_file by root", "read_file by root");

        EvalCase replayed = EvalCase.fromRecording("replayed", file).replaying(file).build();
        int readsBefore = reads.get();
        EvalReport report = Evaluator.builder(this::runner).concurrency(1).build()
                .run("baseline", List.of(replayed, fromRecording));
        report.assertAllPassed();
        assertThat(llm.requests()).as("only the live case called the model").hasSize(served + 3);
        assertThat(reads.get() - readsBefore).as("only the live case read files").isEqualTo(2);
    }
}
