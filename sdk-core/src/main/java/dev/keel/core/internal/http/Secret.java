package dev.keel.core.internal.http;

/**
 * An API key that never prints itself. {@link #redact(String)} removes it from any text (provider
 * messages sometimes echo the key back). Immutable and thread-safe.
 */
public final class Secret {
    private static final Secret NONE = new Secret(null);
    private final String value;

    private Secret(String value) {
        this.value = value;
    }

    /** A secret holding {@code value}; a null or blank value means "no key". */
    public static Secret of(String value) {
        return value == null || value.isBlank() ? NONE : new Secret(value.trim());
    }

    public static Secret none() {
        return NONE;
    }

    public boolean isPresent() {
        return value != null;
    }

    /** The raw value, for building a request header only. */
    public String reveal() {
        return value;
    }

    /** {@code text} with every occurrence of this secret replaced by {@code ***}. */
    public String redact(String text) {
        if (text == null || value == null || value.length() < 4) {
            return text;
        }
        return text.replace(value, "***");
    }

    @Override
    public String toString() {
        return value == null ? "(none)" : "***";
    }
}
