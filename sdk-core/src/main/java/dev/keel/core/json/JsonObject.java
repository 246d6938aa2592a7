package dev.keel.core.json;

import dev.keel.core.internal.json.JsonText;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * An immutable JSON object. Members keep the order they were given in (and the order of the text they
 * were parsed from); equality ignores order, as JSON's does.
 *
 * @param members name → value; copied, no {@code null} names or values (use {@link JsonNull#INSTANCE})
 */
public record JsonObject(Map<String, JsonValue> members) implements JsonValue {
    private static final JsonObject EMPTY = new JsonObject(Map.of());

    /**
     * Copies {@code members}, keeping their order.
     *
     * @param members name → value; copied, no {@code null} names or values (use {@link JsonNull#INSTANCE})
     */
    public JsonObject {
        Objects.requireNonNull(members, "members");
        LinkedHashMap<String, JsonValue> copy = new LinkedHashMap<>();
        members.forEach((k, v) -> copy.put(Objects.requireNonNull(k, "member name"),
                Objects.requireNonNull(v, () -> "value of member '" + k + "' (use JsonNull.INSTANCE)")));
        members = Collections.unmodifiableMap(copy);
    }

    /**
     * The empty object.
     *
     * @return the empty object
     */
    public static JsonObject of() {
        return EMPTY;
    }

    /**
     * Converts a map of plain Java values; member order as in {@link JsonValue#of(Object)}.
     *
     * @param members the members
     * @return the converted value
     */
    public static JsonObject of(Map<String, ?> members) {
        return (JsonObject) JsonValue.of(Objects.requireNonNull(members, "members"));
    }

    /**
     * Parses a JSON text that must be an object.
     *
     * @param text the text
     * @return the parsed value
     * @throws JsonParseException when it is not JSON, or not an object
     */
    public static JsonObject parse(String text) {
        JsonValue v = JsonValue.parse(text);
        if (v instanceof JsonObject o) {
            return o;
        }
        throw new JsonParseException("expected a JSON object, got " + v.typeName());
    }

    /**
     * Starts an object.
     *
     * @return the builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The member called {@code name}, if present (a present {@code null} is {@link JsonNull}).
     *
     * @param name the name
     * @return the member called {@code name}, if present (a present {@code null} is {@link JsonNull})
     */
    public Optional<JsonValue> get(String name) {
        return Optional.ofNullable(members.get(name));
    }

    /**
     * Whether a member called {@code name} is present (even if its value is {@code null}).
     *
     * @param name the name
     * @return whether a member called {@code name} is present (even if its value is {@code null})
     */
    public boolean has(String name) {
        return members.containsKey(name);
    }

    /**
     * Member names, in order.
     *
     * @return member names, in order
     */
    public Set<String> names() {
        return members.keySet();
    }

    /**
     * Number of members.
     *
     * @return number of members
     */
    public int size() {
        return members.size();
    }

    /**
     * Whether there is no member.
     *
     * @return whether there is no member
     */
    public boolean isEmpty() {
        return members.isEmpty();
    }

    /**
     * A copy with {@code name} set to {@code value} (converted with {@link JsonValue#of(Object)}); replaces in place.
     *
     * @param name the name
     * @param value the value
     * @return a copy with {@code name} set to {@code value} (converted with {@link JsonValue#of(Object)}); replaces in place
     */
    public JsonObject with(String name, Object value) {
        LinkedHashMap<String, JsonValue> copy = new LinkedHashMap<>(members);
        copy.put(Objects.requireNonNull(name, "name"), JsonValue.of(value));
        return new JsonObject(copy);
    }

    /**
     * A copy without the member {@code name}.
     *
     * @param name the name
     * @return a copy without the member {@code name}
     */
    public JsonObject without(String name) {
        if (!members.containsKey(name)) {
            return this;
        }
        LinkedHashMap<String, JsonValue> copy = new LinkedHashMap<>(members);
        copy.remove(name);
        return new JsonObject(copy);
    }

    @Override
    public String toJson() {
        return JsonText.write(this);
    }

    /** The compact JSON text. */
    @Override
    public String toString() {
        return toJson();
    }

    /** Builds a {@link JsonObject} member by member. Not thread-safe; the built object is. */
    public static final class Builder {
        private final LinkedHashMap<String, JsonValue> members = new LinkedHashMap<>();

        private Builder() {}

        /**
         * Sets {@code name}; {@code value} is converted with {@link JsonValue#of(Object)}. A later put replaces.
         *
         * @param name the name
         * @param value the value
         * @return this builder
         */
        public Builder put(String name, Object value) {
            members.put(Objects.requireNonNull(name, "name"), JsonValue.of(value));
            return this;
        }

        /**
         * Sets every entry of {@code more}, in its order.
         *
         * @param more the more
         * @return this builder
         */
        public Builder putAll(Map<String, ?> more) {
            more.forEach(this::put);
            return this;
        }

        /**
         * The object built so far.
         *
         * @return the object built so far
         */
        public JsonObject build() {
            return new JsonObject(members);
        }
    }
}
