package dev.keel.samples;

import dev.keel.agents.AgentListener;
import dev.keel.agents.ConsoleView;
import dev.keel.agents.Recording;
import dev.keel.agents.RecordingDivergenceException;
import dev.keel.agents.Runner;
import dev.keel.agents.recording.RecordedRun;
import dev.keel.agents.recording.RecordingException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The agent samples' {@code --record FILE} and {@code --replay FILE}: record the whole run (models, tools,
 * commands, delegations, approvals) into one file, or replay it with no model server, no MCP server and no
 * command started. With either flag the transcript leaves out what differs between two runs (the temporary
 * workspace's path, tool timings, the workspace listing), so a replay prints exactly what the recording printed;
 * a replay that leaves the recording prints the first divergence and the sample exits with status 3.
 *
 * <p>{@code --team FILE} runs a team file from disk instead of the one the sample ships (to see a replay of an
 * edited team diverge).
 *
 * @param record file to record into, or null
 * @param replay file to replay, or null
 * @param team   a team file to use instead of the sample's, or null
 * @param rest   the sample's other arguments
 */
record SampleRecording(Path record, Path replay, Path team, List<String> rest) {
    /** No flags. */
    static SampleRecording none() {
        return new SampleRecording(null, null, null, List.of());
    }

    /** Exit status of a replay that left its recording. */
    static final int DIVERGED = 3;

    /** Takes {@code --record FILE} / {@code --replay FILE} out of {@code args}. */
    static SampleRecording parse(String[] args) {
        Path record = null;
        Path replay = null;
        Path team = null;
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--record") || a.equals("--replay") || a.equals("--team")) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(a + " needs a file, for example " + a + " /tmp/team.run.yaml");
                }
                Path file = Path.of(args[++i]);
                if (a.equals("--record")) {
                    record = file;
                } else if (a.equals("--replay")) {
                    replay = file;
                } else {
                    team = file;
                }
            } else {
                rest.add(a);
            }
        }
        if (record != null && replay != null) {
            throw new IllegalArgumentException("use --record or --replay, not both");
        }
        return new SampleRecording(record, replay, team, List.copyOf(rest));
    }

    /** Whether the run is recorded or replayed (the transcript then omits what varies between runs). */
    boolean active() {
        return record != null || replay != null;
    }

    boolean replaying() {
        return replay != null;
    }

    /** The sample's argument {@code i}, or {@code fallback}. */
    String arg(int i, String fallback) {
        return rest.size() > i ? rest.get(i) : fallback;
    }

    /** The recording for a run in {@code workspace} (null: a run without a workspace), or null without a flag. */
    Recording open(Path workspace) {
        Path file = record != null ? record : replay;
        if (file == null) {
            return null;
        }
        Recording.Builder builder = Recording.builder(file, record != null ? Recording.Mode.RECORD : Recording.Mode.REPLAY);
        if (workspace != null) {
            builder.workspaceRoot(workspace);
        }
        return builder.build();
    }

    /** The label of the first model the replayed recording called ({@code provider/model}). */
    String replayedModelLabel() {
        return RecordedRun.read(replay).modelCalls().stream().map(m -> m.model()).findFirst().orElse("scripted/replay");
    }

    /**
     * The environment of the recorded run's models ({@code KEEL_SAMPLE_PROVIDER}/{@code KEEL_SAMPLE_MODEL}), read
     * from the recording, so that the team file names the same models without a server or key.
     */
    Map<String, String> replayedModelEnv() {
        String label = replayedModelLabel();
        int slash = label.indexOf('/');
        return Map.of("KEEL_SAMPLE_PROVIDER", slash < 0 ? "scripted" : label.substring(0, slash),
                "KEEL_SAMPLE_MODEL", slash < 0 ? label : label.substring(slash + 1));
    }

    /** The live view: without timings when recording or replaying. */
    AgentListener view(PrintStream out) {
        return ConsoleView.to(out).timings(!active());
    }

    /** Adds the recording to a runner. */
    Runner.Builder apply(Runner.Builder builder, Recording recording) {
        return recording == null ? builder : builder.recording(recording);
    }

    /** Runs a sample's body; a divergence or an unusable recording is printed and ends the process with a status. */
    static void main(Body body) throws Exception {
        try {
            body.run();
        } catch (RecordingDivergenceException e) {
            System.err.println("\nThe replay left the recording:\n" + e.getMessage());
            System.exit(DIVERGED);
        } catch (RecordingException | IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
        }
    }

    /** A sample's body. */
    @FunctionalInterface
    interface Body {
        void run() throws Exception;
    }
}
