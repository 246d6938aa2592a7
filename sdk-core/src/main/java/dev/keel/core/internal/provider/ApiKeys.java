package dev.keel.core.internal.provider;

import dev.keel.core.KeelException;
import dev.keel.core.internal.http.Secret;
import java.util.Objects;
import java.util.function.Function;
import okhttp3.HttpUrl;

/** Resolves an API key given directly or by the name of an environment variable. Stateless. */
public final class ApiKeys {
    private ApiKeys() {}

    /**
     * The key: {@code direct} when set, else the value of the variable {@code envName} when set.
     *
     * @throws KeelException when {@code envName} was given but the variable is unset or blank; the
     *                       message names the variable, never a value
     */
    public static Secret resolve(String provider, String direct, String envName, Function<String, String> env) {
        if (direct != null) {
            return Secret.of(direct);
        }
        if (envName == null) {
            return Secret.none();
        }
        String value = env.apply(envName);
        if (value == null || value.isBlank()) {
            throw new KeelException(provider + ": environment variable " + envName
                    + " is not set; set it to the API key, or configure the key with apiKey(...)");
        }
        return Secret.of(value);
    }

    /** Parses a base URL, naming the problem when it is not an http(s) URL. */
    public static HttpUrl baseUrl(String provider, String baseUrl) {
        Objects.requireNonNull(baseUrl, "baseUrl");
        String trimmed = baseUrl.trim();
        while (trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        HttpUrl url = HttpUrl.parse(trimmed);
        if (url == null) {
            throw new IllegalArgumentException(provider + ": baseUrl must be an http(s) URL, was '" + baseUrl + "'");
        }
        return url;
    }
}
