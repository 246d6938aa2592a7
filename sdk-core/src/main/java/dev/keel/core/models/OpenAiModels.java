package dev.keel.core.models;

import java.util.Locale;

/**
 * Which of OpenAI's own models the built-in {@code openai} provider serves through the Responses API, as
 * docker-agent does: gpt-4.1, gpt-5, the o-series and Codex models. Stateless.
 */
final class OpenAiModels {
    private OpenAiModels() {}

    /**
     * True when {@code provider} is the built-in {@code openai} provider, unchanged and not pointed elsewhere by
     * {@code baseUrl}, and {@code model} is one the Responses API is made for. Gateways and compatible servers
     * that reuse the name keep Chat Completions; an explicit API type always wins over this default.
     */
    static boolean servedByResponses(ProviderConfig provider, String baseUrl, String model) {
        ProviderConfig builtIn = BuiltInProviders.ALL.get(0);
        if (provider == null || !provider.equals(builtIn) || baseUrl != null) {
            return false;
        }
        String m = model.toLowerCase(Locale.ROOT);
        return m.startsWith("gpt-4.1") || m.startsWith("gpt-5") || m.startsWith("codex") || m.contains("-codex")
                || m.matches("o[134](-.*)?");
    }
}
