package dev.keel.core.anthropic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.ChatRequest;
import dev.keel.core.ModelException;
import dev.keel.core.http.HttpConfig;
import dev.keel.core.internal.json.Json;
import dev.keel.core.message.Message;
import dev.keel.core.testutil.RecordingListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Workload identity federation on the wire, against a loopback server playing both the token endpoint and the
 * Messages API: the exchange's body and beta, the bearer on API calls, reuse until near expiry, a rotated identity
 * token picked up, one re-exchange after a refused token, and no credential in any message.
 */
class AnthropicWorkloadIdentityTest {
    static final String JWT_1 = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOmFjbWUvYXBwIn0.c2lnbmF0dXJlLW9uZQ";
    static final String JWT_2 = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOmFjbWUvYXBwMiJ9.c2lnbmF0dXJlLXR3bw";
    static final String ACCESS_1 = "sk-ant-oat01-FIRSTaccessTOKENabcdefghijklmnop";
    static final String ACCESS_2 = "sk-ant-oat01-SECONDaccessTOKENqrstuvwxyz0123";
    static final ChatRequest ASK = ChatRequest.of(Message.user("Hello?"));

    @TempDir
    Path dir;
    private MockWebServer server;
    private Path tokenFile;

    @BeforeEach
    void start() throws IOException {
        server = new MockWebServer();
        server.start();
        tokenFile = Files.writeString(dir.resolve("token"), JWT_1 + "\n");
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
    }

    private WorkloadIdentity.Builder identity() {
        return WorkloadIdentity.builder().federationRuleId("fdrl_0123")
                .organizationId("7d1c6a52-4a8e-4c44-9a51-3f2f8f0b9c11")
                .identityToken(IdentityTokenSource.file(tokenFile));
    }

    private Anthropic model(WorkloadIdentity identity) {
        return Anthropic.builder().baseUrl(server.url("/").toString()).model("claude-sonnet-4-5")
                .apiKey("sk-ant-api03-MUSTNOTBESENT-0123456789").workloadIdentity(identity)
                .http(HttpConfig.builder().maxRetries(0).readTimeout(Duration.ofSeconds(5)).build()).build();
    }

    private static MockResponse json(int code, String body) {
        return new MockResponse.Builder().code(code).setHeader("Content-Type", "application/json").body(body).build();
    }

    private static MockResponse token(String access, int expiresIn) {
        return json(200, "{\"access_token\":\"" + access + "\",\"token_type\":\"Bearer\",\"expires_in\":" + expiresIn
                + "}");
    }

    private static MockResponse answer() {
        return json(200, AnthropicEvents.message("Hi.", List.of(), "end_turn", 5, 2));
    }

    private RecordedRequest next() throws InterruptedException {
        return server.takeRequest(5, TimeUnit.SECONDS);
    }

    private static JsonNode body(RecordedRequest r) {
        return Json.parse(r.getBody().utf8());
    }

    @Test
    void theIdentityTokenIsExchangedOnceAndTheAccessTokenIsTheBearerOfEveryCall() throws Exception {
        server.enqueue(token(ACCESS_1, 3600));
        server.enqueue(answer());
        server.enqueue(answer());
        try (Anthropic claude = model(identity().serviceAccountId("svac_42").workspaceId("wrkspc_7").build())) {
            assertThat(claude.chat(ASK).message().text()).isEqualTo("Hi.");
            assertThat(claude.chat(ASK).message().text()).isEqualTo("Hi.");
            assertThat(claude.toString()).contains("workload identity federation").doesNotContain(ACCESS_1)
                    .doesNotContain("MUSTNOTBESENT");
        }
        RecordedRequest exchange = next();
        assertThat(exchange.getUrl().encodedPath()).isEqualTo("/v1/oauth/token");
        assertThat(exchange.getHeaders().get("anthropic-beta")).isEqualTo("oidc-federation-2026-04-01");
        assertThat(exchange.getHeaders().get("x-api-key")).isNull();
        JsonNode b = body(exchange);
        assertThat(b.path("grant_type").asText()).isEqualTo("urn:ietf:params:oauth:grant-type:jwt-bearer");
        assertThat(b.path("assertion").asText()).isEqualTo(JWT_1);
        assertThat(b.path("federation_rule_id").asText()).isEqualTo("fdrl_0123");
        assertThat(b.path("organization_id").asText()).isEqualTo("7d1c6a52-4a8e-4c44-9a51-3f2f8f0b9c11");
        assertThat(b.path("service_account_id").asText()).isEqualTo("svac_42");
        assertThat(b.path("workspace_id").asText()).isEqualTo("wrkspc_7");
        for (int i = 0; i < 2; i++) {
            RecordedRequest call = next();
            assertThat(call.getUrl().encodedPath()).isEqualTo("/v1/messages");
            assertThat(call.getHeaders().get("Authorization")).isEqualTo("Bearer " + ACCESS_1);
            assertThat(call.getHeaders().get("x-api-key")).isNull();
            assertThat(call.getHeaders().get("anthropic-beta")).contains("oauth-2025-04-20");
        }
        assertThat(server.getRequestCount()).isEqualTo(3);
    }

    @Test
    void aTokenAboutToExpireIsExchangedAgainWithTheRotatedIdentityToken() throws Exception {
        server.enqueue(token(ACCESS_1, 60)); // inside the two-minute refresh window: not reused
        server.enqueue(answer());
        server.enqueue(token(ACCESS_2, 3600));
        server.enqueue(answer());
        try (Anthropic claude = model(identity().build())) {
            claude.chat(ASK);
            Files.writeString(tokenFile, JWT_2);
            claude.chat(ASK);
        }
        assertThat(body(next()).path("assertion").asText()).isEqualTo(JWT_1);
        assertThat(next().getHeaders().get("Authorization")).isEqualTo("Bearer " + ACCESS_1);
        assertThat(body(next()).path("assertion").asText()).isEqualTo(JWT_2);
        assertThat(next().getHeaders().get("Authorization")).isEqualTo("Bearer " + ACCESS_2);
    }

    @Test
    void aRefusedAccessTokenIsExchangedOnceMoreAndTheCallRetried() throws Exception {
        server.enqueue(token(ACCESS_1, 3600));
        server.enqueue(json(401, "{\"type\":\"error\",\"error\":{\"type\":\"authentication_error\","
                + "\"message\":\"token revoked: " + ACCESS_1 + "\"}}"));
        server.enqueue(token(ACCESS_2, 3600));
        server.enqueue(answer());
        try (Anthropic claude = model(identity().build())) {
            assertThat(claude.chat(ASK).message().text()).isEqualTo("Hi.");
        }
        next();
        assertThat(next().getHeaders().get("Authorization")).isEqualTo("Bearer " + ACCESS_1);
        assertThat(next().getUrl().encodedPath()).isEqualTo("/v1/oauth/token");
        assertThat(next().getHeaders().get("Authorization")).isEqualTo("Bearer " + ACCESS_2);
    }

    @Test
    void aSecondRefusalFailsWithoutAnyCredentialInTheMessage() {
        server.enqueue(token(ACCESS_1, 3600));
        server.enqueue(json(401, "{\"type\":\"error\",\"error\":{\"type\":\"authentication_error\","
                + "\"message\":\"bad bearer " + ACCESS_1 + "\"}}"));
        server.enqueue(token(ACCESS_2, 3600));
        server.enqueue(json(403, "{\"type\":\"error\",\"error\":{\"type\":\"permission_error\","
                + "\"message\":\"bad bearer " + ACCESS_2 + " from " + JWT_1 + "\"}}"));
        try (Anthropic claude = model(identity().build())) {
            assertThatThrownBy(() -> claude.chat(ASK)).isInstanceOf(ModelException.Authentication.class)
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain(ACCESS_1).doesNotContain(ACCESS_2)
                            .doesNotContain(JWT_1).contains("***"));
        }
        assertThat(server.getRequestCount()).isEqualTo(4);
    }

    @Test
    void aRefusedExchangeNamesTheRuleAndTheErrorButNothingElseTheServerEchoed() {
        server.enqueue(json(400, "{\"error\":\"invalid_grant\",\"error_description\":\"subject does not match rule\","
                + "\"assertion\":\"" + JWT_1 + "\",\"debug\":\"" + JWT_1 + "\"}"));
        try (Anthropic claude = model(identity().build())) {
            assertThatThrownBy(() -> claude.chat(ASK)).isInstanceOf(ModelException.Authentication.class)
                    .hasMessageContaining("fdrl_0123").hasMessageContaining("(400)")
                    .hasMessageContaining("error=invalid_grant; error_description=subject does not match rule")
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain(JWT_1).doesNotContain("debug"));
        }
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    @Test
    void anAnswerWithoutATokenOrWithAnotherTokenTypeIsMalformed() {
        server.enqueue(json(200, "{\"token_type\":\"Bearer\",\"expires_in\":3600}"));
        server.enqueue(json(200, "{\"access_token\":\"" + ACCESS_1 + "\",\"token_type\":\"mac\"}"));
        try (Anthropic claude = model(identity().build())) {
            assertThatThrownBy(() -> claude.chat(ASK)).isInstanceOf(ModelException.MalformedResponse.class)
                    .hasMessageContaining("without an access_token");
            assertThatThrownBy(() -> claude.chat(ASK)).isInstanceOf(ModelException.MalformedResponse.class)
                    .hasMessageContaining("unsupported token_type 'mac'");
        }
    }

    @Test
    void aMissingOrEmptyIdentityTokenFailsBeforeAnythingIsSent() throws IOException {
        Files.delete(tokenFile);
        try (Anthropic claude = model(identity().build())) {
            assertThatThrownBy(() -> claude.chat(ASK)).isInstanceOf(ModelException.Authentication.class)
                    .hasMessageContaining("cannot read the identity token file " + tokenFile);
            Files.writeString(tokenFile, "  \n");
            assertThatThrownBy(() -> claude.chat(ASK)).hasMessageContaining("is empty");
        }
        assertThat(server.getRequestCount()).isZero();
    }

    @Test
    void streamingRetriesOnceWithAFreshTokenToo() throws Exception {
        server.enqueue(token(ACCESS_1, 3600));
        server.enqueue(json(401, "{\"type\":\"error\",\"error\":{\"type\":\"authentication_error\",\"message\":\"x\"}}"));
        server.enqueue(token(ACCESS_2, 3600));
        server.enqueue(new MockResponse.Builder().setHeader("Content-Type", "text/event-stream")
                .body(AnthropicEvents.stream("Streamed.", List.of(), 3, 5, 2)).build());
        RecordingListener listener = new RecordingListener();
        try (Anthropic claude = model(identity().build())) {
            assertThat(claude.stream(ASK, listener).message().text()).isEqualTo("Streamed.");
        }
        assertThat(listener.error).isNull();
        next();
        next();
        next();
        assertThat(next().getHeaders().get("Authorization")).isEqualTo("Bearer " + ACCESS_2);
    }

    @Test
    void credentialsAreNeverSentOverPlainHttpToAnotherHost() {
        assertThatThrownBy(() -> Anthropic.builder().baseUrl("http://api.example.com").model("claude-sonnet-4-5")
                .workloadIdentity(identity().build()).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("only https is allowed");
    }

    @Test
    void idsAreCheckedAndTheConfigurationPrintsNoToken() {
        assertThatThrownBy(() -> identity().federationRuleId("rule-1").build())
                .hasMessageContaining("starts with 'fdrl_'");
        assertThatThrownBy(() -> identity().serviceAccountId("acct").build())
                .hasMessageContaining("starts with 'svac_'");
        assertThatThrownBy(() -> WorkloadIdentity.builder().federationRuleId("fdrl_1").organizationId("o").build())
                .hasMessageContaining("identityToken is required");
        WorkloadIdentity custom = identity().identityToken(() -> JWT_1).build();
        assertThat(custom.toString()).contains("fdrl_0123").doesNotContain(JWT_1);
        assertThat(identity().build().toString()).contains("file " + tokenFile);
    }
}
