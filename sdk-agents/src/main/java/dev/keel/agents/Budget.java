package dev.keel.agents;

import java.time.Duration;

/**
 * Limits on tokens, cost and working time. A runner checks its budgets before every model call (of every agent,
 * delegated sub-agents included) and stops the run with {@link AgentResult.StopReason#BUDGET_EXCEEDED} and an
 * {@link AgentEvent.BudgetExceeded} event saying how much was spent once one is reached. A cost limit needs a
 * price for every model the run uses ({@code Runner.Builder.price}); a model without one makes the run fail
 * rather than spend blind.
 *
 * <pre>{@code
 * Runner runner = Runner.builder(root)
 *         .budget(Budget.Scope.RUN, Budget.tokens(200_000).withTime(Duration.ofMinutes(10)))  // each run
 *         .budget(Budget.Scope.SESSION, Budget.costUsd(5.00))            // each conversation, across runs
 *         .budget(Budget.Scope.TEAM, Budget.tokens(5_000_000).withCostUsd(100))  // everything this runner spends
 *         .budget("shell-work", Budget.costUsd(0.03), List.of("builder"))  // what these agents spend in a run
 *         .build();
 * }</pre>
 *
 * <p>Time is measured with the runner's clock: for a run, from its start; for a named budget, the time its agents
 * spend in their turns (model calls and the tools they run, delegations included). A time limit applies to runs
 * and named budgets only: a session or a team has no working time of its own.
 *
 * @param maxTokens  the most tokens (input + output) that may be spent; {@link Long#MAX_VALUE} for no limit
 * @param maxCostUsd the most US dollars that may be spent; {@link Double#POSITIVE_INFINITY} for no limit
 * @param maxTime    the most working time; {@link #NO_TIME_LIMIT} for no limit
 */
public record Budget(long maxTokens, double maxCostUsd, Duration maxTime) {

    /** The {@link #maxTime()} of a budget that does not limit time. */
    public static final Duration NO_TIME_LIMIT = Duration.ofSeconds(Long.MAX_VALUE, 999_999_999);

    /** What a budget applies to. */
    public enum Scope {
        /** One call of {@code run} or {@code resume}, with every sub-agent it delegates to. */
        RUN,
        /** One conversation (a session) over all its runs, as its stored usage and cost say. */
        SESSION,
        /** Everything a runner (a team) spends over its lifetime, across sessions. */
        TEAM
    }

    /**
     * Checks the limits.
     *
     * @param maxTokens  the most tokens that may be spent
     * @param maxCostUsd the most US dollars that may be spent
     * @param maxTime    the most working time
     */
    public Budget {
        if (maxTokens <= 0) {
            throw new IllegalArgumentException("maxTokens must be positive, was " + maxTokens);
        }
        if (Double.isNaN(maxCostUsd) || maxCostUsd <= 0) {
            throw new IllegalArgumentException("maxCostUsd must be positive, was " + maxCostUsd);
        }
        if (maxTime == null || maxTime.isNegative() || maxTime.isZero()) {
            throw new IllegalArgumentException("maxTime must be positive (NO_TIME_LIMIT for none), was " + maxTime);
        }
    }

    /**
     * Token and cost limits without a time limit.
     *
     * @param maxTokens  the most tokens that may be spent
     * @param maxCostUsd the most US dollars that may be spent
     */
    public Budget(long maxTokens, double maxCostUsd) {
        this(maxTokens, maxCostUsd, NO_TIME_LIMIT);
    }

    /**
     * A token limit without a cost limit.
     *
     * @param maxTokens the most tokens that may be spent
     * @return the budget
     */
    public static Budget tokens(long maxTokens) {
        return new Budget(maxTokens, Double.POSITIVE_INFINITY);
    }

    /**
     * A cost limit without a token limit.
     *
     * @param maxCostUsd the most US dollars that may be spent
     * @return the budget
     */
    public static Budget costUsd(double maxCostUsd) {
        return new Budget(Long.MAX_VALUE, maxCostUsd);
    }

    /**
     * A time limit alone.
     *
     * @param maxTime the most working time
     * @return the budget
     */
    public static Budget time(Duration maxTime) {
        return new Budget(Long.MAX_VALUE, Double.POSITIVE_INFINITY, maxTime);
    }

    /**
     * A copy with a token limit.
     *
     * @param max the most tokens
     * @return the new budget
     */
    public Budget withTokens(long max) {
        return new Budget(max, maxCostUsd, maxTime);
    }

    /**
     * A copy with a cost limit.
     *
     * @param max the most US dollars
     * @return the new budget
     */
    public Budget withCostUsd(double max) {
        return new Budget(maxTokens, max, maxTime);
    }

    /**
     * A copy with a time limit.
     *
     * @param max the most working time
     * @return the new budget
     */
    public Budget withTime(Duration max) {
        return new Budget(maxTokens, maxCostUsd, max);
    }

    /**
     * Whether tokens are limited.
     *
     * @return whether tokens are limited
     */
    public boolean limitsTokens() {
        return maxTokens != Long.MAX_VALUE;
    }

    /**
     * Whether cost is limited.
     *
     * @return whether cost is limited
     */
    public boolean limitsCost() {
        return maxCostUsd != Double.POSITIVE_INFINITY;
    }

    /**
     * Whether working time is limited.
     *
     * @return whether time is limited
     */
    public boolean limitsTime() {
        return !maxTime.equals(NO_TIME_LIMIT);
    }

    /**
     * Whether {@code tokens} and {@code costUsd} reach this budget.
     *
     * @param tokens tokens spent
     * @param costUsd dollars spent
     * @return whether a limit is reached
     */
    public boolean isSpentBy(long tokens, double costUsd) {
        return tokens >= maxTokens || costUsd >= maxCostUsd;
    }

    /**
     * Whether {@code tokens}, {@code costUsd} and {@code time} reach this budget.
     *
     * @param tokens tokens spent
     * @param costUsd dollars spent
     * @param time working time spent
     * @return whether a limit is reached
     */
    public boolean isSpentBy(long tokens, double costUsd, Duration time) {
        return isSpentBy(tokens, costUsd) || time.compareTo(maxTime) >= 0;
    }

    @Override
    public String toString() {
        java.util.List<String> parts = new java.util.ArrayList<>();
        if (limitsTokens()) {
            parts.add(maxTokens + " tokens");
        }
        if (limitsCost()) {
            parts.add("$" + maxCostUsd);
        }
        if (limitsTime()) {
            parts.add(maxTime.toString());
        }
        return "Budget[" + (parts.isEmpty() ? "no limit" : String.join(", ", parts)) + "]";
    }
}
