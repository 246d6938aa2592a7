package dev.keel.authz;

import java.util.Objects;
import java.util.Optional;

/**
 * The answer for one item of a bulk check: either a {@link CheckResult} or the error SpiceDB
 * reported for that item alone.
 *
 * @param check  the question
 * @param result the answer, or {@code null} when {@code error} is set
 * @param error  the item's error message, or {@code null} when it was answered
 */
public record BulkCheckResult(Check check, CheckResult result, String error) {
    /**
     * Requires exactly one of result and error.
     *
     * @param check the question
     * @param error the item's error message, or {@code null} when it was answered
     * @param result the answer, or {@code null} when {@code error} is set
     */
    public BulkCheckResult {
        Objects.requireNonNull(check, "check");
        if ((result == null) == (error == null)) {
            throw new IllegalArgumentException("exactly one of result and error must be set");
        }
    }

    /**
     * True only when the item was answered {@link CheckResult#HAS_PERMISSION}.
     *
     * @return true only when the item was answered {@link CheckResult#HAS_PERMISSION}
     */
    public boolean allowed() {
        return result == CheckResult.HAS_PERMISSION;
    }

    /**
     * The answer, empty when the item failed.
     *
     * @return the answer, empty when the item failed
     */
    public Optional<CheckResult> answer() {
        return Optional.ofNullable(result);
    }
}
