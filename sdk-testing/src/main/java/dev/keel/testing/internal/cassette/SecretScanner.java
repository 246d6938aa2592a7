package dev.keel.testing.internal.cassette;

import dev.keel.testing.internal.WireJson;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/** Looks for secrets left in interactions after redaction. Thread-safe. */
public final class SecretScanner {
    /** Env var values shorter than this are not scanned for: they would match by accident. */
    public static final int MIN_SECRET_LENGTH = 8;

    /** The built-in key shapes, most specific first. */
    public static Map<String, Pattern> defaultShapes() {
        Map<String, Pattern> m = new LinkedHashMap<>();
        m.put("Anthropic-style key (sk-ant-...)", Pattern.compile("sk-ant-[A-Za-z0-9_-]{16,}"));
        m.put("OpenAI-style key (sk-...)", Pattern.compile("sk-[A-Za-z0-9_-]{16,}"));
        m.put("GitHub token (ghp_/gho_/ghu_/ghs_/ghr_...)", Pattern.compile("gh[pousr]_[A-Za-z0-9]{20,}"));
        m.put("GitHub fine-grained token (github_pat_...)", Pattern.compile("github_pat_[A-Za-z0-9_]{20,}"));
        m.put("AWS access key id (AKIA...)", Pattern.compile("(?:AKIA|ASIA)[0-9A-Z]{16}"));
        m.put("Google API key (AIza...)", Pattern.compile("AIza[0-9A-Za-z_-]{35}"));
        m.put("Slack token (xox...)", Pattern.compile("xox[abprs]-[A-Za-z0-9-]{10,}"));
        m.put("bearer token", Pattern.compile("(?i)bearer\\s+[A-Za-z0-9._~+/-]{16,}=*"));
        m.put("private key block", Pattern.compile("-----BEGIN [A-Z ]*PRIVATE KEY-----"));
        return m;
    }

    /** Where a secret was found. */
    public record Finding(int interactionIndex, String location, String rule) {}

    private final Rules rules;

    public SecretScanner(Rules rules) {
        this.rules = rules;
    }

    /** {@code text} with every key shape and key env var value replaced by {@code <SECRET>}, for messages. */
    public String mask(String text) {
        String out = text;
        for (List<String> forms : envSecrets().values()) {
            for (String form : forms) {
                out = out.replace(form, "<SECRET>");
            }
        }
        for (Pattern shape : rules.secretShapes().values()) {
            out = shape.matcher(out).replaceAll("<SECRET>");
        }
        return out;
    }

    /** The first secret in {@code interactions}, if any. */
    public Optional<Finding> scan(List<Interaction> interactions) {
        Map<String, List<String>> envSecrets = envSecrets();
        for (int i = 0; i < interactions.size(); i++) {
            Interaction in = interactions.get(i);
            Optional<String> rule;
            if ((rule = check(in.request().url(), envSecrets)).isPresent()
                    || (rule = check(decoded(in.request().url()), envSecrets)).isPresent()) {
                return Optional.of(new Finding(i, "request url", rule.get()));
            }
            for (Header h : in.request().headers()) {
                if ((rule = check(h.name() + ": " + h.value(), envSecrets)).isPresent()) {
                    return Optional.of(new Finding(i, "request header '" + h.name() + "'", rule.get()));
                }
            }
            if ((rule = check(in.request().body().text(), envSecrets)).isPresent()) {
                return Optional.of(new Finding(i, "request body", rule.get()));
            }
            if ((rule = check(in.response().message(), envSecrets)).isPresent()) {
                return Optional.of(new Finding(i, "response status message", rule.get()));
            }
            for (Header h : in.response().headers()) {
                if ((rule = check(h.name() + ": " + h.value(), envSecrets)).isPresent()) {
                    return Optional.of(new Finding(i, "response header '" + h.name() + "'", rule.get()));
                }
            }
            if (in.response().body() instanceof StoredBody.Events ev) {
                for (int e = 0; e < ev.events().size(); e++) {
                    if ((rule = check(ev.events().get(e).wireText(), envSecrets)).isPresent()) {
                        return Optional.of(new Finding(i, "response body (event #" + e + ")", rule.get()));
                    }
                }
            } else if ((rule = check(in.response().body().text(), envSecrets)).isPresent()) {
                return Optional.of(new Finding(i, "response body", rule.get()));
            }
        }
        return Optional.empty();
    }

    /** The current values of the key env vars (raw, JSON-escaped and URL-encoded), by variable name. */
    private Map<String, List<String>> envSecrets() {
        Map<String, List<String>> envSecrets = new LinkedHashMap<>();
        for (String name : rules.keyEnvVars()) {
            String v = rules.environment().apply(name);
            if (v != null && v.strip().length() >= MIN_SECRET_LENGTH) {
                String s = v.strip();
                String json = WireJson.write(s);
                envSecrets.put(name, List.of(s, json.substring(1, json.length() - 1),
                        URLEncoder.encode(s, StandardCharsets.UTF_8)));
            }
        }
        return envSecrets;
    }

    /** The URL with percent-escapes decoded, so an encoded secret is seen too. */
    private static String decoded(String url) {
        try {
            return URLDecoder.decode(url, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return "";
        }
    }

    private Optional<String> check(String text, Map<String, List<String>> envSecrets) {
        if (text.isEmpty()) {
            return Optional.empty();
        }
        for (Map.Entry<String, List<String>> e : envSecrets.entrySet()) {
            for (String form : e.getValue()) {
                if (text.contains(form)) {
                    return Optional.of("the value of env var " + e.getKey());
                }
            }
        }
        for (Map.Entry<String, Pattern> shape : rules.secretShapes().entrySet()) {
            if (shape.getValue().matcher(text).find()) {
                return Optional.of("has the shape of a " + shape.getKey());
            }
        }
        return Optional.empty();
    }
}
