package dev.keel.agents.internal;

import dev.keel.core.json.JsonArray;
import dev.keel.core.json.JsonObject;
import dev.keel.core.json.JsonString;
import dev.keel.core.json.JsonValue;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds well-known secret formats in text and replaces each with {@code [REDACTED]}, keeping the text around
 * it ({@code --token=[REDACTED]}), for {@code redact_secrets}. Every rule pairs a distinctive prefix or
 * keyword with a shape, so ordinary prose is left alone; a secret in an unknown format is not found (this is
 * defence in depth, not a vault). Redacting twice gives the same text. Stateless and thread-safe. Not API.
 */
public final class Secrets {
    /** What replaces a secret. */
    public static final String REDACTED = "[REDACTED]";

    private static final List<Pattern> RULES = List.of(
            // PEM private keys, whole block
            Pattern.compile("-----BEGIN [A-Z ]*PRIVATE KEY-----[\\s\\S]*?-----END [A-Z ]*PRIVATE KEY-----"),
            // GitHub tokens
            Pattern.compile("\\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36,255}\\b"),
            Pattern.compile("\\bgithub_pat_[A-Za-z0-9_]{22,255}\\b"),
            // GitLab, Hugging Face, Docker Hub, npm, Slack, Stripe
            Pattern.compile("\\bglpat-[A-Za-z0-9_-]{20,}\\b"),
            Pattern.compile("\\bhf_[A-Za-z0-9]{30,}\\b"),
            Pattern.compile("\\bdckr_pat_[A-Za-z0-9_-]{20,}\\b"),
            Pattern.compile("\\bnpm_[A-Za-z0-9]{36}\\b"),
            Pattern.compile("\\bxox[abposr]-[A-Za-z0-9-]{10,}\\b"),
            Pattern.compile("\\b(?:sk|pk|rk)_(?:live|test)_[A-Za-z0-9]{16,}\\b"),
            // OpenAI and Anthropic API keys
            Pattern.compile("\\bsk-ant-[A-Za-z0-9_-]{20,}\\b"),
            Pattern.compile("\\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}T3BlbkFJ[A-Za-z0-9_-]{20,}\\b"),
            Pattern.compile("\\bsk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{40,}\\b"),
            // Google API keys
            Pattern.compile("\\bAIza[0-9A-Za-z_-]{35}\\b"),
            // AWS access key ids, and secret keys next to their name
            Pattern.compile("\\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}\\b"),
            Pattern.compile("(?i)(?<=aws_secret_access_key[\"']?\\s{0,3}[:=]\\s{0,3}[\"']?)[A-Za-z0-9/+=]{40}"),
            // JSON web tokens
            Pattern.compile("\\beyJ[A-Za-z0-9_-]{8,}\\.eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}\\b"));

    private Secrets() {}

    /** {@code text} with every detected secret replaced by {@link #REDACTED}. */
    public static String redact(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String out = text;
        for (Pattern rule : RULES) {
            Matcher m = rule.matcher(out);
            if (m.find()) {
                out = m.replaceAll(Matcher.quoteReplacement(REDACTED));
            }
        }
        return out;
    }

    /** Whether {@code text} holds a detected secret. */
    public static boolean contains(String text) {
        return text != null && !redact(text).equals(text);
    }

    /** A JSON value with every string redacted (object keys kept). */
    public static JsonValue redact(JsonValue value) {
        if (value instanceof JsonString s) {
            String r = redact(s.value());
            return r.equals(s.value()) ? s : new JsonString(r);
        }
        if (value instanceof JsonObject o) {
            Map<String, JsonValue> out = new LinkedHashMap<>();
            o.members().forEach((k, v) -> out.put(k, redact(v)));
            return JsonObject.of(out);
        }
        if (value instanceof JsonArray a) {
            List<JsonValue> out = new ArrayList<>();
            a.items().forEach(v -> out.add(redact(v)));
            return JsonArray.of(out);
        }
        return value;
    }
}
