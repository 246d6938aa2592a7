package dev.keel.authz;

import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A caveat on a relationship: the name of a caveat declared in the schema and the part of its
 * context fixed at write time. Written {@code [name]} or {@code [name:{"key":value}]} after a
 * relationship. Checks whose caveat lacks context answer {@link CheckResult#CONDITIONAL}.
 *
 * @param name    the caveat name from the schema
 * @param context context values (strings, numbers, booleans, lists, maps; JSON-like), possibly empty
 */
public record Caveat(String name, Map<String, Object> context) {
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9_][a-zA-Z0-9/_|-]{0,127}");

    /**
     * Validates the name and copies the context.
     *
     * @param context context values (strings, numbers, booleans, lists, maps; JSON-like), possibly empty
     * @param name the caveat name from the schema
     */
    public Caveat {
        Objects.requireNonNull(name, "name");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("invalid caveat name '" + name + "'");
        }
        context = context == null ? Map.of() : Map.copyOf(context);
    }

    /**
     * A caveat without stored context.
     *
     * @param name the caveat's name in the schema
     * @return a caveat without stored context
     */
    public static Caveat of(String name) {
        return new Caveat(name, Map.of());
    }

    @Override
    public String toString() {
        return context.isEmpty() ? name : name + ":" + dev.keel.core.json.JsonValue.of(context).toJson();
    }
}
