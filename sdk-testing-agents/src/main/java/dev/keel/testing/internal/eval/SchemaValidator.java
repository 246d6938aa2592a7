package dev.keel.testing.internal.eval;

import dev.keel.core.json.JsonArray;
import dev.keel.core.json.JsonBoolean;
import dev.keel.core.json.JsonNull;
import dev.keel.core.json.JsonNumber;
import dev.keel.core.json.JsonObject;
import dev.keel.core.json.JsonString;
import dev.keel.core.json.JsonValue;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Validates JSON values against the subset of JSON Schema that tool and output schemas use. A schema with a
 * keyword outside the subset is refused when the validator is made, so nothing is silently half-checked.
 * Immutable and thread-safe.
 */
public final class SchemaValidator {
    private static final Set<String> CHECKED = Set.of("type", "properties", "required", "additionalProperties", "items",
            "enum", "const", "minimum", "maximum", "minLength", "maxLength", "pattern", "minItems", "maxItems");
    private static final Set<String> ANNOTATIONS = Set.of("description", "title", "default", "examples", "format",
            "$schema", "$id", "$comment");

    private final JsonObject schema;

    private SchemaValidator(JsonObject schema) {
        this.schema = schema;
    }

    /**
     * A validator for {@code schema}.
     *
     * @param schema the schema
     * @return the validator
     * @throws IllegalArgumentException naming a keyword outside the subset and where it is
     */
    public static SchemaValidator of(JsonObject schema) {
        vet(schema, "#");
        return new SchemaValidator(schema);
    }

    private static void vet(JsonObject s, String at) {
        for (String k : s.names()) {
            if (!CHECKED.contains(k) && !ANNOTATIONS.contains(k)) {
                throw new IllegalArgumentException("JSON Schema keyword '" + k + "' at " + at + " is not supported by "
                        + "this check (supported: " + CHECKED + ")");
            }
        }
        s.get("properties").ifPresent(p -> ((JsonObject) p).members()
                .forEach((name, sub) -> vet((JsonObject) sub, at + "/properties/" + name)));
        s.get("items").ifPresent(i -> vet((JsonObject) i, at + "/items"));
        s.get("additionalProperties").filter(a -> a instanceof JsonObject)
                .ifPresent(a -> vet((JsonObject) a, at + "/additionalProperties"));
    }

    /**
     * The ways {@code value} fails the schema, each with its JSON pointer.
     *
     * @param value the value
     * @return empty when valid
     */
    public List<String> validate(JsonValue value) {
        List<String> problems = new ArrayList<>();
        check(schema, value, "", problems);
        return problems;
    }

    private static void check(JsonObject s, JsonValue v, String at, List<String> out) {
        String where = at.isEmpty() ? "/" : at;
        if (s.get("type").isPresent() && !typeMatches(s.get("type").get(), v)) {
            out.add(where + ": expected " + s.get("type").get().toJson() + ", got " + v.typeName());
            return;
        }
        s.get("enum").ifPresent(e -> {
            if (!((JsonArray) e).items().contains(v)) {
                out.add(where + ": " + v.toJson() + " is not one of " + e.toJson());
            }
        });
        s.get("const").ifPresent(c -> {
            if (!c.equals(v)) {
                out.add(where + ": expected " + c.toJson());
            }
        });
        if (v instanceof JsonObject o) {
            Map<String, JsonValue> props = s.get("properties").map(p -> ((JsonObject) p).members()).orElse(Map.of());
            s.get("required").ifPresent(r -> ((JsonArray) r).items().forEach(n -> {
                String name = ((JsonString) n).value();
                if (!o.has(name)) {
                    out.add(where + ": missing required property '" + name + "'");
                }
            }));
            for (Map.Entry<String, JsonValue> m : o.members().entrySet()) {
                JsonValue sub = props.get(m.getKey());
                if (sub != null) {
                    check((JsonObject) sub, m.getValue(), at + "/" + m.getKey(), out);
                } else {
                    JsonValue extra = s.get("additionalProperties").orElse(null);
                    if (extra instanceof JsonBoolean b && !b.value()) {
                        out.add(where + ": property '" + m.getKey() + "' is not allowed");
                    } else if (extra instanceof JsonObject e) {
                        check(e, m.getValue(), at + "/" + m.getKey(), out);
                    }
                }
            }
        } else if (v instanceof JsonArray a) {
            bound(s, "minItems", a.items().size(), true, where + ": fewer items than", out);
            bound(s, "maxItems", a.items().size(), false, where + ": more items than", out);
            s.get("items").ifPresent(i -> {
                for (int k = 0; k < a.items().size(); k++) {
                    check((JsonObject) i, a.items().get(k), at + "/" + k, out);
                }
            });
        } else if (v instanceof JsonString str) {
            int len = str.value().codePointCount(0, str.value().length());
            bound(s, "minLength", len, true, where + ": shorter than", out);
            bound(s, "maxLength", len, false, where + ": longer than", out);
            s.get("pattern").ifPresent(p -> {
                if (!Pattern.compile(((JsonString) p).value()).matcher(str.value()).find()) {
                    out.add(where + ": does not match pattern " + p.toJson());
                }
            });
        } else if (v instanceof JsonNumber n) {
            BigDecimal x = new BigDecimal(n.toJson());
            s.get("minimum").ifPresent(m -> {
                if (x.compareTo(new BigDecimal(m.toJson())) < 0) {
                    out.add(where + ": below the minimum " + m.toJson());
                }
            });
            s.get("maximum").ifPresent(m -> {
                if (x.compareTo(new BigDecimal(m.toJson())) > 0) {
                    out.add(where + ": above the maximum " + m.toJson());
                }
            });
        }
    }

    private static void bound(JsonObject s, String key, int actual, boolean min, String what, List<String> out) {
        s.get(key).ifPresent(b -> {
            long limit = new BigDecimal(b.toJson()).longValue();
            if (min ? actual < limit : actual > limit) {
                out.add(what + " " + key + " " + limit);
            }
        });
    }

    private static boolean typeMatches(JsonValue type, JsonValue v) {
        if (type instanceof JsonArray types) {
            return types.items().stream().anyMatch(t -> typeMatches(t, v));
        }
        String t = ((JsonString) type).value();
        return switch (t) {
            case "object" -> v instanceof JsonObject;
            case "array" -> v instanceof JsonArray;
            case "string" -> v instanceof JsonString;
            case "boolean" -> v instanceof JsonBoolean;
            case "null" -> v instanceof JsonNull;
            case "number" -> v instanceof JsonNumber;
            case "integer" -> v instanceof JsonNumber n && new BigDecimal(n.toJson()).stripTrailingZeros().scale() <= 0;
            default -> throw new IllegalArgumentException("unknown JSON Schema type '" + t + "'");
        };
    }
}
