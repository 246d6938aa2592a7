package dev.keel.core.models;

import dev.keel.core.ChatModel;
import dev.keel.core.ChatOptions;
import dev.keel.core.EmbeddingModel;
import dev.keel.core.google.Gemini;
import dev.keel.core.google.GeminiEmbeddings;
import java.util.Map;

/** Builds {@link Gemini} chat models and {@link GeminiEmbeddings}. */
final class GeminiFactory implements ProviderFactory {
    private static final Map<String, String> BUILT_IN_TOOLS = Map.of(
            "google_search", "googleSearch", "google_maps", "googleMaps", "code_execution", "codeExecution");

    @Override
    public ChatModel chatModel(Setup s) {
        ApiType type = ApiType.GEMINI;
        ChatOptions options = s.optionsWithSeed(type);
        Gemini.Builder b = Gemini.builder()
                .providerName(s.provider().name())
                .baseUrl(s.provider().baseUrl())
                .model(s.model())
                .apiKey(s.apiKey())
                .defaultOptions(options);
        ProviderOptions.applied(type, s.providerOptions(), "top_k").ifPresent(v -> b.generationParameter("topK", v));
        BUILT_IN_TOOLS.forEach((option, tool) -> {
            if (ProviderOptions.applied(type, s.providerOptions(), option).flatMap(ProviderOptions::flag).orElse(false)) {
                b.builtInTool(tool);
            }
        });
        s.headers().forEach(b::header);
        s.applyHttp(b::httpClient, b::http);
        return b.build();
    }

    @Override
    public EmbeddingModel embeddingModel(Setup s) {
        GeminiEmbeddings.Builder b = Gemini.embeddings()
                .providerName(s.provider().name())
                .baseUrl(s.provider().baseUrl())
                .model(s.model())
                .apiKey(s.apiKey());
        s.headers().forEach(b::header);
        s.applyHttp(b::httpClient, b::http);
        return b.build();
    }

    @Override
    public String toString() {
        return "GeminiFactory";
    }
}
