package dev.keel.core.models;

import dev.keel.core.ChatModel;
import dev.keel.core.ChatOptions;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * What model an agent uses: one {@link ModelConfig}, or a combination of models as docker-agent team files write
 * them. Immutable values; {@link #resolve(ModelResolver)} (or a {@link ModelComposer} for listeners, clocks and
 * backoff) turns a spec into one {@link ChatModel}, resolving every configuration in it through the same resolver.
 *
 * <table>
 *   <caption>docker-agent fields and their specs</caption>
 *   <tr><th>team file</th><th>spec</th></tr>
 *   <tr><td>{@code model: claude} (a {@code models} entry) or {@code model: openai/gpt-5}</td><td>{@link ModelConfig}</td></tr>
 *   <tr><td>an agent's {@code fallback: {models, retries, cooldown}}</td>
 *       <td>{@link Fallback}, primary = the agent's model</td></tr>
 *   <tr><td>a model's {@code routing: [{model, examples}]}</td><td>{@link Routing}, default = the model itself</td></tr>
 *   <tr><td>{@code model: claude,gpt-4o}</td><td>{@link Alternates}</td></tr>
 *   <tr><td>a model's {@code first_available: [...]}</td><td>{@link FirstAvailable}</td></tr>
 *   <tr><td>{@code model: auto}</td><td>{@link #auto()}</td></tr>
 * </table>
 *
 * <p>Specs nest: a fallback's primary may be alternates of routed models. Every member configuration keeps its own
 * generation options: a resolved combination applies each member's {@link ModelConfig#options()} under the options
 * of the request (request fields win).
 */
public sealed interface ModelSpec permits ModelConfig, ModelSpec.Fallback, ModelSpec.Routing, ModelSpec.Alternates,
        ModelSpec.FirstAvailable {

    /**
     * A short label for logs, events and ids: {@code provider/model}, {@code fallback(a -> b)},
     * {@code routing(a)}, {@code alternates(a | b)}, {@code first-available(a, b)}.
     *
     * @return the label
     */
    String label();

    /**
     * Resolves this spec through {@code resolver} with default composition settings (no listener, the system
     * clock, docker-agent's backoff). Closing the returned model closes every model resolved for it.
     *
     * @param resolver resolves each {@link ModelConfig} in the spec
     * @return one model
     * @throws ModelResolutionException when a configuration cannot be resolved (the models resolved before it
     *                                  are closed) or no first-available candidate is available
     */
    default ChatModel resolve(ModelResolver resolver) {
        return ModelComposer.over(resolver).resolve(this);
    }

    /**
     * The generation options a caller sends with each request for this spec: a configuration's own options, and
     * none for a combination (whose members apply their own).
     *
     * @return the options to send with each request
     */
    default ChatOptions requestOptions() {
        return this instanceof ModelConfig c ? c.options() : ChatOptions.defaults();
    }

    /**
     * {@code primary}, then each fallback in order, with docker-agent's defaults: {@value Fallback#DEFAULT_RETRIES}
     * retries per model and a one-minute cooldown.
     *
     * @param primary   the model tried first
     * @param fallbacks the models tried next, in order (may be empty: retries only)
     * @return the fallback spec
     */
    static Fallback fallback(ModelSpec primary, List<? extends ModelSpec> fallbacks) {
        return new Fallback(primary, List.copyOf(fallbacks), Fallback.DEFAULT_RETRIES, Fallback.DEFAULT_COOLDOWN);
    }

    /**
     * Routes each request by its last user message to the route whose examples match it best, else to
     * {@code defaultModel}.
     *
     * @param defaultModel the model used when no route matches
     * @param routes       the routes
     * @return the routing spec
     */
    static Routing routing(ModelSpec defaultModel, List<Route> routes) {
        return new Routing(defaultModel, List.copyOf(routes));
    }

    /**
     * Picks one of {@code models} at random for each request (docker-agent's comma-separated {@code model}).
     *
     * @param models the alternatives
     * @return the alternates spec
     */
    static Alternates alternates(List<? extends ModelSpec> models) {
        return new Alternates(List.copyOf(models));
    }

    /**
     * The first candidate whose credentials are configured, chosen when the spec is resolved.
     *
     * @param candidates the candidates, in priority order
     * @return the first-available spec
     */
    static FirstAvailable firstAvailable(List<? extends ModelSpec> candidates) {
        return new FirstAvailable(List.copyOf(candidates));
    }

    /**
     * docker-agent's {@code model: auto}: the first provider whose key is set, in docker-agent's order and with its
     * default models and output limits — {@code anthropic/claude-sonnet-4-6} ({@code ANTHROPIC_API_KEY}),
     * {@code openai/gpt-5} ({@code OPENAI_API_KEY}), {@code google/gemini-3.5-flash} ({@code GOOGLE_API_KEY} or
     * {@code GEMINI_API_KEY}), {@code mistral/mistral-small-latest} ({@code MISTRAL_API_KEY}), 32,000 output tokens
     * each — and Docker Model Runner's {@code dmr/ai/qwen3:latest} (16,000, no key) when none is.
     *
     * @return the auto spec
     */
    static FirstAvailable auto() {
        ChatOptions cloud = ChatOptions.builder().maxTokens(32_000).build();
        return firstAvailable(List.of(
                ModelConfig.of("anthropic", "claude-sonnet-4-6").withOptions(cloud),
                ModelConfig.of("openai", "gpt-5").withOptions(cloud),
                ModelConfig.of("google", "gemini-3.5-flash").withOptions(cloud),
                ModelConfig.of("mistral", "mistral-small-latest").withOptions(cloud),
                ModelConfig.of("dmr", "ai/qwen3:latest").withOptions(ChatOptions.builder().maxTokens(16_000).build())));
    }

    /**
     * Tries {@code primary}, then each fallback. docker-agent's semantics:
     * <ul>
     *   <li>A retryable failure (HTTP 5xx, 529, a timeout, a dropped connection) is retried on the same model
     *       {@code retries} times with exponential backoff (200 ms doubling to 2 s, ±10 % jitter); when they are
     *       used up the call moves to the next model.</li>
     *   <li>Any other failure — 429 rate limits, authentication, a rejected request, a prompt too long for the
     *       model, an unset key variable, a malformed answer, a safety block — moves to the next model at once:
     *       the next model is another provider or size that may well succeed.</li>
     *   <li>When the primary failed that way and a fallback answered, later calls start at that fallback for
     *       {@code cooldown}; a call after it tries the primary again, and the primary answering ends the
     *       cooldown.</li>
     *   <li>An interrupted call stops at once. When every model failed, the last failure is thrown with the
     *       earlier ones {@linkplain Throwable#getSuppressed() suppressed}.</li>
     * </ul>
     * Each move is a {@link dev.keel.core.ModelEvent.FellBack}, each retry a
     * {@link dev.keel.core.ModelEvent.Retrying}, and the model that answered an
     * {@link dev.keel.core.ModelEvent.Answered}. The HTTP client of each model also retries 429 and 5xx
     * responses on its own ({@link dev.keel.core.http.HttpConfig#maxRetries()}) before the chain sees a failure.
     *
     * @param primary   the model tried first
     * @param fallbacks the models tried next, in order
     * @param retries   retries per model for retryable failures (docker-agent's {@code retries}; its {@code 0}
     *                  means the default {@value #DEFAULT_RETRIES}, its {@code -1} means {@code 0} here)
     * @param cooldown  how long to stay on a fallback after the primary failed with a non-retryable error
     */
    record Fallback(ModelSpec primary, List<ModelSpec> fallbacks, int retries, Duration cooldown) implements ModelSpec {
        /** docker-agent's default retries per model: 2 (3 attempts). */
        public static final int DEFAULT_RETRIES = 2;
        /** docker-agent's default cooldown: one minute. */
        public static final Duration DEFAULT_COOLDOWN = Duration.ofMinutes(1);

        /**
         * Validates and copies.
         *
         * @param primary the model tried first
         * @param fallbacks the models tried next
         * @param retries retries per model, at least 0
         * @param cooldown how long to stay on a fallback, not negative
         */
        public Fallback {
            Objects.requireNonNull(primary, "primary");
            fallbacks = List.copyOf(Objects.requireNonNull(fallbacks, "fallbacks"));
            Objects.requireNonNull(cooldown, "cooldown");
            if (retries < 0) {
                throw new IllegalArgumentException("fallback retries cannot be negative, was " + retries);
            }
            if (cooldown.isNegative()) {
                throw new IllegalArgumentException("fallback cooldown cannot be negative, was " + cooldown);
            }
        }

        /**
         * A copy with {@code retries} retries per model.
         *
         * @param retries the retries
         * @return the copy
         */
        public Fallback withRetries(int retries) {
            return new Fallback(primary, fallbacks, retries, cooldown);
        }

        /**
         * A copy with this cooldown.
         *
         * @param cooldown the cooldown
         * @return the copy
         */
        public Fallback withCooldown(Duration cooldown) {
            return new Fallback(primary, fallbacks, retries, cooldown);
        }

        @Override
        public String label() {
            return "fallback(" + primary.label()
                    + fallbacks.stream().map(s -> " -> " + s.label()).collect(Collectors.joining()) + ")";
        }
    }

    /**
     * One route of a {@link Routing}: requests whose last user message matches one of {@code examples} go to
     * {@code model}.
     *
     * @param model    the target
     * @param examples example phrases, at least one
     */
    record Route(ModelSpec model, List<String> examples) {
        /**
         * Validates and copies.
         *
         * @param model the target
         * @param examples example phrases, at least one, none blank
         */
        public Route {
            Objects.requireNonNull(model, "model");
            examples = List.copyOf(Objects.requireNonNull(examples, "examples"));
            if (examples.isEmpty() || examples.stream().anyMatch(String::isBlank)) {
                throw new IllegalArgumentException("route to " + model.label() + " needs at least one non-blank example");
            }
        }

        /**
         * A route.
         *
         * @param model the target
         * @param examples example phrases
         * @return the route
         */
        public static Route of(ModelSpec model, String... examples) {
            return new Route(model, List.of(examples));
        }
    }

    /**
     * docker-agent's rule-based {@code routing}: the last user message of each request is ranked against every
     * route's examples with BM25 (words lower-cased, split on anything but letters and digits, common English stop
     * words dropped); the route of the best-scoring example answers, the earlier route on a tie. A request
     * without a user message, or one sharing no word with any example, goes to {@code defaultModel}. Each choice
     * is a {@link dev.keel.core.ModelEvent.Selected} naming the matched example and its score.
     *
     * @param defaultModel the model used when no route matches (docker-agent: the routing model's own provider/model)
     * @param routes       the routes, in order
     */
    record Routing(ModelSpec defaultModel, List<Route> routes) implements ModelSpec {
        /**
         * Validates and copies.
         *
         * @param defaultModel the model used when no route matches
         * @param routes the routes, at least one
         */
        public Routing {
            Objects.requireNonNull(defaultModel, "defaultModel");
            routes = List.copyOf(Objects.requireNonNull(routes, "routes"));
            if (routes.isEmpty()) {
                throw new IllegalArgumentException("routing needs at least one route");
            }
        }

        @Override
        public String label() {
            return "routing(" + defaultModel.label() + ")";
        }
    }

    /**
     * docker-agent's comma-separated {@code model: a,b}: each request goes to one of {@code models} picked
     * uniformly at random, reported as a {@link dev.keel.core.ModelEvent.Selected}.
     *
     * @param models the alternatives, at least one
     */
    record Alternates(List<ModelSpec> models) implements ModelSpec {
        /**
         * Validates and copies.
         *
         * @param models the alternatives, at least one
         */
        public Alternates {
            models = List.copyOf(Objects.requireNonNull(models, "models"));
            if (models.isEmpty()) {
                throw new IllegalArgumentException("alternates need at least one model");
            }
        }

        @Override
        public String label() {
            return "alternates(" + models.stream().map(ModelSpec::label).collect(Collectors.joining(" | ")) + ")";
        }
    }

    /**
     * docker-agent's {@code first_available}: when resolved, the first candidate whose credentials are configured
     * ({@link ModelResolver#isAvailable}: its key variable is set, or it needs none) is used; the choice is
     * reported as a {@link dev.keel.core.ModelEvent.Selected}.
     *
     * @param candidates the candidates, in priority order, at least one
     */
    record FirstAvailable(List<ModelSpec> candidates) implements ModelSpec {
        /**
         * Validates and copies.
         *
         * @param candidates the candidates, at least one
         */
        public FirstAvailable {
            candidates = List.copyOf(Objects.requireNonNull(candidates, "candidates"));
            if (candidates.isEmpty()) {
                throw new IllegalArgumentException("first_available needs at least one candidate");
            }
        }

        @Override
        public String label() {
            return "first-available(" + candidates.stream().map(ModelSpec::label).collect(Collectors.joining(", ")) + ")";
        }
    }
}
