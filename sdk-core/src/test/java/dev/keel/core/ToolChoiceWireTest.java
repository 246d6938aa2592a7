package dev.keel.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.core.http.HttpConfig;
import dev.keel.core.message.Message;
import dev.keel.core.models.ModelConfig;
import dev.keel.core.models.ModelRegistry;
import dev.keel.core.models.ProviderConfig;
import dev.keel.core.testutil.LoopbackServer;
import dev.keel.core.testutil.LoopbackServer.Reply;
import dev.keel.core.tool.JsonSchema;
import dev.keel.core.tool.ToolSpec;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A request's {@link ToolChoice} in each provider's own form, as the server receives it. */
class ToolChoiceWireTest {
    private static final ToolSpec WEATHER = ToolSpec.of("get_weather", "Weather",
            JsonSchema.object().required("city", JsonSchema.string()).build());

    private LoopbackServer server;
    private ModelRegistry registry;

    @BeforeEach
    void start() {
        server = LoopbackServer.start().dispatcher(r -> Reply.status(500, "{\"error\":{\"message\":\"seen\"}}"));
        registry = ModelRegistry.builder().environment(Map.of("K", "k"))
                .http(HttpConfig.builder().maxRetries(0).readTimeout(Duration.ofSeconds(10)).build())
                .provider(ProviderConfig.openAiCompatible("chat", server.url("/v1"), "K"))
                .provider(ProviderConfig.openAiResponses("responses", server.url("/v1"), "K"))
                .provider(ProviderConfig.anthropic("claude", server.url(""), "K"))
                .provider(ProviderConfig.gemini("gemini", server.url("/v1beta"), "K"))
                .build();
    }

    @AfterEach
    void stop() {
        registry.close();
        server.close();
    }

    private LoopbackServer.Recorded send(String provider, ToolChoice choice, boolean parallel) {
        ChatOptions.Builder options = ChatOptions.builder().toolChoice(choice);
        if (!parallel) {
            options.parallelToolCalls(false);
        }
        try {
            registry.resolve(ModelConfig.of(provider, "m")).chat(ChatRequest.of(Message.user("hi")).withTools(WEATHER)
                    .withOptions(options.build()));
        } catch (ModelException expected) {
            // the server answers 500: only the request matters here
        }
        return server.takeRequest();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "chat|auto|/tool_choice|\"auto\"",
        "chat|none|/tool_choice|\"none\"",
        "chat|required|/tool_choice|\"required\"",
        "chat|get_weather|/tool_choice|{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"}}",
        "responses|required|/tool_choice|\"required\"",
        "responses|get_weather|/tool_choice|{\"type\":\"function\",\"name\":\"get_weather\"}",
        "claude|auto|/tool_choice|{\"type\":\"auto\"}",
        "claude|none|/tool_choice|{\"type\":\"none\"}",
        "claude|required|/tool_choice|{\"type\":\"any\"}",
        "claude|get_weather|/tool_choice|{\"type\":\"tool\",\"name\":\"get_weather\"}",
        "gemini|none|/toolConfig/functionCallingConfig|{\"mode\":\"NONE\"}",
        "gemini|required|/toolConfig/functionCallingConfig|{\"mode\":\"ANY\"}",
        "gemini|get_weather|/toolConfig/functionCallingConfig|{\"mode\":\"ANY\",\"allowedFunctionNames\":[\"get_weather\"]}",
    })
    void eachProviderGetsItsOwnForm(String provider, String choice, String pointer, String json) {
        assertThat(send(provider, ToolChoice.parse(choice), true).at(pointer).toJson()).isEqualTo(json);
    }

    @Test
    void anthropicKeepsParallelToolUseOffNextToAChoiceAndSendsNothingWithoutEither() {
        assertThat(send("claude", ToolChoice.required(), false).at("/tool_choice").toJson())
                .isEqualTo("{\"type\":\"any\",\"disable_parallel_tool_use\":true}");
        assertThat(send("claude", null, true).json().toJson()).doesNotContain("tool_choice");
        assertThat(send("chat", null, true).json().toJson()).doesNotContain("tool_choice");
    }

    @Test
    void noChoiceIsSentWithoutTools() {
        try {
            registry.resolve(ModelConfig.of("chat", "m")).chat(ChatRequest.of(Message.user("hi"))
                    .withOptions(ChatOptions.builder().toolChoice(ToolChoice.required()).build()));
        } catch (ModelException expected) {
            // only the request matters
        }
        assertThat(server.takeRequest().json().toJson()).doesNotContain("tool_choice");
    }

    @Test
    void parseReadsDockerAgentsSpellings() {
        assertThat(ToolChoice.parse(" AUTO ")).isEqualTo(ToolChoice.auto());
        assertThat(ToolChoice.parse("any")).isEqualTo(ToolChoice.required());
        assertThat(ToolChoice.parse("get_weather")).isEqualTo(ToolChoice.named("get_weather"));
    }
}
