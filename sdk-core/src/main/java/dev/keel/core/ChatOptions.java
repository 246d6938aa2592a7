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

    /** All provider defaults. */
    public static ChatOptions defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder(DEFAULTS);
    }

    /** A builder starting from these options. */
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

        public Builder model(String model) { this.model = model; return this; }
        public Builder temperature(Double temperature) { this.temperature = temperature; return this; }
        public Builder topP(Double topP) { this.topP = topP; return this; }
        public Builder maxTokens(Integer maxTokens) { this.maxTokens = maxTokens; return this; }
        public Builder presencePenalty(Double presencePenalty) { this.presencePenalty = presencePenalty; return this; }
        public Builder frequencyPenalty(Double frequencyPenalty) { this.frequencyPenalty = frequencyPenalty; return this; }
        public Builder stop(List<String> stop) { this.stop = stop; return this; }
        public Builder stop(String... stop) { this.stop = List.of(stop); return this; }
        public Builder responseFormat(ResponseFormat responseFormat) { this.responseFormat = responseFormat; return this; }
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
        public Builder seed(Long seed) { this.seed = seed; return this; }

        /**
         * Whether and which tool the model must call; {@code null} leaves it to the provider.
         *
         * @param toolChoice the choice
         * @return this builder
         */
        public Builder toolChoice(ToolChoice toolChoice) { this.toolChoice = toolChoice; return this; }

        public ChatOptions build() {
            return new ChatOptions(model, temperature, topP, maxTokens, presencePenalty, frequencyPenalty, stop,
                    responseFormat, parallelToolCalls, thinkingBudget, seed, toolChoice);
        }
    }
}
