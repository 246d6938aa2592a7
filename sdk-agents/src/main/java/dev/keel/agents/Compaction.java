package dev.keel.agents;

import java.util.Objects;
import java.util.Optional;

/**
 * How an agent's session is compacted (docker-agent's {@code session_compaction}, {@code compaction_threshold} and
 * {@code compaction_model}): when the context sent to the model reaches {@link #threshold()} of the model's
 * context window, or the provider refuses a call as too long, the older part of the conversation is summarised by
 * {@link #model()} (the agent's own model when empty) and the next calls carry the summary instead of those turns.
 * The most recent turns (about a fifth of the window, at most {@value #MAX_KEEP_TOKENS} tokens) are kept verbatim.
 * The session keeps every message ({@link Session#messages()}) and the summary ({@link Session#summary()}), so a
 * session saved with {@link Session#toJson()} resumes from the summary.
 *
 * <p>The context window is {@link #contextWindow()} when set; otherwise the model's {@code provider_opts.context_size},
 * otherwise the window providers publish for well-known model families (GPT-4o, GPT-4.1, GPT-5, o-series, Claude,
 * Gemini). A model whose window is unknown is never compacted proactively; an overflow error still compacts it.
 * {@link Runner#compact(Session)} compacts on request, whether or not automatic compaction is enabled.
 *
 * <pre>{@code
 * Agent agent = Agent.builder("assistant")
 *         .model("anthropic/claude-sonnet-4-5")
 *         .compaction(Compaction.builder().threshold(0.75).model("openai/gpt-4o-mini").build())
 *         .build();
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class Compaction {
    /** docker-agent's default threshold: 90 % of the context window. */
    public static final double DEFAULT_THRESHOLD = 0.9;
    /** The most tokens of recent conversation kept verbatim across a compaction (docker-agent's policy). */
    public static final int MAX_KEEP_TOKENS = 20_000;
    /** The most tokens a summary may take (docker-agent's policy; a quarter of the window when that is less). */
    public static final int MAX_SUMMARY_TOKENS = 16_000;

    private static final Compaction DEFAULTS = builder().build();
    private static final Compaction DISABLED = builder().enabled(false).build();

    /** Why a compaction ran. */
    public enum Reason {
        /** The context reached the threshold before a model call. */
        THRESHOLD,
        /** The provider refused a call because the context was too long. */
        OVERFLOW,
        /** {@link Runner#compact(Session)} asked for it. */
        MANUAL;

        /**
         * docker-agent's name for the reason, as hooks receive it in {@code compaction_reason}.
         *
         * @return {@code threshold}, {@code overflow} or {@code manual}
         */
        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final boolean enabled;
    private final double threshold;
    private final int contextWindow;
    private final AgentModel model;

    private Compaction(Builder b) {
        enabled = b.enabled;
        threshold = b.threshold;
        contextWindow = b.contextWindow;
        model = b.model;
    }

    /**
     * Automatic compaction at {@link #DEFAULT_THRESHOLD} with the agent's own model: what an agent has unless told
     * otherwise (docker-agent's default too).
     *
     * @return the default settings
     */
    public static Compaction defaults() {
        return DEFAULTS;
    }

    /**
     * No automatic compaction ({@link Runner#compact(Session)} still works).
     *
     * @return settings with automatic compaction off
     */
    public static Compaction disabled() {
        return DISABLED;
    }

    /**
     * Starts from the defaults.
     *
     * @return a builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder holding these settings.
     *
     * @return a builder
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.enabled = enabled;
        b.threshold = threshold;
        b.contextWindow = contextWindow;
        b.model = model;
        return b;
    }

    /**
     * Whether the session is compacted automatically (threshold and overflow).
     *
     * @return whether automatic compaction is on
     */
    public boolean enabled() {
        return enabled;
    }

    /**
     * The fraction of the context window at which compaction runs, in (0, 1].
     *
     * @return the threshold
     */
    public double threshold() {
        return threshold;
    }

    /**
     * The context window in tokens the threshold applies to; 0 when it is found from the model.
     *
     * @return the window, or 0
     */
    public int contextWindow() {
        return contextWindow;
    }

    /**
     * The model that writes the summary; empty for the agent's own model.
     *
     * @return the model, or empty
     */
    public Optional<AgentModel> model() {
        return Optional.ofNullable(model);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Compaction c && enabled == c.enabled && Double.compare(threshold, c.threshold) == 0
                && contextWindow == c.contextWindow && Objects.equals(model, c.model);
    }

    @Override
    public int hashCode() {
        return Objects.hash(enabled, threshold, contextWindow, model);
    }

    @Override
    public String toString() {
        return "Compaction[" + (enabled ? "at " + threshold : "manual only")
                + (contextWindow > 0 ? ", window=" + contextWindow : "")
                + (model != null ? ", model=" + model.label() : "") + "]";
    }

    /** Builder for {@link Compaction}. Not thread-safe. */
    public static final class Builder {
        private boolean enabled = true;
        private double threshold = DEFAULT_THRESHOLD;
        private int contextWindow;
        private AgentModel model;

        private Builder() {}

        /**
         * Whether to compact automatically (default true).
         *
         * @param enabled whether automatic compaction is on
         * @return this builder
         */
        public Builder enabled(boolean enabled) {
            this.enabled = enabled;
            return this;
        }

        /**
         * The fraction of the context window at which to compact (default {@link #DEFAULT_THRESHOLD}).
         *
         * @param threshold more than 0, at most 1
         * @return this builder
         * @throws IllegalArgumentException when out of range
         */
        public Builder threshold(double threshold) {
            if (!(threshold > 0 && threshold <= 1)) {
                throw new IllegalArgumentException("compaction threshold must be more than 0 and at most 1, was "
                        + threshold);
            }
            this.threshold = threshold;
            return this;
        }

        /**
         * The model's context window in tokens (0, the default: found from the model).
         *
         * @param tokens the window
         * @return this builder
         * @throws IllegalArgumentException when negative
         */
        public Builder contextWindow(int tokens) {
            if (tokens < 0) {
                throw new IllegalArgumentException("context window cannot be negative, was " + tokens);
            }
            this.contextWindow = tokens;
            return this;
        }

        /**
         * The model that writes summaries ({@code null}: the agent's own).
         *
         * @param model the model
         * @return this builder
         */
        public Builder model(AgentModel model) {
            this.model = model;
            return this;
        }

        /**
         * The model {@code provider/model} writes summaries, resolved by the runner.
         *
         * @param reference e.g. {@code openai/gpt-4o-mini}
         * @return this builder
         */
        public Builder model(String reference) {
            return model(AgentModel.parse(reference));
        }

        /**
         * A model (or model combination) writes summaries, resolved by the runner.
         *
         * @param spec the model
         * @return this builder
         */
        public Builder model(dev.keel.core.models.ModelSpec spec) {
            return model(AgentModel.of(spec));
        }

        /**
         * Builds the settings.
         *
         * @return the settings
         */
        public Compaction build() {
            return new Compaction(this);
        }
    }
}
