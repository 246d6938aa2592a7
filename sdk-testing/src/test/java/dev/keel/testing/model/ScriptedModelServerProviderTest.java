package dev.keel.testing.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.ChatRequest;
import dev.keel.core.ChatResponse;
import dev.keel.core.FinishReason;
import dev.keel.core.ModelException;
import dev.keel.core.Usage;
import dev.keel.core.http.HttpConfig;
import dev.keel.core.message.Message;
import dev.keel.core.message.ToolCall;
import dev.keel.core.message.ToolResultMessage;
import dev.keel.core.openai.OpenAiCompatible;
import dev.keel.core.openai.OpenAiEmbeddings;
import dev.keel.core.tool.JsonSchema;
import dev.keel.core.tool.ToolSpec;
import dev.keel.testing.support.EventLog;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The scripted server through Keel's real OpenAI-compatible provider. */
class ScriptedModelServerProviderTest {
    private static final ToolSpec WEATHER = ToolSpec.of("get_weather", "Current weather for a city",
            JsonSchema.object().required("city", JsonSchema.string()).build());
    private static final ChatRequest ASK = ChatRequest.of(Message.system("You are terse."),
            Message.user("Weather in Oslo and Paris?")).withTools(WEATHER);

    private final ScriptedModelServer llm = ScriptedModelServer.start();
    private final OpenAiCompatible model = OpenAiCompatible.builder().baseUrl(llm.baseUrl()).model("gpt-test")
            .apiKey("test-key").http(HttpConfig.builder().maxRetries(0).readTimeout(Duration.ofSeconds(5)).build())
            .build();

    @AfterEach
    void close() {
        model.close();
        llm.close();
    }

    @Test
    void aToolLoopWithParallelCallsThenAnAnswer() {
        llm.respond(ScriptedReply.toolCalls(ScriptedToolCall.of("get_weather", Map.of("city", "Oslo")),
                        ScriptedToolCall.of("get_weather", Map.of("city", "Paris"))).usage(30, 12))
                .respond(ScriptedReply.text("Oslo 3°C, Paris 11°C.").usage(60, 9));
        ChatResponse first = model.chat(ASK);
        assertThat(first.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
        assertThat(first.toolCalls()).extracting(ToolCall::id).containsExactly("call_1", "call_2");
        assertThat(first.toolCalls().get(1).argumentsJson().get("city").flatMap(dev.keel.core.json.JsonValue::asString)).contains("Paris");
        assertThat(first.usage()).isEqualTo(new Usage(30, 12));

        ChatRequest next = ASK.plus(first.message())
                .plus(Message.toolResult(first.toolCalls().get(0), "3°C"))
                .plus(Message.toolResult(first.toolCalls().get(1), "11°C"));
        ChatResponse second = model.chat(next);
        assertThat(second.text()).isEqualTo("Oslo 3°C, Paris 11°C.");
        assertThat(second.finishReason()).isEqualTo(FinishReason.STOP);

        RecordedChatRequest sent = llm.requests().get(1);
        assertThat(sent.messages()).hasSize(5);
        assertThat(sent.lastMessage()).isEqualTo(new ToolResultMessage("call_2", "get_weather", "11°C", false));
        assertThat(sent.toolNames()).containsExactly("get_weather");
        assertThat(sent.header("Authorization")).contains("Bearer test-key");
        llm.assertNoFailures();
    }

    @Test
    void streamingAssemblesSplitToolCallArgumentsAndReportsUsage() {
        llm.respond(ScriptedReply.toolCall("get_weather", Map.of("city", "Oslo", "unit", "celsius"))
                .withText("Checking.").usage(21, 8));
        EventLog log = new EventLog();
        ChatResponse r = model.stream(ASK, log);
        assertThat(r.text()).isEqualTo("Checking.");
        assertThat(r.toolCalls()).singleElement().satisfies(c -> {
            assertThat(c.id()).isEqualTo("call_1");
            assertThat(c.argumentsJson().get("unit").flatMap(dev.keel.core.json.JsonValue::asString)).contains("celsius");
        });
        assertThat(r.usage()).isEqualTo(new Usage(21, 8));
        assertThat(log.lines.stream().filter(l -> l.startsWith("delta ")).count()).isGreaterThan(2);
        assertThat(log.lines.get(log.lines.size() - 1)).startsWith("complete ");
        assertThat(llm.takeRequest().includeUsage()).isTrue();
    }

    @Test
    void scriptedErrorsBecomeTypedModelExceptions() {
        llm.respond(ScriptedReply.error(429, "slow down").retryAfter(7))
                .respond(ScriptedReply.error(401, "bad key"))
                .respond(ScriptedReply.error(400, "too long").errorCode("context_length_exceeded"))
                .respond(ScriptedReply.malformedJson())
                .respond(ScriptedReply.cutStream());
        assertThatThrownBy(() -> model.chat(ASK)).isInstanceOfSatisfying(ModelException.RateLimited.class,
                e -> assertThat(e.retryAfter()).contains(Duration.ofSeconds(7)));
        assertThatThrownBy(() -> model.chat(ASK)).isInstanceOf(ModelException.Authentication.class);
        assertThatThrownBy(() -> model.chat(ASK)).isInstanceOf(ModelException.ContextTooLong.class);
        assertThatThrownBy(() -> model.chat(ASK)).isInstanceOf(ModelException.MalformedResponse.class);
        EventLog log = new EventLog();
        assertThatThrownBy(() -> model.stream(ASK, log)).isInstanceOf(ModelException.class);
        assertThat(log.lines.get(log.lines.size() - 1)).startsWith("error ");
    }

    @Test
    void anUnscriptedCallFailsTheModelCallAndIsRecorded() {
        assertThatThrownBy(() -> model.chat(ASK)).isInstanceOf(ModelException.ServerError.class)
                .hasMessageContaining("no scripted reply");
        assertThat(llm.failures()).hasSize(1);
    }

    @Test
    void embeddingsThroughTheProvider() {
        llm.embeddings(text -> new float[] {text.length(), 1, 0});
        try (OpenAiEmbeddings embeddings = OpenAiCompatible.embeddings().baseUrl(llm.baseUrl()).model("emb")
                .apiKey("test-key").dimension(3).build()) {
            List<float[]> vectors = embeddings.embedAll(List.of("a", "abcd"));
            assertThat(vectors.get(0)).containsExactly(1f, 1f, 0f);
            assertThat(vectors.get(1)).containsExactly(4f, 1f, 0f);
        }
        assertThat(llm.embeddingRequests()).singleElement()
                .satisfies(r -> assertThat(r.inputs()).containsExactly("a", "abcd"));
    }
}
