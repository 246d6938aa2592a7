package dev.keel.testing.eval;

import dev.keel.core.internal.io.AtomicFiles;
import dev.keel.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The results of an evaluation run, with a summary in the spirit of {@code docker agent eval}'s: cases passed,
 * average tool-call F1, relevance statements passed. Renders as JSON (for tools) and Markdown (for people), and
 * writes both atomically. Immutable and thread-safe.
 *
 * @param name     the run's name
 * @param results  one result per case, in the cases' order
 * @param duration how long the whole run took
 */
public record EvalReport(String name, List<EvalResult> results, Duration duration) {
    /** The JSON report's file name inside {@link #write(Path)}'s directory. */
    public static final String JSON_FILE = "keel-eval.json";
    /** The Markdown report's file name inside {@link #write(Path)}'s directory. */
    public static final String MARKDOWN_FILE = "keel-eval.md";

    /**
     * Checks the values and copies the list.
     *
     * @param name     the run's name
     * @param results  one result per case
     * @param duration how long the run took
     */
    public EvalReport {
        Objects.requireNonNull(name, "name");
        results = List.copyOf(results);
        Objects.requireNonNull(duration, "duration");
    }

    /**
     * Whether every case passed.
     *
     * @return whether all passed
     */
    public boolean passed() {
        return results.stream().allMatch(EvalResult::passed);
    }

    /**
     * How many cases passed.
     *
     * @return the count
     */
    public long passedCount() {
        return results.stream().filter(EvalResult::passed).count();
    }

    /**
     * The mean tool-call F1 over the cases that expect tool calls or made some.
     *
     * @return the mean, or 1 when no case has tool calls
     */
    public double meanToolCallF1() {
        List<EvalResult> scored = results.stream().filter(r -> r.checks().stream()
                .anyMatch(c -> c.kind().equals("tool calls")) || !r.toolCalls().isEmpty()).toList();
        return scored.isEmpty() ? 1.0 : scored.stream().mapToDouble(EvalResult::toolCallF1).average().orElse(1.0);
    }

    /**
     * Fails with every failed case's failures when a case failed.
     *
     * @throws AssertionError listing the failed cases and their failed checks
     */
    public void assertAllPassed() {
        if (!passed()) {
            StringBuilder sb = new StringBuilder(results.size() - passedCount() + " of " + results.size()
                    + " evaluation cases failed:");
            for (EvalResult r : results) {
                if (!r.passed()) {
                    sb.append("\n").append(r.name()).append(":\n").append(r.failureMessage().indent(2).stripTrailing());
                }
            }
            throw new AssertionError(sb.toString());
        }
    }

    /**
     * The report as JSON: the summary and every case with its checks, score, tool calls and output.
     *
     * @return the JSON text
     */
    public String toJson() {
        List<Object> cases = new ArrayList<>();
        for (EvalResult r : results) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("name", r.name());
            c.put("passed", r.passed());
            c.put("tool_call_f1", round(r.toolCallF1()));
            c.put("duration_ms", r.duration().toMillis());
            List<Object> checks = new ArrayList<>();
            for (EvalResult.Check k : r.checks()) {
                checks.add(Map.of("kind", k.kind(), "description", k.description(), "passed", k.passed(),
                        "detail", k.detail()));
            }
            c.put("checks", checks);
            c.put("tool_calls", r.toolCalls().stream().map(t -> Map.of("agent", t.agent(), "tool", t.tool(),
                    "arguments", t.arguments(), "error", t.error())).toList());
            c.put("output", r.output());
            cases.add(c);
        }
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("cases", results.size());
        summary.put("passed", passedCount());
        summary.put("mean_tool_call_f1", round(meanToolCallF1()));
        summary.put("relevance_passed", relevance(true));
        summary.put("relevance_total", relevance(false));
        summary.put("duration_ms", duration.toMillis());
        return JsonObject.builder().put("name", name).put("summary", summary).put("cases", cases).build().toJson();
    }

    /**
     * The report as Markdown: a summary table and each failed check.
     *
     * @return the Markdown text
     */
    public String toMarkdown() {
        StringBuilder sb = new StringBuilder("# Evaluation: ").append(name).append("\n\n");
        sb.append(String.format(Locale.ROOT, "%d of %d cases passed · tool calls: mean F1 %.2f · relevance: %d/%d · %d ms%n%n",
                passedCount(), results.size(), meanToolCallF1(), relevance(true), relevance(false), duration.toMillis()));
        sb.append("| case | result | tool calls (F1) | output | relevance |\n|---|---|---|---|---|\n");
        for (EvalResult r : results) {
            sb.append("| ").append(cell(r.name())).append(" | ").append(r.passed() ? "✅ pass" : "❌ fail").append(" | ")
                    .append(String.format(Locale.ROOT, "%.2f", r.toolCallF1())).append(" | ")
                    .append(count(r, "output")).append(" | ").append(count(r, "relevance")).append(" |\n");
        }
        for (EvalResult r : results) {
            if (!r.passed()) {
                sb.append("\n## ").append(r.name()).append("\n\n");
                for (EvalResult.Check c : r.failures()) {
                    sb.append("- **").append(c.kind()).append("** ").append(c.description());
                    if (!c.detail().isEmpty()) {
                        sb.append(": ").append(c.detail().replace("\n", " "));
                    }
                    sb.append('\n');
                }
            }
        }
        return sb.toString();
    }

    /**
     * Writes {@link #JSON_FILE} and {@link #MARKDOWN_FILE} into {@code directory}, each atomically.
     *
     * @param directory where to write (created if missing)
     * @throws UncheckedIOException when a file cannot be written
     */
    public void write(Path directory) {
        try {
            AtomicFiles.write(directory.resolve(JSON_FILE), toJson().getBytes(StandardCharsets.UTF_8));
            AtomicFiles.write(directory.resolve(MARKDOWN_FILE), toMarkdown().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the evaluation report to " + directory, e);
        }
    }

    @Override
    public String toString() {
        return "EvalReport[" + name + ", " + passedCount() + "/" + results.size() + " passed]";
    }

    private long relevance(boolean passedOnly) {
        return results.stream().flatMap(r -> r.checks().stream())
                .filter(c -> c.kind().equals("relevance") && (!passedOnly || c.passed())).count();
    }

    private static String count(EvalResult r, String kind) {
        long all = r.checks().stream().filter(c -> c.kind().equals(kind)).count();
        long ok = r.checks().stream().filter(c -> c.kind().equals(kind) && c.passed()).count();
        return all == 0 ? "–" : ok + "/" + all;
    }

    private static String cell(String s) {
        return s.replace("|", "\\|").replace("\n", " ");
    }

    private static double round(double d) {
        return Math.round(d * 1000) / 1000.0;
    }
}
