package dev.keel.sandbox;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A credential the egress proxy adds on the way out: for requests to hosts matching {@code hostPattern}
 * it sets header {@code header} to {@code value}. The guest never holds the value; it may send the
 * sentinel {@link #SENTINEL} (or nothing) and the proxy replaces it. Injection applies to plain HTTP
 * requests through the proxy; HTTPS is tunnelled untouched (no TLS interception yet).
 *
 * @param hostPattern which hosts get it (same patterns as {@link NetworkPolicy})
 * @param header      header name, e.g. {@code Authorization}
 * @param value       the secret value; never logged or shown
 */
public record SecretRule(String hostPattern, String header, String value) {
    /** What the guest may put where the secret goes. */
    public static final String SENTINEL = "proxy-managed";
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

    /**
     * Creates the value, checking its components.
     *
     * @param hostPattern which hosts get it (same patterns as {@link NetworkPolicy})
     * @param header header name, e.g. {@code Authorization}
     * @param value the secret value; never logged or shown
     */
    public SecretRule {
        Objects.requireNonNull(hostPattern, "hostPattern");
        Objects.requireNonNull(value, "value");
        if (header == null || !TOKEN.matcher(header).matches()) {
            throw new InvalidSandboxSpecException("invalid header name for a secret: " + header);
        }
        if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
            throw new InvalidSandboxSpecException("a secret value must not contain line breaks (header " + header + ")");
        }
        NetworkPolicy.denyAll().allow(hostPattern); // validates the pattern
        hostPattern = hostPattern.trim().toLowerCase(java.util.Locale.ROOT);
    }

    /** Shows host and header, never the value. */
    @Override
    public String toString() {
        return "SecretRule[" + hostPattern + " " + header + ": ***]";
    }
}
