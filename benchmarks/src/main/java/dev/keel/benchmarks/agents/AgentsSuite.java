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
import dev.keel.core.observe.Telemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.function.LongSupplier;
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
 *   <li>{@code tracing-overhead}: the turn benchmark's agent with telemetry on (the OpenTelemetry SDK recording
 *       every span and metric, exporting to a no-op exporter) against the same agent without telemetry;
 *       reports the extra microseconds per turn (target: at most 5) and {@code speedup=} untraced / traced.</li>
 *   <li>{@code session-store-postgres-save} / {@code -load}: see {@link SessionStoreBench}.</li>
 * </ul>
 *
 * <p>Figures are the best of {@value #ROUNDS} alternating slices per flow (the machine may be shared).
 * Run: {@code benchmarks/run agents [seconds-per-measurement] [cases]} (default 4; cases a comma-separated
 * subset of {@code turns,delegation,tracing,sessions,recording}, default all).
 */
public final class AgentsSuite {
    static final int TOOL_TURNS = 10;
    static final int ROUNDS = 8;

    private AgentsSuite() {}

    public static void main(String[] args) {
        Duration measure = Duration.ofSeconds(args.length > 0 ? Long.parseLong(args[0]) : 4);
        System.out.println("# zero-latency scripted models; " + Runtime.getRuntime().availableProcessors() + " cpus, java "
                + System.getProperty("java.version"));

        List<String> cases = List.of((args.length > 1 ? args[1] : "turns,delegation,tracing,sessions,recording").split(","));
        if (cases.contains("turns")) {
            Supplier<String> keelTurns = keelTurnOverhead();
            Supplier<String> lc4jTurns = langChain4jTurnOverhead();
            report("turn-overhead", "us_per_turn", TOOL_TURNS + 1, keelTurns, lc4jTurns, measure);
        }
        if (cases.contains("delegation")) {
            Supplier<String> keelTeam = keelDelegation();
            Supplier<String> lc4jTeam = langChain4jDelegation();
            report("delegation-3-agents", "us_per_run", 1, keelTeam, lc4jTeam, measure);
        }
        if (cases.contains("tracing")) {
            tracingOverhead(measure);
        }
        if (cases.contains("sessions")) {
            SessionStoreBench.run(turnAgent(), TOOL_TURNS + 1);
        }
        if (cases.contains("recording")) {
            RecordingBench.run(measure);
        }
    }

    private static void tracingOverhead(Duration measure) {
        SdkTracerProvider tracing = SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(new NoopSpanExporter()))
                .build();
        SdkMeterProvider metering = SdkMeterProvider.builder()
                .registerMetricReader(PeriodicMetricReader.builder(new NoopMetricExporter()).setInterval(Duration.ofHours(1)).build())
                .build();
        try (OpenTelemetrySdk otel = OpenTelemetrySdk.builder().setTracerProvider(tracing).setMeterProvider(metering).build();
             Runner traced = Runner.builder(turnAgent()).telemetry(Telemetry.of(otel)).build();
             Runner plain = Runner.builder(turnAgent()).build()) {
            Supplier<String> on = () -> traced.run("go").output();
            Supplier<String> off = () -> plain.run("go").output();
            check("tracing-overhead", on.get(), off.get());
            // Both flows run on this thread only (one tool call per turn runs inline), so its CPU time is the whole
            // cost, and it is not inflated by other processes' load the way the wall clock is.
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            double[] best = alternate(on, off, TOOL_TURNS + 1, measure, threads::getCurrentThreadCpuTime);
            System.out.printf(Locale.ROOT, "keel-bench agents tracing-overhead traced_cpu_us_per_turn=%.2f"
                            + " untraced_cpu_us_per_turn=%.2f extra_us_per_turn=%.2f target_extra_us_per_turn=5 speedup=%.3f%n",
                    best[0], best[1], best[0] - best[1], best[1] / best[0]);
        }
    }

    /** Exports nothing (the tracing cost measured is the SDK's recording, not a network). */
    private static final class NoopSpanExporter implements SpanExporter {
        @Override
        public CompletableResultCode export(Collection<SpanData> spans) {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode flush() {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode shutdown() {
            return CompletableResultCode.ofSuccess();
        }
    }

    /** Exports no metrics (aggregation still happens on every recording). */
    private static final class NoopMetricExporter implements MetricExporter {
        @Override
        public AggregationTemporality getAggregationTemporality(InstrumentType type) {
            return AggregationTemporality.CUMULATIVE;
        }

        @Override
        public CompletableResultCode export(Collection<MetricData> metrics) {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode flush() {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode shutdown() {
            return CompletableResultCode.ofSuccess();
        }
    }

    private static void report(String name, String metric, int perRun, Supplier<String> keel, Supplier<String> peer,
                               Duration measure) {
        check(name, keel.get(), peer.get());
        double[] best = alternate(keel, peer, perRun, measure);
        double k = best[0];
        double p = best[1];
        System.out.printf(Locale.ROOT, "keel-bench agents %s keel_%s=%.2f langchain4j_%s=%.2f speedup=%.3f%n",
                name, metric, k, metric, p, p / k);
    }

    /**
     * Warms both flows, then alternates short slices of them and keeps each one's best slice (the machine is
     * shared: a burst of load elsewhere must not land on one side only). Microseconds per {@code perRun}.
     */
    private static double[] alternate(Supplier<String> first, Supplier<String> second, int perRun, Duration measure) {
        return alternate(first, second, perRun, measure, System::nanoTime);
    }

    private static double[] alternate(Supplier<String> first, Supplier<String> second, int perRun, Duration measure,
                                      LongSupplier clock) {
        time(first, measure, clock);
        time(second, measure, clock);
        double a = Double.MAX_VALUE;
        double b = Double.MAX_VALUE;
        Duration slice = measure.dividedBy(ROUNDS);
        for (int i = 0; i < ROUNDS; i++) {
            a = Math.min(a, time(first, slice, clock) / perRun);
            b = Math.min(b, time(second, slice, clock) / perRun);
        }
        return new double[] {a, b};
    }

    private static void check(String name, String keel, String peer) {
        if (!keel.equals(peer)) {
            throw new IllegalStateException(name + ": the two flows disagree: '" + keel + "' vs '" + peer + "'");
        }
    }

    /** Microseconds (wall clock) per run, measured over {@code window}. */
    static double time(Supplier<String> run, Duration window) {
        return time(run, window, System::nanoTime);
    }

    /** Microseconds per run on {@code clock}, measured over {@code window} of wall-clock time. */
    private static double time(Supplier<String> run, Duration window, LongSupplier clock) {
        long end = System.nanoTime() + window.toNanos();
        long start = clock.getAsLong();
        long runs = 0;
        int sink = 0;
        while (System.nanoTime() < end) {
            sink += run.get().length();
            runs++;
        }
        long elapsed = clock.getAsLong() - start;
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

    /** One agent answering after {@value #TOOL_TURNS} tool-call turns. */
    static Agent turnAgent() {
        Tool noop = Tool.of(ToolSpec.of("noop", "does nothing"), true, (a, c) -> ToolResult.ok("ok"));
        return Agent.builder("bench").instruction("Benchmark agent.").model(new ScriptedKeelModel(TOOL_TURNS, "done"))
                .toolsets(Toolset.of("bench", noop)).maxIterations(100).build();
    }

    private static Supplier<String> keelTurnOverhead() {
        Runner runner = Runner.create(turnAgent());
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
