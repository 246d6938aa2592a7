package dev.keel.agents;

import static dev.keel.agents.FakeModel.call;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.agents.recording.RecordedRun;
import dev.keel.agents.recording.RecordedStep;
import dev.keel.agents.recording.RecordingSecretException;
import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.ToolResult;
import dev.keel.agents.tool.Toolset;
import dev.keel.core.ChatModel;
import dev.keel.core.ChatRequest;
import dev.keel.core.ChatResponse;
import dev.keel.core.tool.JsonSchema;
import dev.keel.core.tool.ToolSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Recording a team run and replaying it: same transcript, nothing live, divergences named, secrets kept out. */
class RecordingTest {
    @TempDir
    Path dir;

    private final AtomicInteger toolRuns = new AtomicInteger();

    private Tool echo() {
        return Tool.of(ToolSpec.of("echo", "Echoes the text", JsonSchema.object().required("text", JsonSchema.string()).build()),
                (args, ctx) -> {
                    toolRuns.incrementAndGet();
                    return ToolResult.ok("echo:" + args.string("text"));
                });
    }

    /** A root that calls two tools and delegates in one turn, and a helper that calls a tool. */
    private Agent team(ChatModel rootModel, ChatModel helperModel, String rootInstruction) {
        Toolset tools = Toolset.of("echo", echo());
        Agent helper = Agent.builder("helper").description("helps").instruction("You help.").model(helperModel)
                .toolsets(tools).build();
        return Agent.builder("root").instruction(rootInstruction).model(rootModel).toolsets(tools).subAgents(helper).build();
    }

    private static FakeModel rootScript() {
        return new FakeModel("root-model")
                .calls(call("call_a", "echo", "{\"text\":\"a\"}"), call("call_b", "echo", "{\"text\":\"b\"}"),
                        call("call_t", "transfer_task", "{\"agent\":\"helper\",\"task\":\"sum it\",\"expected_output\":\"a sum\"}"))
                .text("done: all echoed");
    }

    private static FakeModel helperScript() {
        return new FakeModel("helper-model").calls(call("call_c", "echo", "{\"text\":\"c\"}")).text("helped");
    }

    /** A model that must not be called. */
    private static ChatModel unreachable(String id) {
        return new ChatModel() {
            @Override
            public ChatResponse chat(ChatRequest request) {
                throw new AssertionError("model " + id + " was called during a full replay");
            }

            @Override
            public String id() {
                return id;
            }
        };
    }

    private static List<String> transcript(Runner runner, String input) {
        List<String> lines = new CopyOnWriteArrayList<>();
        try (AgentEvents.Subscription s = runner.events().subscribe(e -> lines.add(line(e)))) {
            runner.run(input);
        }
        return lines.stream().filter(l -> !l.isEmpty()).sorted().toList(); // parallel work interleaves: compare as sets
    }

    private static String line(AgentEvent e) {
        if (e instanceof AgentEvent.TextDelta d) {
            return d.agent() + " text " + d.text();
        }
        if (e instanceof AgentEvent.ToolCallFinished f) {
            return f.agent() + " finished " + f.call().name() + " " + f.call().arguments() + " = " + f.result();
        }
        if (e instanceof AgentEvent.ToolCallApproved a) {
            return a.agent() + " approved " + a.call().name() + " by " + a.how();
        }
        if (e instanceof AgentEvent.DelegationFinished d) {
            return d.agent() + " delegation to " + d.subAgent() + " = " + d.result();
        }
        if (e instanceof AgentEvent.RunCompleted c) {
            return "completed " + c.result().output();
        }
        return "";
    }

    @Test
    void aReplayedRunPrintsTheSameTranscriptWithoutCallingModelsOrTools() throws IOException {
        Path file = dir.resolve("run.yaml");
        List<String> recorded;
        try (Runner runner = Runner.builder(team(rootScript(), helperScript(), "You lead."))
                .yolo(true).recording(Recording.record(file)).build()) {
            recorded = transcript(runner, "go");
        }
        assertThat(toolRuns).hasValue(3);
        assertThat(Files.readString(file)).startsWith("format: keel-recording");

        toolRuns.set(0);
        List<String> replayed;
        try (Runner runner = Runner.builder(team(unreachable("root-model"), unreachable("helper-model"), "You lead."))
                .yolo(true).recording(Recording.replay(file)).build()) {
            replayed = transcript(runner, "go");
        }
        assertThat(toolRuns).hasValue(0);
        assertThat(replayed).isEqualTo(recorded).contains("completed done: all echoed", "helper finished echo {\"text\":\"c\"} = echo:c");
    }

    @Test
    void aModelCallStoresOnlyWhatItAddsToTheSessionsPreviousOneAndIsReadBackWhole() throws IOException {
        Path file = dir.resolve("run.yaml");
        try (Runner runner = Runner.builder(team(rootScript(), helperScript(), "You lead."))
                .yolo(true).recording(Recording.record(file)).build()) {
            runner.run("go");
        }
        String text = Files.readString(file);
        // the root's second call repeats its instruction, the user message and the tool schemas: written once
        assertThat(text.split("You lead\\.", -1)).hasSize(2);
        assertThat(text).contains("earlier_messages: 2", "same_tools: true");
        RecordedRun run = RecordedRun.read(file);
        List<RecordedStep.ModelCall> root = run.modelCalls().stream().filter(m -> m.tag().session().equals("s1")).toList();
        assertThat(root).hasSize(2);
        assertThat(root.get(1).request().messages()).hasSize(6).startsWith(root.get(0).request().messages().toArray(
                new dev.keel.core.message.Message[0]));
        assertThat(root.get(1).request().tools()).isEqualTo(root.get(0).request().tools()).isNotEmpty();

        // a file whose step claims more earlier messages than the session has is refused, naming the step
        Files.writeString(file, text.replace("earlier_messages: 2", "earlier_messages: 9"));
        assertThatThrownBy(() -> RecordedRun.read(file))
                .isInstanceOf(dev.keel.agents.recording.RecordingFormatException.class)
                .hasMessageContaining("is malformed: earlier_messages is 9 but the previous model call of session s1")
                .hasMessageContaining(" has 2 messages");
    }

    @Test
    void theRecordingHoldsEveryStepTaggedWithAgentSessionTurnAndCall() {
        Path file = dir.resolve("run.yaml");
        try (Runner runner = Runner.builder(team(rootScript(), helperScript(), "You lead."))
                .yolo(true).recording(Recording.record(file)).build()) {
            runner.run("go");
        }
        RecordedRun run = RecordedRun.read(file);
        assertThat(run.modelCalls()).extracting(m -> m.tag().agent() + "@" + m.tag().session() + "#" + m.tag().turn())
                .containsExactly("root@s1#0", "helper@s1/0.2:helper#0", "helper@s1/0.2:helper#1", "root@s1#1");
        assertThat(run.toolExecutions()).extracting(t -> t.tag().session() + "#" + t.tag().turn() + "." + t.tag().call() + " "
                        + t.tool() + " " + t.result())
                .containsExactly("s1#0.0 echo echo:a", "s1#0.1 echo echo:b", "s1#0.2 transfer_task helped",
                        "s1/0.2:helper#0.0 echo echo:c");
        assertThat(run.steps(RecordedStep.Delegation.class)).singleElement()
                .satisfies(d -> assertThat(d.subSession()).isEqualTo("s1/0.2:helper"));
        assertThat(run.steps(RecordedStep.ApprovalDecision.class)).hasSize(4)
                .allSatisfy(a -> assertThat(a.approved()).isTrue());
        assertThat(run.toolsets()).extracting(t -> t.agent() + ":" + t.toolset()).containsExactlyInAnyOrder("root:echo", "helper:echo");
    }

    @Test
    void aChangedInstructionFailsWithTheFirstDivergenceNamingAgentTurnAndDiff() {
        Path file = dir.resolve("run.yaml");
        try (Runner runner = Runner.builder(team(rootScript(), helperScript(), "You lead.")).yolo(true).recording(Recording.record(file)).build()) {
            runner.run("go");
        }
        Recording replay = Recording.replay(file);
        try (Runner runner = Runner.builder(team(unreachable("root-model"), unreachable("helper-model"), "You lead the team."))
                .yolo(true).recording(replay).build()) {
            assertThatThrownBy(() -> runner.run("go")).isInstanceOfSatisfying(RecordingDivergenceException.class, e -> {
                assertThat(e.agent()).isEqualTo("root");
                assertThat(e.turn()).isZero();
                assertThat(e.session()).isEqualTo("s1");
                assertThat(e.diff()).contains("-   | You lead.", "+   | You lead the team.");
                assertThat(e.getMessage()).contains("at agent 'root', turn 0", "the model request differs");
            });
        }
        assertThat(replay.divergence()).isPresent();
    }

    @Test
    void aChangedSubAgentIsReportedAtTheSubAgentNotAtItsParent() {
        Path file = dir.resolve("run.yaml");
        try (Runner runner = Runner.builder(team(rootScript(), helperScript(), "You lead.")).yolo(true).recording(Recording.record(file)).build()) {
            runner.run("go");
        }
        Toolset tools = Toolset.of("echo", echo());
        Agent helper = Agent.builder("helper").description("helps").instruction("You help carefully.")
                .model(unreachable("helper-model")).toolsets(tools).build();
        Agent root = Agent.builder("root").instruction("You lead.").model(unreachable("root-model")).toolsets(tools).subAgents(helper).build();
        try (Runner runner = Runner.builder(root).yolo(true).recording(Recording.replay(file)).build()) {
            assertThatThrownBy(() -> runner.run("go")).isInstanceOfSatisfying(RecordingDivergenceException.class, e -> {
                assertThat(e.agent()).isEqualTo("helper");
                assertThat(e.session()).isEqualTo("s1/0.2:helper");
                assertThat(e.diff()).contains("+   | You help carefully.");
            });
        }
    }

    @Test
    void aRunThatGoesFurtherThanTheRecordingSaysWhereTheRecordingEnds() {
        Path file = dir.resolve("run.yaml");
        try (Runner runner = Runner.builder(team(rootScript(), helperScript(), "You lead.")).yolo(true).recording(Recording.record(file)).build()) {
            runner.run("go");
        }
        try (Runner runner = Runner.builder(team(unreachable("root-model"), unreachable("helper-model"), "You lead.")).yolo(true).recording(Recording.replay(file)).build()) {
            Session session = Session.create();
            runner.run(session, "go");
            assertThatThrownBy(() -> runner.run(session, "and again")).isInstanceOfSatisfying(RecordingDivergenceException.class,
                    e -> assertThat(e.getMessage()).contains("turn 2", "the recording has no model call here",
                            "session s1 has 2 recorded model calls"));
        }
    }

    @Test
    void modelOnlyReplayRunsToolsLive() {
        Path file = dir.resolve("run.yaml");
        try (Runner runner = Runner.builder(team(rootScript(), helperScript(), "You lead.")).yolo(true).recording(Recording.record(file)).build()) {
            runner.run("go");
        }
        toolRuns.set(0);
        try (Runner runner = Runner.builder(team(unreachable("root-model"), unreachable("helper-model"), "You lead."))
                .yolo(true).recording(Recording.replayModels(file)).build()) {
            assertThat(runner.run("go").output()).isEqualTo("done: all echoed");
        }
        assertThat(toolRuns).hasValue(3);
    }

    @Test
    void newEpisodesReplaysWhatIsRecordedAndRecordsTheRest() {
        Path file = dir.resolve("run.yaml");
        try (Runner runner = Runner.builder(team(rootScript(), helperScript(), "You lead.")).yolo(true).recording(Recording.record(file)).build()) {
            runner.run("go");
        }
        FakeModel more = new FakeModel("root-model").text("second answer");
        try (Runner runner = Runner.builder(team(more, unreachable("helper-model"), "You lead.")).yolo(true).recording(Recording.newEpisodes(file)).build()) {
            Session session = Session.create();
            assertThat(runner.run(session, "go").output()).isEqualTo("done: all echoed");
            assertThat(runner.run(session, "again").output()).isEqualTo("second answer");
        }
        assertThat(more.requests()).hasSize(1);
        assertThat(RecordedRun.read(file).modelCalls()).hasSize(5);
        try (Runner runner = Runner.builder(team(unreachable("root-model"), unreachable("helper-model"), "You lead.")).yolo(true).recording(Recording.replay(file)).build()) {
            Session session = Session.create();
            runner.run(session, "go");
            assertThat(runner.run(session, "again").output()).isEqualTo("second answer");
        }
    }

    @Test
    void aKeyValueInAToolResultIsRedactedAndAKeyShapeIsRefusedLeavingTheOldFile() throws IOException {
        String key = "sk-test-0123456789abcdefghijklmnop";
        Tool leaky = Tool.of(ToolSpec.of("env", "prints the environment"), (args, ctx) -> ToolResult.ok("OPENAI_API_KEY=" + key));
        Path file = dir.resolve("run.yaml");
        FakeModel model = new FakeModel("m").calls(call("1", "env", "{}")).text("ok");
        Agent agent = Agent.builder("a").model(model).toolsets(Toolset.of("env", leaky)).build();
        Recording redacting = Recording.builder(file, Recording.Mode.RECORD)
                .environment(Map.of("OPENAI_API_KEY", key)::get).build();
        try (Runner runner = Runner.builder(agent).yolo(true).recording(redacting).build()) {
            runner.run("go");
        }
        String written = Files.readString(file);
        assertThat(written).doesNotContain(key).contains("OPENAI_API_KEY=<REDACTED>");

        FakeModel again = new FakeModel("m").calls(call("1", "env", "{}")).text("ok");
        Agent agent2 = Agent.builder("a").model(again).toolsets(Toolset.of("env", leaky)).build();
        Runner runner = Runner.builder(agent2).yolo(true).yolo(true).recording(Recording.builder(file, Recording.Mode.RECORD)
                .environment(name -> null).build()).build();
        runner.run("go");
        assertThatThrownBy(runner::close).isInstanceOfSatisfying(RecordingSecretException.class, e -> {
            assertThat(e.getMessage()).contains("tool result of 'env'", "agent 'a', turn 0, call 0", "OpenAI-style key")
                    .doesNotContain(key);
        });
        assertThat(Files.readString(file)).isEqualTo(written);
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).containsExactly(file);
        }
    }

    @Test
    void workspaceRootsAndTimestampsAreToleratedAndNothingElse() throws IOException {
        Path first = Files.createDirectories(dir.resolve("ws-1111"));
        Path second = Files.createDirectories(dir.resolve("ws-2222"));
        Tool where = Tool.of(ToolSpec.of("where", "says where"), (args, ctx) -> ToolResult.ok("file at " + ctx.agent()));
        Path file = dir.resolve("run.yaml");
        Agent recordedAgent = Agent.builder("a").instruction("Work in " + first + " today, 2025-01-02.")
                .model(new FakeModel("m").calls(call("1", "where", "{\"path\":\"" + first + "/x\"}")).text("done in " + first))
                .toolsets(Toolset.of("w", where)).build();
        try (Runner runner = Runner.builder(recordedAgent).yolo(true)
                .yolo(true).recording(Recording.builder(file, Recording.Mode.RECORD).workspaceRoot(first).build()).build()) {
            runner.run("go");
        }
        Agent replayed = Agent.builder("a").instruction("Work in " + second + " today, 2026-03-04.")
                .model(unreachable("m")).toolsets(Toolset.of("w", where)).build();
        try (Runner runner = Runner.builder(replayed).yolo(true)
                .yolo(true).recording(Recording.builder(file, Recording.Mode.REPLAY).workspaceRoot(second).build()).build()) {
            assertThat(runner.run("go").output()).isEqualTo("done in " + second);
        }
        Agent other = Agent.builder("a").instruction("Work in " + second + "x today, 2026-03-04.")
                .model(unreachable("m")).toolsets(Toolset.of("w", where)).build();
        try (Runner runner = Runner.builder(other).yolo(true)
                .yolo(true).recording(Recording.builder(file, Recording.Mode.REPLAY).workspaceRoot(second).build()).build()) {
            assertThatThrownBy(() -> runner.run("go")).isInstanceOf(RecordingDivergenceException.class);
        }
    }

    @Test
    void aRecordingServesOneRunner() {
        Recording r = Recording.record(dir.resolve("x.yaml"));
        Agent a = Agent.builder("a").model(new FakeModel("m")).build();
        try (Runner ignored = Runner.builder(a).recording(r).build()) {
            assertThatThrownBy(() -> Runner.builder(a).recording(r).build()).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("one recording per runner");
        }
    }
    @Test
    void thinkingBudgetsToolChoiceAndReasoningSurviveTheFileAndADifferentBudgetDiverges() throws IOException {
        dev.keel.core.ChatOptions options = dev.keel.core.ChatOptions.builder()
                .thinkingBudget(dev.keel.core.ThinkingBudget.parse("adaptive/high"))
                .toolChoice(dev.keel.core.ToolChoice.named("echo")).build();
        dev.keel.core.message.Reasoning thought = new dev.keel.core.message.Reasoning(
                dev.keel.core.message.Reasoning.ANTHROPIC, "th_1", "Echo first.", "c2lnbmF0dXJl");
        FakeModel model = new FakeModel("thinker").then(r -> FakeModel.response(new dev.keel.core.message.AssistantMessage(
                "", List.of(call("call_a", "echo", "{\"text\":\"a\"}")), List.of(thought)))).text("echoed");
        Path file = dir.resolve("run.yaml");
        Agent thinker = Agent.builder("root").instruction("Think.").model(new AgentModel.Instance(model, options))
                .toolsets(Toolset.of("echo", echo())).build();
        try (Runner runner = Runner.builder(thinker).yolo(true).recording(Recording.record(file)).build()) {
            runner.run("go");
        }
        // the second request sends the reasoning back: it was part of the turn the model answered
        assertThat(((dev.keel.core.message.AssistantMessage) model.requests().get(1).messages().get(2)).reasoning())
                .containsExactly(thought);

        RecordedStep.ModelCall first = RecordedRun.read(file).modelCalls().get(0);
        assertThat(first.request().options().thinkingBudget()).isEqualTo(options.thinkingBudget());
        assertThat(first.request().options().toolChoice()).isEqualTo(options.toolChoice());
        assertThat(first.response().message().reasoning()).containsExactly(thought);

        Agent replayed = Agent.builder("root").instruction("Think.")
                .model(new AgentModel.Instance(unreachable("thinker"), options)).toolsets(Toolset.of("echo", echo())).build();
        try (Runner runner = Runner.builder(replayed).yolo(true).recording(Recording.replay(file)).build()) {
            assertThat(runner.run("go").output()).isEqualTo("echoed");
        }
        Agent lowerBudget = Agent.builder("root").instruction("Think.").model(new AgentModel.Instance(unreachable("thinker"),
                options.toBuilder().thinkingBudget(dev.keel.core.ThinkingBudget.effort(
                        dev.keel.core.ThinkingBudget.Effort.LOW)).build())).toolsets(Toolset.of("echo", echo())).build();
        try (Runner runner = Runner.builder(lowerBudget).yolo(true).recording(Recording.replay(file)).build()) {
            assertThatThrownBy(() -> runner.run("go")).isInstanceOf(RecordingDivergenceException.class)
                    .hasMessageContaining("the model request differs")
                    .satisfies(e -> assertThat(((RecordingDivergenceException) e).diff())
                            .contains("-").contains("adaptive/high").contains("low"));
        }
    }

    @Test
    void aCompactionSummaryIsRecordedAsAModelCallOfItsSessionAndReplayedWithoutTheModel() {
        Path file = dir.resolve("run.yaml");
        FakeModel model = new FakeModel("main").text("first answer").text("summary: the user said hello")
                .text("second answer");
        Session session = Session.create();
        try (Runner runner = Runner.builder(Agent.builder("root").instruction("Help.").model(model).build())
                .recording(Recording.record(file)).build()) {
            runner.run(session, "hello");
            assertThat(runner.compact(session)).isPresent();
            assertThat(runner.run(session, "and now?").output()).isEqualTo("second answer");
        }
        assertThat(model.requests().get(2).messages().toString()).contains("summary: the user said hello");
        List<RecordedStep.ModelCall> calls = RecordedRun.read(file).modelCalls();
        assertThat(calls).extracting(c -> c.tag().session() + "/" + c.tag().turn())
                .containsExactly("s1/0", "s1/1", "s1/2");
        assertThat(calls.get(1).response().text()).isEqualTo("summary: the user said hello");

        Session again = Session.create();
        try (Runner runner = Runner.builder(Agent.builder("root").instruction("Help.").model(unreachable("main")).build())
                .recording(Recording.replay(file)).build()) {
            runner.run(again, "hello");
            assertThat(runner.compact(again)).isPresent();
            assertThat(again.summary()).contains("summary: the user said hello");
            assertThat(runner.run(again, "and now?").output()).isEqualTo("second answer");
        }
    }
    @Test
    void aRecordedFetchToolsetKeepsEverySettingItWasGiven() throws Exception {
        try (mockwebserver3.MockWebServer server = new mockwebserver3.MockWebServer()) {
            server.start();
            server.enqueue(new mockwebserver3.MockResponse.Builder().body("the notes").build());
            String url = "http://127.0.0.1:" + server.getPort() + "/notes";
            dev.keel.agents.toolsets.FetchToolset fetch = dev.keel.agents.toolsets.FetchToolset
                    .builder(new okhttp3.OkHttpClient()).allowPrivateAddresses(true).allowedHosts(List.of("127.0.0.1"))
                    .headers(Map.of("X-Notes", "token-1")).build();
            Toolset named = dev.keel.agents.toolsets.ConfiguredToolset.builder(fetch).name("notes").build();
            FakeModel model = new FakeModel("m").calls(call("call_f", "fetch", "{\"urls\":[\"" + url + "\"]}"))
                    .text("read");
            Path file = dir.resolve("run.yaml");
            Agent agent = Agent.builder("root").instruction("Read.").model(model).toolsets(named).build();
            try (Runner runner = Runner.builder(agent).yolo(true).recording(Recording.record(file)).build()) {
                runner.run("go");
            }
            // the observed copy still fetches loopback (allowPrivateAddresses) and sends the header
            assertThat(server.takeRequest().getHeaders().get("X-Notes")).isEqualTo("token-1");
            String result = ((dev.keel.core.message.ToolResultMessage) model.requests().get(1).messages().get(3)).content();
            assertThat(result).contains("the notes").doesNotContain("non-public");
            RecordedRun run = RecordedRun.read(file);
            assertThat(run.toolsets()).extracting(t -> t.toolset()).containsExactly("notes");
            assertThat(run.steps(RecordedStep.HttpFetch.class)).singleElement()
                    .satisfies(f -> assertThat(f.url()).isEqualTo(url));
        }
    }
}
