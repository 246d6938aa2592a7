package dev.keel.core.models;

import dev.keel.core.ModelException;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The variables one model sees: its own {@code env} entries, whose values may refer to the environment with
 * {@code ${VAR}}, in front of the registry's environment; and the expansion of {@code ${VAR}},
 * {@code ${env.VAR}} and {@code ${VAR:-default}} in header values and base URLs. Any other {@code $} stays as
 * written. Immutable; thread-safe when the environment function is.
 */
final class Variables {
    private static final Pattern REFERENCE = Pattern.compile("\\$\\{(?:env\\.)?([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");

    private final String provider;
    private final Map<String, String> own;
    private final Function<String, String> environment;

    Variables(String provider, Map<String, String> own, Function<String, String> environment) {
        this.provider = provider;
        this.own = own;
        this.environment = environment;
    }

    /** The value of {@code name}: this model's own entry (expanded against the environment) or the environment's. */
    String get(String name) {
        String mine = own.get(name);
        if (mine != null) {
            return expand(mine, environment, missing("env " + name + " of this model"));
        }
        return environment.apply(name);
    }

    /** {@code text} with every reference replaced by this model's variables. */
    String expand(String text, String purpose) {
        return expand(text, this::get, missing(purpose));
    }

    private Function<String, RuntimeException> missing(String purpose) {
        return variable -> new ModelException.MissingVariable(provider, variable, purpose);
    }

    /**
     * {@code text} with every reference replaced through {@code lookup}; an unset or empty variable without a
     * default throws what {@code missing} makes of its name.
     */
    static String expand(String text, Function<String, String> lookup, Function<String, RuntimeException> missing) {
        if (text.indexOf("${") < 0) {
            return text;
        }
        Matcher m = REFERENCE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = lookup.apply(m.group(1));
            if (value == null || value.isEmpty()) {
                if (m.group(2) == null) {
                    throw missing.apply(m.group(1));
                }
                value = m.group(2);
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** Whether {@code text} holds a reference to expand. */
    static boolean hasReference(String text) {
        return text != null && REFERENCE.matcher(text).find();
    }

    @Override
    public String toString() {
        return "Variables[" + provider + ", own=" + own.keySet() + "]";
    }
}
