package dev.keel.core.models;

import dev.keel.core.ChatModel;
import dev.keel.core.EmbeddingModel;
import dev.keel.core.anthropic.Anthropic;
import dev.keel.core.json.JsonValue;

/** Builds {@link Anthropic} chat models. The Messages API has no embeddings endpoint. */
final class AnthropicFactory implements ProviderFactory {
    private static final String INTERLEAVED_THINKING_BETA = "interleaved-thinking-2025-05-14";

    @Override
    public ChatModel chatModel(Setup s) {
        Anthropic.Builder b = Anthropic.builder()
                .providerName(s.provider().name())
                .baseUrl(s.provider().baseUrl())
                .model(s.model())
                .apiKey(s.apiKey())
                .defaultOptions(s.options());
        ApiType type = ApiType.ANTHROPIC;
        ProviderOptions.applied(type, s.providerOptions(), "top_k").ifPresent(v -> b.bodyParameter("top_k", v));
        ProviderOptions.applied(type, s.providerOptions(), "thinking_display")
                .flatMap(JsonValue::asString).ifPresent(b::thinkingDisplay);
        ProviderOptions.applied(type, s.providerOptions(), "task_budget").ifPresent(v -> v.asLong()
                .ifPresent(total -> b.taskBudget((int) Math.min(Integer.MAX_VALUE, total))));
        ProviderOptions.applied(type, s.providerOptions(), "workload_identity_federation")
                .ifPresent(v -> b.workloadIdentity(IdentityTokens.identity(v, s.variables())));
        boolean interleaved = ProviderOptions.applied(type, s.providerOptions(), "interleaved_thinking")
                .flatMap(ProviderOptions::flag).orElse(false);
        if (interleaved && !s.headers().containsKey("anthropic-beta")) {
            b.header("anthropic-beta", INTERLEAVED_THINKING_BETA);
        }
        s.headers().forEach(b::header);
        s.applyHttp(b::httpClient, b::http);
        return b.build();
    }

    @Override
    public EmbeddingModel embeddingModel(Setup s) {
        throw new ModelResolutionException.Unsupported("provider '" + s.provider().name()
                + "' speaks the Anthropic Messages API, which has no embeddings; use an OpenAI-compatible or Gemini "
                + "provider for '" + s.model() + "'");
    }

    @Override
    public String toString() {
        return "AnthropicFactory";
    }
}
