package dev.keel.core.models;

import java.util.List;
import java.util.Map;

/** The providers every registry starts with. */
final class BuiltInProviders {
    private BuiltInProviders() {}

    static final List<ProviderConfig> ALL = List.of(
            ProviderConfig.openAiCompatible("openai", "https://api.openai.com/v1", "OPENAI_API_KEY"),
            ProviderConfig.anthropic("anthropic", "https://api.anthropic.com", "ANTHROPIC_API_KEY"),
            // Gemini's native API; docker-agent's provider: google.
            ProviderConfig.gemini("google", "https://generativelanguage.googleapis.com/v1beta", "GOOGLE_API_KEY"),
            // Docker Model Runner; its model names contain a slash (ai/qwen2.5).
            ProviderConfig.openAiCompatible("dmr", "http://localhost:12434/engines/llama.cpp/v1"),
            // GitHub Models; model names are publisher/model (openai/gpt-4.1).
            ProviderConfig.openAiCompatible("github", "https://models.github.ai/inference", "GITHUB_TOKEN"),
            ProviderConfig.openAiCompatible("groq", "https://api.groq.com/openai/v1", "GROQ_API_KEY"),
            ProviderConfig.openAiCompatible("mistral", "https://api.mistral.ai/v1", "MISTRAL_API_KEY"),
            ProviderConfig.openAiCompatible("openrouter", "https://openrouter.ai/api/v1", "OPENROUTER_API_KEY"),
            // Gemini through its OpenAI-compatible endpoint.
            ProviderConfig.openAiCompatible("gemini", "https://generativelanguage.googleapis.com/v1beta/openai",
                    "GEMINI_API_KEY"),
            ProviderConfig.openAiCompatible("llama.cpp", "http://localhost:8080/v1"),
            ProviderConfig.openAiCompatible("vllm", "http://localhost:8000/v1"),
            ProviderConfig.openAiCompatible("ollama", "http://localhost:11434/v1"));

    /**
     * Variables tried, in order, when a built-in provider's own key variable is unset and no other was configured:
     * Google's SDKs read {@code GOOGLE_API_KEY} and then {@code GEMINI_API_KEY}.
     */
    static final Map<String, List<String>> ALTERNATE_KEYS = Map.of("google", List.of("GEMINI_API_KEY"));
}
