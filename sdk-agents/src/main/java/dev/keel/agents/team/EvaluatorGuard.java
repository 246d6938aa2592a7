package dev.keel.agents.team;

import dev.keel.agents.ModelPrice;
import dev.keel.agents.hooks.HookInput;
import dev.keel.agents.hooks.HookResult;
import dev.keel.agents.internal.ModelHook;
import dev.keel.agents.internal.Secrets;
import dev.keel.core.ChatModel;
import dev.keel.core.models.ModelConfig;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A {@code tool_guard} hook of {@code type: evaluator}: the evaluator assesses the tool call (its name and its
 * arguments, secret-looking values redacted) and the routing policy maps the verdict to allow, ask or deny. A verdict
 * the policy does not map denies the call; a failed assessment throws, which the runner turns into a denial (fail
 * closed). Immutable and thread-safe.
 */
final class EvaluatorGuard implements ModelHook {
    private final Evaluator evaluator;
    private final ModelConfig model;
    private final Map<String, HookResult.Decision> routing;

    EvaluatorGuard(Evaluator evaluator, ModelConfig model, Map<String, HookResult.Decision> routing) {
        this.evaluator = Objects.requireNonNull(evaluator, "evaluator");
        this.model = Objects.requireNonNull(model, "model");
        Map<String, HookResult.Decision> copy = new LinkedHashMap<>();
        routing.forEach((k, v) -> {
            if (!evaluator.verdicts().contains(k)) {
                throw new IllegalArgumentException("'" + k + "' is not a verdict of evaluator '" + evaluator.name()
                        + "'; its verdicts are " + evaluator.verdicts());
            }
            copy.put(k, Objects.requireNonNull(v, "decision"));
        });
        this.routing = Collections.unmodifiableMap(copy);
    }

    @Override
    public ModelConfig model() {
        return model;
    }

    @Override
    public ModelPrice price() {
        return evaluator.price();
    }

    @Override
    public HookResult handle(HookInput input, ChatModel chat) {
        String subject = "A tool call is about to run.\nTool: " + input.toolName().orElse("") + "\nArguments: "
                + Secrets.redact(input.toolInput()).toJson();
        Evaluator.Verdict verdict = evaluator.assess(chat, subject);
        HookResult.Decision decision = routing.get(verdict.value());
        String why = "evaluator '" + evaluator.name() + "' answered '" + verdict.value() + "'"
                + (verdict.reason().isBlank() ? "" : ": " + verdict.reason().strip());
        if (decision == null) {
            return HookResult.deny(why + " (routing_policy does not map that verdict, so the call is denied)");
        }
        return switch (decision) {
            case ALLOW -> HookResult.allow(why);
            case ASK -> HookResult.ask(why);
            case DENY -> HookResult.deny(why);
        };
    }

    @Override
    public String toString() {
        return "EvaluatorGuard[" + evaluator.name() + ", " + model.reference() + ", " + routing + "]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EvaluatorGuard g && evaluator.equals(g.evaluator) && model.equals(g.model)
                && routing.equals(g.routing);
    }

    @Override
    public int hashCode() {
        return Objects.hash(evaluator, model, routing);
    }
}
