package dev.keel.testing.cassette;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.core.ChatRequest;
import dev.keel.core.ChatResponse;
import dev.keel.core.FinishReason;
import dev.keel.core.Usage;
import dev.keel.core.message.Message;
import dev.keel.core.openai.OpenAiCompatible;
import dev.keel.core.tool.JsonSchema;
import dev.keel.core.tool.ToolSpec;
import dev.keel.testing.model.ScriptedModelServer;
import dev.keel.testing.model.ScriptedReply;
import dev.keel.testing.support.EventLog;
import java.util.Map;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

/**
 * Replays a cassette checked in under {@code src/test/resources/cassettes}, with no server running: the
 * workflow users follow with real providers. The cassette was recorded from the scripted model server
 * on a fixed port; re-record it with {@code -Dkeel.cassette.mode=all}.
 */
class CommittedCassetteTest {
    private static final int PORT = 18931;
    private static final ToolSpec WEATHER = ToolSpec.of("get_weather", "Current weather for a city",
            JsonSchema.object().required("city", JsonSchema.string()).build());

    @Test
    @Cassette(value = "scripted-weather", mode = CassetteMode.NONE)
    void replaysAStreamedToolCallFromTheRepository(OkHttpClient http, CassetteRecorder cassette) {
        ScriptedModelServer llm = null;
        if (cassette.isRecording()) {
            llm = ScriptedModelServer.start(PORT);
            llm.respond(ScriptedReply.toolCall("get_weather", Map.of("city", "Oslo")).withText("Let me check.")
                    .usage(31, 14));
        }
        try (OpenAiCompatible model = OpenAiCompatible.builder().baseUrl("http://localhost:" + PORT + "/v1")
                .model("gpt-test").apiKey("test-key").httpClient(http).build()) {
            EventLog log = new EventLog();
            ChatResponse r = model.stream(ChatRequest.of(Message.user("Weather in Oslo?")).withTools(WEATHER), log);
            assertThat(r.text()).isEqualTo("Let me check.");
            assertThat(r.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
            assertThat(r.toolCalls()).singleElement().satisfies(c -> {
                assertThat(c.id()).isEqualTo("call_1");
                assertThat(c.argumentsJson().get("city").flatMap(dev.keel.core.json.JsonValue::asString)).contains("Oslo");
            });
            assertThat(r.usage()).isEqualTo(new Usage(31, 14));
            assertThat(log.lines).filteredOn(l -> l.startsWith("delta ")).hasSizeGreaterThan(1);
            if (!cassette.isRecording()) {
                assertThat(cassette.replayedCount()).isEqualTo(1);
            }
        } finally {
            if (llm != null) {
                llm.close();
            }
        }
    }
}
