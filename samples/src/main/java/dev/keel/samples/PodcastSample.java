package dev.keel.samples;

import dev.keel.agents.AgentEvents;
import dev.keel.agents.AgentResult;
import dev.keel.agents.Recording;
import dev.keel.agents.Runner;
import dev.keel.agents.team.Team;
import dev.keel.testing.model.RecordedChatRequest;
import dev.keel.testing.model.ScriptedReply;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A podcast team from a cagent YAML file: a director delegating to a researcher (think + persistent
 * memory) and a scriptwriter (writes the script to the workspace).
 *
 * <p>Run: {@code samples/run podcast [--record FILE | --replay FILE] [--team FILE] [workspace-dir] ["topic"]}. Uses OPENAI_API_KEY or a local Docker
 * Model Runner when available, otherwise says so and replays a scripted run.
 */
public final class PodcastSample {
    private PodcastSample() {}

    public static void main(String[] args) throws Exception {
        SampleRecording.main(() -> {
            SampleRecording flags = SampleRecording.parse(args);
            String dir = flags.arg(0, null);
            Path workspace = dir != null ? Path.of(dir) : Files.createTempDirectory("keel-podcast");
            String topic = flags.arg(1, "the keel: the backbone of a ship");
            try (TeamSampleSupport support = TeamSampleSupport.choose(PodcastSample::script, System.out, flags)) {
                run(support, workspace, topic, System.out, flags);
            }
        });
    }

    /** Runs the team on {@code topic} in {@code workspace}, printing the live view and the script to {@code out}. */
    static AgentResult run(TeamSampleSupport support, Path workspace, String topic, PrintStream out) throws IOException {
        return run(support, workspace, topic, out, SampleRecording.none());
    }

    /** Like {@link #run(TeamSampleSupport, Path, String, PrintStream)}, recorded or replayed as {@code flags} say. */
    static AgentResult run(TeamSampleSupport support, Path workspace, String topic, PrintStream out,
                           SampleRecording flags) throws IOException {
        Files.createDirectories(workspace);
        out.println((flags.active() ? "" : "Workspace: " + workspace.toAbsolutePath() + "\n") + "Topic: " + topic + "\n");
        Recording recording = flags.open(workspace);
        Team team = support.load("podcast.yaml", workspace, flags.team());
        try (Runner runner = flags.apply(team.runner().models(support.resolver), recording).yolo(true).build();
             AgentEvents.Subscription view = runner.events().subscribe(flags.view(out))) {
            AgentResult result = runner.run("Produce a short episode about " + topic + ".");
            Path script = workspace.resolve("episode.md");
            if (!flags.active() && Files.exists(script)) {
                out.println("\n--- episode.md ---\n" + Files.readString(script));
            }
            out.println(flags.active() ? "\nStop reason: " + result.stopReason() : "Model: " + support.mode
                    + ", stop reason: " + result.stopReason() + ", memory file: " + workspace.resolve("podcast-memory.jsonl"));
            return result;
        }
    }

    static ScriptedReply script(RecordedChatRequest req) {
        String system = req.systemPrompt();
        long step = TeamSampleSupport.step(req);
        if (system.startsWith("You direct a short podcast episode.")) {
            return switch ((int) step) {
                case 0 -> ScriptedReply.toolCall("transfer_task", Map.of("agent", "researcher",
                        "task", "Find three surprising facts about ship keels.", "expected_output", "three short facts"));
                case 1 -> ScriptedReply.toolCall("transfer_task", Map.of("agent", "scriptwriter",
                        "task", "Write a two-host script using: " + lastToolResult(req), "expected_output", "episode.md"));
                default -> ScriptedReply.text("episode.md: Ada and Linus explain why a keel keeps a ship upright.");
            };
        }
        if (system.startsWith("You research topics.")) {
            return switch ((int) step) {
                case 0 -> ScriptedReply.toolCall("think", Map.of("thought", "Pick facts a listener can picture."));
                case 1 -> ScriptedReply.toolCall("add_memory", Map.of("memory", "A keel lowers a ship's centre of gravity."));
                default -> ScriptedReply.text("1) The keel is the first part of a ship to be built. "
                        + "2) It lowers the centre of gravity. 3) Sailing keels turn sideways wind into forward motion.");
            };
        }
        if (system.startsWith("You write podcast scripts")) {
            return switch ((int) step) {
                case 0 -> ScriptedReply.toolCall("write_file", Map.of("path", "episode.md", "content",
                        "# Keels\n\n**Ada:** Every ship starts with its keel.\n\n**Linus:** And it keeps the ship upright "
                                + "by lowering its centre of gravity.\n"));
                default -> ScriptedReply.text("Saved episode.md.");
            };
        }
        return ScriptedReply.text("unscripted agent");
    }

    private static String lastToolResult(RecordedChatRequest req) {
        var last = req.lastMessage();
        return last instanceof dev.keel.core.message.ToolResultMessage r ? r.content() : "";
    }
}
