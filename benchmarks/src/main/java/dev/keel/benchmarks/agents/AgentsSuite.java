package dev.keel.benchmarks.agents;

import dev.keel.agents.Agent;
import dev.keel.agents.AgentResult;
import dev.keel.agents.Runner;
import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.ToolResult;
import dev.keel.agents.tool.Toolset;
import dev.keel.core.ChatModel;
import dev.keel.core.ChatRequest;
import dev.keel.core.ChatResponse;
import dev.keel.core.FinishReason;
import dev.keel.core.Usage;
import dev.keel.core.message.AssistantMessage;
import dev.keel.core.message.Message;
import dev.keel.core.message.SystemMessage;
import dev.keel.core.message.ToolCall;
import dev.keel.core.message.ToolResultMessage;
import dev.keel.core.message.UserMessage;
import dev.keel.core.tool.ToolSpec;
import dev.langchain4j.agent.tool.P;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.model.output.TokenUsage;
import dev.langchain4j.service.AiServices;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Agent runtime overhead with zero-latency scripted models (no HTTP, no sleeping), so that what is timed
 * is the runtime itself: prompt assembly, tool dispatch, approval, events, session bookkeeping. The same
 * flows run through LangChain4j's AI services for comparison.
 *
 * <ul>
 *   <li>{@code turn-overhead}: one agent, 10 tool-call turns then an answer (11 model turns per run);
 *       reported per model turn.</li>
 *   <li>{@code delegation-3-agents}: a root delegating to two sub-agents in turn, each answering at once
 *       (5 model calls per run); LangChain4j runs the sub-agents as AI services called from the root's
 *       tools. Reported per run.</li>
 *   <li>{@code recording-overhead}: the turn flow recorded into a run recording (every model and tool step
 *       captured, redacted, scanned and written atomically when the runner closes) against the same flow
 *       unrecorded; reported per tool call, {@code speedup} is unrecorded time / recorded time.</li>
 *   <li>{@code replay-50-turn-team}: a root delegating to a worker that makes 47 tool calls (50 model turns in
 *       all), replayed in full from its recording (file read, every step matched, no model or tool called)
 *       against the same run live through a real HTTP model client and Keel's scripted model server on loopback;
 *       reported per run and per turn (target: a replay in 50 ms or less), {@code speedup} is live / replay.</li>
 * </ul>
 *
 * <p>Figures are the best of {@value #ROUNDS} alternating slices per flow (the machine may be shared).
 * Run: {@code benchmarks/run agents [seconds-per-measurement]} (default 4).
 */
public final class AgentsSuite {
    static final int TOOL_TURNS = 10;
    static final int ROUNDS = 8;

    private AgentsSuite() {}

    public static void main(String[] args) {
        Duration measure = Duration.ofSeconds(args.length > 0 ? Long.parseLong(args[0]) : 4);
        System.out.println("# zero-latency scripted models; " + Runtime.getRuntime().availableProcessors() + " cpus, java "
                + System.getProperty("java.version"));

        Supplier<String> keelTurns = keelTurnOverhead();
        Supplier<String> lc4jTurns = langChain4jTurnOverhead();
        report("turn-overhead", "us_per_turn", TOOL_TURNS + 1, keelTurns, lc4jTurns, measure);

        Supplier<String> keelTeam = keelDelegation();
        Supplier<String> lc4jTeam = langChain4jDelegation();
        report("delegation-3-agents", "us_per_run", 1, keelTeam, lc4jTeam, measure);

        RecordingBench.run(measure);
    }

    private static void report(String name, String metric, int perRun, Supplier<String> keel, Supplier<String> peer,
                               Duration measure) {
        check(name, keel.get(), peer.get());
        time(keel, measure);
        time(peer, measure);
        // The machine is shared: alternate short slices of both flows and keep each one's best slice, so a
        // burst of load elsewhere does not land on one side only.
        double k = Double.MAX_VALUE;
        double p = Double.MAX_VALUE;
        Duration slice = measure.dividedBy(ROUNDS);
        for (int i = 0; i < ROUNDS; i++) {
            k = Math.min(k, time(keel, slice) / perRun);
            p = Math.min(p, time(peer, slice) / perRun);
        }
        System.out.printf(Locale.ROOT, "keel-bench agents %s keel_%s=%.2f langchain4j_%s=%.2f speedup=%.3f%n",
                name, metric, k, metric, p, p / k);
    }

    private static void check(String name, String keel, String peer) {
        if (!keel.equals(peer)) {
            throw new IllegalStateException(name + ": the two flows disagree: '" + keel + "' vs '" + peer + "'");
        }
    }

    /** Microseconds per run, measured over {@code window}. */
    static double time(Supplier<String> run, Duration window) {
        long end = System.nanoTime() + window.toNanos();
        long start = System.nanoTime();
        long runs = 0;
        int sink = 0;
        while (System.nanoTime() < end) {
            sink += run.get().length();
            runs++;
        }
        long elapsed = System.nanoTime() - start;
        if (sink == 42) {
            System.out.print("");
        }
        return elapsed / 1_000.0 / runs;
    }

    // ---- Keel ---------------------------------------------------------------------------------

    /** Answers with a tool call until {@code turns} tool results follow the last user message, then with text. */
    static final class ScriptedKeelModel implements ChatModel {
        private final int turns;
        private final String answer;

        ScriptedKeelModel(int turns, String answer) {
            this.turns = turns;
            this.answer = answer;
        }

        @Override
        public ChatResponse chat(ChatRequest request) {
            int results = 0;
            List<Message> messages = request.messages();
            for (int i = messages.size() - 1; i >= 0 && !(messages.get(i) instanceof UserMessage); i--) {
                if (messages.get(i) instanceof ToolResultMessage) {
                    results++;
                }
            }
            AssistantMessage m = results < turns
                    ? new AssistantMessage("", List.of(new ToolCall("call_" + results, "noop", "{}")))
                    : new AssistantMessage(answer, List.of());
            return new ChatResponse(m, m.hasToolCalls() ? FinishReason.TOOL_CALLS : FinishReason.STOP, new Usage(1, 1), "", "");
        }
    }

    private static Supplier<String> keelTurnOverhead() {
        Tool noop = Tool.of(ToolSpec.of("noop", "does nothing"), true, (a, c) -> ToolResult.ok("ok"));
        Agent agent = Agent.builder("bench").instruction("Benchmark agent.").model(new ScriptedKeelModel(TOOL_TURNS, "done"))
                .toolsets(Toolset.of("bench", noop)).maxIterations(100).build();
        Runner runner = Runner.create(agent);
        return () -> runner.run("go").output();
    }

    private static Supplier<String> keelDelegation() {
        ChatModel model = request -> {
            String system = ((SystemMessage) request.messages().get(0)).text();
            if (!system.startsWith("Root.")) {
                return new ChatResponse(Message.assistant(system.startsWith("A.") ? "a-done" : "b-done"), FinishReason.STOP,
                        new Usage(1, 1), "", "");
            }
            long results = request.messages().stream().filter(m -> m instanceof ToolResultMessage).count();
            AssistantMessage m = results == 0
                    ? new AssistantMessage("", List.of(new ToolCall("c1", "transfer_task", "{\"agent\":\"a\",\"task\":\"x\",\"expected_output\":\"y\"}")))
                    : results == 1
                    ? new AssistantMessage("", List.of(new ToolCall("c2", "transfer_task", "{\"agent\":\"b\",\"task\":\"x\",\"expected_output\":\"y\"}")))
                    : new AssistantMessage("team-done", List.of());
            return new ChatResponse(m, m.hasToolCalls() ? FinishReason.TOOL_CALLS : FinishReason.STOP, new Usage(1, 1), "", "");
        };
        Agent a = Agent.builder("a").description("first").instruction("A.").model(model).build();
        Agent b = Agent.builder("b").description("second").instruction("B.").model(model).build();
        Agent root = Agent.builder("root").instruction("Root.").model(model).subAgents(a, b).build();
        Runner runner = Runner.create(root);
        return () -> {
            AgentResult r = runner.run("go");
            return r.output();
        };
    }

    // ---- LangChain4j --------------------------------------------------------------------------

    interface Assistant {
        String chat(String message);
    }

    /** The same script as {@link ScriptedKeelModel}, for LangChain4j. */
    static final class ScriptedLc4jModel implements dev.langchain4j.model.chat.ChatModel {
        private final int turns;
        private final String answer;
        private final String toolName;
        private final String arguments;

        ScriptedLc4jModel(int turns, String answer, String toolName, String arguments) {
            this.turns = turns;
            this.answer = answer;
            this.toolName = toolName;
            this.arguments = arguments;
        }

        @Override
        public dev.langchain4j.model.chat.response.ChatResponse doChat(dev.langchain4j.model.chat.request.ChatRequest request) {
            int results = 0;
            List<ChatMessage> messages = request.messages();
            for (int i = messages.size() - 1; i >= 0 && !(messages.get(i) instanceof dev.langchain4j.data.message.UserMessage); i--) {
                if (messages.get(i) instanceof ToolExecutionResultMessage) {
                    results++;
                }
            }
            AiMessage m = results < turns
                    ? AiMessage.from(ToolExecutionRequest.builder().id("call_" + results).name(toolName).arguments(arguments).build())
                    : AiMessage.from(answer);
            return dev.langchain4j.model.chat.response.ChatResponse.builder().aiMessage(m).tokenUsage(new TokenUsage(1, 1))
                    .finishReason(m.hasToolExecutionRequests() ? dev.langchain4j.model.output.FinishReason.TOOL_EXECUTION
                            : dev.langchain4j.model.output.FinishReason.STOP).build();
        }
    }

    /** LangChain4j tools for the turn benchmark. */
    public static final class NoopTools {
        @dev.langchain4j.agent.tool.Tool("does nothing")
        public String noop() {
            return "ok";
        }
    }

    private static Supplier<String> langChain4jTurnOverhead() {
        Assistant assistant = AiServices.builder(Assistant.class)
                .chatModel(new ScriptedLc4jModel(TOOL_TURNS, "done", "noop", "{}"))
                .systemMessageProvider(id -> "Benchmark agent.")
                .tools(new NoopTools()).build();
        return () -> assistant.chat("go");
    }

    /** The root's tools: each calls a sub-agent AI service, which has no memory of the root's conversation. */
    public static final class TeamTools {
        private final Assistant a;
        private final Assistant b;

        TeamTools(Assistant a, Assistant b) {
            this.a = a;
            this.b = b;
        }

        @dev.langchain4j.agent.tool.Tool("delegate to a")
        public String delegateA(@P("task") String task) {
            return a.chat(task);
        }

        @dev.langchain4j.agent.tool.Tool("delegate to b")
        public String delegateB(@P("task") String task) {
            return b.chat(task);
        }
    }

    private static Supplier<String> langChain4jDelegation() {
        Assistant a = AiServices.builder(Assistant.class).chatModel(new ScriptedLc4jModel(0, "a-done", "none", "{}"))
                .systemMessageProvider(id -> "A.").build();
        Assistant b = AiServices.builder(Assistant.class).chatModel(new ScriptedLc4jModel(0, "b-done", "none", "{}"))
                .systemMessageProvider(id -> "B.").build();
        dev.langchain4j.model.chat.ChatModel rootModel = new dev.langchain4j.model.chat.ChatModel() {
            @Override
            public dev.langchain4j.model.chat.response.ChatResponse doChat(dev.langchain4j.model.chat.request.ChatRequest request) {
                long results = request.messages().stream().filter(m -> m instanceof ToolExecutionResultMessage).count();
                AiMessage m = results == 0
                        ? AiMessage.from(ToolExecutionRequest.builder().id("c1").name("delegateA").arguments("{\"task\":\"x\"}").build())
                        : results == 1
                        ? AiMessage.from(ToolExecutionRequest.builder().id("c2").name("delegateB").arguments("{\"task\":\"x\"}").build())
                        : AiMessage.from("team-done");
                return dev.langchain4j.model.chat.response.ChatResponse.builder().aiMessage(m).tokenUsage(new TokenUsage(1, 1)).build();
            }
        };
        Assistant root = AiServices.builder(Assistant.class).chatModel(rootModel).systemMessageProvider(id -> "Root.")
                .tools(new TeamTools(a, b)).build();
        return () -> root.chat("go");
    }
}
