package dev.keel.testing.cassette;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.ChatModel;
import dev.keel.core.ChatRequest;
import dev.keel.core.ChatResponse;
import dev.keel.core.ModelException;
import dev.keel.core.http.HttpClients;
import dev.keel.core.http.HttpConfig;
import dev.keel.core.message.Message;
import dev.keel.core.message.ToolCall;
import dev.keel.core.openai.OpenAiCompatible;
import dev.keel.core.tool.JsonSchema;
import dev.keel.core.tool.ToolSpec;
import dev.keel.testing.model.ScriptedModelServer;
import dev.keel.testing.model.ScriptedReply;
import dev.keel.testing.support.EventLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Record a model conversation through the real OpenAI-compatible provider, then replay it offline. */
class CassetteModelRoundTripTest {
    private static final String KEY = "sk-" + "live" + "Q7w8E9r0T1y2U3i4O5p6A7s8";
    private static final ToolSpec WEATHER = ToolSpec.of("get_weather", "Current weather for a city",
            JsonSchema.object().required("city", JsonSchema.string()).build());
    private static final ChatRequest ASK = ChatRequest.of(Message.system("You are terse."),
            Message.user("Weather in Oslo?")).withTools(WEATHER);

    @TempDir
    Path dir;

    /** What the conversation produced, in a comparable form. */
    private record Outcome(ChatResponse first, ChatResponse second, ChatResponse streamed, List<String> events,
                           String error) {}

    private static Outcome converse(ChatModel model, String toolCallIdForSecondTurn) {
        ChatResponse first = model.chat(ASK);
        ToolCall call = first.toolCalls().get(0);
        ToolCall asSent = toolCallIdForSecondTurn == null ? call
                : new ToolCall(toolCallIdForSecondTurn, call.name(), call.arguments());
        ChatResponse second = model.chat(ASK.plus(Message.assistant("", List.of(asSent)))
                .plus(Message.toolResult(asSent, "3°C, light snow")));
        EventLog log = new EventLog();
        ChatResponse streamed = model.stream(ChatRequest.of(Message.user("Tell me a story.")), log);
        String error;
        try {
            model.chat(ChatRequest.of(Message.user("Break.")));
            error = "none";
        } catch (ModelException e) {
            error = e.getClass().getSimpleName() + ": " + e.getMessage();
        }
        return new Outcome(first, second, streamed, new ArrayList<>(log.lines), error);
    }

    private static OpenAiCompatible model(String baseUrl, OkHttpClient http) {
        return OpenAiCompatible.builder().baseUrl(baseUrl).model("gpt-test").apiKey(KEY).httpClient(http).build();
    }

    @Test
    void recordThenReplayGivesIdenticalResultsOfflineEvenWithADifferentToolCallId() throws Exception {
        Path file = dir.resolve("weather.yaml");
        OkHttpClient base = HttpClients.create(HttpConfig.builder().maxRetries(0).build());
        String baseUrl;
        Outcome recorded;
        try (ScriptedModelServer llm = ScriptedModelServer.start();
             CassetteRecorder cassette = CassetteRecorder.open(file, CassetteMode.ONCE)) {
            baseUrl = llm.baseUrl();
            llm.respond(ScriptedReply.toolCall("get_weather", Map.of("city", "Oslo")))
                    .respond(ScriptedReply.text("It is 3°C with light snow in Oslo."))
                    .respond(ScriptedReply.text("Once upon a time, a tiny boat crossed the fjord.").usage(9, 13))
                    .respond(ScriptedReply.error(400, "unsupported request"));
            assertThat(cassette.isRecording()).isTrue();
            try (OpenAiCompatible model = model(baseUrl, cassette.wrap(base))) {
                recorded = converse(model, null);
            }
            assertThat(llm.requests()).hasSize(4);
            llm.assertNoFailures();
        }
        assertThat(recorded.first().toolCalls().get(0).id()).isEqualTo("call_1");
        assertThat(recorded.error()).startsWith("BadRequest");
        String yaml = Files.readString(file);
        assertThat(yaml).doesNotContain(KEY).contains("Authorization: \"<REDACTED>\"").contains("events:");

        // The server is gone: anything not replayed from the cassette would fail to connect.
        try (CassetteRecorder cassette = CassetteRecorder.open(file, CassetteMode.NONE);
             OpenAiCompatible model = model(baseUrl, cassette.wrap(base))) {
            Outcome replayed = converse(model, "call_" + "DifferentIdFromANewRun42");
            assertThat(replayed.first()).isEqualTo(recorded.first());
            assertThat(replayed.second()).isEqualTo(recorded.second());
            assertThat(replayed.streamed()).isEqualTo(recorded.streamed());
            assertThat(replayed.events()).isEqualTo(recorded.events());
            assertThat(replayed.error()).isEqualTo(recorded.error());
            assertThat(cassette.replayedCount()).isEqualTo(4);
        }
        base.dispatcher().executorService().shutdown();
    }

    @Test
    void aChangedPromptMissesWithADiffNamingTheChange() {
        Path file = dir.resolve("miss.yaml");
        String baseUrl;
        try (ScriptedModelServer llm = ScriptedModelServer.start();
             CassetteRecorder cassette = CassetteRecorder.open(file, CassetteMode.ONCE);
             OpenAiCompatible model = model(llm.baseUrl(), cassette.client())) {
            baseUrl = llm.baseUrl();
            llm.respond(ScriptedReply.text("hi"));
            model.chat(ChatRequest.of(Message.user("Say hi in English")));
        }
        try (CassetteRecorder cassette = CassetteRecorder.open(file, CassetteMode.NONE);
             OpenAiCompatible model = model(baseUrl, cassette.client())) {
            assertThatThrownBy(() -> model.chat(ChatRequest.of(Message.user("Say hi in French"))))
                    .isInstanceOfSatisfying(CassetteMissException.class, e -> {
                        assertThat(e.closestIndex()).contains(0);
                        assertThat(e.diff()).containsPattern("(?m)^-\\s+\"content\" : \"Say hi in English\",$")
                                .containsPattern("(?m)^\\+\\s+\"content\" : \"Say hi in French\",$");
                        assertThat(e.diff().indexOf("- ")).isLessThan(e.diff().indexOf("+ "));
                        assertThat(e.getMessage()).doesNotContain(KEY);
                    });
        }
    }

    @Test
    void replayIsFasterThanTheDelayedOriginal() {
        Path file = dir.resolve("slow.yaml");
        String baseUrl;
        try (ScriptedModelServer llm = ScriptedModelServer.start();
             CassetteRecorder cassette = CassetteRecorder.open(file, CassetteMode.ONCE);
             OpenAiCompatible model = model(llm.baseUrl(), cassette.client())) {
            baseUrl = llm.baseUrl();
            llm.respond(ScriptedReply.text("slow answer").delayed(Duration.ofMillis(1500)));
            model.chat(ChatRequest.of(Message.user("q")));
        }
        try (CassetteRecorder cassette = CassetteRecorder.open(file, CassetteMode.NONE);
             OpenAiCompatible model = model(baseUrl, cassette.client())) {
            long start = System.nanoTime();
            assertThat(model.chat(ChatRequest.of(Message.user("q"))).text()).isEqualTo("slow answer");
            // Not a speed target: only proves the recorded delay is not replayed (no network involved).
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(1500));
        }
    }
}
