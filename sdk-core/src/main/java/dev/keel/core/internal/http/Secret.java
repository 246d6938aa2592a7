package dev.keel.core.internal.http;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * An API key that never prints itself, plus other values that must not leak (configured header values, which may
 * hold credentials too). {@link #redact(String)} removes all of them from any text (provider messages sometimes
 * echo a key back). Immutable and thread-safe.
 */
public final class Secret {
    private static final Secret NONE = new Secret(null, List.of());
    /** Shorter values are not redacted: replacing every "1" in a message would hide more than it protects. */
    private static final int MIN_REDACTED_LENGTH = 4;
    /** Header values are redacted from this length: short ones are flags and versions, not credentials. */
    private static final int MIN_REDACTED_HEADER_LENGTH = 8;

    private final String value;
    /** Everything redacted, longest first so that a value containing another is replaced whole. */
    private final List<String> redacted;
    /** Values only known later (access tokens minted while the model runs), or null. */
    private final java.util.function.Supplier<? extends Collection<String>> later;

    private Secret(String value, List<String> redacted) {
        this(value, redacted, null);
    }

    private Secret(String value, List<String> redacted, java.util.function.Supplier<? extends Collection<String>> later) {
        this.value = value;
        this.redacted = redacted;
        this.later = later;
    }

    /**
     * This secret, also redacting whatever {@code values} holds when a text is redacted (credentials minted after
     * the model was built, such as federated access tokens).
     */
    public Secret andLater(java.util.function.Supplier<? extends Collection<String>> values) {
        return new Secret(value, redacted, java.util.Objects.requireNonNull(values, "values"));
    }

    /** A secret holding {@code value}; a null or blank value means "no key". */
    public static Secret of(String value) {
        return value == null || value.isBlank() ? NONE : new Secret(value.trim(), List.of(value.trim()));
    }

    public static Secret none() {
        return NONE;
    }

    /**
     * This key, also redacting {@code values} (header values configured for a model) from text. The key revealed
     * for the request stays the same.
     */
    public Secret and(Collection<String> values) {
        List<String> all = new ArrayList<>(redacted);
        for (String v : values) {
            if (v != null && v.strip().length() >= MIN_REDACTED_HEADER_LENGTH && !all.contains(v.strip())) {
                all.add(v.strip());
            }
        }
        if (all.size() == redacted.size()) {
            return this;
        }
        all.sort(Comparator.comparingInt(String::length).reversed());
        return new Secret(value, List.copyOf(all), later);
    }

    public boolean isPresent() {
        return value != null;
    }

    /** The raw value, for building a request header only. */
    public String reveal() {
        return value;
    }

    /** {@code text} with every occurrence of this secret (and the other redacted values) replaced by {@code ***}. */
    public String redact(String text) {
        if (text == null) {
            return null;
        }
        String out = text;
        for (String v : redacted) {
            if (v.length() >= MIN_REDACTED_LENGTH) {
                out = out.replace(v, "***");
            }
        }
        if (later != null) {
            for (String v : later.get()) {
                if (v != null && v.length() >= MIN_REDACTED_LENGTH) {
                    out = out.replace(v, "***");
                }
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return value == null ? "(none)" : "***";
    }
}
