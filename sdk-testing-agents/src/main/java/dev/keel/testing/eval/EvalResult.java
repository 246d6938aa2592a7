package dev.keel.testing.eval;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How one evaluation case went: every check with its outcome, the tool-call score, and what the run did.
 *
 * @param name        the case's name
 * @param checks      every check, in the order tool calls, output, relevance (a failed run has one {@code run}
 *                    check)
 * @param toolCallF1  docker-agent's tool-call score: F1 of expected against observed tool names (1 without either)
 * @param output      the run's final answer (empty when the run failed)
 * @param toolCalls   the tool calls the run made, in the order they were requested
 * @param transcript  the run as the judge saw it
 * @param duration    how long the run and its checks took
 */
public record EvalResult(String name, List<Check> checks, double toolCallF1, String output,
                         List<ObservedToolCall> toolCalls, String transcript, Duration duration) {
    /**
     * Checks the values and copies the lists.
     *
     * @param name       the case's name
     * @param checks     every check
     * @param toolCallF1 the tool-call score
     * @param output     the final answer
     * @param toolCalls  the tool calls made
     * @param transcript the run as the judge saw it
     * @param duration   how long it took
     */
    public EvalResult {
        Objects.requireNonNull(name, "name");
        checks = List.copyOf(checks);
        Objects.requireNonNull(output, "output");
        toolCalls = List.copyOf(toolCalls);
        Objects.requireNonNull(transcript, "transcript");
        Objects.requireNonNull(duration, "duration");
    }

    /**
     * One check of a case.
     *
     * @param kind        {@code tool calls}, {@code output}, {@code relevance} or {@code run}
     * @param description what was checked
     * @param passed      whether it passed
     * @param detail      why it failed, or the judge's reason; empty when there is nothing to say
     */
    public record Check(String kind, String description, boolean passed, String detail) {
        /**
         * Checks the values are present.
         *
         * @param kind        the kind of check
         * @param description what was checked
         * @param passed      whether it passed
         * @param detail      why it failed, or the judge's reason
         */
        public Check {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(description, "description");
            Objects.requireNonNull(detail, "detail");
        }
    }

    /**
     * Whether every check passed.
     *
     * @return whether the case passed
     */
    public boolean passed() {
        return checks.stream().allMatch(Check::passed);
    }

    /**
     * The failed checks.
     *
     * @return the failed checks, in order
     */
    public List<Check> failures() {
        return checks.stream().filter(c -> !c.passed()).toList();
    }

    /**
     * The failures as a message, one per line (empty when the case passed).
     *
     * @return the message
     */
    public String failureMessage() {
        StringBuilder sb = new StringBuilder();
        for (Check c : failures()) {
            sb.append(c.kind()).append(": ").append(c.description());
            if (!c.detail().isEmpty()) {
                sb.append(" — ").append(c.detail());
            }
            sb.append('\n');
        }
        return sb.toString().stripTrailing();
    }

    @Override
    public String toString() {
        return "EvalResult[" + name + ", " + (passed() ? "passed" : failures().size() + " of " + checks.size()
                + " checks failed") + "]";
    }
}
