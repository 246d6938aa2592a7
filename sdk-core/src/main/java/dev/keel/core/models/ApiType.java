package dev.keel.core.models;

import java.util.Locale;

/** The wire protocol a provider speaks. */
public enum ApiType {
    /** OpenAI Chat Completions and Embeddings, as spoken by OpenAI, Groq, vLLM, llama.cpp, Docker Model Runner, … */
    OPENAI_COMPATIBLE("openai-compatible"),
    /** Anthropic Messages. */
    ANTHROPIC("anthropic"),
    /** The OpenAI Responses API ({@code POST /responses}), docker-agent's {@code api_type: openai_responses}. */
    OPENAI_RESPONSES("openai-responses"),
    /** Google's Gemini API ({@code generateContent}, {@code streamGenerateContent}), docker-agent's {@code google}. */
    GEMINI("google");

    private final String configName;

    ApiType(String configName) {
        this.configName = configName;
    }

    /**
     * The name used in configuration files.
     *
     * @return {@code openai-compatible}, {@code anthropic}, {@code openai-responses} or {@code google}
     */
    public String configName() {
        return configName;
    }

    /**
     * Parses a configuration value case-insensitively, {@code _} and {@code -} alike: {@code openai-compatible}
     * (also {@code openai}, {@code openai_chatcompletions}), {@code anthropic}, {@code openai_responses}, or
     * {@code google}.
     *
     * @param value the configured value
     * @return the API type
     * @throws IllegalArgumentException naming the accepted values
     */
    public static ApiType fromConfig(String value) {
        String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        return switch (v) {
            case "openai-compatible", "openai", "openai-chatcompletions", "openai-chat-completions" -> OPENAI_COMPATIBLE;
            case "anthropic" -> ANTHROPIC;
            case "openai-responses" -> OPENAI_RESPONSES;
            case "google" -> GEMINI;
            default -> throw new IllegalArgumentException("unknown api type '" + value
                    + "': expected openai-compatible (openai_chatcompletions), openai_responses, anthropic or google");
        };
    }
}
