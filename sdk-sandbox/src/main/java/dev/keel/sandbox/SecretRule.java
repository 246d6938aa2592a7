package dev.keel.sandbox;

import dev.keel.sandbox.internal.EgressRules;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A credential the egress proxy adds on the way out, bound to one origin: scheme, host and port. For requests
 * whose real destination is exactly that origin it sets header {@code header} to {@code value}; a request to any
 * other scheme, host or port never carries it. The guest never holds the value: it may send the sentinel
 * {@link #SENTINEL} (or nothing) and the proxy replaces it.
 *
 * <p>HTTPS is the default: {@code api.example.com} means {@code https://api.example.com:443}. The proxy ends the
 * guest's TLS with a certificate from the sandbox's own CA, sets the header, and talks TLS to the real host,
 * verifying its certificate and name. Plain HTTP carries a secret only when the rule says so explicitly
 * ({@code http://127.0.0.1:8080}).
 *
 * @param scheme      {@code https} or {@code http}
 * @param hostPattern a host name, a subdomain pattern ({@code *.example.com}) or an IP address; never {@code *}
 * @param port        the destination port
 * @param header      header name, e.g. {@code Authorization}
 * @param value       the secret value; never logged or shown
 */
public record SecretRule(String scheme, String hostPattern, int port, String header, String value) {
    /** What the guest may put where the secret goes. */
    public static final String SENTINEL = "proxy-managed";
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    private static final Pattern ORIGIN = Pattern.compile(
            "(?:(?<scheme>[A-Za-z][A-Za-z0-9+.-]*)://)?(?<host>\\[[^\\]]*\\]|[^:/\\[\\]]+)(?::(?<port>[0-9]{1,5}))?/?");

    /**
     * Validates the rule.
     *
     * @param scheme      {@code https} or {@code http}
     * @param hostPattern a host name, a subdomain pattern or an IP address
     * @param port        the destination port
     * @param header      header name, e.g. {@code Authorization}
     * @param value       the secret value; never logged or shown
     * @throws InvalidSandboxSpecException for an unknown scheme, a bad host or port, a bad header name, or a value
     *                                     with line breaks
     */
    public SecretRule {
        Objects.requireNonNull(value, "value");
        scheme = Objects.requireNonNull(scheme, "scheme").toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http")) {
            throw new InvalidSandboxSpecException("a secret rule's scheme must be https or http, was: " + scheme);
        }
        if (port < 1 || port > 65535) {
            throw new InvalidSandboxSpecException("a secret rule's port must be 1..65535, was " + port);
        }
        if (header == null || !TOKEN.matcher(header).matches()) {
            throw new InvalidSandboxSpecException("invalid header name for a secret: " + header);
        }
        if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0 || value.indexOf('\0') >= 0) {
            throw new InvalidSandboxSpecException("a secret value must not contain line breaks or NUL (header " + header + ")");
        }
        try {
            hostPattern = EgressRules.validateHost(Objects.requireNonNull(hostPattern, "hostPattern"));
        } catch (IllegalArgumentException e) {
            throw new InvalidSandboxSpecException("invalid host in secret rule: " + e.getMessage(), e);
        }
        if (hostPattern.equals("*") || hostPattern.contains("/")) {
            throw new InvalidSandboxSpecException("a secret must be bound to one host (or *.domain), not " + hostPattern);
        }
    }

    /**
     * A rule for an origin written as {@code host}, {@code *.domain}, {@code host:port}, {@code https://host[:port]}
     * or {@code http://host:port} (plain HTTP only when written out); the port defaults to the scheme's (443, 80).
     *
     * @param origin the scheme, host and port, e.g. {@code api.example.com} or {@code http://127.0.0.1:8080}
     * @param header the header's name
     * @param value  the header's value; never logged or shown
     * @return the rule
     * @throws InvalidSandboxSpecException when the origin cannot be read
     */
    public static SecretRule of(String origin, String header, String value) {
        Matcher m = ORIGIN.matcher(Objects.requireNonNull(origin, "origin").trim());
        if (!m.matches()) {
            throw new InvalidSandboxSpecException("a secret's origin must look like api.example.com, "
                    + "https://api.example.com:8443 or http://127.0.0.1:8080, was: " + origin);
        }
        String scheme = m.group("scheme") == null ? "https" : m.group("scheme").toLowerCase(Locale.ROOT);
        String host = m.group("host");
        if (host.startsWith("[")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = m.group("port") != null ? Integer.parseInt(m.group("port")) : scheme.equals("http") ? 80 : 443;
        return new SecretRule(scheme, host, port, header, value);
    }

    /**
     * The origin the rule is bound to.
     *
     * @return {@code scheme://host:port}
     */
    public String origin() {
        return scheme + "://" + (hostPattern.indexOf(':') >= 0 ? "[" + hostPattern + "]" : hostPattern) + ":" + port;
    }

    /** Shows origin and header, never the value. */
    @Override
    public String toString() {
        return "SecretRule[" + origin() + " " + header + ": ***]";
    }
}
