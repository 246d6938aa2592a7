package dev.keel.testing.internal.cassette;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * A recorder's configuration for redaction, matching and the secret scan. Immutable.
 *
 * @param redactHeaders     header names (lower case) whose values are replaced
 * @param redactQuery       query parameter names (lower case) whose values are replaced
 * @param redactJsonFields  JSON field names whose values are replaced, at any depth
 * @param redactPatterns    regexes replaced wherever they occur in URLs, header values and bodies
 * @param ignoreJsonFields  JSON field names whose values are ignored when matching
 * @param normalizePatterns regexes ignored when matching (replaced on both sides)
 * @param keyEnvVars        names of env vars holding keys (scanned for, and AUTO's key check)
 * @param environment       how to read an env var (injectable for tests)
 * @param secretShapes      named regexes of secret shapes that must not be written
 */
public record Rules(Set<String> redactHeaders, Set<String> redactQuery, Set<String> redactJsonFields,
                    List<Pattern> redactPatterns, Set<String> ignoreJsonFields, List<Pattern> normalizePatterns,
                    List<String> keyEnvVars, Function<String, String> environment, Map<String, Pattern> secretShapes) {
    /** What redacted values are replaced with. */
    public static final String REDACTED = "<REDACTED>";
    /** What redacted query parameter values are replaced with (no characters that need escaping). */
    public static final String REDACTED_QUERY = "REDACTED";

    public Rules {
        redactHeaders = Set.copyOf(redactHeaders);
        redactQuery = Set.copyOf(redactQuery);
        redactJsonFields = Set.copyOf(redactJsonFields);
        redactPatterns = List.copyOf(redactPatterns);
        ignoreJsonFields = Set.copyOf(ignoreJsonFields);
        normalizePatterns = List.copyOf(normalizePatterns);
        keyEnvVars = List.copyOf(keyEnvVars);
        secretShapes = Collections.unmodifiableMap(new LinkedHashMap<>(secretShapes));
    }
}
