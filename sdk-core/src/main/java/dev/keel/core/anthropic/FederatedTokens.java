package dev.keel.core.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keel.core.ModelException;
import dev.keel.core.internal.http.ProviderClient;
import dev.keel.core.internal.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import okhttp3.HttpUrl;
import okhttp3.Request;
import okhttp3.Response;

/**
 * The access tokens of one model under {@link WorkloadIdentity}: exchanged on first use, kept until shortly before
 * they expire, exchanged again then or after the API refused one. One exchange at a time; callers that need a
 * token while one runs wait for it. Remembers the tokens it handed out so that error texts can be scrubbed of them.
 * Thread-safe.
 */
final class FederatedTokens {
    /** The beta that routes a {@code jwt-bearer} exchange to the federation service. */
    static final String FEDERATION_BETA = "oidc-federation-2026-04-01";
    /** The beta an API request authenticated by an OAuth bearer token needs. */
    static final String OAUTH_BETA = "oauth-2025-04-20";
    static final String GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer";
    /** A token this close to its expiry is exchanged again before use. */
    private static final Duration REFRESH_BEFORE_EXPIRY = Duration.ofMinutes(2);
    /** A token response larger than this is not a token response. */
    private static final int MAX_RESPONSE_BYTES = 1 << 20;
    private static final Set<String> SAFE_ERROR_FIELDS = Set.of("error", "error_description", "error_uri");

    private final String provider;
    private final WorkloadIdentity identity;
    private final HttpUrl endpoint;
    private final String version;
    private final Clock clock;
    private ProviderClient client;
    private String token;
    private Instant expiresAt;
    /** Every token and assertion seen, for redaction; bounded (a long-lived model exchanges now and then). */
    private final List<String> seen = new ArrayList<>();

    FederatedTokens(String provider, WorkloadIdentity identity, HttpUrl baseUrl, String version, Clock clock) {
        this.provider = provider;
        this.identity = identity;
        this.endpoint = baseUrl.newBuilder().addPathSegments("v1/oauth/token").build();
        String host = endpoint.host().toLowerCase(Locale.ROOT);
        boolean loopback = host.equals("localhost") || host.equals("127.0.0.1") || host.equals("::1")
                || host.equals("[::1]");
        if (!endpoint.isHttps() && !loopback) {
            throw new IllegalArgumentException(provider + ": workload identity federation sends credentials to "
                    + endpoint + "; only https is allowed (plain http to a loopback address only)");
        }
        this.version = version;
        this.clock = clock;
    }

    /** The client exchanges go through (the model's, so its timeouts, retries and interceptors apply). */
    synchronized void client(ProviderClient client) {
        this.client = client;
    }

    /** A token valid for a while yet, exchanged now if needed. */
    synchronized String token() {
        if (token == null || !clock.instant().isBefore(expiresAt.minus(REFRESH_BEFORE_EXPIRY))) {
            exchange();
        }
        return token;
    }

    /** Forgets the current token (the API refused it): the next {@link #token()} exchanges again. */
    synchronized void invalidate(String refused) {
        if (refused != null && refused.equals(token)) {
            token = null;
        }
    }

    /** The tokens and assertions handed out so far, for scrubbing texts. */
    synchronized Collection<String> secrets() {
        return List.copyOf(seen);
    }

    private void remember(String value) {
        if (!seen.contains(value)) {
            if (seen.size() >= 16) {
                seen.remove(0);
            }
            seen.add(value);
        }
    }

    private void exchange() {
        String assertion;
        try {
            assertion = IdentityTokenSource.nonBlank(identity.identityToken().identityToken(),
                    String.valueOf(identity.identityToken()));
        } catch (RuntimeException e) {
            throw new ModelException.Authentication(provider, 0, provider + ": workload identity federation: "
                    + "no identity token: " + scrub(e.getMessage()));
        }
        remember(assertion);
        ObjectNode body = Json.object().put("grant_type", GRANT).put("assertion", assertion)
                .put("federation_rule_id", identity.federationRuleId())
                .put("organization_id", identity.organizationId());
        if (identity.serviceAccountId() != null) {
            body.put("service_account_id", identity.serviceAccountId());
        }
        if (identity.workspaceId() != null) {
            body.put("workspace_id", identity.workspaceId());
        }
        Request request = new Request.Builder().url(endpoint).post(ProviderClient.jsonBody(body))
                .header("anthropic-version", version).header("anthropic-beta", FEDERATION_BETA)
                .header("Accept", "application/json").build();
        Instant asked = clock.instant();
        String text;
        int status;
        try (Response response = client.newCall(request).execute()) {
            status = response.code();
            text = response.body() == null ? "" : limited(response.body().byteStream());
        } catch (IOException e) {
            throw new ModelException.Connection(provider, provider + ": workload identity federation: the token "
                    + "exchange with " + endpoint + " failed (" + e.getClass().getSimpleName() + ")", null);
        }
        JsonNode answer;
        try {
            answer = Json.mapper().readTree(text);
        } catch (IOException | RuntimeException e) {
            answer = null;
        }
        if (status / 100 != 2) {
            String detail = answer != null && answer.isObject() ? safeFields(answer) : "(no JSON error)";
            String message = provider + ": workload identity federation: the token exchange for rule "
                    + identity.federationRuleId() + " was refused (" + status + "): " + scrub(detail);
            if (status == 429) {
                throw new ModelException.RateLimited(provider, message, null);
            }
            if (status >= 500) {
                throw new ModelException.ServerError(provider, status, message);
            }
            throw new ModelException.Authentication(provider, status, message);
        }
        if (answer == null || !answer.isObject() || !answer.path("access_token").isTextual()
                || answer.path("access_token").asText().isBlank()) {
            throw new ModelException.MalformedResponse(provider, provider + ": workload identity federation: the "
                    + "token endpoint answered without an access_token", null);
        }
        String type = answer.path("token_type").asText("");
        if (!type.isEmpty() && !type.equalsIgnoreCase("bearer")) {
            throw new ModelException.MalformedResponse(provider, provider + ": workload identity federation: "
                    + "unsupported token_type '" + scrub(type) + "' (want Bearer)", null);
        }
        token = answer.path("access_token").asText().strip();
        remember(token);
        long seconds = answer.path("expires_in").canConvertToLong() ? answer.path("expires_in").asLong() : 3600;
        expiresAt = asked.plusSeconds(Math.max(0, seconds));
    }

    /** Only the RFC 6749 error fields: anything else in an error body may echo the assertion back. */
    private static String safeFields(JsonNode answer) {
        StringBuilder b = new StringBuilder();
        answer.fields().forEachRemaining(e -> {
            if (SAFE_ERROR_FIELDS.contains(e.getKey()) && e.getValue().isTextual()) {
                String v = e.getValue().asText();
                b.append(b.length() == 0 ? "" : "; ").append(e.getKey()).append('=')
                        .append(v.length() > 300 ? v.substring(0, 300) + "..." : v);
            }
        });
        return b.length() == 0 ? "(no error field)" : b.toString();
    }

    private String scrub(String text) {
        String out = text == null ? "" : text;
        for (String s : seen) {
            if (s.length() >= 4) {
                out = out.replace(s, "***");
            }
        }
        return out;
    }

    private static String limited(InputStream in) throws IOException {
        byte[] bytes = in.readNBytes(MAX_RESPONSE_BYTES);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "FederatedTokens[" + identity + "]";
    }
}
