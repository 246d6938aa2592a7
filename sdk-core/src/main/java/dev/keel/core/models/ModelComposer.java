package dev.keel.core.models;

import dev.keel.core.ChatModel;
import dev.keel.core.ModelEvent;
import dev.keel.core.internal.compose.Alternation;
import dev.keel.core.internal.compose.Backoff;
import dev.keel.core.internal.compose.FallbackChain;
import dev.keel.core.internal.compose.Members;
import dev.keel.core.internal.compose.Router;
import dev.keel.core.internal.compose.WithOptions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * Resolves {@link ModelSpec}s into models through a {@link ModelResolver}, with the settings a combination needs:
 * who hears its {@link ModelEvent}s, the clock of fallback cooldowns, the random source of alternates and
 * backoff jitter, and the backoff between retries. Immutable; the {@code with…}-style setters return copies;
 * thread-safe.
 *
 * <pre>{@code
 * ModelSpec spec = ModelSpec.fallback(ModelConfig.parse("anthropic/claude-sonnet-4-5"),
 *         List.of(ModelConfig.parse("openai/gpt-5")));
 * try (ModelRegistry registry = ModelRegistry.defaults();
 *      ChatModel model = ModelComposer.over(registry)
 *              .listener(event -> log.info("model: {}", event))   // which model answered and why it moved
 *              .resolve(spec)) {
 *     model.chat(ChatRequest.of(Message.user("Hello")));
 * }
 * }</pre>
 */
public final class ModelComposer {
    private static final Duration INITIAL_BACKOFF = Duration.ofMillis(200);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(2);

    private final ModelResolver resolver;
    private final Consumer<ModelEvent> listener;
    private final Clock clock;
    private final RandomGenerator random;
    private final Duration initialBackoff;
    private final Duration maxBackoff;

    private ModelComposer(ModelResolver resolver, Consumer<ModelEvent> listener, Clock clock, RandomGenerator random,
                          Duration initialBackoff, Duration maxBackoff) {
        this.resolver = resolver;
        this.listener = listener;
        this.clock = clock;
        this.random = random;
        this.initialBackoff = initialBackoff;
        this.maxBackoff = maxBackoff;
    }

    /**
     * A composer resolving every configuration through {@code resolver}, with no listener, the system clock, a
     * new random source and docker-agent's backoff (200 ms doubling to 2 s).
     *
     * @param resolver resolves each {@link ModelConfig}
     * @return the composer
     */
    public static ModelComposer over(ModelResolver resolver) {
        return new ModelComposer(Objects.requireNonNull(resolver, "resolver"), event -> { }, Clock.systemUTC(),
                new Random(), INITIAL_BACKOFF, MAX_BACKOFF);
    }

    /**
     * A copy reporting every {@link ModelEvent} of the models it resolves to {@code listener} (called on the
     * calling thread of the model call; a listener that throws is logged and ignored).
     *
     * @param listener the listener
     * @return the copy
     */
    public ModelComposer listener(Consumer<ModelEvent> listener) {
        return new ModelComposer(resolver, Objects.requireNonNull(listener, "listener"), clock, random, initialBackoff,
                maxBackoff);
    }

    /**
     * A copy whose fallback cooldowns follow {@code clock}.
     *
     * @param clock the clock
     * @return the copy
     */
    public ModelComposer clock(Clock clock) {
        return new ModelComposer(resolver, listener, Objects.requireNonNull(clock, "clock"), random, initialBackoff,
                maxBackoff);
    }

    /**
     * A copy drawing alternates and backoff jitter from {@code random} (use a seeded one for reproducible runs).
     *
     * @param random the random source
     * @return the copy
     */
    public ModelComposer random(RandomGenerator random) {
        return new ModelComposer(resolver, listener, clock, Objects.requireNonNull(random, "random"), initialBackoff,
                maxBackoff);
    }

    /**
     * A copy waiting {@code initial} before the first retry of a model, doubling up to {@code max}.
     *
     * @param initial the first wait
     * @param max     the longest wait
     * @return the copy
     */
    public ModelComposer backoff(Duration initial, Duration max) {
        if (initial.isNegative() || max.isNegative()) {
            throw new IllegalArgumentException("backoff cannot be negative");
        }
        return new ModelComposer(resolver, listener, clock, random, initial, max);
    }

    /**
     * Resolves {@code spec}. Closing the returned model closes every model resolved for it.
     *
     * @param spec the spec
     * @return one model
     * @throws ModelResolutionException when a configuration cannot be resolved (the models resolved before it
     *                                  are closed) or no first-available candidate is available
     */
    public ChatModel resolve(ModelSpec spec) {
        Objects.requireNonNull(spec, "spec");
        if (spec instanceof ModelConfig config) {
            ChatModel model = resolver.resolve(config);
            if (model == null) {
                throw new ModelResolutionException.Unsupported("the model resolver returned nothing for "
                        + config.reference());
            }
            return model;
        }
        if (spec instanceof ModelSpec.Fallback f) {
            List<ModelSpec> specs = new ArrayList<>();
            specs.add(f.primary());
            specs.addAll(f.fallbacks());
            return new FallbackChain(f.label(), members(specs), f.retries(), f.cooldown(), clock,
                    new Backoff(initialBackoff, maxBackoff, random), listener);
        }
        if (spec instanceof ModelSpec.Routing r) {
            List<ModelSpec> specs = new ArrayList<>();
            specs.add(r.defaultModel());
            r.routes().forEach(route -> specs.add(route.model()));
            List<ChatModel> models = members(specs);
            return new Router(r.label(), models.get(0), models.subList(1, models.size()),
                    r.routes().stream().map(ModelSpec.Route::examples).toList(), listener);
        }
        if (spec instanceof ModelSpec.Alternates a) {
            return new Alternation(a.label(), members(a.models()), random, listener);
        }
        return firstAvailable((ModelSpec.FirstAvailable) spec);
    }

    /**
     * Whether {@code spec} can be used now: a configuration the resolver calls available, a fallback whose primary
     * is, a routing whose default is, alternates or first-available candidates of which one is.
     *
     * @param spec the spec
     * @return whether it is available
     */
    public boolean isAvailable(ModelSpec spec) {
        if (spec instanceof ModelConfig config) {
            return resolver.isAvailable(config);
        }
        if (spec instanceof ModelSpec.Fallback f) {
            return isAvailable(f.primary());
        }
        if (spec instanceof ModelSpec.Routing r) {
            return isAvailable(r.defaultModel());
        }
        if (spec instanceof ModelSpec.Alternates a) {
            return a.models().stream().anyMatch(this::isAvailable);
        }
        return ((ModelSpec.FirstAvailable) spec).candidates().stream().anyMatch(this::isAvailable);
    }

    /**
     * Checks every configuration of {@code spec} with {@link ModelResolver#check} — every member of a fallback,
     * routing or alternates, and the candidate a first-available choice would pick — without resolving or calling
     * any model.
     *
     * @param spec the spec
     * @throws ModelResolutionException when a configuration cannot be resolved, or no first-available candidate is
     *                                  available
     * @throws dev.keel.core.ModelException.MissingVariable naming a variable a configuration needs that is unset
     */
    public void check(ModelSpec spec) {
        if (spec instanceof ModelConfig config) {
            resolver.check(config);
        } else if (spec instanceof ModelSpec.Fallback f) {
            check(f.primary());
            f.fallbacks().forEach(this::check);
        } else if (spec instanceof ModelSpec.Routing r) {
            check(r.defaultModel());
            r.routes().forEach(route -> check(route.model()));
        } else if (spec instanceof ModelSpec.Alternates a) {
            a.models().forEach(this::check);
        } else {
            ModelSpec.FirstAvailable fa = (ModelSpec.FirstAvailable) spec;
            check(fa.candidates().stream().filter(this::isAvailable).findFirst()
                    .orElseThrow(() -> new ModelResolutionException.NoneAvailable(
                            fa.candidates().stream().map(ModelSpec::label).toList())));
        }
    }

    private ChatModel firstAvailable(ModelSpec.FirstAvailable spec) {
        List<String> skipped = new ArrayList<>();
        for (ModelSpec candidate : spec.candidates()) {
            if (isAvailable(candidate)) {
                ChatModel model = member(candidate);
                String reason = skipped.isEmpty() ? "first candidate, available"
                        : "first available candidate; no credentials for " + String.join(", ", skipped);
                try {
                    listener.accept(new ModelEvent.Selected(spec.label(), model.id(), reason));
                } catch (RuntimeException ignored) {
                    // reporting must not change the outcome
                }
                return model;
            }
            skipped.add(candidate.label());
        }
        throw new ModelResolutionException.NoneAvailable(skipped);
    }

    /** A member of a combination: resolved, with its own generation options applied. */
    private ChatModel member(ModelSpec spec) {
        ChatModel model = resolve(spec);
        return spec instanceof ModelConfig c ? WithOptions.of(model, c.options()) : model;
    }

    private List<ChatModel> members(List<ModelSpec> specs) {
        List<ChatModel> models = new ArrayList<>();
        try {
            for (ModelSpec s : specs) {
                models.add(member(s));
            }
            return models;
        } catch (RuntimeException e) {
            Members.closeAll(models);
            throw e;
        }
    }

    @Override
    public String toString() {
        return "ModelComposer[" + resolver + ", backoff " + initialBackoff + " to " + maxBackoff + "]";
    }
}
