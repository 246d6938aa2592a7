package dev.keel.agents;

import dev.keel.core.ChatOptions;
import java.util.Objects;

/**
 * How to obtain a model: the fields of a team file's {@code models} entry, or an inline
 * {@code provider/model} reference ({@link #parse}). A {@link ModelResolver} turns it into a
 * {@code ChatModel}. Contains the <em>name</em> of the variable holding the key, never the key.
 *
 * @param provider          provider name ({@code openai}, {@code anthropic}, {@code dmr}, or a custom one)
 * @param model             the provider's model name
 * @param baseUrl           endpoint override, or null
 * @param tokenKey          name of the environment variable holding the API key, or null for the provider's
 * @param temperature       sampling temperature, or null
 * @param maxTokens         output token cap, or null
 * @param topP              nucleus sampling, or null
 * @param presencePenalty   presence penalty, or null
 * @param frequencyPenalty  frequency penalty, or null
 * @param thinkingBudget    reasoning budget, or null
 * @param parallelToolCalls whether the model may request several tool calls per turn, or null
 */
public record ModelConfig(String provider, String model, String baseUrl, String tokenKey, Double temperature,
                          Integer maxTokens, Double topP, Double presencePenalty, Double frequencyPenalty,
                          Integer thinkingBudget, Boolean parallelToolCalls) {
    /**
     * Creates the value, checking its components.
     *
     * @param provider provider name ({@code openai}, {@code anthropic}, {@code dmr}, or a custom one)
     * @param model the provider's model name
     * @param baseUrl endpoint override, or null
     * @param tokenKey name of the environment variable holding the API key, or null for the provider's
     * @param temperature sampling temperature, or null
     * @param maxTokens output token cap, or null
     * @param topP nucleus sampling, or null
     * @param presencePenalty presence penalty, or null
     * @param frequencyPenalty frequency penalty, or null
     * @param thinkingBudget reasoning budget, or null
     * @param parallelToolCalls whether the model may request several tool calls per turn, or null
     */
    public ModelConfig {
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(model, "model");
        if (provider.isBlank() || model.isBlank()) {
            throw new IllegalArgumentException("provider and model cannot be blank");
        }
    }

    /**
     * Parses an inline reference {@code provider/model}; the model part may itself contain slashes
     * ({@code dmr/ai/qwen2.5}).
     *
     * @param reference the reference, for example {@code openai/gpt-5}
     * @return the configuration, with every option left to the provider's default
     * @throws IllegalArgumentException when there is no {@code /} or a side is empty
     */
    public static ModelConfig parse(String reference) {
        Objects.requireNonNull(reference, "reference");
        int slash = reference.indexOf('/');
        if (slash <= 0 || slash == reference.length() - 1) {
            throw new IllegalArgumentException("model reference '" + reference + "' must look like provider/model");
        }
        return of(reference.substring(0, slash), reference.substring(slash + 1));
    }

    /**
     * A provider and model with every option left to the provider's default.
     *
     * @param provider the provider name
     * @param model the model name
     * @return a provider and model with every option left to the provider's default
     */
    public static ModelConfig of(String provider, String model) {
        return new ModelConfig(provider, model, null, null, null, null, null, null, null, null, null);
    }

    /**
     * {@code provider/model}.
     *
     * @return the reference
     */
    public String reference() {
        return provider + "/" + model;
    }

    /**
     * The generation options this configuration implies.
     *
     * @return the generation options this configuration implies
     */
    public ChatOptions options() {
        return ChatOptions.builder().temperature(temperature).maxTokens(maxTokens).topP(topP)
                .presencePenalty(presencePenalty).frequencyPenalty(frequencyPenalty).thinkingBudget(thinkingBudget)
                .parallelToolCalls(parallelToolCalls).build();
    }
}
