package dev.keel.agents.toolsets;

import java.time.Duration;
import java.util.Objects;

/** Checks of the limits the toolset builders take. */
final class Limits {
    private Limits() {}

    /** {@code timeout}, when it is positive. */
    static Duration positive(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, was " + timeout);
        }
        return timeout;
    }

    /** {@code value}, when it is positive. */
    static int positive(int value, String name) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, was " + value);
        }
        return value;
    }
}
