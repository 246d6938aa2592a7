package dev.keel.core.anthropic;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where a fresh OIDC identity token (a JWT from your identity provider) comes from for
 * {@link WorkloadIdentity workload identity federation}. Asked again at every token exchange, so a rotated token
 * (a Kubernetes projected service-account token, a SPIFFE or Vault sidecar's file) is picked up.
 *
 * <pre>{@code
 * IdentityTokenSource k8s = IdentityTokenSource.file(Path.of("/var/run/secrets/tokens/anthropic"));
 * IdentityTokenSource ci = IdentityTokenSource.environment("CI_OIDC_TOKEN");
 * IdentityTokenSource custom = () -> myIdp.mintToken("anthropic");
 * }</pre>
 *
 * <p>Implementations must be thread-safe and must not put the token in an exception's message.
 */
@FunctionalInterface
public interface IdentityTokenSource {

    /**
     * A current identity token.
     *
     * @return the JWT, without surrounding white space
     * @throws IllegalStateException when no token can be obtained (the message names the source, never a token)
     */
    String identityToken();

    /**
     * The trimmed content of {@code file}, read at every exchange.
     *
     * @param file the file holding the JWT
     * @return the source
     */
    static IdentityTokenSource file(Path file) {
        Objects.requireNonNull(file, "file");
        return new IdentityTokenSource() {
            @Override
            public String identityToken() {
                try {
                    return nonBlank(Files.readString(file, StandardCharsets.UTF_8), "file " + file);
                } catch (IOException e) {
                    throw new IllegalStateException("cannot read the identity token file " + file + " ("
                            + e.getClass().getSimpleName() + ")", e);
                }
            }

            @Override
            public String toString() {
                return "IdentityTokenSource[file " + file + "]";
            }
        };
    }

    /**
     * The process environment variable {@code name}.
     *
     * @param name the variable's name
     * @return the source
     */
    static IdentityTokenSource environment(String name) {
        Objects.requireNonNull(name, "name");
        return new IdentityTokenSource() {
            @Override
            public String identityToken() {
                String value = System.getenv(name);
                if (value == null) {
                    throw new IllegalStateException("the identity token variable " + name + " is not set");
                }
                return nonBlank(value, "variable " + name);
            }

            @Override
            public String toString() {
                return "IdentityTokenSource[variable " + name + "]";
            }
        };
    }

    /**
     * {@code token} trimmed, or a failure naming {@code where} when it is blank.
     *
     * @param token the token as read
     * @param where what was read, for the message ({@code file /path}, {@code variable X})
     * @return the trimmed token
     * @throws IllegalStateException when the token is blank
     */
    static String nonBlank(String token, String where) {
        String t = token == null ? "" : token.strip();
        if (t.isEmpty()) {
            throw new IllegalStateException("the identity token from " + where + " is empty");
        }
        return t;
    }
}
