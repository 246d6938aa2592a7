package dev.keel.samples;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keel.core.observe.Telemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A run's spans, collected by the OpenTelemetry SDK and written on {@link #close()} to a file as one OTLP/JSON
 * {@code ExportTraceServiceRequest} (what an OTLP/HTTP collector accepts with {@code Content-Type:
 * application/json}, and what trace viewers import). The file is written atomically: a reader sees the whole
 * trace or none. Closing twice is harmless. Thread-safe.
 */
final class TraceFile implements AutoCloseable {
    private final Path file;
    private final Collector collector = new Collector();
    private final OpenTelemetrySdk otel;
    private boolean closed;

    private TraceFile(Path file, String serviceName) {
        this.file = file.toAbsolutePath();
        Resource resource = Resource.getDefault().merge(Resource.create(
                Attributes.of(AttributeKey.stringKey("service.name"), serviceName)));
        this.otel = OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider.builder().setResource(resource)
                .addSpanProcessor(SimpleSpanProcessor.create(collector)).build()).build();
    }

    /**
     * Starts collecting spans for {@code file}.
     *
     * @param file where {@link #close()} writes the spans
     * @param serviceName the resource's {@code service.name}
     * @return the trace file
     */
    static TraceFile create(Path file, String serviceName) {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            throw new IllegalArgumentException("no directory for the trace file: " + parent);
        }
        return new TraceFile(file, serviceName);
    }

    /** The telemetry to hand to a runner (content off: the file holds no prompts, answers or documents). */
    Telemetry telemetry() {
        return Telemetry.of(otel);
    }

    /** How many spans have ended so far. */
    int spanCount() {
        return collector.size();
    }

    /** Ends collection and writes the file. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        otel.close();
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.write(tmp, new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(otlp(collector.spans())));
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the trace file " + file, e);
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the move failed and so does the clean-up; the exception above says why
            }
        }
    }

    /** The spans as OTLP/JSON: resource → scope → spans, ids in hex, times and integers as decimal strings. */
    static ObjectNode otlp(List<SpanData> spans) {
        ObjectMapper json = new ObjectMapper();
        ObjectNode request = json.createObjectNode();
        ArrayNode resourceSpans = request.putArray("resourceSpans");
        Map<Resource, Map<InstrumentationScopeInfo, List<SpanData>>> grouped = new LinkedHashMap<>();
        for (SpanData s : spans) {
            grouped.computeIfAbsent(s.getResource(), r -> new LinkedHashMap<>())
                    .computeIfAbsent(s.getInstrumentationScopeInfo(), i -> new ArrayList<>()).add(s);
        }
        grouped.forEach((resource, scopes) -> {
            ObjectNode rs = resourceSpans.addObject();
            attributes(rs.putObject("resource"), resource.getAttributes());
            ArrayNode scopeSpans = rs.putArray("scopeSpans");
            scopes.forEach((scope, list) -> {
                ObjectNode ss = scopeSpans.addObject();
                ObjectNode scopeNode = ss.putObject("scope").put("name", scope.getName());
                if (scope.getVersion() != null) {
                    scopeNode.put("version", scope.getVersion());
                }
                ArrayNode out = ss.putArray("spans");
                for (SpanData s : list) {
                    ObjectNode span = out.addObject().put("traceId", s.getTraceId()).put("spanId", s.getSpanId());
                    if (s.getParentSpanContext().isValid()) {
                        span.put("parentSpanId", s.getParentSpanId());
                    }
                    int kind = switch (s.getKind()) {
                        case INTERNAL -> 1;
                        case SERVER -> 2;
                        case CLIENT -> 3;
                        case PRODUCER -> 4;
                        case CONSUMER -> 5;
                    };
                    span.put("name", s.getName()).put("kind", kind)
                            .put("startTimeUnixNano", Long.toString(s.getStartEpochNanos()))
                            .put("endTimeUnixNano", Long.toString(s.getEndEpochNanos()));
                    attributes(span, s.getAttributes());
                    // OTLP status codes: 0 unset, 1 ok, 2 error (the SDK's enum order is OK, ERROR, UNSET)
                    int code = switch (s.getStatus().getStatusCode()) {
                        case UNSET -> 0;
                        case OK -> 1;
                        case ERROR -> 2;
                    };
                    span.putObject("status").put("code", code);
                }
            });
        });
        return request;
    }

    private static void attributes(ObjectNode owner, Attributes attributes) {
        ArrayNode list = owner.putArray("attributes");
        attributes.forEach((key, value) -> {
            ObjectNode kv = list.addObject().put("key", key.getKey());
            value(kv.putObject("value"), value);
        });
    }

    private static void value(ObjectNode node, Object value) {
        if (value instanceof String s) {
            node.put("stringValue", s);
        } else if (value instanceof Boolean b) {
            node.put("boolValue", b);
        } else if (value instanceof Long || value instanceof Integer) {
            node.put("intValue", value.toString());
        } else if (value instanceof Double || value instanceof Float) {
            node.put("doubleValue", ((Number) value).doubleValue());
        } else if (value instanceof List<?> items) {
            ArrayNode values = node.putObject("arrayValue").putArray("values");
            items.forEach(item -> value(values.addObject(), item));
        } else {
            node.put("stringValue", String.valueOf(value));
        }
    }

    @Override
    public String toString() {
        return "TraceFile[" + file + ", " + collector.size() + " spans]";
    }

    /** Keeps every ended span in memory until the file is written. */
    private static final class Collector implements SpanExporter {
        private final List<SpanData> spans = new ArrayList<>();

        @Override
        public synchronized CompletableResultCode export(Collection<SpanData> batch) {
            spans.addAll(batch);
            return CompletableResultCode.ofSuccess();
        }

        synchronized List<SpanData> spans() {
            return List.copyOf(spans);
        }

        synchronized int size() {
            return spans.size();
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
}
