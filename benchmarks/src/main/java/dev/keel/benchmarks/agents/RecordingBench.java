package dev.keel.benchmarks.agents;

import dev.keel.agents.Agent;
import dev.keel.agents.Recording;
import dev.keel.agents.Runner;
import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.ToolResult;
import dev.keel.agents.tool.Toolset;
import dev.keel.core.ChatModel;
import dev.keel.core.message.ToolResultMessage;
import dev.keel.core.openai.OpenAiCompatible;
import dev.keel.core.tool.JsonSchema;
import dev.keel.core.tool.ToolSpec;
import dev.keel.testing.model.RecordedChatRequest;
import dev.keel.testing.model.ScriptedModelServer;
import dev.keel.testing.model.ScriptedReply;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The run-recording cases of the agents suite: what recording costs per tool call, and how long a full replay of
 * a 50-turn team run takes against the same run live. See {@link AgentsSuite} for how figures are taken.
 */
final class RecordingBench {
    /** Model turns of the replayed team run: the root's two and the worker's 48. */
    static final int TEAM_TURNS = 50;
    private static final int WORKER_TOOL_CALLS = TEAM_TURNS - 3;
    private static final double REPLAY_TARGET_MS = 50;

    private RecordingBench() {
    }

    static void run(Duration measure) {
        Path dir;
        try {
            dir = Files.createTempDirectory("keel-bench-recording");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            recordingOverhead(dir, measure);
            replayTeam(dir, measure);
        } finally {
            deleteTree(dir);
        }
    }

    /** The turn flow (10 tool calls, 11 model turns) with and without a recording, a fresh runner per run for both. */
    private static void recordingOverhead(Path dir, Duration measure) {
        Tool noop = Tool.of(ToolSpec.of("noop", "does nothing"), true, (a, c) -> ToolResult.ok("ok"));
        Agent agent = Agent.builder("bench").instruction("Benchmark agent.")
                .model(new AgentsSuite.ScriptedKeelModel(AgentsSuite.TOOL_TURNS, "done"))
                .toolsets(Toolset.of("bench", noop)).maxIterations(100).build();
        Path file = dir.resolve("turns.run.yaml");
        Supplier<String> live = () -> {
            try (Runner runner = Runner.builder(agent).build()) {
                return runner.run("go").output();
            }
        };
        Supplier<String> recorded = () -> {
            try (Runner runner = Runner.builder(agent).recording(Recording.record(file)).build()) {
                return runner.run("go").output();
            }
        };
        same("recording-overhead", live.get(), recorded.get());
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException("recording-overhead: the recorded run wrote no recording");
        }
        double[] best = bestOf(live, recorded, measure);
        double perCall = (best[1] - best[0]) / AgentsSuite.TOOL_TURNS;
        System.out.printf(Locale.ROOT, "keel-bench agents recording-overhead keel_recorded_us_per_run=%.2f "
                        + "keel_unrecorded_us_per_run=%.2f overhead_us_per_tool_call=%.2f speedup=%.3f%n",
                best[1], best[0], perCall, best[0] / best[1]);
    }

    /** A 50-turn team run, live over HTTP against the scripted model server, and replayed from its recording. */
    private static void replayTeam(Path dir, Duration measure) {
        AtomicInteger toolRuns = new AtomicInteger();
        try (ScriptedModelServer llm = ScriptedModelServer.start();
             OpenAiCompatible model = OpenAiCompatible.builder().providerName("scripted").baseUrl(llm.baseUrl())
                     .model("bench").build()) {
            llm.respondWith(RecordingBench::teamScript);
            Agent root = team(model, toolRuns);
            Path file = dir.resolve("team.run.yaml");
            String recordedOutput;
            try (Runner runner = Runner.builder(root).recording(Recording.record(file)).build()) {
                recordedOutput = runner.run("Do the work.").output();
            }
            Supplier<String> live = () -> {
                try (Runner runner = Runner.builder(root).build()) {
                    return runner.run("Do the work.").output();
                }
            };
            Supplier<String> replay = () -> {
                try (Runner runner = Runner.builder(root).recording(Recording.replay(file)).build()) {
                    return runner.run("Do the work.").output();
                }
            };
            int served = llm.requests().size();
            int ran = toolRuns.get();
            same("replay-50-turn-team", recordedOutput, replay.get());
            if (served != TEAM_TURNS || llm.requests().size() != served || toolRuns.get() != ran) {
                throw new IllegalStateException("replay-50-turn-team: recorded " + served + " model calls (want "
                        + TEAM_TURNS + "); the replay called the model " + (llm.requests().size() - served)
                        + " and the tool " + (toolRuns.get() - ran) + " times (want 0)");
            }
            same("replay-50-turn-team", recordedOutput, live.get());
            double[] best = bestOf(live, replay, measure);
            double replayMs = best[1] / 1000;
            System.out.printf(Locale.ROOT, "keel-bench agents replay-50-turn-team keel_replay_ms_per_run=%.2f "
                            + "keel_replay_us_per_turn=%.1f live_http_ms_per_run=%.2f target_ms=%.0f within_target=%s "
                            + "speedup=%.2f%n",
                    replayMs, best[1] / TEAM_TURNS, best[0] / 1000, REPLAY_TARGET_MS, replayMs <= REPLAY_TARGET_MS,
                    best[0] / best[1]);
            llm.assertNoFailures();
        }
    }

    /** A root that hands the job to a worker; the worker calls its tool 47 times, then both answer. */
    private static Agent team(ChatModel model, AtomicInteger toolRuns) {
        Tool step = Tool.of(ToolSpec.of("step", "Does one step of the work",
                JsonSchema.object().required("n", JsonSchema.integer()).build()), true,
                (a, c) -> {
                    toolRuns.incrementAndGet();
                    return ToolResult.ok("step " + a.integer("n", -1) + " done");
                });
        Agent worker = Agent.builder("worker").description("Does the work step by step").instruction("Worker.")
                .model(model).toolsets(Toolset.of("steps", step)).maxIterations(100).build();
        return Agent.builder("root").instruction("Root.").model(model).subAgents(worker).build();
    }

    private static ScriptedReply teamScript(RecordedChatRequest req) {
        long results = req.messages().stream().filter(m -> m instanceof ToolResultMessage).count();
        if (req.systemPrompt().startsWith("Root.")) {
            return results == 0
                    ? ScriptedReply.toolCall("transfer_task", Map.of("agent", "worker", "task", "Do the work.",
                            "expected_output", "done"))
                    : ScriptedReply.text("The worker did all " + WORKER_TOOL_CALLS + " steps.");
        }
        return results < WORKER_TOOL_CALLS ? ScriptedReply.toolCall("step", Map.of("n", results + 1))
                : ScriptedReply.text("All steps done.");
    }

    /** Microseconds per run of each flow: the best of alternating slices (the machine may be shared). */
    private static double[] bestOf(Supplier<String> peer, Supplier<String> keel, Duration measure) {
        AgentsSuite.time(peer, measure);
        AgentsSuite.time(keel, measure);
        double p = Double.MAX_VALUE;
        double k = Double.MAX_VALUE;
        Duration slice = measure.dividedBy(AgentsSuite.ROUNDS);
        for (int i = 0; i < AgentsSuite.ROUNDS; i++) {
            p = Math.min(p, AgentsSuite.time(peer, slice));
            k = Math.min(k, AgentsSuite.time(keel, slice));
        }
        return new double[] {p, k};
    }

    private static void same(String name, String a, String b) {
        if (!a.equals(b)) {
            throw new IllegalStateException(name + ": the two flows disagree: '" + a + "' vs '" + b + "'");
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temp directory left behind is harmless
        }
    }
}
