package dev.keel.core.secrets;

import dev.keel.core.internal.json.Json;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Looks for secrets in text: the values of named key environment variables (as written, JSON-escaped and
 * URL-encoded), literal secrets you name, and the shapes of common keys ({@code sk-…}, {@code ghp_…},
 * {@code AKIA…}, bearer tokens, private key blocks, …).
 *
 * <pre>{@code
 * SecretScanner scanner = SecretScanner.defaults();             // the usual key variables and shapes
 * scanner.find(requestBody).ifPresent(f -> fail("secret in the request: " + f.rule()));
 * String safe = scanner.redact(toolOutput);                     // known values → <REDACTED>
 * }</pre>
 *
 * <p>A finding names the rule that matched, never the secret. Immutable and thread-safe; environment
 * variables are read when a scan runs, so a scanner made before a key is set still sees it.
 */
public final class SecretScanner {
    /** What {@link #redact} puts in place of a known secret value. */
    public static final String REDACTED = "<REDACTED>";
    /** Values shorter than this are not scanned for: they would match by accident. */
    public static final int MIN_SECRET_LENGTH = 8;
    /** Environment variables that hold keys unless told otherwise. */
    public static final List<String> DEFAULT_KEY_ENV_VARS = List.of("OPENAI_API_KEY", "ANTHROPIC_API_KEY",
            "GITHUB_TOKEN", "GH_TOKEN", "GROQ_API_KEY", "AZURE_OPENAI_API_KEY", "GEMINI_API_KEY", "GOOGLE_API_KEY",
            "MISTRAL_API_KEY", "DEEPSEEK_API_KEY", "OPENROUTER_API_KEY", "HF_TOKEN");

    private final List<String> keyEnvVars;
    private final Function<String, String> environment;
    private final Map<String, Pattern> shapes;
    private final Set<String> literals;

    private SecretScanner(Builder b) {
        keyEnvVars = List.copyOf(b.keyEnvVars);
        environment = b.environment;
        shapes = Collections.unmodifiableMap(new LinkedHashMap<>(b.shapes));
        literals = Collections.unmodifiableSet(new LinkedHashSet<>(b.literals));
    }

    /**
     * The default key variables over the process environment, and the built-in key shapes.
     *
     * @return a scanner with the default key variables over the process environment and the built-in key shapes
     */
    public static SecretScanner defaults() {
        return builder().build();
    }

    /**
     * Starts from the defaults of {@link #defaults()}.
     *
     * @return a builder holding the defaults
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The built-in key shapes by name, most specific first.
     *
     * @return the built-in key shapes by name, most specific first
     */
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

    /**
     * A secret found in text.
     *
     * @param rule what matched, for example {@code the value of env var OPENAI_API_KEY} or
     *             {@code has the shape of a GitHub token (ghp_/gho_/ghu_/ghs_/ghr_...)}; never the secret
     */
    public record Finding(String rule) {
        /**
         * Checks the rule is present.
         *
         * @param rule what matched, for example {@code the value of env var OPENAI_API_KEY} or {@code has the shape of
         *     a GitHub token (ghp_/gho_/ghu_/ghs_/ghr_...)}; never the secret
         */
        public Finding {
            Objects.requireNonNull(rule, "rule");
        }
    }

    /**
     * The first secret in {@code text}: known values first, then key shapes.
     *
     * @param text the text to look at
     * @return the first secret in {@code text}: known values first, then key shapes
     */
    public Optional<Finding> find(String text) {
        if (text == null || text.isEmpty()) {
            return Optional.empty();
        }
        for (Map.Entry<String, List<String>> e : knownValues().entrySet()) {
            for (String form : e.getValue()) {
                if (text.contains(form)) {
                    return Optional.of(new Finding(e.getKey()));
                }
            }
        }
        for (Map.Entry<String, Pattern> shape : shapes.entrySet()) {
            if (shape.getValue().matcher(text).find()) {
                return Optional.of(new Finding("has the shape of a " + shape.getKey()));
            }
        }
        return Optional.empty();
    }

    /**
     * {@code text} with every known secret value replaced by {@value #REDACTED}; key shapes are left alone.
     *
     * @param text the text to look at
     * @return {@code text} with every known secret value replaced by {@value #REDACTED}; key shapes are left alone
     */
    public String redact(String text) {
        String out = text;
        for (List<String> forms : knownValues().values()) {
            for (String form : forms) {
                out = out.replace(form, REDACTED);
            }
        }
        return out;
    }

    /**
     * {@code text} with known values and key shapes replaced by {@code <SECRET>}, for error messages.
     *
     * @param text the text to look at
     * @return {@code text} with known values and key shapes replaced by {@code <SECRET>}, for error messages
     */
    public String mask(String text) {
        String out = text;
        for (List<String> forms : knownValues().values()) {
            for (String form : forms) {
                out = out.replace(form, "<SECRET>");
            }
        }
        for (Pattern shape : shapes.values()) {
            out = shape.matcher(out).replaceAll(Matcher.quoteReplacement("<SECRET>"));
        }
        return out;
    }

    /**
     * The names of the key environment variables scanned for.
     *
     * @return the names of the key environment variables scanned for
     */
    public List<String> keyEnvVars() {
        return keyEnvVars;
    }

    /**
     * The key shapes by name.
     *
     * @return the key shapes by name
     */
    public Map<String, Pattern> shapes() {
        return shapes;
    }

    /** Rule name → the forms of each known value (env var values, named literals), read now. */
    private Map<String, List<String>> knownValues() {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (String name : keyEnvVars) {
            String v = environment.apply(name);
            if (v != null && v.strip().length() >= MIN_SECRET_LENGTH) {
                out.put("the value of env var " + name, forms(v.strip()));
            }
        }
        int n = 0;
        for (String literal : literals) {
            n++;
            out.put("secret #" + n + " named to the scanner", forms(literal));
        }
        return out;
    }

    private static List<String> forms(String s) {
        List<String> forms = new ArrayList<>(3);
        forms.add(s);
        String json = jsonEscaped(s);
        if (!json.equals(s)) {
            forms.add(json);
        }
        String url = URLEncoder.encode(s, StandardCharsets.UTF_8);
        if (!url.equals(s)) {
            forms.add(url);
        }
        return forms;
    }

    private static String jsonEscaped(String s) {
        String quoted = Json.write(s);
        return quoted.substring(1, quoted.length() - 1);
    }

    @Override
    public String toString() {
        return "SecretScanner[" + keyEnvVars.size() + " key variables, " + shapes.size() + " shapes, "
                + literals.size() + " named secrets]";
    }

    /** Builder for {@link SecretScanner}; starts from the defaults. Not thread-safe. */
    public static final class Builder {
        private final List<String> keyEnvVars = new ArrayList<>(DEFAULT_KEY_ENV_VARS);
        private Function<String, String> environment = System::getenv;
        private final Map<String, Pattern> shapes = new LinkedHashMap<>(defaultShapes());
        private final Set<String> literals = new LinkedHashSet<>();

        private Builder() {}

        /**
         * Adds environment variables whose values are secrets.
         *
         * @param names the names
         * @return this builder
         */
        public Builder keyEnvVar(String... names) {
            for (String n : names) {
                keyEnvVars.add(Objects.requireNonNull(n, "name"));
            }
            return this;
        }

        /**
         * Replaces the list of key environment variables.
         *
         * @param names the names
         * @return this builder
         */
        public Builder keyEnvVars(List<String> names) {
            keyEnvVars.clear();
            names.forEach(n -> keyEnvVars.add(Objects.requireNonNull(n, "name")));
            return this;
        }

        /**
         * How to read an environment variable (default: the process environment).
         *
         * @param environment the environment
         * @return this builder
         */
        public Builder environment(Function<String, String> environment) {
            this.environment = Objects.requireNonNull(environment, "environment");
            return this;
        }

        /**
         * Adds a key shape; {@code name} says what it is in findings.
         *
         * @param name the name
         * @param pattern the pattern
         * @return this builder
         */
        public Builder shape(String name, Pattern pattern) {
            shapes.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(pattern, "pattern"));
            return this;
        }

        /**
         * Replaces the key shapes.
         *
         * @param shapes the shapes
         * @return this builder
         */
        public Builder shapes(Map<String, Pattern> shapes) {
            this.shapes.clear();
            shapes.forEach(this::shape);
            return this;
        }

        /**
         * Adds a literal secret value (at least {@value SecretScanner#MIN_SECRET_LENGTH} characters).
         *
         * @param value the value
         * @return this builder
         */
        public Builder secret(String value) {
            Objects.requireNonNull(value, "value");
            if (value.strip().length() < MIN_SECRET_LENGTH) {
                throw new IllegalArgumentException("a named secret must have at least " + MIN_SECRET_LENGTH
                        + " characters (shorter values would match by accident)");
            }
            literals.add(value.strip());
            return this;
        }

        /**
         * The scanner.
         *
         * @return the scanner
         */
        public SecretScanner build() {
            return new SecretScanner(this);
        }
    }
}
