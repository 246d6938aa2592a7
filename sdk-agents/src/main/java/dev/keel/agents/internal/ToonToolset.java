package dev.keel.agents.internal;

import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.ToolResult;
import dev.keel.agents.tool.Toolset;
import dev.keel.core.json.JsonArray;
import dev.keel.core.json.JsonObject;
import dev.keel.core.json.JsonParseException;
import dev.keel.core.json.JsonValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * docker-agent's toolset {@code toon}: the successful output of a tool whose name matches one of the expressions,
 * when it is a JSON object or array, reaches the model as {@link Toon} text instead. Anything else — plain text,
 * text that is not valid JSON, a bare JSON primitive, an error result, a number too long to write out — passes
 * through unchanged. A name matches when an expression is found in it (Go's {@code regexp.MatchString}, as
 * docker-agent matches); anchor with {@code ^…$} for whole names. The tools are wrapped each time they are listed,
 * so a toolset that starts late or changes its tools is covered. Closing closes the delegate. Thread-safe when the
 * delegate is. Not API.
 */
public final class ToonToolset implements Toolset {
    private final Toolset delegate;
    private final List<Pattern> patterns;

    private ToonToolset(Toolset delegate, List<Pattern> patterns) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.patterns = List.copyOf(patterns);
    }

    /**
     * {@code delegate} with its matching tools' output re-encoded; a delegate that is already a {@code ToonToolset}
     * gets the union of both lists instead of a second layer.
     */
    public static ToonToolset of(Toolset delegate, List<Pattern> patterns) {
        if (delegate instanceof ToonToolset t) {
            List<Pattern> all = new ArrayList<>(t.patterns);
            all.addAll(patterns);
            return new ToonToolset(t.delegate, all);
        }
        return new ToonToolset(delegate, patterns);
    }

    /**
     * The expressions of a {@code toon} value: comma-separated, each trimmed, empty parts skipped.
     *
     * @throws PatternSyntaxException for the first part that is not a regular expression
     */
    public static List<Pattern> patterns(String commaSeparated) {
        List<Pattern> out = new ArrayList<>();
        for (String part : commaSeparated.split(",")) {
            if (!part.isBlank()) {
                out.add(Pattern.compile(part.strip()));
            }
        }
        return out;
    }

    /**
     * The toolset under any deferral, configuration and TOON wrapper: where code that looks for a toolset's type
     * (the memory store, the model picker) finds it.
     */
    public static Toolset innermost(Toolset t) {
        Toolset at = t;
        while (true) {
            if (at instanceof dev.keel.agents.toolsets.DeferredToolset d) {
                at = d.delegate();
            } else if (at instanceof dev.keel.agents.toolsets.ConfiguredToolset c) {
                at = c.delegate();
            } else if (at instanceof ToonToolset toon) {
                at = toon.delegate;
            } else {
                return at;
            }
        }
    }

    /** The wrapped toolset. */
    public Toolset delegate() {
        return delegate;
    }

    /** Whether a tool of this name has its output re-encoded. */
    public boolean encodes(String toolName) {
        return patterns.stream().anyMatch(p -> p.matcher(toolName).find());
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public List<Tool> tools() {
        return wrap(delegate.tools());
    }

    /** {@code tools} with the output of the matching ones re-encoded. */
    List<Tool> wrap(List<Tool> tools) {
        return tools.stream().map(t -> encodes(t.spec().name()) ? wrap(t) : t).toList();
    }

    @Override
    public String instructions() {
        return delegate.instructions();
    }

    @Override
    public void close() {
        delegate.close();
    }

    private static Tool wrap(Tool tool) {
        return Tool.of(tool.spec(), tool.readOnly(), (args, ctx) -> reencode(tool.call(args, ctx)));
    }

    /** The result with a JSON object or array as TOON; anything else as it is. */
    public static ToolResult reencode(ToolResult r) {
        String text = r.content().strip();
        if (r.error() || !(text.startsWith("{") || text.startsWith("["))) {
            return r;
        }
        try {
            JsonValue v = JsonValue.parse(text);
            return v instanceof JsonObject || v instanceof JsonArray ? ToolResult.ok(Toon.encode(v)) : r;
        } catch (JsonParseException | IllegalArgumentException e) {
            return r;
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ToonToolset other && delegate.equals(other.delegate)
                && patterns.stream().map(Pattern::pattern).toList()
                        .equals(other.patterns.stream().map(Pattern::pattern).toList());
    }

    @Override
    public int hashCode() {
        return Objects.hash(delegate, patterns.stream().map(Pattern::pattern).toList());
    }

    @Override
    public String toString() {
        return "ToonToolset[" + delegate + ", toon=" + patterns.stream().map(Pattern::pattern).toList() + "]";
    }
}
