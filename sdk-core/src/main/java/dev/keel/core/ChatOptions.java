package dev.keel.core;

import java.util.List;

/**
 * Generation options. A {@code null} field means "the provider's default" and is not sent.
 *
 * @param model             overrides the model's configured model name for this request
 * @param temperature       sampling temperature
 * @param topP              nucleus sampling
 * @param maxTokens         upper bound on generated tokens
 * @param presencePenalty   OpenAI-style presence penalty
 * @param frequencyPenalty  OpenAI-style frequency penalty
 * @param stop              stop sequences (empty = none)
 * @param responseFormat    text, JSON object or JSON Schema structured output
 * @param parallelToolCalls whether the model may request several tool calls in one turn
 * @param thinkingBudget    how much the model may reason, mapped to each provider's setting (see {@link ThinkingBudget})
 * @param seed              sampling seed where supported
 * @param toolChoice        whether and which tool the model must call (with tools offered only), or {@code null}
 */
public record ChatOptions(
        String model,
        Double temperature,
        Double topP,
        Integer maxTokens,
        Double presencePenalty,
        Double frequencyPenalty,
        List<String> stop,
        ResponseFormat responseFormat,
        Boolean parallelToolCalls,
        ThinkingBudget thinkingBudget,
        Long seed,
        ToolChoice toolChoice) {

    private static final ChatOptions DEFAULTS = new ChatOptions(null, null, null, null, null, null, List.of(), null, null, null, null,
            null);

    /**
     * Creates the value, checking its components.
     *
     * @param model overrides the model's configured model name for this request
     * @param temperature sampling temperature
     * @param topP nucleus sampling
     * @param maxTokens upper bound on generated tokens
     * @param presencePenalty OpenAI-style presence penalty
     * @param frequencyPenalty OpenAI-style frequency penalty
     * @param stop stop sequences (empty = none)
     * @param responseFormat text, JSON object or JSON Schema structured output
     * @param parallelToolCalls whether the model may request several tool calls in one turn
     * @param thinkingBudget    how much the model may reason (see {@link ThinkingBudget})
     * @param seed sampling seed where supported
     * @param toolChoice whether and which tool the model must call (null: the provider's default)
     */
    public ChatOptions {
        stop = stop == null ? List.of() : List.copyOf(stop);
        if (temperature != null && (temperature < 0 || temperature > 2)) {
            throw new IllegalArgumentException("temperature must be in [0, 2], was " + temperature);
        }
        if (topP != null && (topP <= 0 || topP > 1)) {
            throw new IllegalArgumentException("top_p must be in (0, 1], was " + topP);
        }
        if (maxTokens != null && maxTokens <= 0) {
            throw new IllegalArgumentException("max_tokens must be positive, was " + maxTokens);
        }
    }

    /**
     * All provider defaults.
     *
     * @return all provider defaults
     */
    public static ChatOptions defaults() {
        return DEFAULTS;
    }

    /**
     * Starts a builder with every option unset (the provider's defaults).
     *
     * @return the builder
     */
    public static Builder builder() {
        return new Builder(DEFAULTS);
    }

    /**
     * A builder starting from these options.
     *
     * @return a new builder holding these options
     */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Builder for {@link ChatOptions}. Not thread-safe. */
    public static final class Builder {
        private String model;
        private Double temperature;
        private Double topP;
        private Integer maxTokens;
        private Double presencePenalty;
        private Double frequencyPenalty;
        private List<String> stop;
        private ResponseFormat responseFormat;
        private Boolean parallelToolCalls;
        private ThinkingBudget thinkingBudget;
        private Long seed;
        private ToolChoice toolChoice;

        private Builder(ChatOptions o) {
            model = o.model;
            temperature = o.temperature;
            topP = o.topP;
            maxTokens = o.maxTokens;
            presencePenalty = o.presencePenalty;
            frequencyPenalty = o.frequencyPenalty;
            stop = o.stop;
            responseFormat = o.responseFormat;
            parallelToolCalls = o.parallelToolCalls;
            thinkingBudget = o.thinkingBudget;
            seed = o.seed;
            toolChoice = o.toolChoice;
        }

        /**
         * Overrides the model's configured model name for the requests these options go with.
         *
         * @param model the model name, or null to keep the configured one
         * @return this builder
         */
        public Builder model(String model) { this.model = model; return this; }

        /**
         * Sampling temperature.
         *
         * @param temperature the temperature, or null for the provider's default
         * @return this builder
         */
        public Builder temperature(Double temperature) { this.temperature = temperature; return this; }

        /**
         * Nucleus sampling.
         *
         * @param topP the probability mass, or null for the provider's default
         * @return this builder
         */
        public Builder topP(Double topP) { this.topP = topP; return this; }

        /**
         * Upper bound on generated tokens.
         *
         * @param maxTokens the bound, or null for the provider's default
         * @return this builder
         */
        public Builder maxTokens(Integer maxTokens) { this.maxTokens = maxTokens; return this; }

        /**
         * OpenAI-style presence penalty.
         *
         * @param presencePenalty the penalty, or null for the provider's default
         * @return this builder
         */
        public Builder presencePenalty(Double presencePenalty) { this.presencePenalty = presencePenalty; return this; }

        /**
         * OpenAI-style frequency penalty.
         *
         * @param frequencyPenalty the penalty, or null for the provider's default
         * @return this builder
         */
        public Builder frequencyPenalty(Double frequencyPenalty) { this.frequencyPenalty = frequencyPenalty; return this; }

        /**
         * Stop sequences, replacing any set before.
         *
         * @param stop the sequences, or null for none
         * @return this builder
         */
        public Builder stop(List<String> stop) { this.stop = stop; return this; }

        /**
         * Stop sequences, replacing any set before.
         *
         * @param stop the sequences
         * @return this builder
         */
        public Builder stop(String... stop) { this.stop = List.of(stop); return this; }

        /**
         * Text, JSON object or JSON Schema structured output.
         *
         * @param responseFormat the format, or null for the provider's default
         * @return this builder
         */
        public Builder responseFormat(ResponseFormat responseFormat) { this.responseFormat = responseFormat; return this; }

        /**
         * Whether the model may request several tool calls in one turn.
         *
         * @param parallelToolCalls the choice, or null for the provider's default
         * @return this builder
         */
        public Builder parallelToolCalls(Boolean parallelToolCalls) { this.parallelToolCalls = parallelToolCalls; return this; }

        /**
         * How much the model may reason; {@code null} leaves it to the provider.
         *
         * @param thinkingBudget the budget
         * @return this builder
         */
        public Builder thinkingBudget(ThinkingBudget thinkingBudget) { this.thinkingBudget = thinkingBudget; return this; }

        /**
         * A reasoning token budget as docker-agent writes it: {@code 0} is off, {@code -1} lets the model decide,
         * {@code null} leaves it to the provider (see {@link ThinkingBudget#tokens(int)}).
         *
         * @param tokens the token count
         * @return this builder
         */
        public Builder thinkingBudget(Integer tokens) {
            this.thinkingBudget = tokens == null ? null : ThinkingBudget.tokens(tokens);
            return this;
        }

        /**
         * Sampling seed where the provider supports one.
         *
         * @param seed the seed, or null for none
         * @return this builder
         */
        public Builder seed(Long seed) { this.seed = seed; return this; }

        /**
         * Whether and which tool the model must call; {@code null} leaves it to the provider.
         *
         * @param toolChoice the choice
         * @return this builder
         */
        public Builder toolChoice(ToolChoice toolChoice) { this.toolChoice = toolChoice; return this; }

        /**
         * Builds the options.
         *
         * @return the options
         */
        public ChatOptions build() {
            return new ChatOptions(model, temperature, topP, maxTokens, presencePenalty, frequencyPenalty, stop,
                    responseFormat, parallelToolCalls, thinkingBudget, seed, toolChoice);
        }
    }
}
