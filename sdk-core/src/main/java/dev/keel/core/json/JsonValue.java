package dev.keel.core.json;

import dev.keel.core.internal.json.JsonText;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * An immutable JSON value: Keel's own small model of JSON, so that no JSON library appears in Keel's API
 * (tool arguments, session state, schemas, recorded requests). The hierarchy is closed: a value is a
 * {@link JsonObject}, {@link JsonArray}, {@link JsonString}, {@link JsonNumber}, {@link JsonBoolean} or
 * {@link JsonNull}, all records.
 *
 * <pre>{@code
 * JsonValue v = JsonValue.parse("{\"city\":\"Oslo\",\"days\":3}");
 * if (v instanceof JsonObject o) {
 *     String city = o.get("city").flatMap(JsonValue::asString).orElse("?");
 * }
 * JsonObject built = JsonObject.builder().put("city", "Oslo").put("days", 3).build();
 * String text = built.toJson();                                   // {"city":"Oslo","days":3}
 * }</pre>
 *
 * <p>{@code toString()} of every value is its compact JSON text. Values are thread-safe.
 */
public sealed interface JsonValue permits JsonObject, JsonArray, JsonString, JsonNumber, JsonBoolean, JsonNull {

    /**
     * Parses one JSON text (RFC 8259). Duplicate member names are refused, so that no two readers of the same
     * text can see different values.
     *
     * @param text the text
     * @return the parsed value
     * @throws JsonParseException when the text is empty, not JSON, or has something after the value; the
     *                            message says where it broke
     */
    static JsonValue parse(String text) {
        return JsonText.parse(text);
    }

    /**
     * Converts a plain Java value: {@code null} → {@link JsonNull}; a {@code JsonValue} → itself; a
     * {@link CharSequence}, {@link Character} or enum constant → {@link JsonString} (the constant's name);
     * {@link Boolean} → {@link JsonBoolean}; a {@link Number} → {@link JsonNumber} (finite); a {@link java.util.Map}
     * with string keys → {@link JsonObject}
     * (in the map's order for a {@code LinkedHashMap} or {@code SortedMap}, otherwise sorted by key so the text is
     * the same on every run); an {@link Iterable} or array →
     * {@link JsonArray}; an {@link Optional} → its value or {@code null}; a record → an object of its components.
     *
     * @param value the value
     * @return the converted value
     * @throws IllegalArgumentException for any other type, naming it
     */
    static JsonValue of(Object value) {
        return JsonText.fromJava(value);
    }

    /**
     * The compact JSON text of this value.
     *
     * @return the compact JSON text of this value
     */
    String toJson();

    /**
     * The string, when this is a {@link JsonString}.
     *
     * @return the string, when this is a {@link JsonString}
     */
    default Optional<String> asString() {
        return this instanceof JsonString s ? Optional.of(s.value()) : Optional.empty();
    }

    /**
     * The number as a {@code long}, when this is a {@link JsonNumber} with an integral value that fits.
     *
     * @return the number as a {@code long}, when this is a {@link JsonNumber} with an integral value that fits
     */
    default OptionalLong asLong() {
        if (this instanceof JsonNumber n) {
            try {
                return OptionalLong.of(n.value().longValueExact());
            } catch (ArithmeticException e) {
                return OptionalLong.empty();
            }
        }
        return OptionalLong.empty();
    }

    /**
     * The number as a {@code double}, when this is a {@link JsonNumber}.
     *
     * @return the number as a {@code double}, when this is a {@link JsonNumber}
     */
    default OptionalDouble asDouble() {
        return this instanceof JsonNumber n ? OptionalDouble.of(n.value().doubleValue()) : OptionalDouble.empty();
    }

    /**
     * The boolean, when this is a {@link JsonBoolean}.
     *
     * @return the boolean, when this is a {@link JsonBoolean}
     */
    default Optional<Boolean> asBoolean() {
        return this instanceof JsonBoolean b ? Optional.of(b.value()) : Optional.empty();
    }

    /**
     * This value, when it is a {@link JsonObject}.
     *
     * @return this value, when it is a {@link JsonObject}
     */
    default Optional<JsonObject> asObject() {
        return this instanceof JsonObject o ? Optional.of(o) : Optional.empty();
    }

    /**
     * This value, when it is a {@link JsonArray}.
     *
     * @return this value, when it is a {@link JsonArray}
     */
    default Optional<JsonArray> asArray() {
        return this instanceof JsonArray a ? Optional.of(a) : Optional.empty();
    }

    /**
     * The value at a JSON Pointer (RFC 6901) such as {@code /properties/city/type} or {@code /items/0};
     * {@code ""} is this value. Empty when there is nothing there.
     *
     * @param pointer the pointer
     * @return the value at a JSON Pointer (RFC 6901) such as {@code /properties/city/type} or {@code /items/0}; {@code ""} is this value
     * @throws IllegalArgumentException when {@code pointer} is neither empty nor starts with {@code /}
     */
    default Optional<JsonValue> at(String pointer) {
        if (pointer.isEmpty()) {
            return Optional.of(this);
        }
        if (!pointer.startsWith("/")) {
            throw new IllegalArgumentException("a JSON Pointer starts with '/': " + pointer);
        }
        JsonValue current = this;
        for (String raw : pointer.substring(1).split("/", -1)) {
            String token = raw.replace("~1", "/").replace("~0", "~");
            if (current instanceof JsonObject o) {
                current = o.members().get(token);
            } else if (current instanceof JsonArray a && token.matches("0|[1-9][0-9]{0,8}")
                    && Integer.parseInt(token) < a.size()) {
                current = a.get(Integer.parseInt(token));
            } else {
                current = null;
            }
            if (current == null) {
                return Optional.empty();
            }
        }
        return Optional.of(current);
    }

    /**
     * Whether this is {@link JsonNull}.
     *
     * @return whether this is {@link JsonNull}
     */
    default boolean isNull() {
        return this instanceof JsonNull;
    }

    /**
     * The JSON type name: {@code object}, {@code array}, {@code string}, {@code number}, {@code boolean} or {@code null}.
     *
     * @return the JSON type name: {@code object}, {@code array}, {@code string}, {@code number}, {@code boolean} or {@code null}
     */
    default String typeName() {
        if (this instanceof JsonObject) {
            return "object";
        } else if (this instanceof JsonArray) {
            return "array";
        } else if (this instanceof JsonString) {
            return "string";
        } else if (this instanceof JsonNumber) {
            return "number";
        } else if (this instanceof JsonBoolean) {
            return "boolean";
        }
        return "null";
    }
}
