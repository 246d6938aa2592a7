package dev.keel.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.agents.RecordingDivergenceException;
import dev.keel.agents.recording.RecordedRun;
import dev.keel.agents.recording.RecordedStep;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code samples/run dev-team --record FILE} then {@code --replay FILE}: the replay prints the same transcript
 * in another workspace with no model server (none is started) and no command run; a replay of an edited team
 * names the first divergence. Same for the podcast team.
 */
@Timeout(60)
class SampleRecordReplayTest {
    @TempDir
    Path dir;

    private static String capture(SampleBody body) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        body.run(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @FunctionalInterface
    interface SampleBody {
        void run(PrintStream out) throws Exception;
    }

    @Test
    void devTeamReplaysTheSameTranscriptWithNothingStarted() throws Exception {
        Path file = dir.resolve("dev-team.run.yaml");
        Path recordWs = dir.resolve("ws-record");
        SampleRecording record = SampleRecording.parse(new String[] {"--record", file.toString()});
        String recorded = capture(out -> {
            try (TeamSampleSupport support = TeamSampleSupport.choose(DevTeamSample::script, out, record)) {
                assertThat(support.scriptedRequests()).isEmpty();
                DevTeamSample.run(support, recordWs, "Build a tiny command-line to-do list: add items and list them.", out, record);
                assertThat(support.scriptedRequests()).hasSize(12);
            }
        });
        assertThat(Files.exists(recordWs.resolve("todo.txt"))).isTrue();
        assertThat(RecordedRun.read(file).steps(RecordedStep.CommandRun.class)).extracting(c -> c.exitCode())
                .containsExactly(0, 0);

        Path replayWs = dir.resolve("ws-replay");
        SampleRecording replay = SampleRecording.parse(new String[] {"--replay", file.toString()});
        String replayed = capture(out -> {
            try (TeamSampleSupport support = TeamSampleSupport.choose(DevTeamSample::script, out, replay)) {
                DevTeamSample.run(support, replayWs, "Build a tiny command-line to-do list: add items and list them.", out, replay);
                assertThat(support.mode).startsWith("replay of");
            }
        });
        assertThat(replayed).isEqualTo(recorded).contains("▶ root → engineer", "Stop reason: COMPLETED");
        assertThat(replayWs.resolve("todo.txt")).as("the shell did not run in the replay").doesNotExist();

        Path edited = dir.resolve("dev-team.yaml");
        try (InputStream in = DevTeamSample.class.getResourceAsStream("/teams/dev-team.yaml")) {
            Files.writeString(edited, new String(in.readAllBytes(), StandardCharsets.UTF_8)
                    .replace("You are QA.", "You are QA. Be thorough."));
        }
        SampleRecording editedReplay = SampleRecording.parse(new String[] {"--replay", file.toString(), "--team", edited.toString()});
        assertThatThrownBy(() -> capture(out -> {
            try (TeamSampleSupport support = TeamSampleSupport.choose(DevTeamSample::script, out, editedReplay)) {
                DevTeamSample.run(support, dir.resolve("ws-3"), "Build a tiny command-line to-do list: add items and list them.",
                        out, editedReplay);
            }
        })).isInstanceOfSatisfying(RecordingDivergenceException.class, e -> {
            assertThat(e.agent()).isEqualTo("qa");
            assertThat(e.turn()).isZero();
            assertThat(e.getMessage()).contains("+   | You are QA. Be thorough.");
        });
    }

    @Test
    void podcastReplaysTheSameTranscript() throws Exception {
        Path file = dir.resolve("podcast.run.yaml");
        SampleRecording record = SampleRecording.parse(new String[] {"--record", file.toString()});
        String recorded = capture(out -> {
            try (TeamSampleSupport support = TeamSampleSupport.choose(PodcastSample::script, out, record)) {
                PodcastSample.run(support, dir.resolve("p1"), "keels", out, record);
            }
        });
        SampleRecording replay = SampleRecording.parse(new String[] {"--replay", file.toString()});
        String replayed = capture(out -> {
            try (TeamSampleSupport support = TeamSampleSupport.choose(PodcastSample::script, out, replay)) {
                PodcastSample.run(support, dir.resolve("p2"), "keels", out, replay);
            }
        });
        assertThat(replayed).isEqualTo(recorded).contains("Stop reason: COMPLETED");
        assertThat(dir.resolve("p2").resolve("episode.md")).doesNotExist();
    }

    @Test
    void flagsAreParsedAndMisuseIsNamed() {
        SampleRecording f = SampleRecording.parse(new String[] {"ws", "--replay", "/tmp/x.yaml", "do it"});
        assertThat(f.replay()).isEqualTo(Path.of("/tmp/x.yaml"));
        assertThat(f.rest()).containsExactly("ws", "do it");
        assertThatThrownBy(() -> SampleRecording.parse(new String[] {"--record"})).hasMessageContaining("--record needs a file");
        assertThatThrownBy(() -> SampleRecording.parse(new String[] {"--record", "a", "--replay", "b"}))
                .hasMessageContaining("not both");
    }
}
