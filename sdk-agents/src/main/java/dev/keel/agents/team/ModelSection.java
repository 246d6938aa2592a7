package dev.keel.agents.team;

import dev.keel.agents.ModelPrice;
import dev.keel.agents.internal.YamlTree;
import dev.keel.agents.internal.YamlTree.Entry;
import dev.keel.agents.internal.YamlTree.ListNode;
import dev.keel.agents.internal.YamlTree.MapNode;
import dev.keel.agents.internal.YamlTree.Node;
import dev.keel.agents.internal.YamlTree.Scalar;
import dev.keel.core.ChatOptions;
import dev.keel.core.json.JsonObject;
import dev.keel.core.json.JsonValue;
import dev.keel.core.models.ModelConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code models} and {@code providers} sections: a named model or an inline {@code provider/model}
 * reference becomes a {@link ModelDefinition} (a {@link ModelConfig} plus every other field), with generation
 * options inherited from its provider's; an agent's {@code model} may also be {@code auto} or a comma-separated
 * list of alternates ({@link ModelChoice}). One per load; not thread-safe.
 */
final class ModelSection {
    /** Providers that need no key: a {@code first_available} candidate on one of them is always available. */
    private static final Set<String> KEYLESS = Set.of("dmr", "ollama", "llama.cpp", "vllm");
    private static final Pattern SINGLE_VAR = Pattern.compile("\\$\\{(?:env\\.)?([A-Za-z_][A-Za-z0-9_]*)}|\\$([A-Za-z_][A-Za-z0-9_]*)");
    private static final Set<String> EFFORTS = Set.of("minimal", "low", "medium", "high", "xhigh", "max", "adaptive",
            "adaptive/low", "adaptive/medium", "adaptive/high", "adaptive/xhigh", "adaptive/max");

    private final TeamFields f;
    private final Map<String, Entry> models;
    private final Map<String, Entry> providers;
    private final Map<String, ModelDefinition> named = new HashMap<>();
    private final Map<String, ModelPrice> prices = new LinkedHashMap<>();

    ModelSection(TeamFields f, Map<String, Entry> models, Map<String, Entry> providers) {
        this.f = f;
        this.models = models;
        this.providers = providers;
    }

    /** What an agent's {@code model} names: one model, alternates ({@code a,b}), or {@code auto}. */
    record ModelChoice(List<ModelDefinition> models, boolean auto) {
        ModelChoice {
            models = List.copyOf(models);
        }

        ModelDefinition primary() {
            return models.get(0);
        }
    }

    /** Reads every model and provider up front, so a bad entry fails even if no agent uses it. */
    void checkAll() {
        providers.values().forEach(this::checkProvider);
        for (Entry e : models.values()) {
            definition(e.key(), e.line(), "models." + e.key(), false);
        }
    }

    /** Prices set with {@code cost}, by model label. */
    Map<String, ModelPrice> prices() {
        return prices;
    }

    ModelChoice choose(String ref, int line, String field) {
        String written = ref.strip();
        if (written.equals("auto")) {
            f.warn(line + ": " + field + ": 'auto' picks a model from the keys that are set once sdk-core's automatic "
                    + "selection is in this build; until then it is resolved as the model 'auto/auto' by the runner's "
                    + "model resolver");
            return new ModelChoice(List.of(new ModelDefinition("auto", line, ModelConfig.of("auto", "auto"), null, null,
                    null, null, null, null, List.of(), Map.of(), null, Map.of())), true);
        }
        if (written.contains(",")) {
            List<ModelDefinition> all = new ArrayList<>();
            for (String part : written.split(",")) {
                if (!part.isBlank()) {
                    all.add(definition(part.strip(), line, field, true));
                }
            }
            if (all.isEmpty()) {
                throw f.error(line, field, "no model in '" + written + "'");
            }
            if (all.size() > 1) {
                f.warn(line + ": " + field + ": alternating between " + all.stream().map(m -> m.config().reference())
                        .toList() + " needs sdk-core's alternating model (not in this build); "
                        + all.get(0).config().reference() + " answers every turn");
            }
            return new ModelChoice(all, false);
        }
        return new ModelChoice(List.of(definition(written, line, field, true)), false);
    }

    /** A named model or an inline reference; {@code checkKey} fails the load when its key is unset (if asked). */
    ModelDefinition definition(String ref, int line, String field, boolean checkKey) {
        ModelDefinition known = named.get(ref);
        if (known != null) {
            if (checkKey) {
                checkKey(known, line, field);
            }
            return known;
        }
        Entry entry = models.get(ref);
        ModelDefinition def;
        if (entry != null) {
            def = fromModels(entry);
            named.put(ref, def);
        } else if (ref.contains("/")) {
            def = inline(ref, line, field);
        } else {
            throw f.error(line, field, "unknown model '" + ref + "'; use provider/model or one of " + models.keySet());
        }
        if (checkKey) {
            checkKey(def, line, field);
        }
        return def;
    }

    private ModelDefinition inline(String ref, int line, String field) {
        ModelConfig parsed;
        try {
            parsed = ModelConfig.parse(ref);
        } catch (IllegalArgumentException | dev.keel.core.models.ModelResolutionException ex) {
            throw f.error(line, field, ex.getMessage());
        }
        MapNode provider = providerNode(parsed.provider());
        return build(ref, line, field, parsed.provider(), parsed.model(), new MapNode(Map.of(), line), provider);
    }

    private ModelDefinition fromModels(Entry entry) {
        String path = "models." + entry.key();
        MapNode m = f.map(entry.value(), path);
        List<String> candidates = f.strings(m, "first_available", path);
        if (!candidates.isEmpty()) {
            return firstAvailable(entry, m, candidates, path);
        }
        String provider = f.requiredString(m, "provider", path);
        String model = f.requiredString(m, "model", path);
        return build(entry.key(), entry.line(), path, provider, model, m, providerNode(provider));
    }

    /** docker-agent's {@code first_available}: the first candidate whose key variable is set (or that needs none). */
    private ModelDefinition firstAvailable(Entry entry, MapNode m, List<String> candidates, String path) {
        ModelDefinition first = null;
        for (String candidate : candidates) {
            if (candidate.equals(entry.key())) {
                throw f.error(entry.line(), path + ".first_available", "'" + entry.key() + "' cannot list itself");
            }
            ModelDefinition def = definition(candidate, entry.line(), path + ".first_available", false);
            if (first == null) {
                first = def;
            }
            String key = keyVariable(def);
            if (KEYLESS.contains(def.config().provider()) || key == null || isSet(key)) {
                return renamed(def, entry.key());
            }
        }
        return renamed(first, entry.key());
    }

    private static ModelDefinition renamed(ModelDefinition d, String name) {
        return new ModelDefinition(name, d.line(), d.config(), d.providerType(), d.apiType(), d.thinkingEffort(),
                d.providerOpts(), d.trackUsage(), d.capabilities(), d.routing(), d.env(), d.price(), d.extra());
    }

    private ModelDefinition build(String name, int line, String path, String provider, String model, MapNode m,
                                  MapNode p) {
        String providerPath = "providers." + provider;
        String baseUrl = inheritText(m, path, p, providerPath, "base_url");
        String tokenKey = tokenKey(m, path, p, providerPath);
        String providerType = p == null ? null : f.optString(p, "provider", providerPath).orElse(null);
        String apiType = p == null ? null : f.optString(p, "api_type", providerPath).orElse(null);
        String configProvider = provider;
        if (providerType != null && !providerType.equals("openai") && baseUrl == null) {
            configProvider = providerType; // a named provider of a built-in type without its own endpoint
        } else if (providerType != null && (providerType.equals("anthropic") || providerType.equals("dmr"))) {
            configProvider = providerType; // the built-in type's API at the named provider's endpoint
        }
        if (configProvider.equals("google")) {
            f.warn(line + ": " + path + ": Gemini's native API arrives with sdk-core's google provider; until then calls "
                    + "go through Gemini's OpenAI-compatible endpoint");
            configProvider = "gemini";
            if (tokenKey == null) {
                tokenKey = "GOOGLE_API_KEY";
            }
        }
        Map<String, String> env = f.envMap(m, path, "env").values();
        tokenKey = tokenKeyFromEnv(m, path, configProvider, tokenKey);
        String effort = null;
        ChatOptions options;
        try {
            Entry tb = m.entries().containsKey("thinking_budget") ? m.entries().get("thinking_budget")
                    : p == null ? null : p.entries().get("thinking_budget");
            Integer budget = null;
            if (tb != null) {
                if (tb.value() instanceof Scalar s && s.value() instanceof Number) {
                    budget = f.integer(tb.value(), path + ".thinking_budget");
                } else {
                    String level = f.scalarText(tb.value(), path + ".thinking_budget").strip().toLowerCase(java.util.Locale.ROOT);
                    if (level.equals("none") || level.equals("0")) {
                        budget = 0;
                    } else if (EFFORTS.contains(level)) {
                        effort = level;
                        f.warn(tb.line() + ": " + path + ".thinking_budget: effort level '" + level + "' reaches the "
                                + "provider once sdk-core maps effort levels (not in this build); no reasoning setting "
                                + "is sent");
                    } else {
                        throw f.error(tb.line(), path + ".thinking_budget", "'" + level + "' is neither a token budget "
                                + "nor an effort level (none, minimal, low, medium, high, xhigh, max, adaptive[/level])");
                    }
                }
            }
            options = ChatOptions.builder()
                    .temperature(inherit(m, path, p, providerPath, "temperature", f::optDouble))
                    .maxTokens(inherit(m, path, p, providerPath, "max_tokens", f::optInt))
                    .topP(inherit(m, path, p, providerPath, "top_p", f::optDouble))
                    .presencePenalty(inherit(m, path, p, providerPath, "presence_penalty", f::optDouble))
                    .frequencyPenalty(inherit(m, path, p, providerPath, "frequency_penalty", f::optDouble))
                    .thinkingBudget(budget)
                    .parallelToolCalls(inherit(m, path, p, providerPath, "parallel_tool_calls",
                            (n, k, pt) -> f.optBool(n, k, pt).orElse(null)))
                    .build();
        } catch (IllegalArgumentException ex) {
            throw f.error(line, path, ex.getMessage());
        }
        ModelConfig config = new ModelConfig(configProvider, model, baseUrl, tokenKey, options);
        JsonObject providerOpts = mergedObject(m, p, "provider_opts");
        if (!providerOpts.isEmpty()) {
            f.warn(line(m, p, "provider_opts") + ": " + path + ".provider_opts: reaches the provider once sdk-core takes "
                    + "provider options (not in this build): " + providerOpts.names());
        }
        if (apiType != null && !apiType.equals("openai_chatcompletions")) {
            f.warn(line(p, null, "api_type") + ": " + providerPath + ".api_type: '" + apiType + "' arrives with "
                    + "sdk-core's OpenAI Responses client; until then Chat Completions is used");
        }
        List<ModelDefinition.RoutingRule> routing = routing(m, path);
        Map<String, JsonValue> extra = new LinkedHashMap<>();
        for (String key : List.of("task_budget", "title_model", "compaction_model", "compaction_threshold", "auth", "unload_api",
                "bypass_models_gateway", "description")) {
            Entry e = m.entries().containsKey(key) ? m.entries().get(key) : p == null ? null : p.entries().get(key);
            if (e != null) {
                extra.put(key, YamlTree.json(e.value()));
            }
        }
        if (extra.containsKey("auth")) {
            f.warn(line(m, p, "auth") + ": " + path + ".auth: workload identity federation is not supported; the key "
                    + "variable is used");
        }
        if (extra.containsKey("task_budget")) {
            f.warn(line(m, p, "task_budget") + ": " + path + ".task_budget: reaches Anthropic once sdk-core sends task "
                    + "budgets (not in this build)");
        }
        ModelPrice price = price(m, path);
        ModelDefinition def = new ModelDefinition(name, line, config, providerType, apiType, effort, providerOpts,
                inherit(m, path, p, providerPath, "track_usage", (n, k, pt) -> f.optBool(n, k, pt).orElse(null)),
                mergedObject(m, null, "capabilities"), routing, env, price, extra);
        if (price != null) {
            prices.put(config.reference(), price);
        }
        return def;
    }

    private List<ModelDefinition.RoutingRule> routing(MapNode m, String path) {
        Entry r = m.entries().get("routing");
        if (r == null) {
            return List.of();
        }
        ListNode l = f.list(r.value(), path + ".routing");
        List<ModelDefinition.RoutingRule> rules = new ArrayList<>();
        for (int i = 0; i < l.items().size(); i++) {
            String rp = path + ".routing[" + i + "]";
            MapNode rule = f.map(l.items().get(i), rp);
            String target = f.requiredString(rule, "model", rp);
            if (!models.containsKey(target) && !target.contains("/")) {
                throw f.error(rule.line(), rp + ".model", "unknown model '" + target + "'; use provider/model or one of "
                        + models.keySet());
            }
            rules.add(new ModelDefinition.RoutingRule(target, f.strings(rule, "examples", rp)));
        }
        f.warn(r.line() + ": " + path + ".routing: rule-based routing needs sdk-core's routing model (not in this "
                + "build); requests go to the model's own provider/model");
        return rules;
    }

    private ModelPrice price(MapNode m, String path) {
        Entry c = m.entries().get("cost");
        if (c == null) {
            return null;
        }
        MapNode cost = f.map(c.value(), path + ".cost");
        double in = orZero(f.optDouble(cost, "input", path + ".cost"));
        double out = orZero(f.optDouble(cost, "output", path + ".cost"));
        Double reads = f.optDouble(cost, "cache_read", path + ".cost");
        Double writes = f.optDouble(cost, "cache_write", path + ".cost");
        try {
            ModelPrice price = ModelPrice.of(in, out);
            if (reads != null) {
                price = price.withCacheReads(reads);
            }
            if (writes != null) {
                price = price.withCacheWrites(writes);
            }
            return price;
        } catch (IllegalArgumentException e) {
            throw f.error(c.line(), path + ".cost", e.getMessage());
        }
    }

    private static double orZero(Double d) {
        return d == null ? 0 : d;
    }

    /**
     * The token key: the file's {@code token_key} (a variable name; a {@code ${VAR}} written there is read as
     * {@code VAR}, since a key itself never belongs in the file), or the provider's.
     */
    private String tokenKey(MapNode m, String path, MapNode p, String providerPath) {
        Entry e = m.entries().containsKey("token_key") ? m.entries().get("token_key")
                : p == null ? null : p.entries().get("token_key");
        if (e == null) {
            return null;
        }
        String raw = f.rawText(e.value(), path + ".token_key").strip();
        Matcher single = SINGLE_VAR.matcher(raw);
        if (single.matches()) {
            String var = single.group(1) != null ? single.group(1) : single.group(2);
            f.warn(e.line() + ": " + (m.entries().containsKey("token_key") ? path : providerPath) + ".token_key: names "
                    + "the variable that holds the key; '" + raw + "' read as " + var);
            return var;
        }
        return f.expand(raw, e.line(), path + ".token_key");
    }

    /**
     * A v0/v1 model {@code env} that sets the provider's key variable from another one
     * ({@code OPENAI_API_KEY: ${GITHUB_TOKEN}}) means: read the key from that other variable.
     */
    private String tokenKeyFromEnv(MapNode m, String path, String provider, String tokenKey) {
        Entry env = m.entries().get("env");
        if (env == null) {
            return tokenKey;
        }
        String providerKey = tokenKey != null ? tokenKey : TeamSchema.DEFAULT_KEYS.getOrDefault(provider,
                provider.toUpperCase(java.util.Locale.ROOT).replace('-', '_') + "_API_KEY");
        String result = tokenKey;
        for (Entry v : f.map(env.value(), path + ".env").entries().values()) {
            String raw = f.rawText(v.value(), path + ".env." + v.key()).strip();
            Matcher single = SINGLE_VAR.matcher(raw);
            if (v.key().equals(providerKey) && single.matches()) {
                result = single.group(1) != null ? single.group(1) : single.group(2);
            } else {
                f.warn(v.line() + ": " + path + ".env." + v.key() + ": only the provider's key variable ("
                        + providerKey + ") taken from another variable is read from a model's env; ignored");
            }
        }
        return result;
    }

    private void checkKey(ModelDefinition def, int line, String field) {
        String key = keyVariable(def);
        if (f.options().checkKeys() && key != null && !isSet(key)) {
            Entry named = models.get(def.name());
            if (named != null && named.value() instanceof MapNode m) {
                Entry tk = m.entries().get("token_key");
                line = tk != null ? tk.line() : named.line();
                field = "models." + def.name() + (tk != null ? ".token_key" : "");
            }
            throw f.error(line, field, "model '" + def.config().reference() + "' needs the environment variable " + key
                    + ", which is not set");
        }
    }

    private String keyVariable(ModelDefinition def) {
        ModelConfig c = def.config();
        return c.tokenKey() != null ? c.tokenKey() : TeamSchema.DEFAULT_KEYS.get(c.provider());
    }

    private boolean isSet(String variable) {
        String v = f.variable(variable);
        return v != null && !v.isBlank();
    }

    private void checkProvider(Entry e) {
        String path = "providers." + e.key();
        f.map(e.value(), path);
    }

    private MapNode providerNode(String provider) {
        Entry e = providers.get(provider);
        return e == null ? null : f.map(e.value(), "providers." + provider);
    }

    private String inheritText(MapNode m, String path, MapNode p, String providerPath, String key) {
        Entry e = m.entries().containsKey(key) ? m.entries().get(key) : p == null ? null : p.entries().get(key);
        if (e == null) {
            return null;
        }
        String where = m.entries().containsKey(key) ? path : providerPath;
        return f.expandVars(f.rawText(e.value(), where + "." + key), e.line(), where + "." + key);
    }

    private static JsonObject mergedObject(MapNode m, MapNode p, String key) {
        Map<String, JsonValue> all = new LinkedHashMap<>();
        for (MapNode n : new MapNode[] {p, m}) {
            if (n != null && n.entries().get(key) != null && n.entries().get(key).value() instanceof MapNode o) {
                all.putAll(((JsonObject) YamlTree.json(o)).members());
            }
        }
        return JsonObject.of(all);
    }

    private static int line(MapNode m, MapNode p, String key) {
        if (m != null && m.entries().containsKey(key)) {
            return m.entries().get(key).line();
        }
        return p != null && p.entries().containsKey(key) ? p.entries().get(key).line() : 0;
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
}
