package dev.keel.core.models;

import java.util.Locale;

/** The wire protocol a provider speaks. */
public enum ApiType {
    /** OpenAI Chat Completions and Embeddings, as spoken by OpenAI, Groq, vLLM, llama.cpp, Docker Model Runner, … */
    OPENAI_COMPATIBLE("openai-compatible"),
    /** Anthropic Messages. */
    ANTHROPIC("anthropic");

    private final String configName;

    ApiType(String configName) {
        this.configName = configName;
    }

    /**
     * The name used in configuration files: {@code openai-compatible} or {@code anthropic}.
     *
     * @return the name used in configuration files
     */
    public String configName() {
        return configName;
    }

    /**
     * Parses a configuration value: {@code openai-compatible} (also {@code openai}, {@code openai_compatible})
     * or {@code anthropic}, case-insensitively.
     *
     * @param value the configured value
     * @return the API type
     * @throws IllegalArgumentException naming the accepted values
     */
    public static ApiType fromConfig(String value) {
        String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        return switch (v) {
            case "openai-compatible", "openai" -> OPENAI_COMPATIBLE;
            case "anthropic" -> ANTHROPIC;
            default -> throw new IllegalArgumentException(
                    "unknown api type '" + value + "': expected openai-compatible or anthropic");
        };
    }
}
