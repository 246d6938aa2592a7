package dev.keel.agents;

import dev.keel.agents.internal.SessionCodec;
import dev.keel.agents.tool.ToolResult;
import dev.keel.core.ChatResponse;
import dev.keel.core.Usage;
import dev.keel.core.internal.json.Json;
import dev.keel.core.message.Message;
import dev.keel.core.observe.ObservationContext;
import dev.keel.core.observe.Telemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleCounter;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.LongHistogram;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Traces a runner's steps as OpenTelemetry spans and counts its metrics: {@code invoke_agent} for a run and
 * for each delegation, {@code keel.turn} for each agent turn, {@code chat} for model calls (GenAI semantic
 * conventions: provider, request and response model, tokens, finish reasons; content only when the telemetry
 * captures it, redacted), {@code execute_tool} for tool calls (with their approval) and {@code keel.handoff}.
 * Each span is current (in OpenTelemetry and in Keel's {@link ObservationContext}) while its step runs, so
 * components' observations, outgoing model requests ({@code traceparent}) and the host's own spans inside
 * tools land under it; work handed to other threads carries it along. Only loaded when the runner has
 * telemetry. Thread-safe.
 */
final class TracingSteps implements StepInterceptor {
    static final AttributeKey<String> OPERATION = AttributeKey.stringKey("gen_ai.operation.name");
    static final AttributeKey<String> PROVIDER = AttributeKey.stringKey("gen_ai.provider.name");
    static final AttributeKey<String> AGENT = AttributeKey.stringKey("gen_ai.agent.name");
    static final AttributeKey<String> CONVERSATION = AttributeKey.stringKey("gen_ai.conversation.id");
    static final AttributeKey<String> REQUEST_MODEL = AttributeKey.stringKey("gen_ai.request.model");
    static final AttributeKey<String> RESPONSE_MODEL = AttributeKey.stringKey("gen_ai.response.model");
    static final AttributeKey<String> RESPONSE_ID = AttributeKey.stringKey("gen_ai.response.id");
    static final AttributeKey<Long> INPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.input_tokens");
    static final AttributeKey<Long> OUTPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.output_tokens");
    static final AttributeKey<List<String>> FINISH_REASONS = AttributeKey.stringArrayKey("gen_ai.response.finish_reasons");
    static final AttributeKey<String> INPUT_MESSAGES = AttributeKey.stringKey("gen_ai.input.messages");
    static final AttributeKey<String> OUTPUT_MESSAGES = AttributeKey.stringKey("gen_ai.output.messages");
    static final AttributeKey<String> TOOL_NAME = AttributeKey.stringKey("gen_ai.tool.name");
    static final AttributeKey<String> TOOL_CALL_ID = AttributeKey.stringKey("gen_ai.tool.call.id");
    static final AttributeKey<String> TOKEN_TYPE = AttributeKey.stringKey("gen_ai.token.type");
    static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
    static final AttributeKey<Long> TURN = AttributeKey.longKey("keel.turn");
    static final AttributeKey<Boolean> RESUMED = AttributeKey.booleanKey("keel.run.resumed");
    static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("keel.run.outcome");
    static final AttributeKey<String> APPROVAL = AttributeKey.stringKey("keel.tool.approval");
    static final AttributeKey<Boolean> TOOL_ERROR = AttributeKey.booleanKey("keel.tool.error");
    static final AttributeKey<String> SUB_AGENT_SESSION = AttributeKey.stringKey("keel.session.id");
    static final AttributeKey<String> HANDOFF_TO = AttributeKey.stringKey("keel.handoff.to");
    static final AttributeKey<String> MODEL = AttributeKey.stringKey("keel.model");

    private final Telemetry telemetry;
    private final RunSettings settings;
    private final Tracer tracer;
    private final LongHistogram tokens;
    private final DoubleHistogram modelDuration;
    private final DoubleCounter cost;
    private final DoubleHistogram toolDuration;
    private final LongCounter runs;
    // Approval outcome of a call, from its approval step until its tool span starts (same run, same thread or not).
    private final Map<String, String> approvals = new ConcurrentHashMap<>();
    // Metric attribute sets, built once per agent and model (or tool): building one sorts its keys on every call.
    private final Map<String, ModelMetricAttributes> modelAttributes = new ConcurrentHashMap<>();
    private final Map<String, Attributes> toolAttributes = new ConcurrentHashMap<>();
    private static final int MAX_CACHED = 1_024;

    /** The attribute sets of one agent's calls to one model. */
    private record ModelMetricAttributes(Attributes call, Attributes input, Attributes output, Attributes cost) {
        static ModelMetricAttributes of(String agent, String label) {
            Attributes call = Attributes.builder().put(OPERATION, "chat").put(PROVIDER, provider(label))
                    .put(REQUEST_MODEL, modelName(label)).put(AGENT, agent).build();
            return new ModelMetricAttributes(call, call.toBuilder().put(TOKEN_TYPE, "input").build(),
                    call.toBuilder().put(TOKEN_TYPE, "output").build(), Attributes.of(MODEL, label, AGENT, agent));
        }
    }

    TracingSteps(Telemetry telemetry, RunSettings settings) {
        this.telemetry = telemetry;
        this.settings = settings;
        this.tracer = telemetry.openTelemetry().getTracer(Telemetry.INSTRUMENTATION_NAME);
        Meter meter = telemetry.openTelemetry().getMeter(Telemetry.INSTRUMENTATION_NAME);
        tokens = meter.histogramBuilder("gen_ai.client.token.usage").ofLongs().setUnit("{token}")
                .setDescription("Tokens used per model call, by token type, model and agent").build();
        modelDuration = meter.histogramBuilder("gen_ai.client.operation.duration").setUnit("s")
                .setDescription("Duration of model calls").build();
        cost = meter.counterBuilder("keel.agent.cost").ofDoubles().setUnit("USD")
                .setDescription("Cost of model calls with a known price, by model and agent").build();
        toolDuration = meter.histogramBuilder("keel.tool.duration").setUnit("s")
                .setDescription("Duration of tool calls, by tool and agent").build();
        runs = meter.counterBuilder("keel.agent.runs").setUnit("{run}")
                .setDescription("Finished runs, by outcome").build();
    }

    /** Runs {@code body} inside a new span that is current for its duration; {@code done} annotates the span. */
    private <T> T inSpan(SpanBuilder builder, Proceed<T> body, Consumer<T> done, Consumer<Throwable> failed) {
        Span span = builder.setParent(Context.current()).startSpan();
        Context ctx = Context.current().with(span);
        try (ObservationContext.Scope ignored = ObservationContext.current()
                .with(telemetry, telemetry.observer(ctx)).makeCurrent()) {
            T result = body.proceed();
            if (done != null) {
                done.accept(result);
            }
            return result;
        } catch (RuntimeException | Error e) {
            if (e instanceof Suspension) {
                span.setAttribute(OUTCOME, "suspended");
            } else {
                // The type only: exception messages can quote tool output or model text.
                span.setStatus(StatusCode.ERROR);
                span.setAttribute(ERROR_TYPE, e.getClass().getName());
            }
            if (failed != null) {
                failed.accept(e);
            }
            throw e;
        } finally {
            span.end();
        }
    }

    @Override
    public AgentResult run(RunStep step, Proceed<AgentResult> next) {
        SpanBuilder b = tracer.spanBuilder("invoke_agent " + step.agent()).setSpanKind(SpanKind.INTERNAL)
                .setAttribute(OPERATION, "invoke_agent").setAttribute(AGENT, step.agent())
                .setAttribute(CONVERSATION, step.sessionId()).setAttribute(RESUMED, step.resumed());
        return inSpan(b, next, r -> {
            String outcome = r.stopReason().name().toLowerCase(java.util.Locale.ROOT);
            Span.current().setAttribute(OUTCOME, outcome);
            runs.add(1, Attributes.of(OUTCOME, outcome, AGENT, step.agent()));
        }, e -> runs.add(1, Attributes.of(OUTCOME, e instanceof Suspension ? "suspended"
                : e instanceof AgentException.Cancelled ? "cancelled" : "failed", AGENT, step.agent())));
    }

    @Override
    public <T> T turn(TurnStep step, Proceed<T> next) {
        SpanBuilder b = tracer.spanBuilder("keel.turn " + step.at().agent()).setSpanKind(SpanKind.INTERNAL)
                .setAttribute(AGENT, step.at().agent()).setAttribute(CONVERSATION, step.at().sessionId())
                .setAttribute(TURN, (long) step.at().turn());
        return inSpan(b, next, null, null);
    }

    @Override
    public ChatResponse modelCall(ModelStep step, Proceed<ChatResponse> next) {
        String provider = provider(step.model());
        String model = modelName(step.model());
        SpanBuilder b = tracer.spanBuilder("chat " + model).setSpanKind(SpanKind.CLIENT)
                .setAttribute(OPERATION, "chat").setAttribute(PROVIDER, provider).setAttribute(REQUEST_MODEL, model)
                .setAttribute(AGENT, step.at().agent()).setAttribute(CONVERSATION, step.at().sessionId());
        if (telemetry.capturesContent()) {
            b.setAttribute(INPUT_MESSAGES, telemetry.redact(messages(step.request().messages())));
        }
        long start = System.nanoTime();
        ModelMetricAttributes attributes = modelAttributes.computeIfAbsent(step.at().agent() + "\u0000" + step.model(),
                k -> ModelMetricAttributes.of(step.at().agent(), step.model()));
        Attributes metric = attributes.call();
        return inSpan(b, next, r -> {
            Span span = Span.current();
            Usage u = r.usage();
            span.setAttribute(INPUT_TOKENS, u.inputTokens());
            span.setAttribute(OUTPUT_TOKENS, u.outputTokens());
            span.setAttribute(FINISH_REASONS, List.of(r.finishReason().name().toLowerCase(java.util.Locale.ROOT)));
            if (!r.model().isEmpty()) {
                span.setAttribute(RESPONSE_MODEL, r.model());
            }
            if (!r.id().isEmpty()) {
                span.setAttribute(RESPONSE_ID, r.id());
            }
            if (telemetry.capturesContent()) {
                span.setAttribute(OUTPUT_MESSAGES, telemetry.redact(messages(List.of(r.message()))));
            }
            modelDuration.record((System.nanoTime() - start) / 1e9, metric);
            tokens.record(u.inputTokens(), attributes.input());
            tokens.record(u.outputTokens(), attributes.output());
            // Priced, like the run's budget, at the model that answered (a fallback's, a router's choice).
            String answered = step.answeredBy().get();
            ModelPrice price = settings.price(answered);
            if (price != null) {
                cost.add(price.cost(u), answered.equals(step.model()) ? attributes.cost()
                        : Attributes.of(MODEL, answered, AGENT, step.at().agent()));
            }
        }, e -> modelDuration.record((System.nanoTime() - start) / 1e9,
                metric.toBuilder().put(ERROR_TYPE, e.getClass().getName()).build()));
    }

    @Override
    public ApprovalOutcome approval(ApprovalStep step, Proceed<ApprovalOutcome> next) {
        ApprovalOutcome outcome = next.proceed();
        String key = step.at().sessionId() + "\u0000" + step.call().id();
        if (outcome.approved()) {
            approvals.put(key, outcome.source().name().toLowerCase(java.util.Locale.ROOT));
        } else if (!outcome.suspended()) {
            // A denied call never runs: its span says so and ends at once.
            Span span = tracer.spanBuilder("execute_tool " + step.call().name()).setParent(Context.current())
                    .setAttribute(OPERATION, "execute_tool").setAttribute(TOOL_NAME, step.call().name())
                    .setAttribute(TOOL_CALL_ID, step.call().id()).setAttribute(AGENT, step.at().agent())
                    .setAttribute(APPROVAL, "denied").startSpan();
            span.end();
        }
        return outcome;
    }

    @Override
    public ToolResult toolCall(ToolStep step, Proceed<ToolResult> next) {
        String approval = approvals.remove(step.at().sessionId() + "\u0000" + step.call().id());
        SpanBuilder b = tracer.spanBuilder("execute_tool " + step.call().name()).setSpanKind(SpanKind.INTERNAL)
                .setAttribute(OPERATION, "execute_tool").setAttribute(TOOL_NAME, step.call().name())
                .setAttribute(TOOL_CALL_ID, step.call().id()).setAttribute(AGENT, step.at().agent())
                .setAttribute(APPROVAL, approval == null ? "approved" : approval);
        long start = System.nanoTime();
        return inSpan(b, next, r -> {
            Span.current().setAttribute(TOOL_ERROR, r.error());
            if (r.error()) {
                Span.current().setStatus(StatusCode.ERROR);
            }
            toolDuration.record((System.nanoTime() - start) / 1e9, toolAttributes(step, r.error()));
        }, e -> toolDuration.record((System.nanoTime() - start) / 1e9, toolAttributes(step, true)));
    }

    private Attributes toolAttributes(ToolStep step, boolean error) {
        String key = step.call().name() + "\u0000" + step.at().agent() + "\u0000" + error;
        Attributes cached = toolAttributes.get(key);
        if (cached != null) {
            return cached;
        }
        Attributes built = Attributes.of(TOOL_NAME, step.call().name(), AGENT, step.at().agent(), TOOL_ERROR, error);
        // Tool names come from the model: cache a bounded number (a team has few tools; a model may invent many).
        if (toolAttributes.size() < MAX_CACHED) {
            toolAttributes.putIfAbsent(key, built);
        }
        return built;
    }

    @Override
    public AgentResult delegation(DelegationStep step, Proceed<AgentResult> next) {
        SpanBuilder b = tracer.spanBuilder("invoke_agent " + step.subAgent()).setSpanKind(SpanKind.INTERNAL)
                .setAttribute(OPERATION, "invoke_agent").setAttribute(AGENT, step.subAgent())
                .setAttribute(CONVERSATION, step.subSessionId());
        return inSpan(b, next, r -> Span.current().setAttribute(OUTCOME,
                r.stopReason().name().toLowerCase(java.util.Locale.ROOT)), null);
    }

    @Override
    public Void handoff(HandoffStep step, Proceed<Void> next) {
        SpanBuilder b = tracer.spanBuilder("keel.handoff").setSpanKind(SpanKind.INTERNAL)
                .setAttribute(AGENT, step.at().agent()).setAttribute(HANDOFF_TO, step.toAgent());
        return inSpan(b, next, null, null);
    }

    @Override
    public Runnable propagate(Runnable task) {
        return Context.current().wrap(task);
    }

    /** {@code openai} of {@code openai/gpt-5}; the model's own id otherwise. */
    static String provider(String label) {
        int slash = label.indexOf('/');
        return slash > 0 ? label.substring(0, slash) : "keel";
    }

    static String modelName(String label) {
        int slash = label.indexOf('/');
        return slash > 0 ? label.substring(slash + 1) : label;
    }

    private static String messages(List<? extends Message> messages) {
        var array = Json.mapper().createArrayNode();
        messages.forEach(m -> array.add(SessionCodec.message(m)));
        return Json.write(array);
    }

    @Override
    public String toString() {
        return "TracingSteps[" + telemetry + "]";
    }
}
