package dev.keel.testing.eval;

import dev.keel.agents.recording.RecordedRun;
import dev.keel.agents.recording.RecordedStep;
import dev.keel.core.message.Message;
import dev.keel.core.message.UserMessage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One evaluation: what the user says, and what the run must do — tool calls (in order or not), checks of the
 * final answer, and relevance statements for the judge. Optionally the run is replayed from a recording instead of
 * run live. Immutable and thread-safe.
 *
 * <pre>{@code
 * EvalCase count = EvalCase.builder("counting files")
 *         .input("How many files are in the workspace?")
 *         .toolCalls(ToolCallOrder.IN_ORDER, ExpectedToolCall.of("list_directory").with("path", ArgumentMatcher.present()))
 *         .output(OutputCheck.contains("2 files"), OutputCheck.size(Size.S))
 *         .relevance("The answer names both files")
 *         .build();
 * }</pre>
 */
public final class EvalCase {
    private final String name;
    private final List<String> inputs;
    private final Path recording;
    private final ToolCallOrder order;
    private final List<ExpectedToolCall> toolCalls;
    private final List<OutputCheck> outputChecks;
    private final List<String> relevance;

    private EvalCase(Builder b) {
        name = b.name;
        inputs = List.copyOf(b.inputs);
        recording = b.recording;
        order = b.order;
        toolCalls = List.copyOf(b.toolCalls);
        outputChecks = List.copyOf(b.outputChecks);
        relevance = List.copyOf(b.relevance);
    }

    /**
     * Starts a case.
     *
     * @param name the case's name, as reports and JUnit show it
     * @return the builder
     */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /**
     * Starts a case from a run recording, as docker-agent makes evaluations from saved sessions: the input is the
     * recorded first user message of the first top-level session, and the expected tool calls are the recorded
     * ones, by tool and agent, in order (their arguments are not compared: add matchers for those that matter).
     * Needs sdk-agents.
     *
     * @param name the case's name
     * @param file the recording
     * @return a builder holding the input and the expected calls
     */
    public static Builder fromRecording(String name, Path file) {
        RecordedRun run = RecordedRun.read(file);
        Builder b = builder(name);
        run.modelCalls().stream().filter(m -> m.tag().session().equals("s1")).findFirst().ifPresent(m -> {
            for (Message msg : m.request().messages()) {
                if (msg instanceof UserMessage u) {
                    b.input(u.text());
                    break;
                }
            }
        });
        if (b.inputs.isEmpty()) {
            throw new EvalException("recording " + file + " has no user message in session s1 to evaluate from");
        }
        List<ExpectedToolCall> expected = new ArrayList<>();
        for (RecordedStep.ToolExecution t : run.toolExecutions()) {
            expected.add(ExpectedToolCall.of(t.tool()).by(t.tag().agent()));
        }
        return b.toolCalls(ToolCallOrder.IN_ORDER, expected);
    }

    /**
     * The name.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * The user messages, sent one after another in one session.
     *
     * @return the inputs
     */
    public List<String> inputs() {
        return inputs;
    }

    /**
     * The recording the run is replayed from, or {@code null} for a live run.
     *
     * @return the recording file, or {@code null}
     */
    public Path recording() {
        return recording;
    }

    /**
     * How the expected tool calls are matched.
     *
     * @return the order rule
     */
    public ToolCallOrder order() {
        return order;
    }

    /**
     * The expected tool calls.
     *
     * @return the expected calls
     */
    public List<ExpectedToolCall> toolCalls() {
        return toolCalls;
    }

    /**
     * The checks of the final answer.
     *
     * @return the output checks
     */
    public List<OutputCheck> outputChecks() {
        return outputChecks;
    }

    /**
     * Statements the judge must find true of the run.
     *
     * @return the relevance statements
     */
    public List<String> relevance() {
        return relevance;
    }

    @Override
    public String toString() {
        return "EvalCase[" + name + ", " + toolCalls.size() + " expected calls, " + outputChecks.size()
                + " output checks, " + relevance.size() + " relevance statements"
                + (recording == null ? "" : ", replaying " + recording) + "]";
    }

    /** Builder for {@link EvalCase}. Not thread-safe. */
    public static final class Builder {
        private final String name;
        private final List<String> inputs = new ArrayList<>();
        private Path recording;
        private ToolCallOrder order = ToolCallOrder.IN_ORDER;
        private final List<ExpectedToolCall> toolCalls = new ArrayList<>();
        private final List<OutputCheck> outputChecks = new ArrayList<>();
        private final List<String> relevance = new ArrayList<>();

        private Builder(String name) {
            if (Objects.requireNonNull(name, "name").isBlank()) {
                throw new IllegalArgumentException("an evaluation case needs a name");
            }
            this.name = name;
        }

        /**
         * Adds a user message (several make a conversation in one session).
         *
         * @param message what the user says
         * @return this builder
         */
        public Builder input(String message) {
            inputs.add(Objects.requireNonNull(message, "message"));
            return this;
        }

        /**
         * Replays the run from {@code file} (full replay: no model, no tool runs) instead of running it live.
         *
         * @param file a Keel run recording
         * @return this builder
         */
        public Builder replaying(Path file) {
            this.recording = Objects.requireNonNull(file, "file");
            return this;
        }

        /**
         * The tool calls the run must make (replacing those set before).
         *
         * @param order how they are matched
         * @param calls the calls
         * @return this builder
         */
        public Builder toolCalls(ToolCallOrder order, ExpectedToolCall... calls) {
            return toolCalls(order, Arrays.asList(calls));
        }

        /**
         * The tool calls the run must make (replacing those set before).
         *
         * @param order how they are matched
         * @param calls the calls
         * @return this builder
         */
        public Builder toolCalls(ToolCallOrder order, List<ExpectedToolCall> calls) {
            this.order = Objects.requireNonNull(order, "order");
            toolCalls.clear();
            calls.forEach(c -> toolCalls.add(Objects.requireNonNull(c, "call")));
            return this;
        }

        /**
         * Adds checks of the final answer.
         *
         * @param checks the checks
         * @return this builder
         */
        public Builder output(OutputCheck... checks) {
            for (OutputCheck c : checks) {
                outputChecks.add(Objects.requireNonNull(c, "check"));
            }
            return this;
        }

        /**
         * Adds statements an LLM judge must find true of the run.
         *
         * @param statements the statements
         * @return this builder
         */
        public Builder relevance(String... statements) {
            for (String s : statements) {
                if (Objects.requireNonNull(s, "statement").isBlank()) {
                    throw new IllegalArgumentException("a relevance statement must not be blank");
                }
                relevance.add(s);
            }
            return this;
        }

        /**
         * The case.
         *
         * @return the case
         * @throws IllegalStateException without an input
         */
        public EvalCase build() {
            if (inputs.isEmpty()) {
                throw new IllegalStateException("evaluation case '" + name + "' needs an input");
            }
            return new EvalCase(this);
        }
    }
}
