package dev.keel.agents.team;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.agents.AgentResult;
import dev.keel.agents.Runner;
import dev.keel.agents.StructuredOutputException;
import dev.keel.core.ToolChoice;
import dev.keel.core.json.JsonObject;
import dev.keel.core.json.JsonValue;
import dev.keel.core.message.ToolResultMessage;
import dev.keel.core.message.UserMessage;
import dev.keel.testing.model.RecordedChatRequest;
import dev.keel.testing.model.ScriptedModelServer;
import dev.keel.testing.model.ScriptedReply;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code structured_output} and {@code tool_choice} in real runs: native JSON-schema output where the provider has
 * it, a tool otherwise; an answer that does not conform is sent back to be corrected, and a run that cannot conform
 * fails with a typed error.
 */
class StructuredOutputTest {
    private static final String TEAM = """
            agents:
              root:
                model: %s
                instruction: Extract the city.
                structured_output:
                  name: city_answer
                  description: A city and its country
                  strict: true
                  %s
                  schema:
                    type: object
                    properties:
                      city: {type: string, minLength: 1}
                      country: {type: string}
                      population: {type: integer, minimum: 0}
                    required: [city, country]
                    additionalProperties: false
            """;

    @TempDir
    Path dir;
    private ScriptedModelServer llm;

    @BeforeEach
    void start() {
        llm = ScriptedModelServer.start();
    }

    @AfterEach
    void stop() {
        llm.close();
    }

    private Team load(String model, String mode) {
        return Teams.parse(TEAM.formatted(model, mode), "t.yaml", TeamOptions.defaults(dir).withWorkingDirectory(dir)
                .withEnv(Map.of()));
    }

    public record City(String city, String country, Integer population) {}

    @Test
    void nativeModeSendsTheSchemaAndAnInvalidAnswerIsCorrected() {
        Team team = load("openai/gpt-5", "");
        assertThat(team.warnings()).isEmpty();
        llm.respond(ScriptedReply.text("{\"city\": \"Oslo\", \"population\": \"many\"}"))
                .respond(ScriptedReply.text("```json\n{\"city\": \"Oslo\", \"country\": \"Norway\", \"population\": 709000}\n```"));
        AgentResult r;
        try (Runner runner = team.runner().models(llm.models()).build()) {
            r = runner.run("Where is the Holmenkollen ski jump?");
        }
        assertThat(r.structuredAs(City.class)).contains(new City("Oslo", "Norway", 709000));
        JsonObject format = (JsonObject) llm.requests().get(0).json().get("response_format").orElseThrow();
        assertThat(format.get("type")).contains(JsonValue.of("json_schema"));
        assertThat(format.toJson()).contains("\"name\":\"city_answer\"", "\"strict\":true", "\"population\"");
        String correction = ((UserMessage) llm.requests().get(1).lastMessage()).text();
        assertThat(correction).contains("$: the required property 'country' is missing")
                .contains("$.population: expected an integer, got \"many\"");
    }

    @Test
    void anthropicModelsAnswerThroughTheFinalAnswerToolAndInvalidArgumentsAreAnErrorToCorrect() {
        Team team = load("anthropic/claude-sonnet-4-5", "");
        llm.respond(ScriptedReply.toolCall("final_answer", Map.of("city", "Oslo", "country", "Norway", "mayor", "x")))
                .respond(ScriptedReply.toolCall("final_answer", Map.of("city", "Oslo", "country", "Norway")));
        AgentResult r;
        try (Runner runner = team.runner().models(llm.models()).build()) {
            r = runner.run("Where?");
        }
        assertThat(llm.requests().get(0).toolNames()).containsExactly("final_answer");
        assertThat(llm.requests().get(0).json().get("response_format")).isEmpty();
        assertThat(((ToolResultMessage) llm.requests().get(1).lastMessage()).content())
                .contains("$: the property 'mayor' is not allowed");
        assertThat(r.structured()).isEqualTo(JsonObject.of(Map.of("city", "Oslo", "country", "Norway")));
        assertThat(r.output()).isEqualTo(r.structured().toJson());
        assertThat(llm.requests()).hasSize(2);
    }

    @Test
    void aRunThatNeverConformsFailsWithATypedErrorAfterItsCorrections() {
        Team team = load("openai/gpt-5", "mode: tool");
        llm.respondWith(req -> ScriptedReply.text("Oslo, I think."));
        try (Runner runner = team.runner().models(llm.models()).build()) {
            assertThatThrownBy(() -> runner.run("Where?")).isInstanceOfSatisfying(StructuredOutputException.class, e -> {
                assertThat(e.lastAnswer()).isEqualTo("Oslo, I think.");
                assertThat(e.problems()).containsExactly("the answer was not given with the final_answer tool");
            });
        }
        assertThat(llm.requests()).hasSize(3); // the answer, then two corrections
    }

    @Test
    void toolChoiceRequiredAppliesToARunsFirstCallAndNoneToEveryCall() {
        String yaml = """
                agents:
                  root:
                    model: openai/gpt-5
                    tool_choice: %s
                    toolsets:
                      - type: think
                """;
        llm.respond(ScriptedReply.toolCall("think", Map.of("thought", "x"))).respond(ScriptedReply.text("done"))
                .respond(ScriptedReply.text("a")).respond(ScriptedReply.text("b"));
        for (String choice : List.of("required", "none")) {
            Team team = Teams.parse(yaml.formatted(choice), "t.yaml", TeamOptions.defaults(dir).withWorkingDirectory(dir));
            try (Runner runner = team.runner().models(llm.models()).build()) {
                runner.run("go");
                if (choice.equals("none")) {
                    runner.run("again");
                }
            }
        }
        assertThat(llm.requests()).extracting(r -> r.options().toolChoice()).containsExactly(ToolChoice.required(), null,
                ToolChoice.none(), ToolChoice.none());
        assertThat(llm.requests().get(0).json().get("tool_choice")).contains(JsonValue.of("required"));
    }

    @Test
    void aNamedToolChoiceIsSentAsAFunction() {
        Team team = Teams.parse("""
                agents:
                  root:
                    model: openai/gpt-5
                    tool_choice: think
                    toolsets:
                      - type: think
                """, "t.yaml", TeamOptions.defaults(dir).withWorkingDirectory(dir));
        llm.respond(ScriptedReply.text("ok"));
        try (Runner runner = team.runner().models(llm.models()).build()) {
            runner.run("go");
        }
        RecordedChatRequest r = llm.takeRequest();
        assertThat(r.json().get("tool_choice").orElseThrow().toJson())
                .isEqualTo("{\"type\":\"function\",\"function\":{\"name\":\"think\"}}");
    }
}
