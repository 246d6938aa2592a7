package dev.keel.agents.tool;

import dev.keel.core.internal.json.JsonBinder;
import dev.keel.core.json.JsonArray;
import dev.keel.core.json.JsonBoolean;
import dev.keel.core.json.JsonNumber;
import dev.keel.core.json.JsonObject;
import dev.keel.core.json.JsonParseException;
import dev.keel.core.json.JsonString;
import dev.keel.core.json.JsonValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The arguments of one tool call: the model's JSON object with typed getters whose errors name the
 * argument, binding to a record or class, and the raw JSON text.
 *
 * <pre>{@code
 * Tool weather = Tool.of(spec, (args, ctx) -> {
 *     String city = args.string("city");              // required: a missing or non-string city is an error
 *     long days = args.integer("days", 1);            // optional with a fallback
 *     Query q = args.as(Query.class);                 // or bind the whole object to a record
 *     return ToolResult.ok(forecast(city, days));
 * });
 * }</pre>
 *
 * <p>A JSON {@code null} counts as absent. Getters are strict about types (a number sent as a string is an
 * error the model can fix), except that {@link #strings} accepts one string for a list of one. Every failure
 * is a {@link ToolArgumentException}, which the runner shows to the model. Immutable and thread-safe.
 */
public final class ToolArguments {
    private final JsonObject value;
    private final String json;

    private ToolArguments(JsonObject value, String json) {
        this.value = value;
        this.json = json;
    }

    /**
     * Arguments holding {@code value}.
     *
     * @param value the value
     * @return arguments holding {@code value}
     */
    public static ToolArguments of(JsonObject value) {
        Objects.requireNonNull(value, "value");
        return new ToolArguments(value, value.toJson());
    }

    /**
     * Parses the model's JSON text, which must be an object; blank text is the empty object.
     *
     * @param json the json
     * @return the parsed value
     * @throws ToolArgumentException when the text is not a JSON object, saying what is wrong
     */
    public static ToolArguments parse(String json) {
        if (json == null || json.isBlank()) {
            return new ToolArguments(JsonObject.of(), "{}");
        }
        JsonValue parsed;
        try {
            parsed = JsonValue.parse(json);
        } catch (JsonParseException e) {
            throw new ToolArgumentException("", "the arguments are not valid JSON: " + e.getMessage(), e);
        }
        if (!(parsed instanceof JsonObject object)) {
            throw new ToolArgumentException("", "the arguments must be a JSON object, got " + parsed.typeName());
        }
        return new ToolArguments(object, json);
    }

    /**
     * The JSON text as the model wrote it (or as written from {@link #of}).
     *
     * @return the JSON text as the model wrote it (or as written from {@link #of})
     */
    public String json() {
        return json;
    }

    /**
     * The arguments as a JSON object.
     *
     * @return the arguments as a JSON object
     */
    public JsonObject value() {
        return value;
    }

    /**
     * Names of the arguments given, in the model's order.
     *
     * @return names of the arguments given, in the model's order
     */
    public Set<String> names() {
        return value.names();
    }

    /**
     * Whether {@code name} was given with a non-null value.
     *
     * @param name the argument's name
     * @return whether {@code name} was given with a non-null value
     */
    public boolean has(String name) {
        return value(name).isPresent();
    }

    /**
     * The value of {@code name}, empty when absent or {@code null}.
     *
     * @param name the argument's name
     * @return the value of {@code name}, empty when absent or {@code null}
     */
    public Optional<JsonValue> value(String name) {
        return value.get(name).filter(v -> !v.isNull());
    }

    /**
     * A required string.
     *
     * @param name the argument's name
     * @return a required string
     */
    public String string(String name) {
        return typed(require(name), JsonString.class, name, "a string").value();
    }

    /**
     * An optional string, {@code fallback} when absent.
     *
     * @param name the argument's name
     * @param fallback the value when the argument is absent
     * @return an optional string, {@code fallback} when absent
     */
    public String string(String name, String fallback) {
        return optionalString(name).orElse(fallback);
    }

    /**
     * An optional string.
     *
     * @param name the argument's name
     * @return an optional string
     */
    public Optional<String> optionalString(String name) {
        return value(name).map(v -> typed(v, JsonString.class, name, "a string").value());
    }

    /**
     * A required integer (a number without fraction, {@code 3.0} included, that fits a {@code long}).
     *
     * @param name the argument's name
     * @return a required integer (a number without fraction, {@code 3.0} included, that fits a {@code long})
     */
    public long integer(String name) {
        return toLong(require(name), name);
    }

    /**
     * An optional integer, {@code fallback} when absent.
     *
     * @param name the argument's name
     * @param fallback the value when the argument is absent
     * @return an optional integer, {@code fallback} when absent
     */
    public long integer(String name, long fallback) {
        return value(name).map(v -> toLong(v, name)).orElse(fallback);
    }

    /**
     * A required number.
     *
     * @param name the argument's name
     * @return a required number
     */
    public double number(String name) {
        return typed(require(name), JsonNumber.class, name, "a number").doubleValue();
    }

    /**
     * An optional number, {@code fallback} when absent.
     *
     * @param name the argument's name
     * @param fallback the value when the argument is absent
     * @return an optional number, {@code fallback} when absent
     */
    public double number(String name, double fallback) {
        return value(name).map(v -> typed(v, JsonNumber.class, name, "a number").doubleValue()).orElse(fallback);
    }

    /**
     * A required boolean.
     *
     * @param name the argument's name
     * @return a required boolean
     */
    public boolean bool(String name) {
        return typed(require(name), JsonBoolean.class, name, "a boolean").value();
    }

    /**
     * An optional boolean, {@code fallback} when absent.
     *
     * @param name the argument's name
     * @param fallback the value when the argument is absent
     * @return an optional boolean, {@code fallback} when absent
     */
    public boolean bool(String name, boolean fallback) {
        return value(name).map(v -> typed(v, JsonBoolean.class, name, "a boolean").value()).orElse(fallback);
    }

    /**
     * A required array of strings; a single string is taken as a list of one.
     *
     * @param name the argument's name
     * @return a required array of strings; a single string is taken as a list of one
     */
    public List<String> strings(String name) {
        return toStrings(require(name), name);
    }

    /**
     * An optional array of strings, {@code fallback} when absent; a single string is a list of one.
     *
     * @param name the argument's name
     * @param fallback the value when the argument is absent
     * @return an optional array of strings, {@code fallback} when absent; a single string is a list of one
     */
    public List<String> strings(String name, List<String> fallback) {
        return value(name).map(v -> toStrings(v, name)).orElse(fallback);
    }

    /**
     * A required array.
     *
     * @param name the argument's name
     * @return a required array
     */
    public List<JsonValue> list(String name) {
        return typed(require(name), JsonArray.class, name, "an array").items();
    }

    /**
     * A required object.
     *
     * @param name the argument's name
     * @return a required object
     */
    public JsonObject object(String name) {
        return typed(require(name), JsonObject.class, name, "an object");
    }

    /**
     * Binds the whole object to {@code type}: a record (components by name) or a class with a public
     * no-argument constructor and setters or public fields; nested records, enums, lists, maps and
     * {@code Optional} components work. The type must be public and its package exported or opened to
     * {@code dev.keel.core} (any class-path package is).
     *
     * @param type the record or class to create
     * @param <T>  its type
     * @return a new instance holding the arguments
     * @throws ToolArgumentException naming the first argument that does not fit
     */
    public <T> T as(Class<T> type) {
        try {
            return JsonBinder.bind(value, type);
        } catch (JsonBinder.BindingException e) {
            String argument = e.path();
            String message = argument.isEmpty() ? "the arguments " + e.problem() : "argument '" + argument + "' " + e.problem();
            throw new ToolArgumentException(argument, message, e);
        }
    }

    private JsonValue require(String name) {
        return value(name).orElseThrow(() -> new ToolArgumentException(name, "argument '" + name + "' is required"));
    }

    private static <T extends JsonValue> T typed(JsonValue v, Class<T> type, String name, String expected) {
        if (type.isInstance(v)) {
            return type.cast(v);
        }
        throw new ToolArgumentException(name, "argument '" + name + "' must be " + expected + ", got " + JsonBinder.show(v));
    }

    private static long toLong(JsonValue v, String name) {
        JsonNumber n = typed(v, JsonNumber.class, name, "an integer");
        try {
            return n.longValue();
        } catch (ArithmeticException e) {
            throw new ToolArgumentException(name, "argument '" + name + "' must be an integer, got " + n.toJson());
        }
    }

    private static List<String> toStrings(JsonValue v, String name) {
        if (v instanceof JsonString s) {
            return List.of(s.value());
        }
        JsonArray array = typed(v, JsonArray.class, name, "an array of strings");
        List<String> out = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            if (!(array.get(i) instanceof JsonString s)) {
                throw new ToolArgumentException(name + "[" + i + "]", "argument '" + name + "[" + i
                        + "]' must be a string, got " + JsonBinder.show(array.get(i)));
            }
            out.add(s.value());
        }
        return List.copyOf(out);
    }

    /** The JSON text. */
    @Override
    public String toString() {
        return json;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ToolArguments other && value.equals(other.value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }
}
