package dev.keel.agents.recording;

import java.util.Objects;

/**
 * A recording was not written because a step still held something that looks like a secret after redaction.
 * The message says which step and field and which rule matched, never the secret; the file on disk is left
 * as it was.
 */
public final class RecordingSecretException extends RecordingException {
    private static final long serialVersionUID = 1L;
    /** Where the step holding the secret happened. */
    private final StepTag step;
    /** Which part of the step holds it. */
    private final String field;
    /** The rule that found it. */
    private final String rule;

    /**
     * An exception for a secret found in {@code field} of the step at {@code step}.
     *
     * @param step  where the step happened
     * @param field which part of the step, for example {@code tool result of 'shell'}
     * @param rule  the rule that matched
     */
    public RecordingSecretException(StepTag step, String field, String rule) {
        super("refusing to write the recording: the " + field + " at " + step.describe() + ": " + rule
                + " — redact it (Recording.Builder.redact / redactPattern) or keep it out of the run");
        this.step = Objects.requireNonNull(step, "step");
        this.field = Objects.requireNonNull(field, "field");
        this.rule = Objects.requireNonNull(rule, "rule");
    }

    /**
     * Where the step happened.
     *
     * @return where the step happened
     */
    public StepTag step() {
        return step;
    }

    /**
     * Which part of the step held the secret.
     *
     * @return which part of the step held the secret
     */
    public String field() {
        return field;
    }

    /**
     * The rule that matched.
     *
     * @return the rule that matched
     */
    public String rule() {
        return rule;
    }
}
