package dev.keel.agents.team;

import dev.keel.agents.Budget;
import dev.keel.agents.internal.YamlTree.Entry;
import dev.keel.agents.internal.YamlTree.ListNode;
import dev.keel.agents.internal.YamlTree.MapNode;
import dev.keel.agents.internal.YamlTree.Scalar;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * docker-agent's budgets: the top-level {@code budget} (one ceiling for every run, all agents charged) and the
 * named {@code budgets} an agent opts into with its own {@code budgets: [name, …]}. Each has {@code max_cost}
 * (USD), {@code max_tokens} (input + output) and {@code max_time} (a Go duration); an unset limit is unlimited.
 * One per load; not thread-safe.
 */
final class BudgetSection {
    private final TeamFields f;
    private final Budget run;
    private final Map<String, Budget> named = new LinkedHashMap<>();
    private final Map<String, Integer> lines = new LinkedHashMap<>();
    private final Map<String, Set<String>> members = new LinkedHashMap<>();

    BudgetSection(TeamFields f, MapNode top) {
        this.f = f;
        Entry budget = top.entries().get("budget");
        run = budget == null ? null : budget(budget, "budget");
        for (Entry e : f.entries(top, "budgets").values()) {
            Budget b = budget(e, "budgets." + e.key());
            if (b != null) {
                named.put(e.key(), b);
                lines.put(e.key(), e.line());
            }
        }
    }

    /** Reads an agent's {@code budgets}: each name must be a top-level named budget. */
    void agent(String agent, MapNode m, String path) {
        Entry e = m.entries().get("budgets");
        if (e == null || (e.value() instanceof Scalar s && s.value() == null)) {
            return;
        }
        ListNode names = f.list(e.value(), path + ".budgets");
        for (int i = 0; i < names.items().size(); i++) {
            String field = path + ".budgets[" + i + "]";
            String name = f.scalarText(names.items().get(i), field);
            if (!named.containsKey(name)) {
                throw f.error(names.items().get(i).line(), field, "unknown budget '" + name + "'"
                        + didYouMean(name) + "; the top-level budgets are " + named.keySet());
            }
            members.computeIfAbsent(name, k -> new LinkedHashSet<>()).add(agent);
        }
    }

    /** Warns about named budgets no agent opts into: they limit nothing. */
    void warnUnused() {
        for (Map.Entry<String, Integer> e : lines.entrySet()) {
            if (!members.containsKey(e.getKey())) {
                f.warn(e.getValue() + ": budgets." + e.getKey() + ": no agent lists this budget in its 'budgets', so "
                        + "it limits nothing");
            }
        }
    }

    /** The run-wide budget, or null. */
    Budget run() {
        return run;
    }

    /** The named budgets some agent opts into, with their agents, in file order. */
    java.util.List<Team.NamedBudget> named() {
        return named.keySet().stream().filter(members::containsKey)
                .map(name -> new Team.NamedBudget(name, named.get(name), members.get(name))).toList();
    }

    private String didYouMean(String name) {
        return named.keySet().stream().filter(k -> SchemaWalk.distance(name, k) <= 2)
                .min(java.util.Comparator.comparingInt(k -> SchemaWalk.distance(name, k)))
                .map(k -> " (did you mean '" + k + "'?)").orElse("");
    }

    private Budget budget(Entry e, String path) {
        MapNode m = f.map(e.value(), path);
        Double cost = f.optDouble(m, "max_cost", path);
        Double tokens = f.optDouble(m, "max_tokens", path);
        Entry time = m.entries().get("max_time");
        Duration maxTime = time == null || (time.value() instanceof Scalar s && s.value() == null) ? null
                : f.goDuration(time.value(), path + ".max_time");
        if (cost != null && !(cost > 0)) {
            throw f.error(m.entries().get("max_cost").line(), path + ".max_cost", "must be more than 0, was " + cost);
        }
        if (tokens != null && (tokens < 1 || tokens != Math.rint(tokens))) {
            throw f.error(m.entries().get("max_tokens").line(), path + ".max_tokens",
                    "must be a whole number of tokens, at least 1, was " + tokens);
        }
        if (maxTime != null && (maxTime.isZero() || maxTime.isNegative())) {
            throw f.error(time.line(), path + ".max_time", "must be longer than 0");
        }
        if (cost == null && tokens == null && maxTime == null) {
            f.warn(e.line() + ": " + path + ": sets no limit (max_cost, max_tokens, max_time), so it limits nothing");
            return null;
        }
        return new Budget(tokens == null ? Long.MAX_VALUE : tokens.longValue(),
                cost == null ? Double.POSITIVE_INFINITY : cost, maxTime == null ? Budget.NO_TIME_LIMIT : maxTime);
    }
}
