package dev.keel.agents.team;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.agents.Runner;
import dev.keel.agents.toolsets.A2aTestServer;
import dev.keel.core.message.ToolResultMessage;
import dev.keel.testing.model.RecordedChatRequest;
import dev.keel.testing.model.ScriptedModelServer;
import dev.keel.testing.model.ScriptedReply;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Team files with the {@code api}, {@code openapi} and {@code a2a} toolset types, loaded and run against the
 * scripted model server, each tool reaching a real HTTP server on loopback.
 */
class TeamHttpToolsetsTest {
    private static final String TOKEN = "team-token-77c1";
    @TempDir
    Path dir;
    private ScriptedModelServer llm;
    private MockWebServer api;
    private A2aTestServer agent;

    @BeforeEach
    void start() throws Exception {
        llm = ScriptedModelServer.start();
        api = new MockWebServer();
        api.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest r) {
                if (!("Bearer " + TOKEN).equals(r.getHeaders().get("Authorization"))) {
                    return new MockResponse.Builder().code(401).body("missing token").build();
                }
                return new MockResponse.Builder().body(r.getMethod() + " " + r.getTarget()).build();
            }
        });
        api.start();
        agent = new A2aTestServer();
    }

    @AfterEach
    void stop() throws Exception {
        llm.close();
        api.close();
        agent.close();
    }

    private Team load(String yaml, Map<String, String> env) {
        return TeamFiles.parse(dir, yaml, env);
    }

    private String apiBase() {
        return "http://127.0.0.1:" + api.getPort();
    }

    private static List<String> toolResults(RecordedChatRequest r) {
        return r.messages().stream().filter(ToolResultMessage.class::isInstance)
                .map(m -> ((ToolResultMessage) m).content()).toList();
    }

    @Test
    void eachHttpToolsetTypeRunsInATeam() throws Exception {
        Files.writeString(dir.resolve("inventory.yaml"), """
                openapi: 3.0.3
                info: {title: Inventory, version: '1'}
                servers: [{url: '%s/inv'}]
                paths:
                  /items/{sku}:
                    get:
                      operationId: getItem
                      summary: One item by SKU
                      parameters:
                        - {name: sku, in: path, required: true, schema: {type: string}}
                """.formatted(apiBase()));
        Team team = load("""
                agents:
                  root:
                    model: openai/gpt-5
                    instruction: Help.
                    toolsets:
                      - type: api
                        allow_private_ips: true
                        timeout: 10
                        api_config:
                          name: get_weather
                          method: GET
                          endpoint: "%s/weather?city=${city}"
                          instruction: Current weather for a city
                          args:
                            city: {type: string, description: City name}
                          required: [city]
                          headers:
                            Authorization: "Bearer ${env.API_TOKEN}"
                      - type: openapi
                        url: inventory.yaml
                        allow_private_ips: true
                        headers:
                          Authorization: Bearer $API_TOKEN
                      - type: a2a
                        url: %s
                        name: helper
                        allow_private_ips: true
                """.formatted(apiBase(), agent.baseUrl()), Map.of("API_TOKEN", TOKEN));
        assertThat(team.warnings()).isEmpty();
        llm.respond(ScriptedReply.toolCall("get_weather", Map.of("city", "Oslo")))
                .respond(ScriptedReply.toolCall("getItem", Map.of("sku", "A/1")))
                .respond(ScriptedReply.toolCall("helper_summarize", Map.of("message", "the weather and the item")))
                .respond(ScriptedReply.text("all done"));
        try (Runner runner = team.runner().models(llm.models()).yolo(true).build()) {
            assertThat(runner.run("check everything").output()).isEqualTo("all done");
        }
        RecordedChatRequest first = llm.requests().get(0);
        assertThat(first.toolNames()).contains("get_weather", "getItem", "helper_summarize");
        assertThat(first.systemPrompt()).contains("Current weather for a city", "## Summarizer");
        List<String> results = toolResults(llm.requests().get(3));
        assertThat(results).containsExactly("GET /weather?city=Oslo", "GET /inv/items/A%2F1",
                "echo: the weather and the item");
    }

    @Test
    void anUnsetHeaderVariableLoadsAndFailsAtStartNamingIt() throws Exception {
        Team team = load("""
                agents:
                  root:
                    model: openai/gpt-5
                    toolsets:
                      - type: api
                        allow_private_ips: true
                        api_config:
                          name: ping
                          method: GET
                          endpoint: "%s/ping"
                          headers: {Authorization: "Bearer ${env.API_TOKEN}"}
                """.formatted(apiBase()), Map.of());
        assertThat(team.warnings()).isEmpty();
        llm.respond(ScriptedReply.text("unused"));
        try (Runner runner = team.runner().models(llm.models()).build()) {
            assertThatThrownBy(() -> runner.run("go")).hasMessageContaining("API_TOKEN").hasMessageContaining("not set");
        }
    }

    @Test
    void badHttpToolsetFieldsAreLocatedErrorsAndForwardedHeadersAWarning() {
        assertThatThrownBy(() -> load("""
                agents:
                  root:
                    model: openai/gpt-5
                    toolsets:
                      - type: api
                        api_config: {name: x, method: GET, endpoint: "https://${host}/x"}
                """, Map.of())).isInstanceOf(TeamFileException.class)
                .hasMessageContaining("agents.root.toolsets[0].api_config").hasMessageContaining("scheme or host");
        assertThatThrownBy(() -> load("""
                agents:
                  root:
                    model: openai/gpt-5
                    toolsets:
                      - type: api
                """, Map.of())).isInstanceOf(TeamFileException.class).hasMessageContaining("api_config");
        Team team = load("""
                agents:
                  root:
                    model: openai/gpt-5
                    toolsets:
                      - type: a2a
                        url: https://agents.example.com
                        headers: {X-Trace: "${headers.X-Trace}"}
                """, Map.of());
        assertThat(team.warnings()).singleElement().asString().contains("headers.X-Trace", "left out");
    }
}
