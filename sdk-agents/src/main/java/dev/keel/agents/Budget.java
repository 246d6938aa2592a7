package dev.keel.agents;

/**
 * Limits on tokens and cost. A runner checks its budgets before every model call (of every agent, delegated
 * sub-agents included) and stops the run with {@link AgentResult.StopReason#BUDGET_EXCEEDED} and an
 * {@link AgentEvent.BudgetExceeded} event saying how much was spent once one is reached. A cost limit needs a
 * price for every model the run uses ({@code Runner.Builder.price}); a model without one makes the run fail
 * rather than spend blind.
 *
 * <pre>{@code
 * Runner runner = Runner.builder(root)
 *         .budget(Budget.Scope.RUN, Budget.tokens(200_000))             // each run
 *         .budget(Budget.Scope.SESSION, Budget.costUsd(5.00))            // each conversation, across runs
 *         .budget(Budget.Scope.TEAM, Budget.tokens(5_000_000).withCostUsd(100))  // everything this runner spends
 *         .build();
 * }</pre>
 *
 * @param maxTokens  the most tokens (input + output) that may be spent; {@link Long#MAX_VALUE} for no limit
 * @param maxCostUsd the most US dollars that may be spent; {@link Double#POSITIVE_INFINITY} for no limit
 */
public record Budget(long maxTokens, double maxCostUsd) {

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
     * @param maxTokens the most tokens that may be spent
     * @param maxCostUsd the most US dollars that may be spent
     */
    public Budget {
        if (maxTokens <= 0) {
            throw new IllegalArgumentException("maxTokens must be positive, was " + maxTokens);
        }
        if (Double.isNaN(maxCostUsd) || maxCostUsd <= 0) {
            throw new IllegalArgumentException("maxCostUsd must be positive, was " + maxCostUsd);
        }
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
     * A copy with a token limit.
     *
     * @param max the most tokens
     * @return the new budget
     */
    public Budget withTokens(long max) {
        return new Budget(max, maxCostUsd);
    }

    /**
     * A copy with a cost limit.
     *
     * @param max the most US dollars
     * @return the new budget
     */
    public Budget withCostUsd(double max) {
        return new Budget(maxTokens, max);
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
     * Whether {@code tokens} and {@code costUsd} reach this budget.
     *
     * @param tokens tokens spent
     * @param costUsd dollars spent
     * @return whether a limit is reached
     */
    public boolean isSpentBy(long tokens, double costUsd) {
        return tokens >= maxTokens || costUsd >= maxCostUsd;
    }

    @Override
    public String toString() {
        return "Budget[" + (limitsTokens() ? maxTokens + " tokens" : "") + (limitsTokens() && limitsCost() ? ", " : "")
                + (limitsCost() ? "$" + maxCostUsd : "") + "]";
    }
}
