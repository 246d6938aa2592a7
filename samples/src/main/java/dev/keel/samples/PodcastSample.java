package dev.keel.samples;

import dev.keel.agents.AgentEvents;
import dev.keel.agents.AgentResult;
import dev.keel.agents.Runner;
import dev.keel.agents.team.Team;
import dev.keel.testing.model.RecordedChatRequest;
import dev.keel.testing.model.ScriptedReply;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A podcast team from a cagent YAML file: a director delegating to a researcher (think + persistent
 * memory) and a scriptwriter (writes the script to the workspace).
 *
 * <p>Run: {@code samples/run podcast [workspace-dir] ["topic"]}. Uses OPENAI_API_KEY or a local Docker
 * Model Runner when available, otherwise says so and replays a scripted run.
 */
public final class PodcastSample {
    private PodcastSample() {}

    public static void main(String[] args) throws Exception {
        Path workspace = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("keel-podcast");
        String topic = args.length > 1 ? args[1] : "the keel: the backbone of a ship";
        try (TeamSampleSupport support = TeamSampleSupport.choose(PodcastSample::script, System.out)) {
            run(support, workspace, topic, System.out);
        }
    }

    /** Runs the team on {@code topic} in {@code workspace}, printing the live view and the script to {@code out}. */
    static AgentResult run(TeamSampleSupport support, Path workspace, String topic, PrintStream out) throws IOException {
        Files.createDirectories(workspace);
        out.println("Workspace: " + workspace.toAbsolutePath() + "\nTopic: " + topic + "\n");
        Team team = support.load("podcast.yaml", workspace);
        try (Runner runner = team.runner().models(support.resolver).yolo(true).build();
             AgentEvents.Subscription view = runner.events().subscribe(TeamSampleSupport.consoleView(out))) {
            AgentResult result = runner.run("Produce a short episode about " + topic + ".");
            Path script = workspace.resolve("episode.md");
            if (Files.exists(script)) {
                out.println("\n--- episode.md ---\n" + Files.readString(script));
            }
            out.println("Model: " + support.mode + ", stop reason: " + result.stopReason()
                    + ", memory file: " + workspace.resolve("podcast-memory.jsonl"));
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
