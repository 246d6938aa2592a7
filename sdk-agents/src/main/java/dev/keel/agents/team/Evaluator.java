package dev.keel.agents.team;

import dev.keel.agents.AgentException;
import dev.keel.agents.ModelPrice;
import dev.keel.agents.hooks.Hook;
import dev.keel.agents.hooks.HookResult;
import dev.keel.agents.internal.judge.JudgeClient;
import dev.keel.core.ChatModel;
import dev.keel.core.ChatOptions;
import dev.keel.core.ChatRequest;
import dev.keel.core.ResponseFormat;
import dev.keel.core.json.JsonBoolean;
import dev.keel.core.json.JsonObject;
import dev.keel.core.json.JsonValue;
import dev.keel.core.message.Message;
import dev.keel.core.models.ModelConfig;
import dev.keel.core.tool.JsonSchema;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One entry of a team file's top-level {@code evaluators} (docker-agent's reusable assessments: fixed instructions
 * and a typed answer), read and checked as docker-agent checks them and exposed on {@link Team#evaluators()}.
 *
 * <p>Who assesses: an evaluator whose {@code provider} is {@code typesafe} or {@code openai} — written so, or
 * reached through a named model or a {@code providers} entry, which the loader resolves as docker-agent does — is
 * asked through that judge service's own API ({@link #usesJudgeService()}, {@link #judge}): TypeSafe's
 * {@code /v1/systemone}, or OpenAI's Decisions API. Any other provider is a Keel extension that docker-agent
 * rejects: Keel asks that chat model for a structured verdict ({@link #assess(ChatModel, String)}). A team
 * file's {@code tool_guard} hooks run an evaluator before matching tool calls, either way; {@link #guard} makes a
 * chat-judged tool guard for a host application's {@link dev.keel.agents.hooks.Hooks}:
 *
 * <pre>{@code
 * Evaluator judge = team.evaluators().get("safety_judge");
 * Hooks hooks = Hooks.builder()
 *         .on(HookEvent.TOOL_GUARD, "shell", judge.guard(ModelConfig.parse("anthropic/claude-haiku-4-5"),
 *                 Map.of("safe", HookResult.Decision.ALLOW, "unsafe", HookResult.Decision.DENY)))
 *         .build();
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 *
 * @param name         the key under {@code evaluators}
 * @param provider     the judge service ({@code typesafe}, {@code openai}) after the loader's resolution, another
 *                     provider of the file, or empty when {@code model} names a model of the file or is
 *                     {@code provider/model} that is not a judge service
 * @param model        the model: with a provider its ID, otherwise a model name of the file or {@code provider/model}
 * @param kind         what the evaluator answers
 * @param instructions what it is asked to judge
 * @param choices      a {@link Kind#CHOICE} evaluator's choices and what each means, in file order
 * @param levels       a {@link Kind#SCORE} evaluator's levels, lowest first
 * @param baseUrl      the provider's base URL, or empty (a judge service's default)
 * @param endpoint     a full endpoint URL used as it is instead of base URL and path, or empty
 * @param tokenKey     the variable holding the key, or empty (a judge service's default: {@code TYPESAFE_API_KEY},
 *                     {@code OPENAI_API_KEY})
 * @param timeout      the time limit of one assessment, or null for the default (none for a chat model, 10 s for
 *                     a judge service)
 * @param price        {@code cost}, or null
 */
public record Evaluator(String name, String provider, String model, Kind kind, String instructions,
                        Map<String, String> choices, List<String> levels, String baseUrl, String endpoint,
                        String tokenKey, Duration timeout, ModelPrice price) {
    /** What an evaluator answers. */
    public enum Kind {
        /** true or false. */
        BOOLEAN,
        /** One of 2–255 named choices. */
        CHOICE,
        /** One of 2–10 ordered levels. */
        SCORE
    }

    /**
     * Checks the components.
     *
     * @param name         the key under {@code evaluators}
     * @param provider     the provider, or empty
     * @param model        the model
     * @param kind         what the evaluator answers
     * @param instructions what it is asked to judge
     * @param choices      the choices of a choice evaluator
     * @param levels       the levels of a score evaluator
     * @param baseUrl      the base URL, or empty
     * @param endpoint     the endpoint, or empty
     * @param tokenKey     the key variable, or empty
     * @param timeout      the time limit, or null
     * @param price        the price, or null
     */
    public Evaluator {
        Objects.requireNonNull(name, "name");
        provider = Objects.requireNonNullElse(provider, "");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(instructions, "instructions");
        choices = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(choices));
        levels = List.copyOf(levels);
        baseUrl = Objects.requireNonNullElse(baseUrl, "");
        endpoint = Objects.requireNonNullElse(endpoint, "");
        tokenKey = Objects.requireNonNullElse(tokenKey, "");
    }

    /**
     * The time limit of one assessment.
     *
     * @return the limit, or empty for none
     */
    public Optional<Duration> timeLimit() {
        return Optional.ofNullable(timeout);
    }

    /**
     * The answers this evaluator may give: a choice evaluator's choice names, a score evaluator's levels (lowest
     * first), {@code true} and {@code false} for a boolean one.
     *
     * @return the possible verdicts, in order
     */
    public List<String> verdicts() {
        return switch (kind) {
            case BOOLEAN -> List.of("true", "false");
            case CHOICE -> List.copyOf(choices.keySet());
            case SCORE -> levels;
        };
    }

    /**
     * One assessment: the evaluator's answer and why.
     *
     * @param value  one of {@link #verdicts()}
     * @param reason the model's one-sentence reason (may be empty)
     */
    public record Verdict(String value, String reason) {
        /**
         * Checks the values are present.
         *
         * @param value  the answer
         * @param reason the reason
         */
        public Verdict {
            Objects.requireNonNull(value, "value");
            reason = Objects.requireNonNullElse(reason, "");
        }
    }

    /**
     * One assessment by a judge service, checked against what the service promises (see {@link #judge}).
     *
     * @param outcome       the verdict, one of {@link #verdicts()}: {@code true} when a boolean evaluator's
     *                      probability is at least one half, the chosen choice, or the level nearest a score
     * @param probability   the probability of {@code outcome}
     * @param probabilities every outcome's probability, keyed as the service keys them: {@code true} and
     *                      {@code false}, choice names, or level indices ({@code "0"} = lowest)
     * @param score         a score evaluator's answer, in levels from 0 (lowest), or null
     * @param confidence    the service's confidence in [0, 1], or null when it gave none
     * @param model         the model that answered (the requested one when the answer did not say)
     * @param usage         the tokens the answer reported, or null when unknown
     * @param cost          the estimated USD cost, or null when unknown (unknown is not free): from the
     *                      evaluator's {@code cost}, else TypeSafe's published price for {@code jev-1.13.0} at its
     *                      official endpoint
     */
    public record Judgement(String outcome, double probability, Map<String, Double> probabilities, Double score,
                            Double confidence, String model, dev.keel.core.Usage usage, Double cost) {
        /**
         * Checks the values are present.
         *
         * @param outcome       the verdict
         * @param probability   its probability
         * @param probabilities every outcome's probability
         * @param score         the score, or null
         * @param confidence    the confidence, or null
         * @param model         the answering model
         * @param usage         the usage, or null
         * @param cost          the cost, or null
         */
        public Judgement {
            Objects.requireNonNull(outcome, "outcome");
            probabilities = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(probabilities));
            Objects.requireNonNull(model, "model");
        }
    }

    /**
     * Whether this evaluator is asked through a judge service's own API ({@code provider} {@code typesafe} or
     * {@code openai}) rather than through a chat model.
     *
     * @return whether {@link #judge} applies
     */
    public boolean usesJudgeService() {
        return JudgeClient.Backend.of(provider) != null;
    }

    /**
     * Asks this evaluator's judge service to assess {@code subject}, as docker-agent does: one POST to
     * {@code endpoint}, else {@code base_url} (default {@code https://api.typesafe.ai} or
     * {@code https://api.openai.com/v1}) plus {@code /v1/systemone} (TypeSafe) or {@code /decisions} (OpenAI
     * Decisions), with the key from the variable {@code token_key} (default {@code TYPESAFE_API_KEY} or
     * {@code OPENAI_API_KEY}), read now. The call is never retried, follows no redirect, reads at most 1 MiB and
     * is bounded by {@link #timeLimit()} (10 s by default). The answer is checked strictly: it must answer the
     * question asked, give every outcome (and only those) a probability, with probabilities summing to one
     * within 0.001, choose a most probable choice, and keep a score within the levels. Errors name what was
     * wrong, never the key, the subject or the answer's body.
     *
     * @param subject     what to assess
     * @param http        the HTTP client to use (its pool and interceptors are shared; the caller keeps owning it)
     * @param environment where the key variable is read
     * @return the checked assessment
     * @throws IllegalStateException when this evaluator does not use a judge service
     * @throws AgentException        when no valid assessment came back
     */
    public Judgement judge(String subject, okhttp3.OkHttpClient http, java.util.function.Function<String, String> environment) {
        Objects.requireNonNull(subject, "subject");
        if (!usesJudgeService()) {
            throw new IllegalStateException("evaluator '" + name + "' is judged by a chat model (provider '"
                    + provider + "'), not a judge service; use assess(ChatModel, String)");
        }
        return new JudgeClient(this, http, environment).judge(new dev.keel.core.json.JsonString(subject),
                (model, usage, price) -> { });
    }

    /**
     * Asks {@code model} to assess {@code subject} under this evaluator's instructions. The answer is asked for as
     * structured output constrained to {@link #verdicts()}, within {@link #timeLimit()} when set. Anything else —
     * a model error, no answer in time, an answer that is not one of the verdicts — is an {@link AgentException}
     * naming what went wrong (never a guessed verdict), so a caller can fail closed.
     *
     * @param model   the evaluator's model (the caller keeps owning it)
     * @param subject what to assess
     * @return the verdict
     * @throws AgentException when no valid verdict came back
     */
    public Verdict assess(ChatModel model, String subject) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(subject, "subject");
        JsonSchema answer = kind == Kind.BOOLEAN ? JsonSchema.bool()
                : JsonSchema.enumOf(verdicts().toArray(String[]::new));
        JsonSchema schema = JsonSchema.object().required("verdict", answer)
                .required("reason", JsonSchema.string("one sentence on why")).build();
        StringBuilder system = new StringBuilder(instructions.strip()).append("\n\nAnswer with a JSON object "
                + "{\"verdict\": ..., \"reason\": \"<one sentence>\"} and nothing else. ");
        switch (kind) {
            case BOOLEAN -> system.append("The verdict is true or false.");
            case CHOICE -> {
                system.append("The verdict is one of these choices:");
                choices.forEach((k, v) -> system.append("\n- ").append(k).append(v.isBlank() ? "" : ": " + v));
            }
            case SCORE -> system.append("The verdict is one of these levels, lowest first: ")
                    .append(String.join(", ", levels)).append('.');
        }
        ChatRequest request = ChatRequest.of(Message.system(system.toString()), Message.user(subject))
                .withOptions(ChatOptions.builder().responseFormat(ResponseFormat.jsonSchema("verdict", schema)).build());
        String reply = call(model, request);
        JsonObject o = TemplateModelHook.verdictOrNull(reply);
        if (o == null) {
            throw new AgentException("evaluator '" + name + "' did not answer with a JSON verdict");
        }
        JsonValue v = o.get("verdict").orElse(null);
        String value = v instanceof JsonBoolean b ? String.valueOf(b.value())
                : v == null ? null : v.asString().map(String::strip).orElse(null);
        if (value == null || !verdicts().contains(value)) {
            throw new AgentException("evaluator '" + name + "' answered a verdict that is not one of " + verdicts());
        }
        return new Verdict(value, o.get("reason").flatMap(JsonValue::asString).orElse(""));
    }

    private String call(ChatModel model, ChatRequest request) {
        if (timeout == null || timeout.isZero() || timeout.isNegative()) {
            return callNow(model, request);
        }
        java.util.concurrent.FutureTask<String> task = new java.util.concurrent.FutureTask<>(() -> callNow(model, request));
        Thread worker = new Thread(task, "keel-evaluator-" + name);
        worker.setDaemon(true);
        worker.start();
        try {
            return task.get(timeout.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            task.cancel(true);
            throw new AgentException("evaluator '" + name + "' gave no verdict within " + timeout);
        } catch (InterruptedException e) {
            task.cancel(true);
            Thread.currentThread().interrupt();
            throw new AgentException.Cancelled("cancelled while evaluator '" + name + "' was assessing");
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof AgentException a ? a
                    : new AgentException("evaluator '" + name + "' failed: " + e.getCause().getMessage(), e.getCause());
        }
    }

    private String callNow(ChatModel model, ChatRequest request) {
        try {
            return model.chat(request).text();
        } catch (AgentException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new AgentException("evaluator '" + name + "' failed: " + e.getMessage(), e);
        }
    }

    /**
     * A tool guard for {@link dev.keel.agents.hooks.HookEvent#TOOL_GUARD}: before a matching tool call runs, this
     * evaluator assesses the tool's name and arguments (secret-looking values redacted) with {@code model}, and
     * {@code routingPolicy} turns its verdict into allow (the call needs no approval), ask (the run's approver
     * decides) or deny (the model gets a tool error with the evaluator's reason). A verdict the policy does not map,
     * a model error or a timeout denies the call (fail closed). The runner resolves {@code model} like an agent's.
     *
     * @param model         the evaluator's model
     * @param routingPolicy verdict → decision; keys must be among {@link #verdicts()}
     * @return the hook
     * @throws IllegalArgumentException when a key is not a possible verdict
     */
    public Hook guard(ModelConfig model, Map<String, HookResult.Decision> routingPolicy) {
        return new EvaluatorGuard(this, model, routingPolicy);
    }
}
