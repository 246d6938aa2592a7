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
 * A {@code tool_guard} hook of {@code type: evaluator} judged by a chat model: the model assesses the tool call (its
 * name and its arguments, secret-looking values redacted) and the {@link GuardPolicy} maps the verdict to allow, ask
 * or deny. A failed assessment throws, which the runner turns into a denial (fail closed). Immutable and
 * thread-safe.
 */
final class EvaluatorGuard implements ModelHook {
    private final Evaluator evaluator;
    private final ModelConfig model;
    private final GuardPolicy policy;

    EvaluatorGuard(Evaluator evaluator, ModelConfig model, Map<String, HookResult.Decision> routing) {
        this(evaluator, model, GuardPolicy.routing(checked(evaluator, routing)));
    }

    EvaluatorGuard(Evaluator evaluator, ModelConfig model, GuardPolicy policy) {
        this.evaluator = Objects.requireNonNull(evaluator, "evaluator");
        this.model = Objects.requireNonNull(model, "model");
        this.policy = Objects.requireNonNull(policy, "policy");
    }

    /** The policy's keys, each a verdict of the evaluator. */
    static Map<String, HookResult.Decision> checked(Evaluator evaluator, Map<String, HookResult.Decision> routing) {
        Map<String, HookResult.Decision> copy = new LinkedHashMap<>();
        routing.forEach((k, v) -> {
            if (!evaluator.verdicts().contains(k)) {
                throw new IllegalArgumentException("'" + k + "' is not a verdict of evaluator '" + evaluator.name()
                        + "'; its verdicts are " + evaluator.verdicts());
            }
            copy.put(k, Objects.requireNonNull(v, "decision"));
        });
        return Collections.unmodifiableMap(copy);
    }

    /** What a guard shows its evaluator: the tool and its arguments, secret-looking values redacted. */
    static dev.keel.core.json.JsonObject subject(HookInput input) {
        return dev.keel.core.json.JsonObject.builder().put("tool_name", input.toolName().orElse(""))
                .put("tool_input", Secrets.redact(input.toolInput())).build();
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
        String why = "evaluator '" + evaluator.name() + "' answered '" + verdict.value() + "'"
                + (verdict.reason().isBlank() ? "" : ": " + verdict.reason().strip());
        return policy.decide(verdict.value(), null, why);
    }

    @Override
    public String toString() {
        return "EvaluatorGuard[" + evaluator.name() + ", " + model.reference() + ", " + policy + "]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EvaluatorGuard g && evaluator.equals(g.evaluator) && model.equals(g.model)
                && policy.equals(g.policy);
    }

    @Override
    public int hashCode() {
        return Objects.hash(evaluator, model, policy);
    }
}
