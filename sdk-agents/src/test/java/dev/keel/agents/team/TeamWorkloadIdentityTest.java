package dev.keel.agents.team;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.agents.Runner;
import dev.keel.core.http.HttpConfig;
import dev.keel.core.json.JsonValue;
import dev.keel.core.models.ModelRegistry;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model's {@code auth: {type: workload_identity_federation}} runs without any API key: the team loads and runs
 * with no key variable set, the identity token comes from the variable, command or URL the file names, and is
 * exchanged at the provider's token endpoint for the bearer of the model calls. Malformed settings are located
 * errors.
 */
class TeamWorkloadIdentityTest {
    static final String ACCESS = "sk-ant-oat01-TEAMaccessTOKEN0123456789abcdef";

    @TempDir
    Path dir;
    private MockWebServer anthropic;

    @BeforeEach
    void start() throws Exception {
        anthropic = new MockWebServer();
        anthropic.start();
    }

    @AfterEach
    void stop() throws Exception {
        anthropic.close();
    }

    private Team load(String identityToken, Map<String, String> env) {
        return Teams.parse("""
                agents:
                  root:
                    model: ci_claude
                models:
                  ci_claude:
                    provider: anthropic
                    model: claude-sonnet-4-5
                    base_url: %s
                    auth:
                      type: workload_identity_federation
                      workload_identity_federation:
                        federation_rule_id: fdrl_0456
                        organization_id: 7d1c6a52-4a8e-4c44-9a51-3f2f8f0b9c11
                        identity_token:
                %s""".formatted(anthropic.url("/"), identityToken.indent(10)), "team.yaml",
                TeamFiles.isolated(dir, env));
    }

    /** Runs the team once; returns the identity token the exchange carried. */
    private String runAndTakeAssertion(Team team, Map<String, String> env) throws InterruptedException {
        anthropic.enqueue(new MockResponse.Builder().setHeader("Content-Type", "application/json")
                .body("{\"access_token\":\"" + ACCESS + "\",\"token_type\":\"Bearer\",\"expires_in\":3600}").build());
        anthropic.enqueue(new MockResponse.Builder().setHeader("Content-Type", "text/event-stream").body(AnthropicSse.text("claude-sonnet-4-5", "federated")).build());
        try (ModelRegistry registry = ModelRegistry.builder().environment(env)
                .http(HttpConfig.builder().maxRetries(0).build()).build();
             Runner runner = team.runner().models(registry).build()) {
            assertThat(runner.run("hello").output()).isEqualTo("federated");
        }
        RecordedRequest exchange = takeSkippingIdentityEndpoint();
        assertThat(exchange.getUrl().encodedPath()).isEqualTo("/v1/oauth/token");
        RecordedRequest call = anthropic.takeRequest(5, TimeUnit.SECONDS);
        assertThat(call.getUrl().encodedPath()).isEqualTo("/v1/messages");
        assertThat(call.getHeaders().get("Authorization")).isEqualTo("Bearer " + ACCESS);
        assertThat(call.getHeaders().get("x-api-key")).isNull();
        JsonValue body = JsonValue.parse(exchange.getBody().utf8());
        assertThat(body.at("/federation_rule_id")).contains(JsonValue.of("fdrl_0456"));
        return body.at("/assertion").flatMap(JsonValue::asString).orElseThrow();
    }

    private RecordedRequest takeSkippingIdentityEndpoint() throws InterruptedException {
        RecordedRequest r = anthropic.takeRequest(5, TimeUnit.SECONDS);
        return r.getUrl().encodedPath().equals("/idp/token") ? anthropic.takeRequest(5, TimeUnit.SECONDS) : r;
    }

    @Test
    void theIdentityTokenVariableReplacesTheApiKeyAndNoKeyIsNeeded() throws Exception {
        Map<String, String> env = Map.of("CI_OIDC_TOKEN", "eyJ.from-the-variable.sig");
        Team team = load("env: CI_OIDC_TOKEN", env);
        assertThat(team.warnings()).isEmpty();
        assertThat(runAndTakeAssertion(team, env)).isEqualTo("eyJ.from-the-variable.sig");
    }

    @Test
    void aCommandsOutputIsTheIdentityToken() throws Exception {
        Team team = load("command: [sh, -c, \"printf '%s\\\\n' eyJ.from-a-command.sig\"]", Map.of());
        assertThat(runAndTakeAssertion(team, Map.of())).isEqualTo("eyJ.from-a-command.sig");
    }

    @Test
    void aUrlIsAskedWithItsHeadersAndTheResponseFieldIsTheToken() throws Exception {
        anthropic.enqueue(new MockResponse.Builder().setHeader("Content-Type", "application/json")
                .body("{\"count\":1,\"value\":\"eyJ.from-the-idp.sig\"}").build());
        Map<String, String> env = Map.of("IDP_REQUEST_TOKEN", "req-token-123456");
        Team team = load("""
                url: %sidp/token?audience=anthropic
                headers:
                  Authorization: Bearer ${IDP_REQUEST_TOKEN}
                response_field: value""".formatted(anthropic.url("/")), env);
        assertThat(runAndTakeAssertion(team, env)).isEqualTo("eyJ.from-the-idp.sig");
        // the identity provider's request was the first the server saw
        assertThat(anthropic.getRequestCount()).isEqualTo(3);
    }

    @Test
    void malformedSettingsAreLocatedErrors() {
        assertThatThrownBy(() -> load("env: X\nfile: /tmp/token", Map.of())).isInstanceOf(TeamFileException.class)
                .hasMessageContaining("models.ci_claude.auth.workload_identity_federation.identity_token")
                .hasMessageContaining("exactly one of file, env, command or url; this one gives [file, env]");
        assertThatThrownBy(() -> load("file: /tmp/token\nresponse_field: value", Map.of()))
                .isInstanceOf(TeamFileException.class).hasMessageContaining("response_field goes with url only");
        assertThatThrownBy(() -> Teams.parse("""
                agents: {root: {model: m}}
                models:
                  m:
                    provider: anthropic
                    model: claude-sonnet-4-5
                    auth: {type: workload_identity_federation, workload_identity_federation:
                      {federation_rule_id: rule-1, organization_id: o, identity_token: {env: X}}}
                """, "team.yaml", TeamFiles.isolated(dir))).isInstanceOf(TeamFileException.class)
                .hasMessageContaining("federation_rule_id").hasMessageContaining("must start with 'fdrl_'");
        assertThatThrownBy(() -> Teams.parse("""
                agents: {root: {model: m}}
                models:
                  m: {provider: anthropic, model: claude-sonnet-4-5, auth: {type: api_key}}
                """, "team.yaml", TeamFiles.isolated(dir))).isInstanceOf(TeamFileException.class)
                .hasMessageContaining("models.m.auth.type").hasMessageContaining("'api_key' is not an authentication type");
    }

    @Test
    void onAnotherApiItIsAWarningAndTheKeyIsUsed() {
        Team team = Teams.parse("""
                agents: {root: {model: m}}
                models:
                  m:
                    provider: openai
                    model: gpt-5
                    auth: {type: workload_identity_federation, workload_identity_federation:
                      {federation_rule_id: fdrl_1, organization_id: o, identity_token: {env: X}}}
                """, "team.yaml", TeamFiles.isolated(dir, Map.of("OPENAI_API_KEY", "sk-test")));
        assertThat(team.warnings()).singleElement().asString().contains("models.m.auth: workload identity federation "
                + "is Anthropic's; this model speaks");
    }
}
