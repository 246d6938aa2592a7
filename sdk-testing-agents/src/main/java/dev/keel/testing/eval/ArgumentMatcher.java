package dev.keel.testing.eval;

import dev.keel.core.json.JsonString;
import dev.keel.core.json.JsonValue;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Decides whether one argument of an observed tool call is what an evaluation expects. Immutable and
 * thread-safe.
 *
 * @param description what the matcher accepts, as the report shows it (for example {@code contains "CHANGES"})
 * @param test        the test on the argument's value ({@code null} when the call lacks the argument)
 */
public record ArgumentMatcher(String description, Predicate<JsonValue> test) {
    /**
     * Checks the values are present.
     *
     * @param description what the matcher accepts
     * @param test        the test on the argument's value
     */
    public ArgumentMatcher {
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(test, "test");
    }

    /**
     * Any value, as long as the argument is present.
     *
     * @return the matcher
     */
    public static ArgumentMatcher present() {
        return new ArgumentMatcher("present", Objects::nonNull);
    }

    /**
     * A value equal to {@code expected} (a string, number, boolean, list or map; compared as Keel JSON values).
     *
     * @param expected the value
     * @return the matcher
     */
    public static ArgumentMatcher equalTo(Object expected) {
        JsonValue value = JsonValue.of(expected);
        return new ArgumentMatcher("= " + value.toJson(), value::equals);
    }

    /**
     * A string containing {@code part}.
     *
     * @param part the text the string must contain
     * @return the matcher
     */
    public static ArgumentMatcher contains(String part) {
        Objects.requireNonNull(part, "part");
        return new ArgumentMatcher("contains \"" + part + "\"", v -> v instanceof JsonString s && s.value().contains(part));
    }

    /**
     * A string matching {@code regex} in full.
     *
     * @param regex a Java regular expression
     * @return the matcher
     */
    public static ArgumentMatcher matches(String regex) {
        Pattern p = Pattern.compile(regex);
        return new ArgumentMatcher("matches /" + regex + "/", v -> v instanceof JsonString s && p.matcher(s.value()).matches());
    }

    /**
     * A value accepted by {@code test}.
     *
     * @param description what the test accepts, for the report
     * @param test        the test ({@code null} when the argument is absent)
     * @return the matcher
     */
    public static ArgumentMatcher that(String description, Predicate<JsonValue> test) {
        return new ArgumentMatcher(description, test);
    }

    /**
     * Whether {@code value} is accepted; a test that throws does not accept.
     *
     * @param value the argument's value, or {@code null} when absent
     * @return whether it is accepted
     */
    public boolean matches(JsonValue value) {
        try {
            return test.test(value);
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public String toString() {
        return description;
    }
}
