package dev.keel.agents;

import dev.keel.core.Usage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A runner's budgets and what has been spent against them: the team's spend lives as long as the runner, a run's
 * (and its named budgets') in its {@link AgentLoop}, a session's is the session's stored usage when the run
 * started plus the run's spend (so a conversation's budget holds across runs, processes and resumes). Thread-safe.
 */
final class Budgets {
    /** What one scope has spent. */
    static class Spend {
        private long tokens;
        private double costUsd;
        private Duration time = Duration.ZERO;

        synchronized void add(long moreTokens, double moreCost) {
            tokens += moreTokens;
            costUsd += moreCost;
        }

        synchronized void addTime(Duration more) {
            time = time.plus(more);
        }

        synchronized long tokens() {
            return tokens;
        }

        synchronized double costUsd() {
            return costUsd;
        }

        synchronized Duration time() {
            return time;
        }
    }

    /** A budget that is spent, and how much was. */
    record Exceeded(Budget.Scope scope, String name, Budget budget, long tokens, Double costUsd, Duration time) {}

    /** A named budget: charged with what {@code agents} spend in a run. */
    record Named(String name, Budget budget, Set<String> agents) {}

    /** A run's spend, its named budgets' spend, and the session's spend before the run. */
    static final class RunSpend extends Spend {
        private final long sessionTokensBefore;
        private final double sessionCostBefore;
        private final Instant started;
        private final Map<String, Spend> named = new LinkedHashMap<>();

        RunSpend(long sessionTokensBefore, double sessionCostBefore, Instant started, List<Named> budgets) {
            this.sessionTokensBefore = sessionTokensBefore;
            this.sessionCostBefore = sessionCostBefore;
            this.started = started;
            budgets.forEach(n -> named.put(n.name(), new Spend()));
        }
    }

    private final Map<Budget.Scope, Budget> limits;
    private final List<Named> named;
    private final Clock clock;
    private final Spend team = new Spend();

    Budgets(Map<Budget.Scope, Budget> limits, List<Named> named, Clock clock) {
        this.limits = limits.isEmpty() ? Map.of() : new EnumMap<>(limits);
        this.named = List.copyOf(named);
        this.clock = clock;
    }

    RunSpend startRun(Session session) {
        return new RunSpend(session.usage().totalTokens(), session.cost().orElse(0), clock.instant(), named);
    }

    /** Adds a model call's usage; a cost budget with a model of unknown price fails the run. */
    void record(Spend run, Usage usage, ModelPrice price, String model, Agent agent) {
        if (price == null && (limits.values().stream().anyMatch(Budget::limitsCost) || named.stream()
                .anyMatch(n -> n.agents().contains(agent.name()) && n.budget().limitsCost()))) {
            throw new AgentException("a cost budget is set but model '" + model + "', which answered agent '"
                    + agent.name() + "', has no price (Runner.Builder.price)");
        }
        double cost = price == null ? 0 : price.cost(usage);
        run.add(usage.totalTokens(), cost);
        team.add(usage.totalTokens(), cost);
        for (Named n : named) {
            if (n.agents().contains(agent.name())) {
                ((RunSpend) run).named.get(n.name()).add(usage.totalTokens(), cost);
            }
        }
    }

    /**
     * Adds what was spent beside {@code agent}'s own model calls (guards, model hooks, compaction) since the last
     * check; a cost budget with such a model of unknown price fails the run, as for the agent's own model.
     */
    void charge(Spend run, Session.SideSpend side, Agent agent) {
        if (side.tokens() == 0 && side.costUsd() == 0) {
            return;
        }
        if (side.unpricedModel() != null && (limits.values().stream().anyMatch(Budget::limitsCost) || named.stream()
                .anyMatch(n -> n.agents().contains(agent.name()) && n.budget().limitsCost()))) {
            throw new AgentException("a cost budget is set but model '" + side.unpricedModel() + "', which agent '"
                    + agent.name() + "' used besides its own (a guard, hook or compaction), has no price "
                    + "(Runner.Builder.price, or the evaluator's cost)");
        }
        run.add(side.tokens(), side.costUsd());
        team.add(side.tokens(), side.costUsd());
        for (Named n : named) {
            if (n.agents().contains(agent.name())) {
                ((RunSpend) run).named.get(n.name()).add(side.tokens(), side.costUsd());
            }
        }
    }

    /** Adds the time {@code agent} spent in a turn to its named budgets. */
    void worked(Spend run, Agent agent, Duration time) {
        for (Named n : named) {
            if (n.agents().contains(agent.name())) {
                ((RunSpend) run).named.get(n.name()).addTime(time);
            }
        }
    }

    /** The first spent budget (run, session, team, then {@code agent}'s named budgets), or null. */
    Exceeded exceeded(Spend spend, Agent agent) {
        if (limits.isEmpty() && named.isEmpty()) {
            return null;
        }
        RunSpend run = (RunSpend) spend;
        for (Map.Entry<Budget.Scope, Budget> e : limits.entrySet()) {
            long tokens;
            double cost;
            Duration time = Duration.ZERO;
            switch (e.getKey()) {
                case RUN -> {
                    tokens = run.tokens();
                    cost = run.costUsd();
                    time = Duration.between(run.started, clock.instant());
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
            if (e.getValue().isSpentBy(tokens, cost, time)) {
                return new Exceeded(e.getKey(), "", e.getValue(), tokens, e.getValue().limitsCost() ? cost : null, time);
            }
        }
        for (Named n : named) {
            Spend s = run.named.get(n.name());
            if (n.agents().contains(agent.name()) && n.budget().isSpentBy(s.tokens(), s.costUsd(), s.time())) {
                return new Exceeded(Budget.Scope.RUN, n.name(), n.budget(), s.tokens(),
                        n.budget().limitsCost() ? s.costUsd() : null, s.time());
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return "Budgets" + limits + (named.isEmpty() ? "" : " " + named);
    }
}
