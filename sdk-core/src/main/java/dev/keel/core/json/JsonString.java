package dev.keel.core.json;

import dev.keel.core.internal.json.JsonText;
import java.util.Objects;

/**
 * A JSON string.
 *
 * @param value the text, never {@code null}
 */
public record JsonString(String value) implements JsonValue {
    /**
     * Requires a value.
     *
     * @param value the text, never {@code null}
     */
    public JsonString {
        Objects.requireNonNull(value, "value");
    }

    @Override
    public String toJson() {
        return JsonText.write(this);
    }

    /** The JSON text, quoted and escaped; {@link #value()} is the raw string. */
    @Override
    public String toString() {
        return toJson();
    }
}
