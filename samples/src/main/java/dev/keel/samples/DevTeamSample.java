package dev.keel.samples;

import dev.keel.agents.AgentEvents;
import dev.keel.agents.AgentResult;
import dev.keel.agents.Recording;
import dev.keel.agents.Runner;
import dev.keel.agents.approval.Approval;
import dev.keel.agents.team.Team;
import dev.keel.core.exec.LocalCommandRunner;
import dev.keel.testing.model.RecordedChatRequest;
import dev.keel.testing.model.ScriptedReply;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A dev team from a cagent YAML file: a product manager delegating to a designer, an engineer and QA. The
 * engineer's and QA's shell commands go through a {@code CommandRunner} (the host here, confined to a
 * workspace directory; a sandbox from sdk-sandbox plugs in the same way).
 *
 * <p>Run: {@code samples/run dev-team [--record FILE | --replay FILE] [--team FILE] [workspace-dir] ["request"]}. Uses
 * OPENAI_API_KEY or a local Docker Model Runner when available, otherwise says so and replays a scripted run.
 * {@code --record} writes the whole run to a file; {@code --replay} prints the same transcript from it with no
 * model server, no process and no command started, or the first point where the run left the recording.
 * {@code --team FILE} runs an edited copy of {@code teams/dev-team.yaml} instead of the shipped one.
 */
public final class DevTeamSample {
    private static final String TODO_SH = """
            #!/bin/sh
            # todo.sh: a tiny to-do list kept in todo.txt
            case "$1" in
              add) shift; echo "$*" >> todo.txt; echo "added: $*";;
              list) if [ -f todo.txt ]; then nl -w1 -s'. ' todo.txt; else echo "(empty)"; fi;;
              *) echo "usage: todo.sh add <item> | list"; exit 2;;
            esac
            """;

    private DevTeamSample() {}

    public static void main(String[] args) throws Exception {
        SampleRecording.main(() -> {
            SampleRecording flags = SampleRecording.parse(args);
            String dir = flags.arg(0, null);
            Path workspace = dir != null ? Path.of(dir) : Files.createTempDirectory("keel-dev-team");
            String request = flags.arg(1, "Build a tiny command-line to-do list: add items and list them.");
            try (TeamSampleSupport support = TeamSampleSupport.choose(DevTeamSample::script, System.out, flags)) {
                run(support, workspace, request, System.out, flags);
            }
        });
    }

    /** Runs the team on {@code request} in {@code workspace}, printing the live view to {@code out}. */
    static AgentResult run(TeamSampleSupport support, Path workspace, String request, PrintStream out) throws IOException {
        return run(support, workspace, request, out, SampleRecording.none());
    }

    /** Like {@link #run(TeamSampleSupport, Path, String, PrintStream)}, recorded or replayed as {@code flags} say. */
    static AgentResult run(TeamSampleSupport support, Path workspace, String request, PrintStream out,
                           SampleRecording flags) throws IOException {
        Files.createDirectories(workspace);
        out.println((flags.active() ? "" : "Workspace: " + workspace.toAbsolutePath() + "\n") + "Request: " + request + "\n");
        Recording recording = flags.open(workspace);
        Team team = support.load("dev-team.yaml", workspace, LocalCommandRunner.in(workspace),
                flags.team());
        try (Runner runner = flags.apply(team.runner().models(support.resolver), recording)
                .approver(req -> Approval.deny("this sample runs unattended; only the team file's allow list applies"))
                .build();
             AgentEvents.Subscription view = runner.events().subscribe(flags.view(out))) {
            AgentResult result = runner.run(request);
            if (!flags.active()) {
                out.println("\nFiles in the workspace: " + listing(workspace));
                out.println("Model: " + support.mode + ", stop reason: " + result.stopReason());
            } else {
                out.println("\nStop reason: " + result.stopReason());
            }
            return result;
        }
    }

    private static List<String> listing(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** The scripted replay: each agent is recognised by its system prompt and answers by step. */
    static ScriptedReply script(RecordedChatRequest req) {
        String system = req.systemPrompt();
        long step = TeamSampleSupport.step(req);
        if (system.startsWith("You are the product manager.")) {
            return switch ((int) step) {
                case 0 -> ScriptedReply.toolCall("create_todos", Map.of("descriptions",
                        List.of("design the CLI", "implement todo.sh", "test todo.sh")));
                case 1 -> ScriptedReply.toolCall("transfer_task", Map.of("agent", "designer",
                        "task", "Design a minimal to-do CLI with add and list.", "expected_output", "the commands and their output"));
                case 2 -> ScriptedReply.toolCall("transfer_task", Map.of("agent", "engineer",
                        "task", "Implement todo.sh: 'add <item>' appends to todo.txt, 'list' prints numbered items.",
                        "expected_output", "the script, run once"));
                case 3 -> ScriptedReply.toolCall("transfer_task", Map.of("agent", "qa",
                        "task", "Test todo.sh add and list.", "expected_output", "PASS or FAIL with evidence"));
                default -> ScriptedReply.text("Delivered todo.sh: `sh todo.sh add <item>` and `sh todo.sh list`, "
                        + "designed, implemented and verified by QA.");
            };
        }
        if (system.startsWith("You are a product designer.")) {
            return ScriptedReply.text("`todo.sh add <item>` appends the item and prints 'added: <item>'; "
                    + "`todo.sh list` prints the items numbered from 1, or '(empty)'.");
        }
        if (system.startsWith("You are a software engineer.")) {
            return switch ((int) step) {
                case 0 -> ScriptedReply.toolCall("write_file", Map.of("path", "todo.sh", "content", TODO_SH));
                case 1 -> ScriptedReply.toolCall("shell", Map.of("cmd", "sh todo.sh add 'buy milk' && sh todo.sh list"));
                default -> ScriptedReply.text("Implemented todo.sh; adding 'buy milk' then listing prints '1. buy milk'.");
            };
        }
        if (system.startsWith("You are QA.")) {
            return switch ((int) step) {
                case 0 -> ScriptedReply.toolCall("shell", Map.of("cmd", "sh todo.sh add 'walk the dog' && sh todo.sh list"));
                case 1 -> ScriptedReply.toolCall("shell", Map.of("cmd", "rm -f todo.txt"));
                default -> ScriptedReply.text("PASS: items are appended and listed in order. (Cleaning up with rm was refused by policy.)");
            };
        }
        return ScriptedReply.text("unscripted agent");
    }
}
