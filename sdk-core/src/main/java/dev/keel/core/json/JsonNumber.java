package dev.keel.core.json;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * A JSON number, kept exactly as written ({@code 1}, {@code 1.50}, {@code 1e400} all survive a round trip).
 * Two numbers are equal when their values are, whatever their scale ({@code 1.0} equals {@code 1}).
 *
 * @param value the number
 */
public record JsonNumber(BigDecimal value) implements JsonValue {
    /**
     * Requires a value.
     *
     * @param value the number
     */
    public JsonNumber {
        Objects.requireNonNull(value, "value");
    }

    /**
     * An integer.
     *
     * @param value the value
     * @return an integer
     */
    public static JsonNumber of(long value) {
        return new JsonNumber(BigDecimal.valueOf(value));
    }

    /**
     * A floating-point number, written with the shortest digits that read back as the same double.
     *
     * @param value the value
     * @return a floating-point number, written with the shortest digits that read back as the same double
     * @throws IllegalArgumentException for NaN and infinities, which JSON cannot express
     */
    public static JsonNumber of(double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("JSON has no number for " + value);
        }
        return new JsonNumber(new BigDecimal(Double.toString(value)));
    }

    /**
     * Any decimal.
     *
     * @param value the value
     * @return any decimal
     */
    public static JsonNumber of(BigDecimal value) {
        return new JsonNumber(value);
    }

    /**
     * Whether the value has no fractional part ({@code 3}, {@code 3.0}, {@code 3e2}).
     *
     * @return whether the value has no fractional part ({@code 3}, {@code 3.0}, {@code 3e2})
     */
    public boolean isIntegral() {
        return value.signum() == 0 || value.stripTrailingZeros().scale() <= 0;
    }

    /**
     * The value as a {@code long}.
     *
     * @return the value as a {@code long}
     * @throws ArithmeticException when it has a fractional part or does not fit
     */
    public long longValue() {
        return value.longValueExact();
    }

    /**
     * The value as an {@code int}.
     *
     * @return the value as an {@code int}
     * @throws ArithmeticException when it has a fractional part or does not fit
     */
    public int intValue() {
        return value.intValueExact();
    }

    /**
     * The value as the nearest {@code double}.
     *
     * @return the value as the nearest {@code double}
     */
    public double doubleValue() {
        return value.doubleValue();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof JsonNumber n && value.compareTo(n.value) == 0;
    }

    @Override
    public int hashCode() {
        return value.signum() == 0 ? 0 : value.stripTrailingZeros().hashCode();
    }

    @Override
    public String toJson() {
        return value.toString();
    }

    /** The JSON text. */
    @Override
    public String toString() {
        return toJson();
    }
}
