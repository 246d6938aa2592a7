package dev.keel.agents;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.ToolResult;
import dev.keel.agents.tool.Toolset;
import dev.keel.core.exec.Command;
import dev.keel.core.exec.ExecResult;
import dev.keel.core.exec.LocalCommandRunner;
import dev.keel.core.observe.Telemetry;
import dev.keel.core.tool.JsonSchema;
import dev.keel.core.tool.ToolSpec;
import dev.keel.testing.model.RecordedChatRequest;
import dev.keel.testing.model.ScriptedModelServer;
import dev.keel.testing.model.ScriptedReply;
import dev.keel.testing.model.ScriptedToolCall;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The span tree of a real three-agent run against the scripted model server (over HTTP), with the two
 * delegations running in parallel: parent links, GenAI attributes, no content unless asked for (and then
 * redacted), W3C traceparent on model requests, the host's span continued, and the metrics.
 */
class TracingTest {
    private static final String SECRET_OUTPUT = "quarterly-numbers-7731";
    private static final String KEY_IN_PROMPT = "sk-ant-api03-abcdefghijklmnopqrstuvwxyz012345";

    private final InMemorySpanExporter spans = InMemorySpanExporter.create();
    private final InMemoryMetricReader metrics = InMemoryMetricReader.create();
    private OpenTelemetrySdk otel;
    private ScriptedModelServer llm;

    @BeforeEach
    void setUp() {
        otel = OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
                .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(metrics).build())
                .build();
        llm = ScriptedModelServer.start();
    }

    @AfterEach
    void tearDown() {
        llm.close();
        otel.close();
    }

    /**
     * The researcher's and the writer's tools each wait (outside the model server) until both have started: the
     * run only finishes when the two delegations really run at the same time.
     */
    private final CountDownLatch bothDelegationsStarted = new CountDownLatch(2);

    private void bothDelegationsRunning() {
        bothDelegationsStarted.countDown();
        try {
            if (!bothDelegationsStarted.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the two delegations did not run at the same time");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private Agent team() {
        Tool styleGuide = Tool.of(ToolSpec.of("style_guide", "Returns the style guide", JsonSchema.object().build()),
                true, (args, ctx) -> {
                    bothDelegationsRunning();
                    return ToolResult.ok("Be brief.");
                });
        Tool lookup = Tool.of(ToolSpec.of("lookup", "Looks up a fact",
                JsonSchema.object().required("topic", JsonSchema.string()).build()), true, (args, ctx) -> {
                    bothDelegationsRunning();
                    ExecResult r = LocalCommandRunner.create().run(
                            Command.of("echo", SECRET_OUTPUT).withTimeout(Duration.ofSeconds(10)));
                    return ToolResult.ok(r.stdout().strip());
                });
        Agent researcher = Agent.builder("researcher").description("Finds facts").instruction("You research.")
                .model("openai/gpt-4o").toolsets(Toolset.of("facts", lookup)).build();
        Agent writer = Agent.builder("writer").description("Writes copy").instruction("You write.")
                .model("anthropic/claude-sonnet-4-5").toolsets(Toolset.of("style", styleGuide)).build();
        return Agent.builder("director").instruction("You direct. " + KEY_IN_PROMPT).model("openai/gpt-4o")
                .subAgents(researcher, writer).build();
    }

    private void script() {
        llm.respondWith(req -> {
            String system = req.systemPrompt();
            boolean afterTool = req.lastMessage() instanceof dev.keel.core.message.ToolResultMessage;
            if (system.contains("You direct.")) {
                return afterTool ? ScriptedReply.text("Report done.").usage(30, 5)
                        : ScriptedReply.toolCalls(
                                ScriptedToolCall.of("transfer_task", Map.of("agent", "researcher", "task", "find facts",
                                        "expected_output", "facts")),
                                ScriptedToolCall.of("transfer_task", Map.of("agent", "writer", "task", "write copy",
                                        "expected_output", "copy"))).usage(20, 10).model("gpt-4o-2024-08-06");
            }
            if (system.contains("You research.")) {
                return afterTool ? ScriptedReply.text("Facts: " + SECRET_OUTPUT).usage(12, 4)
                        : ScriptedReply.toolCall("lookup", Map.of("topic", "revenue")).usage(10, 3);
            }
            return afterTool ? ScriptedReply.text("Copy written.").usage(8, 2)
                    : ScriptedReply.toolCall("style_guide", Map.of()).usage(6, 1);
        });
    }

    private static SpanData one(List<SpanData> all, String name) {
        List<SpanData> found = all.stream().filter(s -> s.getName().equals(name)).toList();
        assertThat(found).as("spans named " + name).hasSize(1);
        return found.get(0);
    }

    private static SpanData parentOf(List<SpanData> all, SpanData child) {
        return all.stream().filter(s -> s.getSpanId().equals(child.getParentSpanId())).findFirst()
                .orElseThrow(() -> new AssertionError("no parent span for " + child.getName()));
    }

    @Test
    void aThreeAgentRunWithParallelDelegationsIsOneTreeWithGenAiAttributesAndNoContent() {
        script();
        try (Runner runner = Runner.builder(team()).models(llm.models()).telemetry(Telemetry.of(otel))
                .price("openai/gpt-4o", ModelPrice.of(2.5, 10)).build()) {
            AgentResult r = runner.run("Write the quarterly report");
            assertThat(r.output()).isEqualTo("Report done.");
        }
        llm.assertNoFailures();
        List<SpanData> all = spans.getFinishedSpanItems();

        SpanData run = one(all, "invoke_agent director");
        assertThat(run.getParentSpanContext().isValid()).isFalse();
        assertThat(run.getAttributes().get(AttributeKey.stringKey("keel.run.outcome"))).isEqualTo("completed");
        assertThat(all).allMatch(s -> s.getTraceId().equals(run.getTraceId()), "every span is in the run's trace");

        List<SpanData> turns = all.stream().filter(s -> s.getName().equals("keel.turn director")).toList();
        assertThat(turns).hasSize(2).allMatch(t -> t.getParentSpanId().equals(run.getSpanId()));

        List<SpanData> transfers = all.stream().filter(s -> s.getName().equals("execute_tool transfer_task")).toList();
        assertThat(transfers).hasSize(2);
        assertThat(transfers).allMatch(t -> parentOf(all, t).getName().equals("keel.turn director"));
        // The two delegations ran on runner threads; each sub-agent's spans hang under its own transfer_task span.
        SpanData researcherRun = one(all, "invoke_agent researcher");
        SpanData writerRun = one(all, "invoke_agent writer");
        assertThat(transfers).extracting(SpanData::getSpanId)
                .containsExactlyInAnyOrder(researcherRun.getParentSpanId(), writerRun.getParentSpanId());
        assertThat(researcherRun.getStartEpochNanos()).isLessThan(writerRun.getEndEpochNanos());
        assertThat(writerRun.getStartEpochNanos()).isLessThan(researcherRun.getEndEpochNanos());
        assertThat(all.stream().filter(s -> s.getName().equals("keel.turn writer")).toList()).hasSize(2)
                .allSatisfy(t -> assertThat(t.getParentSpanId()).isEqualTo(writerRun.getSpanId()));
        assertThat(one(all, "execute_tool style_guide").getAttributes().get(AttributeKey.booleanKey("keel.tool.error")))
                .isFalse();

        SpanData lookup = one(all, "execute_tool lookup");
        SpanData lookupTurn = parentOf(all, lookup);
        assertThat(lookupTurn.getName()).isEqualTo("keel.turn researcher");
        assertThat(parentOf(all, lookupTurn)).isEqualTo(researcherRun);
        assertThat(lookup.getAttributes().get(AttributeKey.stringKey("gen_ai.tool.name"))).isEqualTo("lookup");
        assertThat(lookup.getAttributes().get(AttributeKey.stringKey("keel.tool.approval"))).isEqualTo("read_only");
        assertThat(lookup.getAttributes().get(AttributeKey.booleanKey("keel.tool.error"))).isFalse();

        // The command the tool ran is a child of the tool span: program and exit code, never its output.
        SpanData exec = one(all, "keel.exec");
        assertThat(exec.getParentSpanId()).isEqualTo(lookup.getSpanId());
        assertThat(exec.getAttributes().get(AttributeKey.stringKey("process.executable.name"))).isEqualTo("echo");
        assertThat(exec.getAttributes().get(AttributeKey.longKey("process.exit.code"))).isZero();

        List<SpanData> chats = all.stream().filter(s -> s.getName().startsWith("chat ")).toList();
        assertThat(chats).hasSize(6); // director 2, researcher 2, writer 2
        SpanData firstChat = chats.stream().filter(c -> parentOf(all, c).equals(turns.stream()
                .min((a, b) -> Long.compare(a.getStartEpochNanos(), b.getStartEpochNanos())).orElseThrow()))
                .findFirst().orElseThrow();
        assertThat(firstChat.getName()).isEqualTo("chat gpt-4o");
        assertThat(firstChat.getAttributes().get(AttributeKey.stringKey("gen_ai.operation.name"))).isEqualTo("chat");
        assertThat(firstChat.getAttributes().get(AttributeKey.stringKey("gen_ai.provider.name"))).isEqualTo("openai");
        assertThat(firstChat.getAttributes().get(AttributeKey.stringKey("gen_ai.request.model"))).isEqualTo("gpt-4o");
        assertThat(firstChat.getAttributes().get(AttributeKey.stringKey("gen_ai.response.model"))).isEqualTo("gpt-4o-2024-08-06");
        assertThat(firstChat.getAttributes().get(AttributeKey.longKey("gen_ai.usage.input_tokens"))).isEqualTo(20L);
        assertThat(firstChat.getAttributes().get(AttributeKey.longKey("gen_ai.usage.output_tokens"))).isEqualTo(10L);
        assertThat(firstChat.getAttributes().get(AttributeKey.stringArrayKey("gen_ai.response.finish_reasons")))
                .containsExactly("tool_calls");
        assertThat(chats).anyMatch(c -> "anthropic".equals(c.getAttributes().get(AttributeKey.stringKey("gen_ai.provider.name"))));

        // No content by default: neither prompts, answers, tool output nor the key in the instruction.
        String everything = all.stream().map(s -> s.getName() + s.getAttributes()).collect(Collectors.joining("\n"));
        assertThat(everything).doesNotContain(SECRET_OUTPUT, KEY_IN_PROMPT, "You direct", "Report done", "find facts");

        // Each model request carried the traceparent of its own chat span.
        for (RecordedChatRequest req : llm.requests()) {
            String traceparent = req.header("traceparent").orElseThrow();
            String[] parts = traceparent.split("-");
            assertThat(parts).hasSize(4);
            assertThat(parts[1]).isEqualTo(run.getTraceId());
            assertThat(chats).extracting(SpanData::getSpanId).contains(parts[2]);
        }

        // Metrics: tokens by model and agent, cost where priced, tool latency, the run's outcome.
        Collection<MetricData> m = metrics.collectAllMetrics();
        assertThat(m).extracting(MetricData::getName).contains("gen_ai.client.token.usage",
                "gen_ai.client.operation.duration", "keel.agent.cost", "keel.tool.duration", "keel.agent.runs");
        MetricData tokenUsage = m.stream().filter(d -> d.getName().equals("gen_ai.client.token.usage")).findFirst()
                .orElseThrow();
        Map<String, Long> inputTokensByAgentAndModel = tokenUsage.getHistogramData().getPoints().stream()
                .filter(p -> "input".equals(p.getAttributes().get(AttributeKey.stringKey("gen_ai.token.type"))))
                .collect(Collectors.groupingBy(p -> p.getAttributes().get(AttributeKey.stringKey("gen_ai.agent.name"))
                        + " " + p.getAttributes().get(AttributeKey.stringKey("gen_ai.request.model")),
                        Collectors.summingLong(p -> (long) p.getSum())));
        assertThat(inputTokensByAgentAndModel).containsOnly(Map.entry("director gpt-4o", 50L),
                Map.entry("researcher gpt-4o", 22L), Map.entry("writer claude-sonnet-4-5", 14L));
        MetricData toolLatency = m.stream().filter(d -> d.getName().equals("keel.tool.duration")).findFirst()
                .orElseThrow();
        assertThat(toolLatency.getHistogramData().getPoints()).anySatisfy(p -> {
            assertThat(p.getAttributes().get(AttributeKey.stringKey("gen_ai.tool.name"))).isEqualTo("lookup");
            assertThat(p.getAttributes().get(AttributeKey.stringKey("gen_ai.agent.name"))).isEqualTo("researcher");
            assertThat(p.getCount()).isEqualTo(1);
        });
        assertThat(toolLatency.getHistogramData().getPoints()).anySatisfy(p -> {
            assertThat(p.getAttributes().get(AttributeKey.stringKey("gen_ai.tool.name"))).isEqualTo("transfer_task");
            assertThat(p.getCount()).isEqualTo(2);
        });
        MetricData cost = m.stream().filter(d -> d.getName().equals("keel.agent.cost")).findFirst().orElseThrow();
        double dollars = cost.getDoubleSumData().getPoints().stream().mapToDouble(p -> p.getValue()).sum();
        // gpt-4o calls: director 20+10 and 30+5, researcher 10+3 and 12+4 → 72 input and 22 output tokens
        assertThat(dollars).isCloseTo((72 * 2.5 + 22 * 10) / 1e6, org.assertj.core.data.Offset.offset(1e-12));
        MetricData runs = m.stream().filter(d -> d.getName().equals("keel.agent.runs")).findFirst().orElseThrow();
        assertThat(runs.getLongSumData().getPoints()).singleElement().satisfies(p -> {
            assertThat(p.getValue()).isEqualTo(1);
            assertThat(p.getAttributes().get(AttributeKey.stringKey("keel.run.outcome"))).isEqualTo("completed");
        });
    }

    @Test
    void theCostMetricPricesACallAtTheModelThatAnsweredAsTheBudgetDoes() {
        // The primary is down (500); the fallback answers. Only the fallback is priced: a cost metric priced by the
        // composite label would record nothing, one priced at the primary would record its price.
        llm.respondWith(req -> req.model().equals("gpt-4o") ? ScriptedReply.error(500, "overloaded")
                : ScriptedReply.text("done").usage(30, 10));
        dev.keel.core.models.ModelSpec withFallback = new dev.keel.core.models.ModelSpec.Fallback(
                dev.keel.core.models.ModelConfig.of("openai", "gpt-4o"),
                List.of(dev.keel.core.models.ModelConfig.of("openai", "gpt-4o-mini")), 0, java.time.Duration.ofMinutes(1));
        Agent agent = Agent.builder("answerer").instruction("Answer.").model(withFallback).build();
        try (Runner runner = Runner.builder(agent).models(llm.models()).telemetry(Telemetry.of(otel))
                .price("openai/gpt-4o", ModelPrice.of(1_000, 1_000))
                .price("openai/gpt-4o-mini", ModelPrice.of(10, 10)).build()) {
            assertThat(runner.run("go").output()).isEqualTo("done");
        }
        MetricData cost = metrics.collectAllMetrics().stream().filter(d -> d.getName().equals("keel.agent.cost"))
                .findFirst().orElseThrow();
        assertThat(cost.getDoubleSumData().getPoints()).singleElement().satisfies(p -> {
            assertThat(p.getValue()).isCloseTo(40 * 10 / 1e6, org.assertj.core.data.Offset.offset(1e-12));
            assertThat(p.getAttributes().get(AttributeKey.stringKey("keel.model"))).isEqualTo("openai/gpt-4o-mini");
        });
    }

    @Test
    void contentIsCapturedOnlyWhenAskedAndThenRedacted() {
        llm.respond(ScriptedReply.text("Here it is: Bearer abcdefghijklmnopqrstuvwxyz0123"));
        Agent a = Agent.builder("solo").instruction("Be terse. " + KEY_IN_PROMPT + " password=hunter2hunter2")
                .model("openai/gpt-4o").build();
        Telemetry verbose = Telemetry.builder(otel).captureContent(true).redact("hunter2hunter2").build();
        try (Runner runner = Runner.builder(a).models(llm.models()).telemetry(verbose).build()) {
            runner.run("Say it");
        }
        SpanData chat = one(spans.getFinishedSpanItems(), "chat gpt-4o");
        String input = chat.getAttributes().get(AttributeKey.stringKey("gen_ai.input.messages"));
        String output = chat.getAttributes().get(AttributeKey.stringKey("gen_ai.output.messages"));
        assertThat(input).contains("Be terse.", "Say it").doesNotContain(KEY_IN_PROMPT, "hunter2").contains("[REDACTED]");
        assertThat(output).contains("Here it is").doesNotContain("abcdefghijklmnopqrstuvwxyz0123").contains("[REDACTED]");
    }

    @Test
    void aRunStartedInsideTheHostsSpanContinuesItsTraceAlsoInTheBackground() throws Exception {
        llm.respond(ScriptedReply.text("one")).respond(ScriptedReply.text("two"));
        Agent a = Agent.builder("solo").instruction("Hi.").model("openai/gpt-4o").build();
        Tracer host = otel.getTracer("host");
        Span request = host.spanBuilder("POST /reports").startSpan();
        try (Runner runner = Runner.builder(a).models(llm.models()).telemetry(Telemetry.of(otel)).build()) {
            try (Scope ignored = request.makeCurrent()) {
                runner.run("first");
                runner.start(Session.create(), "second").await(); // runs on a runner thread
            }
        } finally {
            request.end();
        }
        List<SpanData> runs = spans.getFinishedSpanItems().stream()
                .filter(s -> s.getName().equals("invoke_agent solo")).toList();
        assertThat(runs).hasSize(2).allSatisfy(r -> {
            assertThat(r.getTraceId()).isEqualTo(request.getSpanContext().getTraceId());
            assertThat(r.getParentSpanId()).isEqualTo(request.getSpanContext().getSpanId());
        });
    }

    @Test
    void withoutTelemetryNothingIsTracedAndNoHeaderIsSent() {
        llm.respond(ScriptedReply.text("ok"));
        Agent a = Agent.builder("solo").instruction("Hi.").model("openai/gpt-4o").build();
        try (Runner runner = Runner.builder(a).models(llm.models()).build()) {
            runner.run("go");
        }
        assertThat(spans.getFinishedSpanItems()).isEmpty();
        assertThat(llm.requests().get(0).header("traceparent")).isEqualTo(Optional.empty());
    }
}
