package dev.keel.core.json;

/**
 * A JSON {@code true} or {@code false}.
 *
 * @param value the boolean
 */
public record JsonBoolean(boolean value) implements JsonValue {
    /** {@code true}. */
    public static final JsonBoolean TRUE = new JsonBoolean(true);
    /** {@code false}. */
    public static final JsonBoolean FALSE = new JsonBoolean(false);

    /**
     * {@link #TRUE} or {@link #FALSE}.
     *
     * @param value the value
     * @return {@link #TRUE} or {@link #FALSE}
     */
    public static JsonBoolean of(boolean value) {
        return value ? TRUE : FALSE;
    }

    @Override
    public String toJson() {
        return value ? "true" : "false";
    }

    /** The JSON text. */
    @Override
    public String toString() {
        return toJson();
    }
}
