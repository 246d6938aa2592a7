package dev.keel.agents;

import java.util.Objects;

/**
 * Someone's answer to a {@link PendingApproval}, given to {@link Runner#resume(String, Decision)}. The runner
 * records who decided, why, and when (its clock at the resume).
 *
 * <pre>{@code
 * runner.resume(token, Decision.approve("alice"));
 * runner.resume(token, Decision.deny("bob", "not during the freeze"));
 * }</pre>
 *
 * @param approved whether the call may run
 * @param by       who decided (a user id, a service name)
 * @param reason   why; shown to the model when denied (may be empty)
 */
public record Decision(boolean approved, String by, String reason) {
    /**
     * Checks the values.
     *
     * @param approved whether the call may run
     * @param by who decided
     * @param reason why (may be empty)
     */
    public Decision {
        Objects.requireNonNull(by, "by");
        Objects.requireNonNull(reason, "reason");
        if (by.isBlank()) {
            throw new IllegalArgumentException("a decision must say who made it");
        }
    }

    /**
     * Approves the pending call.
     *
     * @param by who approves
     * @return the decision
     */
    public static Decision approve(String by) {
        return new Decision(true, by, "");
    }

    /**
     * Approves the pending call, saying why.
     *
     * @param by who approves
     * @param reason why
     * @return the decision
     */
    public static Decision approve(String by, String reason) {
        return new Decision(true, by, reason);
    }

    /**
     * Denies the pending call; the model sees {@code reason} as the tool's error.
     *
     * @param by who denies
     * @param reason why
     * @return the decision
     */
    public static Decision deny(String by, String reason) {
        return new Decision(false, by, reason);
    }
}
