package dev.keel.agents;

import dev.keel.core.Usage;
import java.util.EnumMap;
import java.util.Map;

/**
 * A runner's token and cost budgets and what has been spent against them: the team's spend lives as long as the
 * runner, a run's in its {@link AgentLoop}, a session's is the session's stored usage when the run started plus
 * the run's spend (so a conversation's budget holds across runs, processes and resumes). Thread-safe.
 */
final class Budgets {
    /** What one scope has spent. */
    static class Spend {
        private long tokens;
        private double costUsd;

        synchronized void add(long moreTokens, double moreCost) {
            tokens += moreTokens;
            costUsd += moreCost;
        }

        synchronized long tokens() {
            return tokens;
        }

        synchronized double costUsd() {
            return costUsd;
        }
    }

    /** A budget that is spent, and how much was. */
    record Exceeded(Budget.Scope scope, Budget budget, long tokens, Double costUsd) {}

    /** A run's spend and the session's spend before the run. */
    static final class RunSpend extends Spend {
        private final long sessionTokensBefore;
        private final double sessionCostBefore;

        RunSpend(long sessionTokensBefore, double sessionCostBefore) {
            this.sessionTokensBefore = sessionTokensBefore;
            this.sessionCostBefore = sessionCostBefore;
        }
    }

    private final Map<Budget.Scope, Budget> limits;
    private final Spend team = new Spend();

    Budgets(Map<Budget.Scope, Budget> limits) {
        this.limits = limits.isEmpty() ? Map.of() : new EnumMap<>(limits);
    }

    RunSpend startRun(Session session) {
        return new RunSpend(session.usage().totalTokens(), session.cost().orElse(0));
    }

    /** Adds a model call's usage; a cost budget with a model of unknown price fails the run. */
    void record(Spend run, Usage usage, ModelPrice price, Agent agent) {
        if (price == null && limits.values().stream().anyMatch(Budget::limitsCost)) {
            throw new AgentException("a cost budget is set but model '" + agent.model().label() + "' of agent '"
                    + agent.name() + "' has no price (Runner.Builder.price)");
        }
        double cost = price == null ? 0 : price.cost(usage);
        run.add(usage.totalTokens(), cost);
        team.add(usage.totalTokens(), cost);
    }

    /** The first spent budget (run, session, team), or null. */
    Exceeded exceeded(Spend spend) {
        if (limits.isEmpty()) {
            return null;
        }
        RunSpend run = (RunSpend) spend;
        for (Map.Entry<Budget.Scope, Budget> e : limits.entrySet()) {
            long tokens;
            double cost;
            switch (e.getKey()) {
                case RUN -> {
                    tokens = run.tokens();
                    cost = run.costUsd();
                }
                case SESSION -> {
                    tokens = run.sessionTokensBefore + run.tokens();
                    cost = run.sessionCostBefore + run.costUsd();
                }
                default -> {
                    tokens = team.tokens();
                    cost = team.costUsd();
                }
            }
            if (e.getValue().isSpentBy(tokens, cost)) {
                return new Exceeded(e.getKey(), e.getValue(), tokens, e.getValue().limitsCost() ? cost : null);
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return "Budgets" + limits;
    }
}
