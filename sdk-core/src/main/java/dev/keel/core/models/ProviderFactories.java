package dev.keel.core.models;

import java.util.Map;

/** The factories a registry uses unless told otherwise, one per API type. */
final class ProviderFactories {
    private ProviderFactories() {}

    static final Map<ApiType, ProviderFactory> DEFAULTS = Map.of(
            ApiType.OPENAI_COMPATIBLE, new OpenAiCompatibleFactory(),
            ApiType.ANTHROPIC, new AnthropicFactory(),
            ApiType.OPENAI_RESPONSES, new OpenAiResponsesFactory(),
            ApiType.GEMINI, new GeminiFactory());
}
