package dev.keel.agents.team;

import dev.keel.agents.hooks.HookResult;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * How an evaluator guard turns a verdict into a decision. Two spellings of the team file lead here:
 * {@code routing_policy} (verdict → decision; an unmapped verdict denies) and docker-agent's
 * {@code evaluator_policy} ({@code decisions}, a {@code min_probability} the verdict's probability must reach, and
 * the {@code fallback} — ask or deny — for an unmapped or too uncertain verdict). Immutable.
 *
 * @param decisions      verdict → decision
 * @param minProbability the probability a verdict needs before its decision applies; 0 for none
 * @param fallback       the decision otherwise
 */
record GuardPolicy(Map<String, HookResult.Decision> decisions, double minProbability, HookResult.Decision fallback) {
    GuardPolicy {
        decisions = Collections.unmodifiableMap(new LinkedHashMap<>(decisions));
        Objects.requireNonNull(fallback, "fallback");
        if (!(minProbability >= 0 && minProbability <= 1)) {
            throw new IllegalArgumentException("min_probability must be within [0, 1]");
        }
        if (fallback == HookResult.Decision.ALLOW) {
            throw new IllegalArgumentException("a guard's fallback is ask or deny, never allow");
        }
    }

    /** {@code routing_policy}: no probability needed; an unmapped verdict denies. */
    static GuardPolicy routing(Map<String, HookResult.Decision> decisions) {
        return new GuardPolicy(decisions, 0, HookResult.Decision.DENY);
    }

    /**
     * The decision for a verdict.
     *
     * @param verdict     the verdict
     * @param probability its probability, or null when the judge gave none (a chat model)
     * @param why         what the evaluator answered, for the reason
     * @return the hook's result
     */
    HookResult decide(String verdict, Double probability, String why) {
        HookResult.Decision d = decisions.get(verdict);
        String reason = why;
        if (d == null) {
            d = fallback;
            reason = why + " (the policy does not map that verdict, so the fallback '" + name(fallback) + "' applies)";
        } else if (minProbability > 0 && (probability == null || probability < minProbability)) {
            reason = why + (probability == null ? " without a probability" : " with probability "
                    + String.format(java.util.Locale.ROOT, "%.3f", probability)) + ", below min_probability "
                    + minProbability + ", so the fallback '" + name(fallback) + "' applies";
            d = fallback;
        }
        return switch (d) {
            case ALLOW -> HookResult.allow(reason);
            case ASK -> HookResult.ask(reason);
            case DENY -> HookResult.deny(reason);
        };
    }

    private static String name(HookResult.Decision d) {
        return d.name().toLowerCase(java.util.Locale.ROOT);
    }
}
