package dev.keel.core.models;

import java.util.Objects;

/**
 * A parsed model reference {@code provider/model}. Only the first {@code /} separates: in
 * {@code dmr/ai/qwen2.5} the provider is {@code dmr} and the model {@code ai/qwen2.5}.
 *
 * @param provider provider name
 * @param model    model name as the provider knows it (may contain {@code /})
 */
public record ModelRef(String provider, String model) {
    /**
     * Creates the value, checking its components.
     *
     * @param provider provider name
     * @param model model name as the provider knows it (may contain {@code /})
     */
    public ModelRef {
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(model, "model");
    }

    /**
     * Parses {@code provider/model}.
     *
     * @param reference the reference
     * @return the parsed reference
     * @throws ModelResolutionException.InvalidReference when there is no {@code /}, either side is empty,
     *                                                   or the reference contains whitespace
     */
    public static ModelRef parse(String reference) {
        if (reference == null || reference.isBlank()) {
            throw new ModelResolutionException.InvalidReference(String.valueOf(reference), "it is empty");
        }
        String ref = reference.strip();
        if (ref.chars().anyMatch(Character::isWhitespace)) {
            throw new ModelResolutionException.InvalidReference(reference, "it contains whitespace");
        }
        int slash = ref.indexOf('/');
        if (slash < 0) {
            throw new ModelResolutionException.InvalidReference(reference, "there is no '/' between provider and model");
        }
        String provider = ref.substring(0, slash);
        String model = ref.substring(slash + 1);
        if (provider.isEmpty()) {
            throw new ModelResolutionException.InvalidReference(reference, "the provider is empty");
        }
        if (model.isEmpty() || model.startsWith("/") || model.endsWith("/")) {
            throw new ModelResolutionException.InvalidReference(reference, "the model name is empty or malformed");
        }
        return new ModelRef(provider, model);
    }

    /** {@code provider/model}. */
    @Override
    public String toString() {
        return provider + "/" + model;
    }
}
