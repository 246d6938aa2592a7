package dev.keel.testing.internal.cassette;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/** One recorded header line. */
public record Header(String name, String value) {
    public Header {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
    }

    /** The first value of {@code name} (case-insensitive) in {@code headers}. */
    public static Optional<String> first(List<Header> headers, String name) {
        return headers.stream().filter(h -> h.name.equalsIgnoreCase(name)).map(Header::value).findFirst();
    }

    /** Whether {@code name}'s first value starts with {@code prefix}, ignoring case. */
    public static boolean startsWith(List<Header> headers, String name, String prefix) {
        return first(headers, name).map(v -> v.toLowerCase(Locale.ROOT).startsWith(prefix)).orElse(false);
    }
}
