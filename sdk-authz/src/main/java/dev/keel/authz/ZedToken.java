package dev.keel.authz;

import java.util.Objects;

/**
 * An opaque SpiceDB revision token, returned by every write. Pass it to
 * {@link Consistency#atLeastAsFresh(ZedToken)} to read your own writes (for example to make sure a
 * revocation is seen by the next check).
 *
 * @param value the token as SpiceDB encodes it
 */
public record ZedToken(String value) {
    /**
     * Requires a non-empty value.
     *
     * @param value the token as SpiceDB encodes it
     */
    public ZedToken {
        Objects.requireNonNull(value, "value");
        if (value.isEmpty()) {
            throw new IllegalArgumentException("empty ZedToken");
        }
    }
}
