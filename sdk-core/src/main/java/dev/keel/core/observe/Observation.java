package dev.keel.core.observe;

import dev.keel.core.exec.ExecResult;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * Something a Keel component did, reported to the current {@link ObservationContext} when it finishes. Every
 * observation says when it started and how long it took (so a tracer can draw it as a span) and carries no
 * content: no command output, no document text, no prompt. The hierarchy is closed: switch over it.
 */
public sealed interface Observation {

    /**
     * A short, stable name of the operation, usable as a span name ({@code keel.exec}, {@code keel.retrieval},
     * {@code keel.permission_filter}).
     *
     * @return the operation's name
     */
    String name();

    /**
     * When the operation started.
     *
     * @return the start instant
     */
    Instant start();

    /**
     * How long the operation took.
     *
     * @return the duration
     */
    Duration duration();

    /**
     * A command ran (locally or in a sandbox). Only the program name is reported, never the other arguments,
     * the environment or the output.
     *
     * @param runner   what ran it ({@code local}, {@code sandbox}, …)
     * @param program  {@code argv[0]}
     * @param exitCode the exit code ({@code -1} when the command timed out and was killed)
     * @param timedOut whether it was killed for its timeout
     * @param start    when it started
     * @param duration how long it ran
     */
    record CommandRun(String runner, String program, int exitCode, boolean timedOut, Instant start, Duration duration)
            implements Observation {
        /**
         * Checks the values.
         *
         * @param runner what ran it
         * @param program {@code argv[0]}
         * @param exitCode the exit code
         * @param timedOut whether it was killed for its timeout
         * @param start when it started
         * @param duration how long it ran
         */
        public CommandRun {
            Objects.requireNonNull(runner, "runner");
            Objects.requireNonNull(program, "program");
            Objects.requireNonNull(start, "start");
            Objects.requireNonNull(duration, "duration");
        }

        /**
         * The observation of a finished command: its program, exit code, timeout and duration (nothing of its
         * output).
         *
         * @param runner what ran it
         * @param program {@code argv[0]}
         * @param result what the command did
         * @return the observation, dated to end now
         */
        public static CommandRun of(String runner, String program, ExecResult result) {
            return new CommandRun(runner, program, result.exitCode(), result.timedOut(),
                    Instant.now().minus(result.duration()), result.duration());
        }

        @Override
        public String name() {
            return "keel.exec";
        }
    }

    /**
     * A retrieval (a retriever or a knowledge base search) returned {@code hits} results.
     *
     * @param source   what searched ({@code retriever}, or the knowledge base's name)
     * @param hits     how many hits it returned
     * @param minScore the lowest score among them, empty without hits or scores
     * @param start    when it started
     * @param duration how long it took
     */
    record Retrieval(String source, int hits, OptionalDouble minScore, Instant start, Duration duration)
            implements Observation {
        /**
         * Checks the values.
         *
         * @param source what searched
         * @param hits how many hits it returned
         * @param minScore the lowest score among them, empty without hits
         * @param start when it started
         * @param duration how long it took
         */
        public Retrieval {
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(minScore, "minScore");
            Objects.requireNonNull(start, "start");
            Objects.requireNonNull(duration, "duration");
            if (hits < 0) {
                throw new IllegalArgumentException("hits must not be negative, got " + hits);
            }
        }

        @Override
        public String name() {
            return "keel.retrieval";
        }
    }

    /**
     * A permission filter decided which resources {@code subject} may have. Resource ids and outcomes only,
     * never the content of what was filtered.
     *
     * @param permission   the permission checked, for example {@code read}
     * @param subject      who asked, for example {@code user:emilia}
     * @param decisions    each checked resource and its outcome, in rank order
     * @param failedClosed whether anything was withheld because a check failed (not a plain denial)
     * @param start        when filtering started
     * @param duration     how long it took
     */
    record PermissionFilter(String permission, String subject, List<PermissionDecision> decisions,
                            boolean failedClosed, Instant start, Duration duration) implements Observation {
        /**
         * Copies the decisions and checks the values.
         *
         * @param permission the permission checked
         * @param subject who asked
         * @param decisions each checked resource and its outcome
         * @param failedClosed whether anything was withheld because a check failed
         * @param start when filtering started
         * @param duration how long it took
         */
        public PermissionFilter {
            Objects.requireNonNull(permission, "permission");
            Objects.requireNonNull(subject, "subject");
            decisions = List.copyOf(decisions);
            Objects.requireNonNull(start, "start");
            Objects.requireNonNull(duration, "duration");
        }

        /**
         * How many resources were checked.
         *
         * @return the number of decisions
         */
        public int checked() {
            return decisions.size();
        }

        /**
         * How many were kept.
         *
         * @return the number of allowed decisions
         */
        public int kept() {
            return (int) decisions.stream().filter(PermissionDecision::allowed).count();
        }

        /**
         * How many were withheld.
         *
         * @return the number of withheld decisions
         */
        public int dropped() {
            return checked() - kept();
        }

        @Override
        public String name() {
            return "keel.permission_filter";
        }
    }

    /**
     * One resource a permission filter checked, and its outcome.
     *
     * @param resource the resource, for example {@code document:roadmap} ({@code ?} when none could be derived)
     * @param allowed  whether the subject may have it
     * @param reason   why it was withheld ({@code DENIED}, {@code CONDITIONAL}, {@code ERROR}, {@code TIMEOUT}, …),
     *                 empty when allowed
     */
    record PermissionDecision(String resource, boolean allowed, String reason) {
        /**
         * Checks the values.
         *
         * @param resource the resource
         * @param allowed whether the subject may have it
         * @param reason why it was withheld, empty when allowed
         */
        public PermissionDecision {
            Objects.requireNonNull(resource, "resource");
            Objects.requireNonNull(reason, "reason");
        }
    }
}
