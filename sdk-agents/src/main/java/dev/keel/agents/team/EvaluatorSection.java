package dev.keel.agents.team;

import dev.keel.agents.internal.YamlTree.Entry;
import dev.keel.agents.internal.YamlTree.MapNode;
import dev.keel.agents.internal.judge.JudgeClient;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The top-level {@code evaluators}: each entry checked with docker-agent's rules (a model and instructions, a known
 * type, 2–255 choices for {@code choice}, 2–10 levels for {@code score}, neither for {@code boolean}, HTTP(S) URLs
 * without credentials, query or fragment) and read into an {@link Evaluator}, which {@code tool_guard} hooks run
 * ({@link HookSection}). One per load; not thread-safe.
 */
final class EvaluatorSection {
    private EvaluatorSection() {}

    static Map<String, Evaluator> read(TeamFields f, Map<String, Entry> entries, ModelSection models) {
        Map<String, Evaluator> out = new LinkedHashMap<>();
        for (Entry e : entries.values()) {
            String path = "evaluators." + e.key();
            MapNode m = f.map(e.value(), path);
            String model = f.requiredString(m, "model", path);
            String instructions = f.requiredString(m, "instructions", path);
            if (model.isBlank() || instructions.isBlank()) {
                throw f.error(m.line(), path, "needs a model and instructions");
            }
            String type = f.requiredString(m, "type", path).toLowerCase(Locale.ROOT);
            Evaluator.Kind kind = switch (type) {
                case "boolean" -> Evaluator.Kind.BOOLEAN;
                case "choice" -> Evaluator.Kind.CHOICE;
                case "score" -> Evaluator.Kind.SCORE;
                default -> throw f.error(m.entries().get("type").line(), path + ".type", "'" + type
                        + "' is not an evaluator type; use boolean, choice or score");
            };
            Map<String, String> choices = new LinkedHashMap<>();
            Entry c = m.entries().get("choices");
            if (c != null) {
                for (Entry choice : f.map(c.value(), path + ".choices").entries().values()) {
                    choices.put(choice.key(), f.scalarText(choice.value(), path + ".choices." + choice.key()));
                }
            }
            java.util.List<String> levels = f.strings(m, "levels", path);
            String problem = switch (kind) {
                case BOOLEAN -> choices.isEmpty() && levels.isEmpty() ? null
                        : "a boolean evaluator has neither choices nor levels";
                case CHOICE -> choices.size() >= 2 && choices.size() <= 255 && levels.isEmpty()
                        && choices.keySet().stream().noneMatch(String::isBlank) ? null
                        : "a choice evaluator needs 2-255 named choices and no levels";
                case SCORE -> levels.size() >= 2 && levels.size() <= 10 && choices.isEmpty()
                        && levels.stream().noneMatch(String::isBlank) ? null
                        : "a score evaluator needs 2-10 levels and no choices";
            };
            if (problem != null) {
                throw f.error(m.line(), path, problem);
            }
            String baseUrl = url(f, m, "base_url", path);
            String endpoint = url(f, m, "endpoint", path);
            java.time.Duration timeout = m.entries().containsKey("timeout")
                    ? f.goDuration(m.entries().get("timeout").value(), path + ".timeout") : null;
            if (timeout != null && timeout.isNegative()) {
                throw f.error(m.entries().get("timeout").line(), path + ".timeout", "must not be negative");
            }
            Evaluator written = new Evaluator(e.key(), f.optString(m, "provider", path).orElse(""), model, kind,
                    instructions, choices, levels, baseUrl, endpoint, f.optString(m, "token_key", path).orElse(""),
                    timeout, models.price(m, path));
            Evaluator judged = judgeService(f, written, models, path, m.line());
            if (judged == null && !endpoint.isEmpty()) {
                f.warn(m.entries().get("endpoint").line() + ": " + path + ".endpoint: only a judge service "
                        + "(provider typesafe or openai) is asked at an endpoint; this evaluator is judged by a chat "
                        + "model through its provider's API" + (baseUrl.isEmpty() ? "" : " at base_url"));
            }
            out.put(e.key(), judged != null ? judged : written);
        }
        return out;
    }

    /**
     * The evaluator with its judge service resolved as docker-agent resolves it — the evaluator's own settings win
     * over a referenced {@code models} entry's, which win over a {@code providers} entry's (whose underlying provider
     * defaults to {@code openai}) — or null when it does not end at {@code typesafe} or {@code openai}, in which case
     * Keel judges with that chat model instead (docker-agent would refuse the file).
     */
    private static Evaluator judgeService(TeamFields f, Evaluator e, ModelSection models, String path, int line) {
        String provider = e.provider();
        String model = e.model();
        String baseUrl = e.baseUrl();
        String tokenKey = e.tokenKey();
        if (provider.isEmpty()) {
            MapNode named = models.modelNode(model);
            if (named != null) {
                String np = f.optString(named, "provider", "models." + model).orElse("");
                String nm = f.optString(named, "model", "models." + model).orElse("");
                if (np.isBlank() || nm.isBlank()) {
                    return null;
                }
                baseUrl = baseUrl.isEmpty() ? f.optString(named, "base_url", "models." + model).orElse("") : baseUrl;
                tokenKey = tokenKey.isEmpty() ? f.optString(named, "token_key", "models." + model).orElse("") : tokenKey;
                provider = np;
                model = nm;
            } else {
                int slash = model.indexOf('/');
                if (slash <= 0 || slash == model.length() - 1) {
                    return null;
                }
                provider = model.substring(0, slash);
                model = model.substring(slash + 1);
            }
        }
        MapNode p = models.providerNode(provider);
        if (p != null) {
            String pp = "providers." + provider;
            baseUrl = baseUrl.isEmpty() ? f.optString(p, "base_url", pp).orElse("") : baseUrl;
            tokenKey = tokenKey.isEmpty() ? f.optString(p, "token_key", pp).orElse("") : tokenKey;
            provider = f.optString(p, "provider", pp).orElse("openai");
        }
        JudgeClient.Backend backend = JudgeClient.Backend.of(provider);
        if (backend == null) {
            return null;
        }
        Evaluator resolved = new Evaluator(e.name(), provider.toLowerCase(Locale.ROOT), model, e.kind(),
                e.instructions(), e.choices(), e.levels(), baseUrl, e.endpoint(), tokenKey, e.timeout(), e.price());
        try {
            JudgeClient.endpoint(resolved);
        } catch (IllegalArgumentException ex) {
            throw f.error(line, path, ex.getMessage());
        }
        return resolved;
    }

    private static String url(TeamFields f, MapNode m, String key, String path) {
        String v = f.optString(m, key, path).orElse("");
        if (v.isEmpty()) {
            return v;
        }
        try {
            java.net.URI u = new java.net.URI(v);
            if ((!"http".equals(u.getScheme()) && !"https".equals(u.getScheme())) || u.getHost() == null
                    || u.getUserInfo() != null || u.getQuery() != null || u.getFragment() != null) {
                throw new java.net.URISyntaxException(v, "not a plain HTTP(S) URL");
            }
        } catch (java.net.URISyntaxException ex) {
            throw f.error(m.entries().get(key).line(), path + "." + key,
                    "must be an HTTP(S) URL without credentials, query or fragment");
        }
        return v;
    }
}
