package dev.keel.agents.team;

import dev.keel.agents.hooks.HookInput;
import dev.keel.agents.hooks.HookResult;
import dev.keel.agents.internal.SpendingHook;
import dev.keel.agents.internal.judge.JudgeClient;
import java.util.Locale;
import java.util.Objects;

/**
 * A {@code tool_guard} hook of {@code type: evaluator} whose evaluator is a judge service (TypeSafe, OpenAI
 * Decisions): the service assesses the tool call (its name and its arguments, secret-looking values redacted), and
 * the {@link GuardPolicy} turns the verdict and its probability into allow, ask or deny. Every request sent is
 * charged to the session, even when its answer is refused. A failed assessment throws, which the runner turns
 * into a denial (fail closed). Immutable and thread-safe.
 */
final class JudgeGuard implements SpendingHook {
    private final Evaluator evaluator;
    private final JudgeClient client;
    private final GuardPolicy policy;

    JudgeGuard(Evaluator evaluator, JudgeClient client, GuardPolicy policy) {
        this.evaluator = Objects.requireNonNull(evaluator, "evaluator");
        this.client = Objects.requireNonNull(client, "client");
        this.policy = Objects.requireNonNull(policy, "policy");
    }

    @Override
    public HookResult handle(HookInput input, JudgeClient.Spending spending) {
        Evaluator.Judgement j = client.judge(EvaluatorGuard.subject(input), spending);
        String why = "evaluator '" + evaluator.name() + "' answered '" + j.outcome() + "' with probability "
                + String.format(Locale.ROOT, "%.3f", j.probability());
        return policy.decide(j.outcome(), j.probability(), why);
    }

    /** The evaluator's key variable when it is unset now, for {@link Team#validate}. */
    java.util.Optional<String> missingKey() {
        return client.missingKey();
    }

    /** The evaluator this guard asks. */
    Evaluator evaluator() {
        return evaluator;
    }

    @Override
    public String toString() {
        return "JudgeGuard[" + client + ", " + policy + "]";
    }
}
