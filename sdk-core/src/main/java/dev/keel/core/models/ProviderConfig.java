package dev.keel.core.models;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;
import okhttp3.HttpUrl;

/**
 * Where a provider lives and how to authenticate: a name (the part of a model reference before the first
 * {@code /}), the API it speaks, its base URL and the <em>name</em> of the environment variable holding its
 * key. The key itself is never stored here: it is read when a model is resolved.
 *
 * @param name      provider name, e.g. {@code openai}, {@code my-gateway}; letters, digits, {@code . _ -}
 * @param apiType   the wire protocol
 * @param baseUrl   API root, e.g. {@code https://api.openai.com/v1}; http or https
 * @param apiKeyEnv name of the environment variable holding the key, or {@code null} when the provider needs
 *                  no key (local servers)
 * @param headers   extra HTTP headers on every request of this provider's models; values may contain
 *                  {@code ${VAR}} references, expanded when a model is first called (a model's own headers win)
 */
public record ProviderConfig(String name, ApiType apiType, String baseUrl, String apiKeyEnv,
                             Map<String, String> headers) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    /**
     * Creates the value, checking its components.
     *
     * @param name provider name, e.g. {@code openai}, {@code my-gateway}; letters, digits, {@code . _ -}
     * @param apiType the wire protocol
     * @param baseUrl API root, e.g. {@code https://api.openai.com/v1}; http or https
     * @param apiKeyEnv name of the environment variable holding the key, or {@code null} when the provider needs
     *     no key (local servers)
     * @param headers extra headers (names are checked as {@link ModelConfig} checks them)
     */
    public ProviderConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(apiType, "apiType");
        Objects.requireNonNull(baseUrl, "baseUrl");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("provider name '" + name
                    + "' must start with a letter or digit and contain only letters, digits, '.', '_' and '-'");
        }
        if (HttpUrl.parse(baseUrl) == null) {
            throw new IllegalArgumentException("provider '" + name + "': base_url '" + baseUrl
                    + "' is not an http(s) URL");
        }
        if (apiKeyEnv != null && apiKeyEnv.isBlank()) {
            apiKeyEnv = null;
        }
        if (apiKeyEnv != null && !ENV_NAME.matcher(apiKeyEnv).matches()) {
            // Catches the common mistake of pasting the key itself where its variable name belongs,
            // without echoing the value.
            throw new IllegalArgumentException("provider '" + name
                    + "': the api key setting must name an environment variable ([A-Za-z_][A-Za-z0-9_]*), not hold a key");
        }
        headers = headers == null || headers.isEmpty() ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(headers));
        if (!headers.isEmpty()) {
            // The same header checks as a model's (names are HTTP tokens, values have no line breaks).
            ModelConfig.builder("check", "check").headers(headers).build();
        }
    }

    /**
     * A provider without extra headers.
     *
     * @param name provider name
     * @param apiType the wire protocol
     * @param baseUrl API root
     * @param apiKeyEnv name of the key variable, or {@code null}
     */
    public ProviderConfig(String name, ApiType apiType, String baseUrl, String apiKeyEnv) {
        this(name, apiType, baseUrl, apiKeyEnv, Map.of());
    }

    /**
     * A copy sending {@code headers} (and only them) with every request.
     *
     * @param headers the headers; values may contain {@code ${VAR}} references
     * @return the copy
     */
    public ProviderConfig withHeaders(Map<String, String> headers) {
        return new ProviderConfig(name, apiType, baseUrl, apiKeyEnv, headers);
    }

    /**
     * An OpenAI Responses API provider whose key is in the environment variable {@code apiKeyEnv}.
     *
     * @param name provider name
     * @param baseUrl API root, e.g. {@code https://api.openai.com/v1}
     * @param apiKeyEnv name of the key variable, or {@code null}
     * @return the provider
     */
    public static ProviderConfig openAiResponses(String name, String baseUrl, String apiKeyEnv) {
        return new ProviderConfig(name, ApiType.OPENAI_RESPONSES, baseUrl, apiKeyEnv);
    }

    /**
     * A Gemini API provider whose key is in the environment variable {@code apiKeyEnv}.
     *
     * @param name provider name
     * @param baseUrl API root with version, e.g. {@code https://generativelanguage.googleapis.com/v1beta}
     * @param apiKeyEnv name of the key variable, or {@code null}
     * @return the provider
     */
    public static ProviderConfig gemini(String name, String baseUrl, String apiKeyEnv) {
        return new ProviderConfig(name, ApiType.GEMINI, baseUrl, apiKeyEnv);
    }

    /**
     * An OpenAI-compatible provider whose key is in the environment variable {@code apiKeyEnv}.
     *
     * @param name the provider name used in references, for example {@code openrouter}
     * @param baseUrl the API root
     * @param apiKeyEnv the environment variable holding the key
     * @return an OpenAI-compatible provider whose key is in the environment variable {@code apiKeyEnv}
     */
    public static ProviderConfig openAiCompatible(String name, String baseUrl, String apiKeyEnv) {
        return new ProviderConfig(name, ApiType.OPENAI_COMPATIBLE, baseUrl, apiKeyEnv);
    }

    /**
     * An OpenAI-compatible provider that needs no key (a local server).
     *
     * @param name the provider name used in references, for example {@code openrouter}
     * @param baseUrl the API root
     * @return an OpenAI-compatible provider that needs no key
     */
    public static ProviderConfig openAiCompatible(String name, String baseUrl) {
        return new ProviderConfig(name, ApiType.OPENAI_COMPATIBLE, baseUrl, null);
    }

    /**
     * An Anthropic Messages provider whose key is in the environment variable {@code apiKeyEnv}.
     *
     * @param name the provider name used in references, for example {@code openrouter}
     * @param baseUrl the API root
     * @param apiKeyEnv the environment variable holding the key
     * @return an Anthropic Messages provider whose key is in the environment variable {@code apiKeyEnv}
     */
    public static ProviderConfig anthropic(String name, String baseUrl, String apiKeyEnv) {
        return new ProviderConfig(name, ApiType.ANTHROPIC, baseUrl, apiKeyEnv);
    }

    /**
     * The key's environment variable name, if the provider needs a key.
     *
     * @return the key's environment variable name
     */
    public Optional<String> apiKeyVariable() {
        return Optional.ofNullable(apiKeyEnv);
    }
}
