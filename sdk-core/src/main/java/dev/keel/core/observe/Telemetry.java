package dev.keel.core.observe;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where Keel's spans and metrics go: the host's {@link OpenTelemetry} (the API; which SDK and exporter is the
 * host's choice). Give it to a runner ({@code Runner.builder(root).telemetry(telemetry)}) to trace runs, or use
 * {@link #observe()} to turn what Keel's components report into spans under the host's current span.
 *
 * <pre>{@code
 * Telemetry telemetry = Telemetry.of(GlobalOpenTelemetry.get());               // content off
 * Telemetry verbose = Telemetry.builder(openTelemetry).captureContent(true).build(); // prompts, redacted
 * }</pre>
 *
 * <p>Prompt and completion content is off by default. With {@link Builder#captureContent(boolean)} it is
 * recorded on model spans, always redacted: values that look like credentials (API keys, bearer tokens, private
 * keys, {@code password=} assignments) and every literal given to {@link Builder#redact(String)} are replaced by
 * {@code [REDACTED]}, and long content is cut at {@link Builder#maxContentChars(int)}.
 *
 * <p>OpenTelemetry is an optional dependency of Keel: only code that uses this class needs
 * {@code io.opentelemetry:opentelemetry-api} on its path. Immutable and thread-safe.
 */
public final class Telemetry {
    /** The instrumentation scope of Keel's spans and metrics. */
    public static final String INSTRUMENTATION_NAME = "dev.keel";

    private static final List<Pattern> SECRET_SHAPES = List.of(
            Pattern.compile("-----BEGIN [A-Z ]*PRIVATE KEY-----[\\s\\S]*?-----END [A-Z ]*PRIVATE KEY-----"),
            Pattern.compile("\\bsk-(?:ant-|proj-)?[A-Za-z0-9_\\-]{16,}"),
            Pattern.compile("\\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{20,}|\\bgithub_pat_[A-Za-z0-9_]{20,}"),
            Pattern.compile("\\bxox[abposr]-[A-Za-z0-9-]{10,}"),
            Pattern.compile("\\b(?:AKIA|ASIA)[A-Z0-9]{16}\\b"),
            Pattern.compile("\\bAIza[0-9A-Za-z_\\-]{30,}"),
            Pattern.compile("\\beyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}"),
            Pattern.compile("(?i)\\b(bearer|basic)\\s+[A-Za-z0-9._~+/=\\-]{12,}"),
            Pattern.compile("(?i)\\b([a-z0-9_]*(?:password|passwd|secret|token|api[_-]?key)[a-z0-9_]*)(\\s*[:=]\\s*)\"?[^\\s\"',;]{6,}"));
    private static final String REDACTED = "[REDACTED]";

    private final OpenTelemetry openTelemetry;
    private final boolean captureContent;
    private final int maxContentChars;
    private final List<String> literals;
    private final Tracer tracer;

    private Telemetry(Builder b) {
        this.openTelemetry = b.openTelemetry;
        this.captureContent = b.captureContent;
        this.maxContentChars = b.maxContentChars;
        this.literals = List.copyOf(b.literals);
        this.tracer = openTelemetry.getTracer(INSTRUMENTATION_NAME);
    }

    /**
     * Telemetry into {@code openTelemetry}, without prompt or completion content.
     *
     * @param openTelemetry the host's OpenTelemetry (for example {@code GlobalOpenTelemetry.get()})
     * @return the telemetry
     */
    public static Telemetry of(OpenTelemetry openTelemetry) {
        return builder(openTelemetry).build();
    }

    /**
     * Starts telemetry into {@code openTelemetry}.
     *
     * @param openTelemetry the host's OpenTelemetry
     * @return the builder
     */
    public static Builder builder(OpenTelemetry openTelemetry) {
        return new Builder(openTelemetry);
    }

    /**
     * The OpenTelemetry instance spans and metrics go to.
     *
     * @return the OpenTelemetry instance
     */
    public OpenTelemetry openTelemetry() {
        return openTelemetry;
    }

    /**
     * Whether model spans carry (redacted) prompt and completion content.
     *
     * @return whether content is captured
     */
    public boolean capturesContent() {
        return captureContent;
    }

    /**
     * {@code content} as it may appear in telemetry: credential-shaped values and the configured literals
     * replaced by {@code [REDACTED]}, cut at the configured length.
     *
     * @param content the text
     * @return the redacted text
     */
    public String redact(String content) {
        if (content == null) {
            return "";
        }
        String out = content;
        for (String literal : literals) {
            out = out.replace(literal, REDACTED);
        }
        for (Pattern p : SECRET_SHAPES) {
            Matcher m = p.matcher(out);
            if (m.find()) {
                StringBuilder sb = new StringBuilder();
                do {
                    // Keep the name of an assignment ("api_key=") or the scheme ("Bearer "), drop the value.
                    String keep = m.groupCount() >= 2 && m.group(2) != null ? m.group(1) + m.group(2)
                            : m.groupCount() >= 1 && m.group(1) != null ? m.group(1) + " " : "";
                    m.appendReplacement(sb, Matcher.quoteReplacement(keep + REDACTED));
                } while (m.find());
                m.appendTail(sb);
                out = sb.toString();
            }
        }
        if (out.length() > maxContentChars) {
            out = out.substring(0, maxContentChars) + "…[" + (out.length() - maxContentChars) + " more characters]";
        }
        return out;
    }

    /**
     * An observer that draws each observation as a span under {@code parent}, and gives outgoing requests the
     * {@code traceparent} of {@code parent}'s span.
     *
     * @param parent the OpenTelemetry context the spans belong under
     * @return the observer
     */
    public Observer observer(Context parent) {
        return new SpanObserver(Objects.requireNonNull(parent, "parent"));
    }

    /**
     * Makes what Keel's components report on this thread become spans under the host's current span, until the
     * returned scope is closed.
     *
     * <pre>{@code
     * try (ObservationContext.Scope s = telemetry.observe()) {
     *     kb.search(question, readable);             // keel.retrieval and keel.permission_filter spans
     * }
     * }</pre>
     *
     * @return the scope to close
     */
    public ObservationContext.Scope observe() {
        return ObservationContext.current().with(this, observer(Context.current())).makeCurrent();
    }

    /**
     * The W3C {@code traceparent} value of {@code span}, or empty when it is not a valid span.
     *
     * @param span the span
     * @return the header value
     */
    static Optional<String> traceparent(SpanContext span) {
        if (!span.isValid()) {
            return Optional.empty();
        }
        return Optional.of("00-" + span.getTraceId() + "-" + span.getSpanId() + "-" + span.getTraceFlags().asHex());
    }

    @Override
    public String toString() {
        return "Telemetry[" + openTelemetry + (captureContent ? ", content" : "") + "]";
    }

    /** Observations as spans under a fixed parent. */
    private final class SpanObserver implements Observer {
        private final Context parent;

        SpanObserver(Context parent) {
            this.parent = parent;
        }

        @Override
        public void observe(Observation o) {
            AttributesBuilder a = Attributes.builder();
            boolean error = false;
            if (o instanceof Observation.CommandRun c) {
                a.put("keel.exec.runner", c.runner()).put("process.executable.name", c.program())
                        .put("process.exit.code", c.exitCode()).put("keel.exec.timed_out", c.timedOut());
                error = c.timedOut();
            } else if (o instanceof Observation.Retrieval r) {
                a.put("keel.retrieval.source", r.source()).put("keel.retrieval.hits", r.hits());
                r.minScore().ifPresent(s -> a.put("keel.retrieval.min_score", s));
            } else if (o instanceof Observation.PermissionFilter p) {
                a.put("keel.authz.permission", p.permission()).put("keel.authz.checked", p.checked())
                        .put("keel.authz.kept", p.kept()).put("keel.authz.dropped", p.dropped())
                        .put("keel.authz.failed_closed", p.failedClosed());
            }
            Instant end = o.start().plus(o.duration());
            Span span = tracer.spanBuilder(o.name()).setParent(parent).setSpanKind(SpanKind.INTERNAL)
                    .setStartTimestamp(o.start()).setAllAttributes(a.build()).startSpan();
            if (error) {
                span.setStatus(StatusCode.ERROR);
            }
            span.end(end);
        }

        @Override
        public Optional<String> traceparent() {
            return Telemetry.traceparent(Span.fromContext(parent).getSpanContext());
        }

        @Override
        public ObservationContext.Scope enter() {
            io.opentelemetry.context.Scope s = parent.makeCurrent();
            return s::close;
        }

        @Override
        public String toString() {
            return "SpanObserver[" + Span.fromContext(parent).getSpanContext().getSpanId() + "]";
        }
    }

    /** Builder for {@link Telemetry}. Not thread-safe. */
    public static final class Builder {
        private final OpenTelemetry openTelemetry;
        private boolean captureContent;
        private int maxContentChars = 8_192;
        private final List<String> literals = new ArrayList<>();

        private Builder(OpenTelemetry openTelemetry) {
            this.openTelemetry = Objects.requireNonNull(openTelemetry, "openTelemetry");
        }

        /**
         * Records prompt and completion content on model spans, redacted (default: off).
         *
         * @param capture whether to record content
         * @return this builder
         */
        public Builder captureContent(boolean capture) {
            this.captureContent = capture;
            return this;
        }

        /**
         * Longest content recorded per attribute (default 8192 characters).
         *
         * @param max the limit
         * @return this builder
         */
        public Builder maxContentChars(int max) {
            if (max <= 0) {
                throw new IllegalArgumentException("maxContentChars must be positive, was " + max);
            }
            this.maxContentChars = max;
            return this;
        }

        /**
         * A value that must never appear in telemetry (for example a key the tools see), replaced wherever it
         * occurs in captured content.
         *
         * @param secret the value
         * @return this builder
         */
        public Builder redact(String secret) {
            Objects.requireNonNull(secret, "secret");
            if (secret.length() < 4) {
                throw new IllegalArgumentException("a redacted literal must have at least 4 characters");
            }
            literals.add(secret);
            return this;
        }

        /**
         * The telemetry.
         *
         * @return the telemetry
         */
        public Telemetry build() {
            return new Telemetry(this);
        }
    }
}
