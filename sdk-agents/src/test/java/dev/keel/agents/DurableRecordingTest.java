package dev.keel.agents;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.agents.recording.RecordedRun;
import dev.keel.agents.recording.RecordedStep;
import dev.keel.agents.internal.recording.RecordingFile;
import dev.keel.agents.session.SessionStore;
import dev.keel.testing.model.ScriptedModelServer;
import dev.keel.testing.model.ScriptedReply;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A durable run recorded across a suspension and a restart: the instance that suspends records the first half,
 * the instance that resumes adds the second half to the same file, and the file then replays the whole run in one
 * go (the recorded decision answers the approval), with no model, no tool and no store of the original run.
 */
class DurableRecordingTest {
    private static final Instant NOON = Instant.parse("2026-03-01T12:00:00Z");

    @TempDir
    Path dir;
    private ScriptedModelServer llm;
    private Path journal;
    private Path file;

    @BeforeEach
    void setUp() {
        llm = ScriptedModelServer.start();
        journal = dir.resolve("journal.txt");
        file = dir.resolve("deploy.run.yaml");
    }

    @AfterEach
    void tearDown() {
        llm.close();
    }

    private Runner runner(SessionStore store, Recording recording) {
        return Runner.builder(DurableChild.operator(llm.baseUrl(), journal, false)).sessions(store)
                .clock(Clock.fixed(NOON, ZoneOffset.UTC)).recording(recording).build();
    }

    private List<String> journal() throws IOException {
        return Files.exists(journal) ? Files.readAllLines(journal, StandardCharsets.UTF_8) : List.of();
    }

    private String suspendAndResumeWhileRecording() {
        llm.respond(ScriptedReply.toolCall("deploy", Map.of("env", "staging")))
           .respond(ScriptedReply.text("Deployed."));
        String token;
        try (Runner first = runner(SessionStore.inDirectory(dir.resolve("sessions")), Recording.record(file))) {
            RunOutcome out = first.run("s-1", "Ship it");
            token = ((RunOutcome.Suspended) out).token();
        }
        // The restarted instance: a new runner, the same store, the recording continued rather than overwritten.
        try (Runner second = runner(SessionStore.inDirectory(dir.resolve("sessions")), Recording.newEpisodes(file))) {
            RunOutcome done = second.resume(token, Decision.approve("alice", "release window"));
            return ((RunOutcome.Completed) done).result().output();
        }
    }

    @Test
    void theResumingInstanceAddsTheSecondHalfToTheFileTheSuspendingInstanceWrote() throws Exception {
        assertThat(suspendAndResumeWhileRecording()).isEqualTo("Deployed.");
        assertThat(llm.requests()).hasSize(2);
        assertThat(journal()).hasSize(1);

        RecordedRun run = RecordingFile.read(file);
        assertThat(run.steps()).filteredOn(RecordedStep.ModelCall.class::isInstance).hasSize(2);
        assertThat(run.steps()).filteredOn(RecordedStep.ApprovalDecision.class::isInstance).singleElement()
                .satisfies(s -> assertThat(((RecordedStep.ApprovalDecision) s).approved()).isTrue());
        assertThat(run.steps()).filteredOn(RecordedStep.ToolExecution.class::isInstance).singleElement()
                .satisfies(s -> assertThat(((RecordedStep.ToolExecution) s).result()).isEqualTo("deployed to staging"));
    }

    @Test
    void theWholeSuspendedAndResumedRunReplaysInOneGoWithoutModelToolOrTheOriginalStore() throws Exception {
        suspendAndResumeWhileRecording();
        int requests = llm.requests().size();
        List<String> ran = journal();

        // Another machine: an empty store, no decision to give; the recording answers everything.
        try (Runner replay = runner(SessionStore.inDirectory(dir.resolve("elsewhere")), Recording.replay(file))) {
            RunOutcome out = replay.run("s-1", "Ship it");
            assertThat(out).isInstanceOf(RunOutcome.Completed.class);
            assertThat(((RunOutcome.Completed) out).result().output()).isEqualTo("Deployed.");
        }
        assertThat(llm.requests()).hasSize(requests);
        assertThat(journal()).isEqualTo(ran);
    }

    @Test
    void aDenialGivenAtResumeIsRecordedAndReplayedToTheModel() throws Exception {
        llm.respond(ScriptedReply.toolCall("deploy", Map.of("env", "prod")))
           .respond(ScriptedReply.text("Not deployed."));
        String token;
        try (Runner first = runner(SessionStore.inDirectory(dir.resolve("sessions")), Recording.record(file))) {
            token = ((RunOutcome.Suspended) first.run("s-1", "Ship it")).token();
        }
        try (Runner second = runner(SessionStore.inDirectory(dir.resolve("sessions")), Recording.newEpisodes(file))) {
            second.resume(token, Decision.deny("bob", "change freeze"));
        }
        assertThat(journal()).isEmpty();
        assertThat(RecordingFile.read(file).steps()).filteredOn(RecordedStep.ApprovalDecision.class::isInstance)
                .singleElement().satisfies(s -> assertThat(((RecordedStep.ApprovalDecision) s).approved()).isFalse());

        try (Runner replay = runner(SessionStore.inDirectory(dir.resolve("elsewhere")), Recording.replay(file))) {
            RunOutcome out = replay.run("s-1", "Ship it");
            assertThat(((RunOutcome.Completed) out).result().output()).isEqualTo("Not deployed.");
        }
        assertThat(llm.requests()).hasSize(2);
        assertThat(journal()).isEmpty();
    }

    /**
     * Recording new episodes over a file whose toolsets are listed from it: a call the file has no record of runs
     * the toolset's own tool (it used to fail: the tool listed from the file could not run live).
     */
    @Test
    void aNewEpisodeCallsALiveToolOfAToolsetTheFileAlreadyLists() throws Exception {
        llm.respond(ScriptedReply.text("Ready."))
           .respond(ScriptedReply.toolCall("fast", Map.of()))
           .respond(ScriptedReply.text("Done fast."));
        try (Runner first = runner(SessionStore.inMemory(), Recording.record(file))) {
            first.run("s-1", "Get ready");
        }
        try (Runner more = runner(SessionStore.inMemory(), Recording.newEpisodes(file))) {
            more.run("s-1", "Get ready");                  // replayed from the file
            RunOutcome out = more.run("s-1", "Now go fast");  // new: the model asks for a tool the file never ran
            assertThat(((RunOutcome.Completed) out).result().output()).isEqualTo("Done fast.");
        }
        assertThat(journal()).singleElement().asString().startsWith("fast ");
        assertThat(llm.requests()).hasSize(3);

        try (Runner replay = runner(SessionStore.inMemory(), Recording.replay(file))) {
            replay.run("s-1", "Get ready");
            RunOutcome out = replay.run("s-1", "Now go fast");
            assertThat(((RunOutcome.Completed) out).result().output()).isEqualTo("Done fast.");
        }
        assertThat(journal()).hasSize(1);
        assertThat(llm.requests()).hasSize(3);
    }
}
