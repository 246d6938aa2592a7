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
import dev.keel.core.ThinkingBudget;
import dev.keel.core.models.ApiType;
import dev.keel.core.models.ModelCapabilities;
import dev.keel.core.models.ModelConfig;
import dev.keel.core.models.ModelSpec;
import dev.keel.core.models.ProviderOptions;
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
    private static final Pattern SINGLE_VAR = Pattern.compile("\\$\\{(?:env\\.)?([A-Za-z_][A-Za-z0-9_]*)}|\\$([A-Za-z_][A-Za-z0-9_]*)");

    private final TeamFields f;
    private final Map<String, Entry> models;
    private final Map<String, Entry> providers;
    private final Map<String, ModelDefinition> named = new HashMap<>();
    private final Map<String, ModelPrice> prices = new LinkedHashMap<>();
    private final Set<String> resolving = new java.util.HashSet<>();

    ModelSection(TeamFields f, Map<String, Entry> models, Map<String, Entry> providers) {
        this.f = f;
        this.models = models;
        this.providers = providers;
    }

    /** What an agent's {@code model} names: one model, alternates ({@code a,b}), or {@code auto}. */
    record ModelChoice(ModelSpec spec, ModelDefinition primary) {}

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
            ModelSpec.FirstAvailable auto = ModelSpec.auto();
            ModelConfig first = (ModelConfig) auto.candidates().get(0);
            return new ModelChoice(auto, new ModelDefinition("auto", line, first, auto, null, Map.of()));
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
            return all.size() == 1 ? new ModelChoice(all.get(0).spec(), all.get(0))
                    : new ModelChoice(ModelSpec.alternates(all.stream().map(ModelDefinition::spec).toList()), all.get(0));
        }
        ModelDefinition d = definition(written, line, field, true);
        return new ModelChoice(d.spec(), d);
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
            if (!resolving.add(ref)) {
                throw f.error(entry.line(), "models." + ref, "model '" + ref + "' refers to itself through "
                        + "first_available or routing");
            }
            try {
                def = fromModels(entry);
            } finally {
                resolving.remove(ref);
            }
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
            List<ModelSpec> specs = new ArrayList<>();
            ModelDefinition first = null;
            for (String candidate : candidates) {
                ModelDefinition d = definition(candidate, m.entries().get("first_available").line(),
                        path + ".first_available", false);
                first = first == null ? d : first;
                specs.add(d.spec());
            }
            return new ModelDefinition(entry.key(), entry.line(), first.config(), ModelSpec.firstAvailable(specs),
                    price(m, path), Map.of());
        }
        String provider = f.requiredString(m, "provider", path);
        String model = f.requiredString(m, "model", path);
        return build(entry.key(), entry.line(), path, provider, model, m, providerNode(provider));
    }

    private ModelDefinition build(String name, int line, String path, String provider, String model, MapNode m,
                                  MapNode p) {
        String providerPath = "providers." + provider;
        String baseUrl = inheritRaw(m, path, p, providerPath, "base_url");
        String tokenKey = tokenKey(m, path, p, providerPath);
        String providerType = p == null ? null : f.optString(p, "provider", providerPath).orElse(null);
        String apiTypeText = p == null ? null : f.optString(p, "api_type", providerPath).orElse(null);
        String configProvider = provider;
        if (providerType != null && !providerType.equals("openai") && baseUrl == null) {
            configProvider = providerType; // a named provider of a built-in type without its own endpoint
        } else if (providerType != null && !providerType.equals("openai")) {
            configProvider = providerType; // the built-in type's API at the named provider's endpoint
        }
        ModelConfig.Builder b = ModelConfig.builder(configProvider, model).baseUrl(baseUrl).tokenKey(tokenKey);
        if (apiTypeText != null) {
            try {
                b.apiType(ApiType.fromConfig(apiTypeText));
            } catch (IllegalArgumentException ex) {
                throw f.error(line(p, null, "api_type"), providerPath + ".api_type", ex.getMessage());
            }
        }
        Map<String, String> env = rawMap(m, path, "env");
        b.env(env);
        Map<String, String> headers = new LinkedHashMap<>(rawMap(p, providerPath, "headers"));
        headers.putAll(rawMap(m, path, "headers"));
        b.headers(headers);
        JsonObject providerOpts = mergedObject(m, p, "provider_opts");
        b.providerOptions(providerOpts.isEmpty() ? null : providerOpts);
        b.trackUsage(inherit(m, path, p, providerPath, "track_usage", (n, k, pt) -> f.optBool(n, k, pt).orElse(null)));
        b.capabilities(capabilities(m, path));
        try {
            Entry tb = m.entries().containsKey("thinking_budget") ? m.entries().get("thinking_budget")
                    : p == null ? null : p.entries().get("thinking_budget");
            ThinkingBudget budget = null;
            if (tb != null) {
                String where = m.entries().containsKey("thinking_budget") ? path : providerPath;
                try {
                    budget = ThinkingBudget.parse(f.scalarText(tb.value(), where + ".thinking_budget"));
                } catch (IllegalArgumentException ex) {
                    throw f.error(tb.line(), where + ".thinking_budget", ex.getMessage());
                }
            }
            b.options(ChatOptions.builder()
                    .temperature(inherit(m, path, p, providerPath, "temperature", f::optDouble))
                    .maxTokens(inherit(m, path, p, providerPath, "max_tokens", f::optInt))
                    .topP(inherit(m, path, p, providerPath, "top_p", f::optDouble))
                    .presencePenalty(inherit(m, path, p, providerPath, "presence_penalty", f::optDouble))
                    .frequencyPenalty(inherit(m, path, p, providerPath, "frequency_penalty", f::optDouble))
                    .thinkingBudget(budget)
                    .parallelToolCalls(inherit(m, path, p, providerPath, "parallel_tool_calls",
                            (n, k, pt) -> f.optBool(n, k, pt).orElse(null)))
                    .build());
        } catch (IllegalArgumentException ex) {
            throw f.error(line, path, ex.getMessage());
        }
        ModelConfig config;
        try {
            config = b.build();
        } catch (IllegalArgumentException ex) {
            throw f.error(line, path, ex.getMessage());
        }
        ApiType api = config.apiType() != null ? config.apiType() : defaultApi(configProvider);
        for (String note : ProviderOptions.check(api, providerOpts)) {
            if (!note.startsWith("provider_opts.unload_api ")) { // the unload builtin hook reads it
                f.warn(line(m, p, "provider_opts") + ": " + path + "." + note);
            }
        }
        Map<String, JsonValue> extra = new LinkedHashMap<>();
        for (String key : List.of("task_budget", "title_model", "compaction_model", "compaction_threshold", "auth",
                "unload_api", "bypass_models_gateway", "description")) {
            Entry e = m.entries().containsKey(key) ? m.entries().get(key) : p == null ? null : p.entries().get(key);
            if (e != null) {
                extra.put(key, YamlTree.json(e.value()));
            }
        }
        providerOpts.get("unload_api").ifPresent(v -> extra.put("unload_api", v));
        if (extra.containsKey("auth")) {
            config = auth(config, api, m, p, path, providerPath);
        }
        if (extra.containsKey("task_budget")) {
            config = taskBudget(config, api, m, p, path, providerPath);
        }
        ModelSpec spec = config;
        List<ModelSpec.Route> routes = routing(m, path);
        if (!routes.isEmpty()) {
            spec = ModelSpec.routing(config, routes);
        }
        ModelPrice price = price(m, path);
        if (price != null) {
            prices.put(config.reference(), price);
        }
        return new ModelDefinition(name, line, config, spec, price, extra);
    }

    /**
     * {@code task_budget}: a token count, or {@code {type: tokens, total: N}}. Anthropic's Messages API takes it as
     * {@code output_config.task_budget} (carried as the {@code task_budget} provider option); other APIs have no
     * such thing, so there it is a warning.
     */
    private ModelConfig taskBudget(ModelConfig config, ApiType api, MapNode m, MapNode p, String path,
                                   String providerPath) {
        boolean own = m.entries().containsKey("task_budget");
        Entry e = own ? m.entries().get("task_budget") : p.entries().get("task_budget");
        String field = (own ? path : providerPath) + ".task_budget";
        long total;
        if (e.value() instanceof MapNode budget) {
            f.onlyFor(budget, field, java.util.Set.of("type", "total"), "a task budget");
            String type = f.optString(budget, "type", field).orElse("tokens");
            if (!type.equals("tokens")) {
                throw f.error(e.line(), field + ".type", "'" + type + "' is not a task budget type; the type is tokens");
            }
            Integer t = f.optInt(budget, "total", field);
            if (t == null) {
                throw f.error(e.line(), field + ".total", "a task budget needs its total of tokens");
            }
            total = t;
        } else {
            try {
                total = Long.parseLong(f.scalarText(e.value(), field).strip());
            } catch (NumberFormatException ex) {
                throw f.error(e.line(), field, "a task budget is a number of tokens or {type: tokens, total: N}");
            }
        }
        if (total < 1 || total > Integer.MAX_VALUE) {
            throw f.error(e.line(), field, "a task budget is at least 1 token, got " + total);
        }
        if (api != ApiType.ANTHROPIC) {
            f.warn(e.line() + ": " + field + ": only Anthropic's Messages API takes a task budget; this model speaks "
                    + api.configName() + ", so it is ignored");
            return config;
        }
        Map<String, JsonValue> options = new LinkedHashMap<>();
        if (config.providerOptions() != null) {
            options.putAll(config.providerOptions().members());
        }
        options.put("task_budget", JsonValue.of(total));
        return config.toBuilder().providerOptions(JsonObject.of(options)).build();
    }

    /**
     * {@code auth: {type: workload_identity_federation, workload_identity_federation: {...}}} (the model's, else its
     * provider's): Anthropic models authenticate by the federation instead of their key, through the provider option
     * {@code workload_identity_federation}. Checked here so a malformed rule is a located error at load.
     */
    private ModelConfig auth(ModelConfig config, ApiType api, MapNode m, MapNode p, String path, String providerPath) {
        boolean own = m.entries().containsKey("auth");
        Entry e = own ? m.entries().get("auth") : p.entries().get("auth");
        String field = (own ? path : providerPath) + ".auth";
        MapNode auth = f.map(e.value(), field);
        String type = f.requiredString(auth, "type", field);
        if (!type.equals("workload_identity_federation")) {
            throw f.error(auth.entries().get("type").line(), field + ".type", "'" + type + "' is not an "
                    + "authentication type; the type is workload_identity_federation");
        }
        Entry wif = auth.entries().get("workload_identity_federation");
        String wp = field + ".workload_identity_federation";
        if (wif == null) {
            throw f.error(auth.line(), wp, "type workload_identity_federation needs its workload_identity_federation "
                    + "settings (federation_rule_id, organization_id, identity_token)");
        }
        MapNode w = f.map(wif.value(), wp);
        f.onlyFor(w, wp, java.util.Set.of("federation_rule_id", "organization_id", "service_account_id",
                "workspace_id", "identity_token"), "workload identity federation");
        requirePrefix(w, wp, "federation_rule_id", "fdrl_", true);
        f.requiredString(w, "organization_id", wp);
        requirePrefix(w, wp, "service_account_id", "svac_", false);
        Entry token = w.entries().get("identity_token");
        String tp = wp + ".identity_token";
        if (token == null) {
            throw f.error(w.line(), tp, "workload identity federation needs an identity_token source: file, env, "
                    + "command or url");
        }
        MapNode t = f.map(token.value(), tp);
        f.onlyFor(t, tp, java.util.Set.of("file", "env", "command", "url", "headers", "response_field"),
                "an identity token source");
        List<String> sources = java.util.stream.Stream.of("file", "env", "command", "url")
                .filter(t.entries()::containsKey).toList();
        if (sources.size() != 1) {
            throw f.error(token.line(), tp, "an identity token comes from exactly one of file, env, command or url; "
                    + (sources.isEmpty() ? "none is given" : "this one gives " + sources));
        }
        if (!sources.get(0).equals("url")) {
            for (String urlOnly : List.of("headers", "response_field")) {
                if (t.entries().containsKey(urlOnly)) {
                    throw f.error(t.entries().get(urlOnly).line(), tp + "." + urlOnly, urlOnly + " goes with url only");
                }
            }
        }
        if (sources.get(0).equals("command") && f.strings(t, "command", tp).isEmpty()) {
            throw f.error(t.entries().get("command").line(), tp + ".command", "the command is a non-empty list");
        }
        if (api != ApiType.ANTHROPIC) {
            f.warn(e.line() + ": " + field + ": workload identity federation is Anthropic's; this model speaks "
                    + api.configName() + ", so its key variable is used");
            return config;
        }
        Map<String, JsonValue> options = new LinkedHashMap<>();
        if (config.providerOptions() != null) {
            options.putAll(config.providerOptions().members());
        }
        options.put("workload_identity_federation", YamlTree.json(w));
        return config.toBuilder().providerOptions(JsonObject.of(options)).build();
    }

    private void requirePrefix(MapNode m, String path, String key, String prefix, boolean required) {
        String value = required ? f.requiredString(m, key, path) : f.optString(m, key, path).orElse(null);
        if (value != null && !value.startsWith(prefix)) {
            throw f.error(m.entries().get(key).line(), path + "." + key, "'" + value + "' must start with '" + prefix
                    + "'");
        }
    }

    private static ApiType defaultApi(String provider) {
        return switch (provider) {
            case "anthropic" -> ApiType.ANTHROPIC;
            case "google" -> ApiType.GEMINI;
            default -> ApiType.OPENAI_COMPATIBLE;
        };
    }

    private ModelCapabilities capabilities(MapNode m, String path) {
        Entry c = m.entries().get("capabilities");
        Entry out = m.entries().get("output_capabilities");
        Boolean image = null;
        Boolean pdf = null;
        Boolean imageOut = null;
        if (c != null) {
            MapNode cm = f.map(c.value(), path + ".capabilities");
            image = f.optBool(cm, "image", path + ".capabilities").orElse(null);
            pdf = f.optBool(cm, "pdf", path + ".capabilities").orElse(null);
        }
        if (out != null && out.value() instanceof MapNode om) {
            imageOut = f.optBool(om, "image", path + ".output_capabilities").orElse(null);
        }
        return c == null && out == null ? null : new ModelCapabilities(image, pdf, null, null, imageOut);
    }

    /** A string map kept as written ({@code ${VAR}} references are expanded by the model at its first call). */
    private Map<String, String> rawMap(MapNode m, String path, String key) {
        if (m == null || m.entries().get(key) == null) {
            return Map.of();
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Entry v : f.map(m.entries().get(key).value(), path + "." + key).entries().values()) {
            out.put(v.key(), f.rawText(v.value(), path + "." + key + "." + v.key()));
        }
        return out;
    }

    private List<ModelSpec.Route> routing(MapNode m, String path) {
        Entry r = m.entries().get("routing");
        if (r == null) {
            return List.of();
        }
        ListNode l = f.list(r.value(), path + ".routing");
        List<ModelSpec.Route> routes = new ArrayList<>();
        for (int i = 0; i < l.items().size(); i++) {
            String rp = path + ".routing[" + i + "]";
            MapNode rule = f.map(l.items().get(i), rp);
            Entry target = rule.entries().get("model");
            if (target == null) {
                throw f.error(rule.line(), rp + ".model", "missing required field 'model'");
            }
            ModelDefinition to = definition(f.scalarText(target.value(), rp + ".model"), target.line(), rp + ".model", false);
            try {
                routes.add(new ModelSpec.Route(to.spec(), f.strings(rule, "examples", rp)));
            } catch (IllegalArgumentException ex) {
                throw f.error(rule.line(), rp, ex.getMessage());
            }
        }
        return routes;
    }

    ModelPrice price(MapNode m, String path) {
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

    private void checkKey(ModelDefinition def, int line, String field) {
        String key = keyVariable(def);
        if (!(def.spec() instanceof ModelConfig)) {
            return; // a combination's members are checked when it is resolved (first_available skips unset keys)
        }
        boolean federated = def.config().providerOptions() != null
                && def.config().providerOptions().get("workload_identity_federation").isPresent();
        if (f.options().checkKeys() && key != null && !federated && !isSet(key, def.config())) {
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

    /** Set in the load's environment, or given by the model's own {@code env} (a v0/v1 file). */
    private boolean isSet(String variable, ModelConfig config) {
        String own = config.env().get(variable);
        if (own != null) {
            Matcher ref = SINGLE_VAR.matcher(own.strip());
            return !ref.matches() || isSet(ref.group(1) != null ? ref.group(1) : ref.group(2), ModelConfig.of("x", "y"));
        }
        String v = f.variable(variable);
        return v != null && !v.isBlank();
    }

    private void checkProvider(Entry e) {
        String path = "providers." + e.key();
        f.map(e.value(), path);
    }

    /** The {@code models} entry called {@code name}, or null. */
    MapNode modelNode(String name) {
        Entry e = models.get(name);
        return e == null ? null : f.map(e.value(), "models." + name);
    }

    /** The {@code providers} entry called {@code provider}, or null. */
    MapNode providerNode(String provider) {
        Entry e = providers.get(provider);
        return e == null ? null : f.map(e.value(), "providers." + provider);
    }

    /** A field of the model, else of its provider, as written ({@code ${VAR}} expanded at the model's first call). */
    private String inheritRaw(MapNode m, String path, MapNode p, String providerPath, String key) {
        Entry e = m.entries().containsKey(key) ? m.entries().get(key) : p == null ? null : p.entries().get(key);
        if (e == null) {
            return null;
        }
        String where = m.entries().containsKey(key) ? path : providerPath;
        return f.expand(f.rawText(e.value(), where + "." + key), e.line(), where + "." + key);
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
