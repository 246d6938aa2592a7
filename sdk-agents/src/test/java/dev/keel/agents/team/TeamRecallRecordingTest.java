package dev.keel.agents.team;

import static dev.keel.agents.team.TeamBackgroundJobRecallTest.awaitEnded;
import static dev.keel.agents.team.TeamBackgroundJobRecallTest.jobs;
import static dev.keel.agents.team.TeamSchedulerTest.scheduler;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.keel.agents.AgentEvent;
import dev.keel.agents.Recording;
import dev.keel.agents.RecordingDivergenceException;
import dev.keel.agents.Runner;
import dev.keel.agents.Session;
import dev.keel.agents.recording.RecordedRun;
import dev.keel.agents.recording.RecordedStep;
import dev.keel.agents.recording.RecordingFormatException;
import dev.keel.agents.toolsets.BackgroundJobsToolset;
import dev.keel.agents.toolsets.MovingClock;
import dev.keel.core.message.Message;
import dev.keel.core.message.UserMessage;
import dev.keel.testing.model.RecordedChatRequest;
import dev.keel.testing.model.ScriptedModelServer;
import dev.keel.testing.model.ScriptedReply;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whole-run recordings of runs into which ended background jobs and due schedules were told: recorded over real HTTP
 * against the scripted model server with real shell jobs (gated on a file the test opens from inside a model reply)
 * and a scheduler on a clock the test moves ({@code fireDue()}), then replayed with the job ending at another time or
 * never, the schedule firing early or never, and with the recording tampered with.
 */
class TeamRecallRecordingTest {
    private static final String TEAM = """
            agents:
              root:
                model: openai/main-model
                toolsets:
                  - type: background_jobs
                    recall: true
                  - type: scheduler
            """;
    /** Marks that it started, waits for the gate, prints. */
    private static final String BUILD = build("built-42");
    private static final String SECRET = "sk-live-0123456789abcdefghijklmnopqrstuv";
    private static final YAMLMapper YAML = new YAMLMapper();

    /**
     * A job that marks that it started, waits for the gate and prints {@code out} (on stdout only: how a job's
     * stdout and stderr interleave is not deterministic, and a model replay compares the live recall's text).
     */
    private static String build(String out) {
        return "touch started; while [ ! -f gate ]; do sleep 0.02; done; echo " + out;
    }

    @TempDir
    Path dir;
    private ScriptedModelServer llm;
    private Path file;

    @BeforeEach
    void start() {
        llm = ScriptedModelServer.start();
        file = dir.resolve("run.yaml");
    }

    @AfterEach
    void stop() {
        llm.close();
    }

    /** What a run left: the session's conversation and the recall events, as text. */
    private record Outcome(List<Message> conversation, List<String> events) {}

    private Team load(MovingClock clock) {
        Team team = Teams.parse(TEAM, "team.yaml", TeamFiles.isolated(dir).withServices(TeamServices.builder()
                .clock(clock).build()));
        assertThat(team.warnings()).isEmpty();
        return team;
    }

    private static String describe(AgentEvent e) {
        if (e instanceof AgentEvent.BackgroundJobRecalled r) {
            return r.agent() + " recalled " + r.jobId() + " " + r.state() + " " + r.exitCode() + " " + r.command();
        }
        if (e instanceof AgentEvent.ScheduleFired f) {
            return f.agent() + " fired " + f.scheduleId() + " " + f.name() + " " + f.dueAt();
        }
        return null;
    }

    /** Runs the team once with {@code recording}, {@code during} seeing every event on the run's thread. */
    private Outcome run(Team team, Recording recording, Consumer<AgentEvent> during) {
        List<String> events = new CopyOnWriteArrayList<>();
        Session session = Session.create();
        String output;
        try (Runner runner = team.runner().models(llm.models()).yolo(true).recording(recording).build()) {
            runner.events().subscribe(e -> {
                during.accept(e);
                String d = describe(e);
                if (d != null) {
                    events.add(d);
                }
            });
            output = runner.run(session, "build it and remind me of the deploy").output();
        }
        assertThat(output).isEqualTo("deploy checked");
        return new Outcome(session.messages(), events);
    }

    /**
     * Records the run: the job ends while the model answers its second call (so it is told before the third), the
     * schedule comes due while the model gives what would be its final answer (so it is told after it and the run goes
     * on to a fourth call).
     */
    private Outcome record(Recording recording, String buildCommand) throws IOException {
        MovingClock clock = new MovingClock();
        Team team = load(clock);
        AtomicInteger at = new AtomicInteger();
        llm.respondWith(req -> switch (at.getAndIncrement()) {
            case 0 -> ScriptedReply.toolCall("run_background_job", Map.of("cmd", buildCommand, "recall", true));
            case 1 -> {
                open("gate");
                awaitEnded(jobs(team), "job_1");
                yield ScriptedReply.toolCall("create_schedule", Map.of("prompt", "check the deploy", "when", "in:5m",
                        "name", "deploy"));
            }
            case 2 -> {
                clock.advance(Duration.ofMinutes(5));
                assertThat(scheduler(team).fireDue()).isEqualTo(1);
                yield ScriptedReply.text("waiting for the deploy");
            }
            case 3 -> ScriptedReply.text("deploy checked");
            default -> ScriptedReply.text("unexpected request");
        });
        Outcome recorded = run(team, recording, e -> { });
        llm.assertNoFailures();
        List<RecordedChatRequest> requests = llm.requests();
        assertThat(requests).hasSize(4);
        assertThat(recalls(requests.get(1))).isEmpty();
        assertThat(recalls(requests.get(2))).singleElement().asString().startsWith("Background job job_1 finished");
        assertThat(recalls(requests.get(3))).hasSize(2).last().asString()
                .isEqualTo("Scheduled task \"deploy\" (sched-1) is due:\ncheck the deploy");
        // the replays start from nothing: no gate, no marker
        Files.deleteIfExists(dir.resolve("gate"));
        Files.deleteIfExists(dir.resolve("started"));
        return recorded;
    }

    private Outcome record() throws IOException {
        return record(Recording.record(file), BUILD);
    }

    private void open(String gate) {
        try {
            Files.writeString(dir.resolve(gate), "go");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Waits, on the run's thread, until the live job ended once the tool call that started it finished. */
    private static Consumer<AgentEvent> jobEndsRightAway(Team team) {
        return e -> {
            if (e instanceof AgentEvent.ToolCallFinished f && f.call().name().equals("run_background_job")) {
                awaitEnded(jobs(team), "job_1");
            }
        };
    }

    /** Polls until the live job has marked that it started (at most a minute). */
    private void awaitStarted() {
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (!Files.exists(dir.resolve("started"))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the live job did not start");
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    private static List<String> recalls(RecordedChatRequest r) {
        return r.messages().stream().filter(UserMessage.class::isInstance).map(m -> ((UserMessage) m).text())
                .filter(t -> t.startsWith("Background job ") || t.startsWith("Scheduled task ")).toList();
    }

    @Test
    void eachRecallIsRecordedAsAStepAtThePointItWasTold() throws IOException {
        record();
        RecordedRun run = RecordedRun.read(file);
        List<RecordedStep> steps = run.steps();
        List<String> kinds = steps.stream().map(s -> s.getClass().getSimpleName() + "@" + s.tag().turn()).toList();
        assertThat(kinds).containsSubsequence("ModelCall@1", "ToolExecution@1", "JobRecall@2", "ModelCall@2",
                "ScheduleFire@2", "ModelCall@3");
        RecordedStep.JobRecall job = run.steps(RecordedStep.JobRecall.class).get(0);
        assertThat(job.afterAnswer()).isFalse();
        assertThat(job.tag().session()).isEqualTo("s1");
        assertThat(job.tag().agent()).isEqualTo("root");
        assertThat(job.jobId()).isEqualTo("job_1");
        assertThat(job.state()).isEqualTo("completed");
        assertThat(job.exitCode()).isZero();
        assertThat(job.command()).isEqualTo(BUILD);
        assertThat(job.message()).startsWith("Background job job_1 finished with status completed (exit code 0).")
                .contains("built-42");
        RecordedStep.ScheduleFire fire = run.steps(RecordedStep.ScheduleFire.class).get(0);
        assertThat(fire.afterAnswer()).isTrue();
        assertThat(fire.scheduleId()).isEqualTo("sched-1");
        assertThat(fire.name()).isEqualTo("deploy");
        assertThat(fire.dueAt()).isEqualTo(MovingClock.T0.plus(Duration.ofMinutes(5)));
        assertThat(fire.message()).isEqualTo("Scheduled task \"deploy\" (sched-1) is due:\ncheck the deploy");
        String text = Files.readString(file);
        assertThat(text).contains("version: 2", "step: job_recall", "at: before_model", "step: schedule_fire",
                "at: after_answer");
    }

    @Test
    void aFullReplayTellsTheRecordedRecallsAtTheirPointsAndRunsNoJob() throws IOException {
        Outcome recorded = record();
        int requests = llm.requests().size();
        Outcome replayed = run(load(new MovingClock()), Recording.replay(file), e -> { });
        assertThat(replayed.conversation()).isEqualTo(recorded.conversation());
        assertThat(replayed.events()).isEqualTo(recorded.events()).hasSize(2);
        assertThat(llm.requests()).as("no model was asked").hasSize(requests);
        assertThat(dir.resolve("started")).as("the job's tool call was replayed: no job ran").doesNotExist();
    }

    @Test
    void newEpisodesRecordsTheRecallsOfANewRunAndTellsThemFromTheFileWhenTheRunIsThere() throws IOException {
        Outcome recorded = record(Recording.newEpisodes(file), BUILD);
        assertThat(RecordedRun.read(file).steps(RecordedStep.JobRecall.class)).hasSize(1);
        assertThat(RecordedRun.read(file).steps(RecordedStep.ScheduleFire.class)).hasSize(1);
        String written = Files.readString(file);
        int requests = llm.requests().size();
        Outcome again = run(load(new MovingClock()), Recording.newEpisodes(file), e -> { });
        assertThat(again.conversation()).isEqualTo(recorded.conversation());
        assertThat(again.events()).isEqualTo(recorded.events());
        assertThat(llm.requests()).hasSize(requests);
        assertThat(dir.resolve("started")).as("the job's tool call came from the file").doesNotExist();
        assertThat(Files.readString(file)).as("nothing new: not rewritten").isEqualTo(written);
    }

    @Test
    void aRecallToldToADelegatedSessionIsRecordedUnderItsLabelAndReplayedThere() throws IOException {
        String delegating = """
                agents:
                  root:
                    model: openai/main-model
                    sub_agents: [builder]
                  builder:
                    model: openai/builder-model
                    description: Builds in the background.
                    toolsets:
                      - type: background_jobs
                        recall: true
                """;
        Team team = Teams.parse(delegating, "team.yaml", TeamFiles.isolated(dir));
        BackgroundJobsToolset jobs = jobs(team.agents().get("builder"));
        AtomicInteger root = new AtomicInteger();
        AtomicInteger builder = new AtomicInteger();
        llm.respondWith(req -> req.model().equals("main-model") ? switch (root.getAndIncrement()) {
            case 0 -> ScriptedReply.toolCall("transfer_task", Map.of("agent", "builder", "task", "build it",
                    "expected_output", "the build's output"));
            default -> ScriptedReply.text("deploy checked");
        } : switch (builder.getAndIncrement()) {
            case 0 -> ScriptedReply.toolCall("run_background_job", Map.of("cmd", BUILD, "recall", true));
            case 1 -> {
                open("gate");
                awaitEnded(jobs, "job_1");
                yield ScriptedReply.text("started the build"); // the job ended meanwhile: the builder goes on
            }
            default -> ScriptedReply.text("built-42 it is");
        });
        Outcome recorded = run(team, Recording.record(file), e -> { });
        assertThat(builder).as("the recall made the builder go on").hasValue(3);
        RecordedStep.JobRecall job = RecordedRun.read(file).steps(RecordedStep.JobRecall.class).get(0);
        assertThat(job.tag().session()).isEqualTo("s1/0.0:builder");
        assertThat(job.tag().agent()).isEqualTo("builder");
        assertThat(job.afterAnswer()).isTrue();
        assertThat(job.tag().turn()).isEqualTo(1);
        Files.deleteIfExists(dir.resolve("gate"));
        Files.deleteIfExists(dir.resolve("started"));

        Outcome replayed = run(Teams.parse(delegating, "team.yaml", TeamFiles.isolated(dir)), Recording.replay(file),
                e -> { });
        assertThat(replayed.conversation()).isEqualTo(recorded.conversation());
        assertThat(replayed.events()).isEqualTo(recorded.events()).singleElement().asString()
                .startsWith("builder recalled job_1 completed 0");
        assertThat(dir.resolve("started")).doesNotExist();
    }

    @Test
    void aModelReplayToldTheRecordedRecallsWhenTheLiveJobNeverEndsAndTheScheduleNeverFires() throws IOException {
        Outcome recorded = record();
        MovingClock clock = new MovingClock(); // never moved: the live schedule never comes due
        Outcome replayed = run(load(clock), Recording.replayModels(file), e -> {
            if (e instanceof AgentEvent.ToolCallFinished f && f.call().name().equals("run_background_job")) {
                awaitStarted(); // the live job runs (tools are live in this mode) and waits for a gate never opened
            }
        });
        assertThat(dir.resolve("gate")).as("so the live job never ended").doesNotExist();
        assertThat(replayed.conversation()).isEqualTo(recorded.conversation());
        assertThat(replayed.events()).isEqualTo(recorded.events());
    }

    @Test
    void aModelReplayWhoseLiveJobAndScheduleComeEarlierToldThemOnlyOnceAtTheRecordedPoints() throws IOException {
        Outcome recorded = record();
        MovingClock clock = new MovingClock();
        Team team = load(clock);
        open("gate"); // the live job ends right away, a turn before the recording told it
        Outcome replayed = run(team, Recording.replayModels(file), e -> {
            if (e instanceof AgentEvent.ToolCallFinished f && f.call().name().equals("run_background_job")) {
                awaitEnded(jobs(team), "job_1");
            }
            if (e instanceof AgentEvent.ToolCallFinished f && f.call().name().equals("create_schedule")) {
                clock.advance(Duration.ofMinutes(5)); // due a turn before the recording told it
                assertThat(scheduler(team).fireDue()).isEqualTo(1);
            }
        });
        assertThat(replayed.conversation()).isEqualTo(recorded.conversation());
        assertThat(replayed.events()).as("the live ones were checked, not told").isEqualTo(recorded.events());
    }

    @Test
    void aModelReplayWhoseLiveJobPrintsSomethingElseDivergesAtTheRecallStep() throws IOException {
        record();
        tamper(steps -> recallStep(steps, "job_recall").put("message", "Background job job_1 finished with status "
                + "completed (exit code 0).\nCommand: " + BUILD + "\n--- output ---\nbuilt-41\n"));
        MovingClock clock = new MovingClock();
        Team team = load(clock);
        open("gate");
        assertThatThrownBy(() -> run(team, Recording.replayModels(file), jobEndsRightAway(team))).isInstanceOf(RecordingDivergenceException.class)
                .hasMessageContaining("agent 'root', turn 2, call 0 (session s1)")
                .hasMessageContaining("the recall of background job 'job_1' (told before the model call) differs "
                        + "from the one that came live")
                .hasMessageContaining("-   | built-41").hasMessageContaining("+   | built-42");
    }

    @Test
    void aModelReplayWhoseLiveJobTheRecordingDoesNotRecallDivergesInsteadOfTellingIt() throws IOException {
        record();
        tamper(steps -> steps.remove(indexOf(steps, "job_recall")));
        Team team = load(new MovingClock());
        open("gate");
        assertThatThrownBy(() -> run(team, Recording.replayModels(file), jobEndsRightAway(team))).isInstanceOf(RecordingDivergenceException.class)
                .hasMessageContaining("agent 'root', turn 1 (session s1)")
                .hasMessageContaining("the recall of background job 'job_1' came live before the model call, but the "
                        + "recording has no such recall in session s1");
    }

    @Test
    void aChangedRecallTextFailsTheFullReplayAtTheModelCallItWasToldBefore() throws IOException {
        record();
        tamper(steps -> recallStep(steps, "job_recall").put("message", "Background job job_1 finished with status "
                + "completed (exit code 0).\nCommand: " + BUILD + "\n--- output ---\nbuilt-41\n"));
        assertThatThrownBy(() -> run(load(new MovingClock()), Recording.replay(file), e -> { }))
                .isInstanceOf(RecordingDivergenceException.class)
                .hasMessageContaining("agent 'root', turn 2 (session s1)")
                .hasMessageContaining("the model request differs from the recorded one (the recording told the recall "
                        + "of background job 'job_1' before it)")
                .hasMessageContaining("built-41");
    }

    @Test
    void aRemovedRecallFailsTheFullReplayWhereverItWasTold() throws IOException {
        record();
        String original = Files.readString(file);
        tamper(steps -> steps.remove(indexOf(steps, "job_recall")));
        assertThatThrownBy(() -> run(load(new MovingClock()), Recording.replay(file), e -> { }))
                .isInstanceOf(RecordingDivergenceException.class)
                .hasMessageContaining("agent 'root', turn 2 (session s1)")
                .hasMessageContaining("the model request differs from the recorded one");

        // told after a final answer: without it the replayed run ends early, which closing the runner reports
        Files.writeString(file, original);
        tamper(steps -> steps.remove(indexOf(steps, "schedule_fire")));
        assertThatThrownBy(() -> run(load(new MovingClock()), Recording.replay(file), e -> { }))
                .isInstanceOf(RecordingDivergenceException.class)
                .hasMessageContaining("agent 'root', turn 3 (session s1)")
                .hasMessageContaining("the replay's run ended, but the recording goes on with this model call");
    }

    @Test
    void aMovedRecallFailsTheFullReplayNamingTheStep() throws IOException {
        record();
        String original = Files.readString(file);
        // a turn earlier: told before the model call that did not have it
        tamper(steps -> recallStep(steps, "job_recall").put("turn", 1));
        assertThatThrownBy(() -> run(load(new MovingClock()), Recording.replay(file), e -> { }))
                .isInstanceOf(RecordingDivergenceException.class)
                .hasMessageContaining("agent 'root', turn 1 (session s1)")
                .hasMessageContaining("(the recording told the recall of background job 'job_1' before it)");

        // from after the final answer to before the next call: the run would end where the recording went on
        Files.writeString(file, original);
        tamper(steps -> recallStep(steps, "schedule_fire").put("at", "before_model").put("turn", 3));
        RecordingDivergenceException e = org.junit.jupiter.api.Assertions.assertThrows(
                RecordingDivergenceException.class, () -> run(load(new MovingClock()), Recording.replay(file), x -> { }));
        assertThat(e.getMessage()).contains("turn 3, call 0 (session s1)",
                "the replay never reached the fire of schedule 'sched-1', which the recording tells before the model call");

        // to another agent's turn
        Files.writeString(file, original);
        tamper(steps -> recallStep(steps, "schedule_fire").put("agent", "helper"));
        assertThatThrownBy(() -> run(load(new MovingClock()), Recording.replay(file), x -> { }))
                .isInstanceOf(RecordingDivergenceException.class)
                .hasMessageContaining("the recording tells the fire of schedule 'sched-1' to another agent after the "
                        + "model's final answer");
    }

    @Test
    void aRecallThatCarriedASecretIsRecordedRedactedAndStillReplays() throws IOException {
        Recording recording = Recording.builder(file, Recording.Mode.RECORD)
                .environment(Map.of("OPENAI_API_KEY", SECRET)::get).build();
        Outcome recorded = record(recording, build(SECRET));
        assertThat(recorded.conversation().toString()).as("the live run saw it").contains(SECRET);
        String text = Files.readString(file);
        assertThat(text).doesNotContain(SECRET).doesNotContain(SECRET.substring(8, 30));
        RecordedStep.JobRecall job = RecordedRun.read(file).steps(RecordedStep.JobRecall.class).get(0);
        assertThat(job.message()).contains("<REDACTED>").doesNotContain(SECRET);
        assertThat(job.command()).contains("<REDACTED>").doesNotContain(SECRET);

        Outcome replayed = run(load(new MovingClock()), Recording.replay(file), e -> { });
        assertThat(replayed.conversation().toString()).doesNotContain(SECRET).contains("<REDACTED>");
        assertThat(replayed.conversation()).hasSameSizeAs(recorded.conversation());
    }

    @Test
    void aRunWithoutRecallsIsWrittenInTheOldFormatVersionOneWhichStillReplays() throws IOException {
        llm.respond(ScriptedReply.text("deploy checked"));
        Outcome recorded = run(load(new MovingClock()), Recording.record(file), e -> { });
        String text = Files.readString(file);
        assertThat(text).startsWith("format: keel-recording\nversion: 1\n").doesNotContain("job_recall", "schedule_fire",
                "before_model", "after_answer");
        Outcome replayed = run(load(new MovingClock()), Recording.replay(file), e -> { });
        assertThat(replayed.conversation()).isEqualTo(recorded.conversation());
    }

    @Test
    void aFileThatClaimsAnOlderOrNewerVersionThanItsStepsNeedIsRefusedNamingTheStep() throws IOException {
        record();
        String original = Files.readString(file);
        Files.writeString(file, original.replace("version: 2", "version: 1"));
        assertThatThrownBy(() -> RecordedRun.read(file)).isInstanceOf(RecordingFormatException.class)
                .hasMessageMatching("(?s).*step #\\d+ is malformed: step kind 'job_recall' needs format version 2 "
                        + "\\(the file says 1\\).*");
        Files.writeString(file, original.replace("version: 2", "version: 3"));
        assertThatThrownBy(() -> RecordedRun.read(file)).isInstanceOf(RecordingFormatException.class)
                .hasMessageContaining("reads versions 1 to 2");
        Files.writeString(file, original.replace("at: before_model", "at: sometime"));
        assertThatThrownBy(() -> RecordedRun.read(file)).isInstanceOf(RecordingFormatException.class)
                .hasMessageContaining("'at' is 'sometime', not before_model or after_answer");
    }

    // ---- tampering

    /** Rewrites the recording's steps with {@code edit}. */
    private void tamper(Consumer<ArrayNode> edit) throws IOException {
        ObjectNode root = (ObjectNode) YAML.readTree(file.toFile());
        edit.accept((ArrayNode) root.get("steps"));
        YAML.writeValue(file.toFile(), root);
    }

    private static int indexOf(ArrayNode steps, String kind) {
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i).path("step").asText().equals(kind)) {
                return i;
            }
        }
        throw new AssertionError("no " + kind + " step");
    }

    private static ObjectNode recallStep(ArrayNode steps, String kind) {
        return (ObjectNode) steps.get(indexOf(steps, kind));
    }
}
