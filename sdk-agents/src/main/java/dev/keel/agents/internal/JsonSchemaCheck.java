package dev.keel.agents.internal;

import dev.keel.core.json.JsonArray;
import dev.keel.core.json.JsonBoolean;
import dev.keel.core.json.JsonNull;
import dev.keel.core.json.JsonNumber;
import dev.keel.core.json.JsonObject;
import dev.keel.core.json.JsonString;
import dev.keel.core.json.JsonValue;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Checks a JSON value against a JSON Schema — the parts structured outputs use: {@code type} (one or a list),
 * {@code properties}, {@code required}, {@code additionalProperties} (a flag or a schema), {@code items},
 * {@code prefixItems}, {@code enum}, {@code const}, numeric bounds (inclusive and exclusive), {@code multipleOf},
 * string lengths and {@code pattern}, array sizes and {@code uniqueItems}, object sizes, {@code allOf},
 * {@code anyOf}, {@code oneOf}, {@code not}, and local {@code $ref}s ({@code #/definitions/…},
 * {@code #/$defs/…}). Unknown keywords (formats, annotations) are ignored, as the standard allows. Problems name
 * where they are ({@code $.items[2].price: expected a number, got "12"}). Stateless. Not API.
 */
public final class JsonSchemaCheck {
    private static final int MAX_PROBLEMS = 20;

    private final JsonObject root;
    private final List<String> problems = new ArrayList<>();

    private JsonSchemaCheck(JsonObject root) {
        this.root = root;
    }

    /** Every problem of {@code value} against {@code schema}, at most 20; empty when it conforms. */
    public static List<String> problems(JsonObject schema, JsonValue value) {
        JsonSchemaCheck check = new JsonSchemaCheck(schema);
        check.check(schema, value, "$", 0);
        return List.copyOf(check.problems);
    }

    private void problem(String path, String what) {
        if (problems.size() < MAX_PROBLEMS) {
            problems.add(path + ": " + what);
        }
    }

    private void check(JsonValue schemaValue, JsonValue value, String path, int depth) {
        if (depth > 64) {
            problem(path, "the schema nests too deeply (or refers to itself without end)");
            return;
        }
        if (schemaValue instanceof JsonBoolean b) {
            if (!b.value()) {
                problem(path, "no value is allowed here");
            }
            return;
        }
        if (!(schemaValue instanceof JsonObject schema)) {
            return;
        }
        Optional<String> ref = schema.get("$ref").flatMap(JsonValue::asString);
        if (ref.isPresent()) {
            JsonValue target = resolve(ref.get());
            if (target == null) {
                problem(path, "the schema refers to " + ref.get() + ", which it does not define");
                return;
            }
            check(target, value, path, depth + 1);
        }
        schema.get("type").ifPresent(t -> checkType(t, value, path));
        schema.get("enum").filter(JsonArray.class::isInstance).ifPresent(e -> {
            if (((JsonArray) e).items().stream().noneMatch(v -> same(v, value))) {
                problem(path, "expected one of " + e.toJson() + ", got " + show(value));
            }
        });
        schema.get("const").ifPresent(c -> {
            if (!same(c, value)) {
                problem(path, "expected " + c.toJson() + ", got " + show(value));
            }
        });
        if (value instanceof JsonNumber n) {
            numbers(schema, n.value(), path);
        }
        if (value instanceof JsonString s) {
            strings(schema, s.value(), path);
        }
        if (value instanceof JsonArray a) {
            arrays(schema, a, path, depth);
        }
        if (value instanceof JsonObject o) {
            objects(schema, o, path, depth);
        }
        combinators(schema, value, path, depth);
    }

    private void checkType(JsonValue type, JsonValue value, String path) {
        List<String> allowed = new ArrayList<>();
        if (type instanceof JsonString s) {
            allowed.add(s.value());
        } else if (type instanceof JsonArray a) {
            a.items().forEach(i -> i.asString().ifPresent(allowed::add));
        }
        if (!allowed.isEmpty() && allowed.stream().noneMatch(t -> isType(t, value))) {
            problem(path, "expected " + (allowed.size() == 1 ? article(allowed.get(0)) : "one of " + allowed) + ", got "
                    + show(value));
        }
    }

    private static String article(String type) {
        return switch (type) {
            case "object", "array", "integer" -> "an " + type;
            case "null" -> "null";
            default -> "a " + type;
        };
    }

    private static boolean isType(String type, JsonValue v) {
        return switch (type) {
            case "object" -> v instanceof JsonObject;
            case "array" -> v instanceof JsonArray;
            case "string" -> v instanceof JsonString;
            case "number" -> v instanceof JsonNumber;
            case "integer" -> v instanceof JsonNumber n && n.value().stripTrailingZeros().scale() <= 0;
            case "boolean" -> v instanceof JsonBoolean;
            case "null" -> v instanceof JsonNull;
            default -> true;
        };
    }

    private void numbers(JsonObject schema, BigDecimal n, String path) {
        bound(schema, "minimum", path).filter(b -> n.compareTo(b) < 0).ifPresent(b -> problem(path, "must be at least " + b));
        bound(schema, "maximum", path).filter(b -> n.compareTo(b) > 0).ifPresent(b -> problem(path, "must be at most " + b));
        bound(schema, "exclusiveMinimum", path).filter(b -> n.compareTo(b) <= 0)
                .ifPresent(b -> problem(path, "must be more than " + b));
        bound(schema, "exclusiveMaximum", path).filter(b -> n.compareTo(b) >= 0)
                .ifPresent(b -> problem(path, "must be less than " + b));
        bound(schema, "multipleOf", path).filter(b -> b.signum() > 0)
                .filter(b -> n.remainder(b).compareTo(BigDecimal.ZERO) != 0)
                .ifPresent(b -> problem(path, "must be a multiple of " + b));
    }

    private static Optional<BigDecimal> bound(JsonObject schema, String name, String path) {
        return schema.get(name).filter(JsonNumber.class::isInstance).map(v -> ((JsonNumber) v).value());
    }

    private void strings(JsonObject schema, String s, String path) {
        int length = s.codePointCount(0, s.length());
        count(schema, "minLength").filter(m -> length < m).ifPresent(m -> problem(path, "must be at least " + m + " characters"));
        count(schema, "maxLength").filter(m -> length > m).ifPresent(m -> problem(path, "must be at most " + m + " characters"));
        schema.get("pattern").flatMap(JsonValue::asString).ifPresent(p -> {
            try {
                if (!Pattern.compile(p).matcher(s).find()) {
                    problem(path, "must match the pattern " + p);
                }
            } catch (PatternSyntaxException e) {
                problem(path, "the schema's pattern " + p + " is not a regular expression");
            }
        });
    }

    private void arrays(JsonObject schema, JsonArray a, String path, int depth) {
        count(schema, "minItems").filter(m -> a.size() < m).ifPresent(m -> problem(path, "must have at least " + m + " items"));
        count(schema, "maxItems").filter(m -> a.size() > m).ifPresent(m -> problem(path, "must have at most " + m + " items"));
        if (schema.get("uniqueItems").map(v -> v.equals(JsonBoolean.TRUE)).orElse(false)) {
            Set<String> seen = new HashSet<>();
            for (JsonValue item : a.items()) {
                if (!seen.add(canonical(item))) {
                    problem(path, "items must be unique, " + show(item) + " repeats");
                    break;
                }
            }
        }
        int prefix = 0;
        Optional<JsonValue> prefixItems = schema.get("prefixItems").filter(JsonArray.class::isInstance);
        if (prefixItems.isPresent()) {
            List<JsonValue> schemas = ((JsonArray) prefixItems.get()).items();
            prefix = Math.min(schemas.size(), a.size());
            for (int i = 0; i < prefix; i++) {
                check(schemas.get(i), a.get(i), path + "[" + i + "]", depth + 1);
            }
        }
        Optional<JsonValue> items = schema.get("items");
        if (items.isPresent()) {
            for (int i = prefix; i < a.size(); i++) {
                check(items.get(), a.get(i), path + "[" + i + "]", depth + 1);
            }
        }
    }

    private void objects(JsonObject schema, JsonObject o, String path, int depth) {
        JsonObject properties = schema.get("properties").filter(JsonObject.class::isInstance).map(JsonObject.class::cast)
                .orElse(JsonObject.of());
        schema.get("required").filter(JsonArray.class::isInstance).ifPresent(r -> {
            for (JsonValue name : ((JsonArray) r).items()) {
                name.asString().filter(n -> o.get(n).isEmpty())
                        .ifPresent(n -> problem(path, "the required property '" + n + "' is missing"));
            }
        });
        count(schema, "minProperties").filter(m -> o.size() < m).ifPresent(m -> problem(path, "must have at least " + m + " properties"));
        count(schema, "maxProperties").filter(m -> o.size() > m).ifPresent(m -> problem(path, "must have at most " + m + " properties"));
        Optional<JsonValue> additional = schema.get("additionalProperties");
        for (String name : o.names()) {
            String p = path + "." + name;
            JsonValue v = o.get(name).orElseThrow();
            Optional<JsonValue> own = properties.get(name);
            if (own.isPresent()) {
                check(own.get(), v, p, depth + 1);
            } else if (additional.isPresent()) {
                if (additional.get().equals(JsonBoolean.FALSE)) {
                    problem(path, "the property '" + name + "' is not allowed");
                } else {
                    check(additional.get(), v, p, depth + 1);
                }
            }
        }
    }

    private void combinators(JsonObject schema, JsonValue value, String path, int depth) {
        schema.get("allOf").filter(JsonArray.class::isInstance)
                .ifPresent(all -> ((JsonArray) all).items().forEach(s -> check(s, value, path, depth + 1)));
        schema.get("anyOf").filter(JsonArray.class::isInstance).ifPresent(any -> {
            if (((JsonArray) any).items().stream().noneMatch(s -> conforms(s, value))) {
                problem(path, "matches none of the allowed shapes (anyOf)");
            }
        });
        schema.get("oneOf").filter(JsonArray.class::isInstance).ifPresent(one -> {
            long matching = ((JsonArray) one).items().stream().filter(s -> conforms(s, value)).count();
            if (matching != 1) {
                problem(path, matching == 0 ? "matches none of the allowed shapes (oneOf)"
                        : "matches " + matching + " of the shapes where exactly one is allowed (oneOf)");
            }
        });
        schema.get("not").ifPresent(not -> {
            if (conforms(not, value)) {
                problem(path, "must not match the excluded shape (not)");
            }
        });
    }

    private boolean conforms(JsonValue schema, JsonValue value) {
        JsonSchemaCheck sub = new JsonSchemaCheck(root);
        sub.check(schema, value, "$", 0);
        return sub.problems.isEmpty();
    }

    private JsonValue resolve(String ref) {
        if (ref.equals("#")) {
            return root;
        }
        if (!ref.startsWith("#/")) {
            return null;
        }
        JsonValue at = root;
        for (String part : ref.substring(2).split("/")) {
            String key = part.replace("~1", "/").replace("~0", "~");
            if (!(at instanceof JsonObject o) || o.get(key).isEmpty()) {
                return null;
            }
            at = o.get(key).get();
        }
        return at;
    }

    private static Optional<Long> count(JsonObject schema, String name) {
        return schema.get(name).filter(JsonNumber.class::isInstance).map(v -> ((JsonNumber) v).value().longValue());
    }

    private static boolean same(JsonValue a, JsonValue b) {
        return canonical(a).equals(canonical(b));
    }

    /** Numbers compare by value (1 and 1.0 are the same), everything else by its JSON text. */
    private static String canonical(JsonValue v) {
        if (v instanceof JsonNumber n) {
            return n.value().stripTrailingZeros().toPlainString();
        }
        return v.toJson();
    }

    private static String show(JsonValue v) {
        String json = v.toJson();
        return json.length() > 60 ? json.substring(0, 57) + "..." : json;
    }
}
