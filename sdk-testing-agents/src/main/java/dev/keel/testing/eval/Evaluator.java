package dev.keel.testing.eval;

import dev.keel.agents.AgentEvent;
import dev.keel.agents.AgentEvents;
import dev.keel.agents.AgentResult;
import dev.keel.agents.Recording;
import dev.keel.agents.Runner;
import dev.keel.agents.Session;
import dev.keel.core.ChatModel;
import dev.keel.core.json.JsonObject;
import dev.keel.core.json.JsonParseException;
import dev.keel.testing.internal.eval.ToolCallMatch;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.DynamicTest;

/**
 * Evaluates an agent team against cases, in the spirit of {@code docker agent eval}: each case runs in a fresh
 * runner (live, or replayed from a recording), its tool calls are matched against the expected ones, its answer is
 * checked, and an LLM judge — any {@link ChatModel}, a scripted one in tests — decides its relevance statements.
 * Cases run concurrently. The result is a report (JSON and Markdown) and, through {@link #tests}, one JUnit test
 * per case:
 *
 * <pre>{@code
 * @TestFactory
 * Stream<DynamicTest> evaluations() {
 *     Evaluator evaluator = Evaluator.builder(() -> team.runner().models(llm.models()))
 *             .judge(judgeModel).concurrency(4).reportDirectory(Path.of("target/keel-eval")).build();
 *     return evaluator.tests("release notes", cases);
 * }
 * }</pre>
 *
 * <p>Needs sdk-agents. Thread-safe: an evaluator may run several evaluations at once.
 */
public final class Evaluator {
    private static final int MAX_RESULT_IN_TRANSCRIPT = 500;

    private final Supplier<Runner.Builder> runners;
    private final Judge judge;
    private final int concurrency;
    private final Path reportDirectory;

    private Evaluator(Builder b) {
        runners = b.runners;
        judge = b.judge;
        concurrency = b.concurrency;
        reportDirectory = b.reportDirectory;
    }

    /**
     * Starts an evaluator whose runs come from {@code runners}: a fresh, unbuilt runner builder per case (the
     * evaluator adds the recording of a replayed case, builds, runs and closes it).
     *
     * @param runners for example {@code () -> team.runner().models(llm.models())}
     * @return the builder
     */
    public static Builder builder(Supplier<Runner.Builder> runners) {
        return new Builder(runners);
    }

    /**
     * Runs every case ({@code concurrency} at a time) and returns the report, also written to the report directory
     * when one is set. A case whose run fails is a failed case, not an exception.
     *
     * @param name  the evaluation's name, for the report
     * @param cases the cases
     * @return the report, results in the cases' order
     * @throws EvalException when a case has relevance statements and no judge is set, or the judge fails its
     *                       self-check or answers nonsense
     */
    public EvalReport run(String name, List<EvalCase> cases) {
        Objects.requireNonNull(name, "name");
        List<EvalCase> all = List.copyOf(cases);
        boolean judged = all.stream().anyMatch(c -> !c.relevance().isEmpty());
        if (judged) {
            if (judge == null) {
                throw new EvalException("cases of '" + name + "' have relevance statements but the evaluator has no "
                        + "judge: set Evaluator.Builder.judge(model)");
            }
            judge.validate();
        }
        long start = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(concurrency, Math.max(1, all.size())), r -> {
            Thread t = new Thread(r, "keel-eval");
            t.setDaemon(true);
            return t;
        });
        List<EvalResult> results = new ArrayList<>();
        try {
            List<Future<EvalResult>> futures = new ArrayList<>();
            for (EvalCase c : all) {
                futures.add(pool.submit(() -> evaluate(c)));
            }
            for (Future<EvalResult> f : futures) {
                results.add(f.get());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EvalException("evaluation '" + name + "' was interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof EvalException ee) {
                throw ee;
            }
            throw new EvalException("evaluation '" + name + "' failed: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
        EvalReport report = new EvalReport(name, results, Duration.ofNanos(System.nanoTime() - start));
        if (reportDirectory != null) {
            report.write(reportDirectory);
        }
        return report;
    }

    /**
     * Runs every case as {@link #run} does and returns one JUnit test per case, failing with the case's failed
     * checks; return it from a {@code @TestFactory}.
     *
     * @param name  the evaluation's name
     * @param cases the cases
     * @return the tests, in the cases' order
     */
    public Stream<DynamicTest> tests(String name, List<EvalCase> cases) {
        EvalReport report = run(name, cases);
        return report.results().stream().map(r -> DynamicTest.dynamicTest(r.name(), () -> {
            if (!r.passed()) {
                Assertions.fail(r.failureMessage());
            }
        }));
    }

    /**
     * Evaluates one case.
     *
     * @param c the case
     * @return its result
     */
    public EvalResult evaluate(EvalCase c) {
        long start = System.nanoTime();
        Observation seen = new Observation();
        String output;
        Runner.Builder builder = Objects.requireNonNull(runners.get(), "the runner supplier returned null");
        if (c.recording() != null) {
            builder.recording(Recording.replay(c.recording()));
        }
        try (Runner runner = builder.build();
             AgentEvents.Subscription s = runner.events().subscribe(seen::onEvent)) {
            Session session = Session.create();
            AgentResult last = null;
            for (String input : c.inputs()) {
                last = runner.run(session, input);
            }
            output = last.output();
        } catch (RuntimeException e) {
            return new EvalResult(c.name(), List.of(new EvalResult.Check("run", "the run completes", false,
                    String.valueOf(e.getMessage()))), 0.0, "", seen.calls(), seen.transcript(),
                    Duration.ofNanos(System.nanoTime() - start));
        }
        List<ObservedToolCall> calls = seen.calls();
        List<EvalResult.Check> checks = new ArrayList<>();
        checks.addAll(toolCallChecks(c, calls));
        for (OutputCheck check : c.outputChecks()) {
            String failure = check.failure(output).orElse("");
            checks.add(new EvalResult.Check("output", check.description(), failure.isEmpty(), failure));
        }
        String transcript = seen.transcript();
        for (String statement : c.relevance()) {
            Judge.Verdict v = judge.judge(transcript, statement);
            checks.add(new EvalResult.Check("relevance", statement, v.passed(), v.reason()));
        }
        double f1 = ToolCallMatch.f1(c.toolCalls().stream().map(ExpectedToolCall::tool).toList(),
                calls.stream().map(ObservedToolCall::tool).toList());
        return new EvalResult(c.name(), checks, f1, output, calls, transcript, Duration.ofNanos(System.nanoTime() - start));
    }

    private static List<EvalResult.Check> toolCallChecks(EvalCase c, List<ObservedToolCall> calls) {
        List<ExpectedToolCall> expected = c.toolCalls();
        if (expected.isEmpty()) {
            return List.of();
        }
        List<EvalResult.Check> checks = new ArrayList<>();
        String observed = calls.isEmpty() ? "no tool calls" : "calls made: " + calls;
        if (c.order() == ToolCallOrder.IN_ORDER) {
            int missing = ToolCallMatch.firstMissingInOrder(expected, calls, ExpectedToolCall::matches);
            for (int i = 0; i < expected.size(); i++) {
                boolean ok = missing < 0 || i < missing;
                String detail = i == missing ? (i == 0 ? "not made; " : "not made after " + expected.get(i - 1) + "; ")
                        + observed : i > missing && missing >= 0 ? "not checked: an earlier call is missing" : "";
                checks.add(new EvalResult.Check("tool calls", "#" + (i + 1) + " " + expected.get(i), ok, detail));
            }
        } else {
            List<Integer> missing = ToolCallMatch.unmatchedAnyOrder(expected, calls, ExpectedToolCall::matches);
            for (int i = 0; i < expected.size(); i++) {
                boolean ok = !missing.contains(i);
                checks.add(new EvalResult.Check("tool calls", expected.get(i).toString(), ok,
                        ok ? "" : "no distinct matching call; " + observed));
            }
        }
        return checks;
    }

    @Override
    public String toString() {
        return "Evaluator[concurrency=" + concurrency + (judge == null ? "" : ", " + judge)
                + (reportDirectory == null ? "" : ", report in " + reportDirectory) + "]";
    }

    /** What one run did, gathered from its events (which may come from several threads). */
    private static final class Observation {
        private final List<ObservedToolCall> requested = new ArrayList<>();
        private final List<String> ids = new ArrayList<>();
        private final Map<String, AgentEvent.ToolCallFinished> finished = new ConcurrentHashMap<>();
        private final StringBuilder transcript = new StringBuilder();

        synchronized void onEvent(AgentEvent e) {
            if (e instanceof AgentEvent.MessageCompleted m && !m.message().text().isBlank()) {
                transcript.append("[Agent ").append(m.agent()).append(" says]:\n").append(m.message().text()).append("\n\n");
            } else if (e instanceof AgentEvent.ToolCallRequested r) {
                JsonObject args;
                try {
                    args = r.call().argumentsJson();
                } catch (JsonParseException ex) {
                    args = JsonObject.of();
                }
                requested.add(new ObservedToolCall(r.agent(), r.call().name(), args, "", false));
                ids.add(r.sessionId() + "|" + r.call().id());
                transcript.append("[Agent ").append(r.agent()).append(" calls tool \"").append(r.call().name())
                        .append("\" with arguments: ").append(r.call().arguments()).append("]\n\n");
            } else if (e instanceof AgentEvent.ToolCallFinished f) {
                finished.put(f.sessionId() + "|" + f.call().id(), f);
                String result = f.result().length() > MAX_RESULT_IN_TRANSCRIPT
                        ? f.result().substring(0, MAX_RESULT_IN_TRANSCRIPT) + "…(truncated)" : f.result();
                transcript.append("[Tool \"").append(f.call().name()).append("\" returns").append(f.error() ? " an error" : "")
                        .append(": ").append(result).append("]\n\n");
            }
        }

        synchronized List<ObservedToolCall> calls() {
            List<ObservedToolCall> out = new ArrayList<>();
            for (int i = 0; i < requested.size(); i++) {
                ObservedToolCall c = requested.get(i);
                AgentEvent.ToolCallFinished f = finished.get(ids.get(i));
                out.add(f == null ? c : new ObservedToolCall(c.agent(), c.tool(), c.arguments(), f.result(), f.error()));
            }
            return out;
        }

        synchronized String transcript() {
            return transcript.toString().strip();
        }
    }

    /** Builder for {@link Evaluator}. Not thread-safe. */
    public static final class Builder {
        private final Supplier<Runner.Builder> runners;
        private Judge judge;
        private int concurrency = Math.max(1, Runtime.getRuntime().availableProcessors());
        private Path reportDirectory;

        private Builder(Supplier<Runner.Builder> runners) {
            this.runners = Objects.requireNonNull(runners, "runners");
        }

        /**
         * The model that judges relevance statements (the caller keeps owning it).
         *
         * @param model any chat model
         * @return this builder
         */
        public Builder judge(ChatModel model) {
            this.judge = Judge.of(model);
            return this;
        }

        /**
         * How many cases run at once (default: the number of processors).
         *
         * @param cases at least 1
         * @return this builder
         */
        public Builder concurrency(int cases) {
            if (cases < 1) {
                throw new IllegalArgumentException("concurrency must be at least 1, was " + cases);
            }
            this.concurrency = cases;
            return this;
        }

        /**
         * Where each run writes its report ({@value EvalReport#JSON_FILE} and {@value EvalReport#MARKDOWN_FILE}).
         *
         * @param directory the directory (created if missing)
         * @return this builder
         */
        public Builder reportDirectory(Path directory) {
            this.reportDirectory = Objects.requireNonNull(directory, "directory");
            return this;
        }

        /**
         * The evaluator.
         *
         * @return the evaluator
         */
        public Evaluator build() {
            return new Evaluator(this);
        }
    }
}
