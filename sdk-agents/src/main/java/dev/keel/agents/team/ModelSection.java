package dev.keel.agents.team;

import dev.keel.agents.internal.YamlTree.Entry;
import dev.keel.agents.internal.YamlTree.MapNode;
import dev.keel.agents.internal.YamlTree.Scalar;
import dev.keel.core.ChatOptions;
import dev.keel.core.models.ModelConfig;
import java.util.Map;

/**
 * The {@code models} and {@code providers} sections: a named model or an inline {@code provider/model}
 * reference becomes a {@link ModelConfig}, with generation options inherited from its provider's. One per
 * load; not thread-safe.
 */
final class ModelSection {
    private final TeamFields f;
    private final Map<String, Entry> models;
    private final Map<String, Entry> providers;

    ModelSection(TeamFields f, Map<String, Entry> models, Map<String, Entry> providers) {
        this.f = f;
        this.models = models;
        this.providers = providers;
    }

    /** Checks every model's and provider's fields up front, so a bad entry fails even if no agent uses it. */
    void checkAll() {
        models.values().forEach(e -> f.checkFields(f.map(e.value(), "models." + e.key()), "models." + e.key(),
                TeamSchema.MODEL, TeamSchema.MODEL_IGNORED));
        providers.values().forEach(this::checkProvider);
    }

    ModelConfig model(String ref, int line, String field) {
        Entry named = models.get(ref);
        ModelConfig config;
        int keyLine = line;
        String keyField = field;
        if (named != null) {
            String path = "models." + ref;
            MapNode m = f.map(named.value(), path);
            String provider = f.requiredString(m, "provider", path);
            String modelName = f.requiredString(m, "model", path);
            String baseUrl = f.optString(m, "base_url", path).orElse(null);
            String tokenKey = f.optString(m, "token_key", path).orElse(null);
            MapNode p = providerNode(provider);
            if (p != null) {
                if (baseUrl == null) {
                    baseUrl = f.optString(p, "base_url", "providers." + provider).orElse(null);
                }
                if (tokenKey == null) {
                    tokenKey = f.optString(p, "token_key", "providers." + provider).orElse(null);
                }
            }
            config = withOptions(provider, modelName, baseUrl, tokenKey, m, path, p, "providers." + provider, named.line());
            Entry tk = m.entries().get("token_key");
            if (tk != null) {
                keyLine = tk.line();
                keyField = path + ".token_key";
            } else {
                keyLine = named.line();
                keyField = path;
            }
        } else if (ref.contains("/")) {
            try {
                config = ModelConfig.parse(ref);
            } catch (IllegalArgumentException | dev.keel.core.models.ModelResolutionException ex) {
                throw f.error(line, field, ex.getMessage());
            }
            MapNode p = providerNode(config.provider());
            if (p != null) {
                String pp = "providers." + config.provider();
                config = withOptions(config.provider(), config.model(), f.optString(p, "base_url", pp).orElse(null),
                        f.optString(p, "token_key", pp).orElse(null), new MapNode(Map.of(), line), field, p, pp, line);
            }
        } else {
            throw f.error(line, field, "unknown model '" + ref + "'; use provider/model or one of " + models.keySet());
        }
        String key = config.tokenKey() != null ? config.tokenKey() : TeamSchema.DEFAULT_KEYS.get(config.provider());
        if (f.options().checkKeys() && key != null && (f.options().env().get(key) == null || f.options().env().get(key).isBlank())) {
            throw f.error(keyLine, keyField, "model '" + config.reference() + "' needs the environment variable " + key
                    + ", which is not set");
        }
        return config;
    }

    private void checkProvider(Entry e) {
        String path = "providers." + e.key();
        MapNode p = f.map(e.value(), path);
        f.checkFields(p, path, TeamSchema.PROVIDER, TeamSchema.PROVIDER_IGNORED);
        Entry type = p.entries().get("provider");
        if (type != null && !"openai".equals(f.scalarText(type.value(), path + ".provider"))) {
            f.warn(type.line() + ": " + path + ".provider: Keel talks to custom providers as "
                    + "OpenAI-compatible endpoints; '" + f.scalarText(type.value(), path + ".provider") + "' ignored");
        }
        Entry api = p.entries().get("api_type");
        if (api != null && !"openai_chatcompletions".equals(f.scalarText(api.value(), path + ".api_type"))) {
            f.warn(api.line() + ": " + path + ".api_type: only openai_chatcompletions is supported; '"
                    + f.scalarText(api.value(), path + ".api_type") + "' ignored");
        }
    }

    private MapNode providerNode(String provider) {
        Entry e = providers.get(provider);
        return e == null ? null : f.map(e.value(), "providers." + provider);
    }


    /** A model's generation options; unset ones fall back to its provider's ({@code p}, may be null). */
    private ModelConfig withOptions(String provider, String model, String baseUrl, String tokenKey, MapNode m, String path,
                                    MapNode p, String providerPath, int line) {
        try {
            ChatOptions options = ChatOptions.builder()
                    .temperature(inherit(m, path, p, providerPath, "temperature", f::optDouble))
                    .maxTokens(inherit(m, path, p, providerPath, "max_tokens", f::optInt))
                    .topP(inherit(m, path, p, providerPath, "top_p", f::optDouble))
                    .presencePenalty(inherit(m, path, p, providerPath, "presence_penalty", f::optDouble))
                    .frequencyPenalty(inherit(m, path, p, providerPath, "frequency_penalty", f::optDouble))
                    .thinkingBudget(inherit(m, path, p, providerPath, "thinking_budget", this::thinkingBudget))
                    .parallelToolCalls(inherit(m, path, p, providerPath, "parallel_tool_calls",
                            (n, k, pt) -> f.optBool(n, k, pt).orElse(null)))
                    .build();
            return new ModelConfig(provider, model, baseUrl, tokenKey, options);
        } catch (IllegalArgumentException ex) {
            throw f.error(line, path, ex.getMessage());
        }
    }

    private interface OptionReader<T> {
        T read(MapNode m, String key, String path);
    }


    private static <T> T inherit(MapNode m, String path, MapNode p, String providerPath, String key, OptionReader<T> reader) {
        if (m.entries().containsKey(key)) {
            return reader.read(m, key, path);
        }
        return p == null ? null : reader.read(p, key, providerPath);
    }


    /** A token budget; effort levels ("low", "high", …) are not budgets and become a warning. */
    private Integer thinkingBudget(MapNode m, String key, String path) {
        Entry tb = m.entries().get(key);
        if (tb == null) {
            return null;
        }
        if (tb.value() instanceof Scalar s && s.value() instanceof Number) {
            return f.integer(tb.value(), path + "." + key);
        }
        String level = f.scalarText(tb.value(), path + "." + key);
        if (level.equals("none")) {
            return 0;
        }
        f.warn(tb.line() + ": " + path + "." + key + ": effort levels are passed only as token budgets; '"
                + level + "' ignored");
        return null;
    }
}
