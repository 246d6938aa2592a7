package dev.keel.core.internal.provider;

import dev.keel.core.ChatOptions;

/** Layers per-request {@link ChatOptions} over a model's defaults. Stateless. */
public final class ChatOptionsMerge {
    private ChatOptionsMerge() {}

    /** Each field of {@code request} that is set (non-null, or a non-empty stop list) wins over {@code defaults}. */
    public static ChatOptions merge(ChatOptions defaults, ChatOptions request) {
        if (request == null || request.equals(ChatOptions.defaults())) {
            return defaults;
        }
        if (defaults.equals(ChatOptions.defaults())) {
            return request;
        }
        return new ChatOptions(
                pick(request.model(), defaults.model()),
                pick(request.temperature(), defaults.temperature()),
                pick(request.topP(), defaults.topP()),
                pick(request.maxTokens(), defaults.maxTokens()),
                pick(request.presencePenalty(), defaults.presencePenalty()),
                pick(request.frequencyPenalty(), defaults.frequencyPenalty()),
                request.stop().isEmpty() ? defaults.stop() : request.stop(),
                pick(request.responseFormat(), defaults.responseFormat()),
                pick(request.parallelToolCalls(), defaults.parallelToolCalls()),
                pick(request.thinkingBudget(), defaults.thinkingBudget()),
                pick(request.seed(), defaults.seed()),
                pick(request.toolChoice(), defaults.toolChoice()));
    }

    private static <T> T pick(T preferred, T fallback) {
        return preferred != null ? preferred : fallback;
    }
}
