package dev.keel.core.json;

/** JSON {@code null}. Use {@link #INSTANCE}; every instance is equal to every other. */
public record JsonNull() implements JsonValue {
    /** The null value. */
    public static final JsonNull INSTANCE = new JsonNull();

    @Override
    public String toJson() {
        return "null";
    }

    /** {@code null}. */
    @Override
    public String toString() {
        return "null";
    }
}
