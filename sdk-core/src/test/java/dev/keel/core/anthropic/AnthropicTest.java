package dev.keel.core.anthropic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.ChatOptions;
import dev.keel.core.ChatRequest;
import dev.keel.core.ChatResponse;
import dev.keel.core.FinishReason;
import dev.keel.core.KeelException;
import dev.keel.core.ModelException;
import dev.keel.core.Usage;
import dev.keel.core.http.HttpConfig;
import dev.keel.core.internal.json.Json;
import dev.keel.core.message.Message;
import dev.keel.core.message.ToolCall;
import dev.keel.core.testutil.RecordingListener;
import dev.keel.core.tool.JsonSchema;
import dev.keel.core.tool.ToolSpec;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AnthropicTest {
    static final String KEY = "sk-ant-api03-TESTKEY-abcdefghijklmnopqrstuvwxyz";
    static final ToolSpec WEATHER = ToolSpec.of("get_weather", "Current weather for a city",
            JsonSchema.object().required("city", JsonSchema.string("City name")).build());
    static final ToolSpec TIME = ToolSpec.of("get_time", "Local time in a city",
            JsonSchema.object().required("city", JsonSchema.string()).build());
    static final ChatRequest ASK = ChatRequest.of(Message.system("You are terse."), Message.user("Weather in Oslo?"));
    static final List<ToolCall> CALLS = List.of(
            new ToolCall("toolu_01A09q90qw90lq917835lq9", "get_weather", "{\"city\":\"Oslo\",\"unit\":\"celsius\"}"),
            new ToolCall("toolu_01B11x22yz33ab44cd55ef6", "get_time", "{\"city\":\"Zürich — 東京\"}"));

    private MockWebServer server;
    private Anthropic model;

    @BeforeEach
    void start() throws IOException {
        server = new MockWebServer();
        server.start();
        model = builder().build();
    }

    @AfterEach
    void stop() throws IOException {
        model.close();
        server.close();
    }

    private Anthropic.Builder builder() {
        return Anthropic.builder().baseUrl(server.url("/").toString()).model("claude-sonnet-4-5").apiKey(KEY)
                .http(HttpConfig.builder().maxRetries(2).initialBackoff(Duration.ofMillis(1))
                        .maxBackoff(Duration.ofSeconds(2)).readTimeout(Duration.ofSeconds(5)).build());
    }

    private static MockResponse json(String body) {
        return new MockResponse.Builder().setHeader("Content-Type", "application/json").body(body).build();
    }

    private static MockResponse sse(String body) {
        return new MockResponse.Builder().setHeader("Content-Type", "text/event-stream; charset=utf-8").body(body).build();
    }

    private static JsonNode body(RecordedRequest r) {
        return Json.parse(r.getBody().utf8());
    }

    @Test
    void plainAnswer() throws Exception {
        server.enqueue(json(AnthropicEvents.message("Sunny, 18 °C.", List.of(), "end_turn", 25, 9)));

        ChatResponse r = model.chat(ASK);

        assertThat(r.text()).isEqualTo("Sunny, 18 °C.");
        assertThat(r.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(r.usage()).isEqualTo(new Usage(25, 9));
        assertThat(r.id()).isEqualTo(AnthropicEvents.ID);
        assertThat(r.model()).isEqualTo(AnthropicEvents.MODEL);
        RecordedRequest req = server.takeRequest();
        assertThat(req.getTarget()).isEqualTo("/v1/messages");
        assertThat(req.getHeaders().get("x-api-key")).isEqualTo(KEY);
        assertThat(req.getHeaders().get("anthropic-version")).isEqualTo("2023-06-01");
        assertThat(req.getHeaders().get("Authorization")).isNull();
        JsonNode sent = body(req);
        assertThat(sent.path("model").asText()).isEqualTo("claude-sonnet-4-5");
        assertThat(sent.path("max_tokens").asInt()).isEqualTo(4096);
        assertThat(sent.path("system").asText()).isEqualTo("You are terse.");
        assertThat(sent.path("messages")).hasSize(1);
        assertThat(sent.path("messages").get(0).path("role").asText()).isEqualTo("user");
        assertThat(sent.path("messages").get(0).path("content").get(0).path("text").asText()).isEqualTo("Weather in Oslo?");
        assertThat(sent.has("stream")).isFalse();
    }

    @Test
    void conversationWithToolsIsMappedToBlocksAndMergedTurns() throws Exception {
        server.enqueue(json(AnthropicEvents.message("done", List.of(), "end_turn", 1, 1)));
        ChatRequest request = new ChatRequest(List.of(
                Message.system("one"), Message.user("Weather and time in Oslo?"), Message.system("two"),
                Message.assistant("Checking.", CALLS),
                Message.toolResult(CALLS.get(0), "{\"temp\":18}"),
                Message.toolError(CALLS.get(1), "clock unavailable"),
                Message.user("And tomorrow?")),
                List.of(WEATHER, TIME),
                ChatOptions.builder().temperature(0.3).topP(0.8).maxTokens(20_000).stop("END").thinkingBudget(10_000)
                        .parallelToolCalls(false).presencePenalty(0.5).seed(1L).build());

        model.chat(request);

        JsonNode sent = body(server.takeRequest());
        assertThat(sent.path("system").asText()).isEqualTo("one\n\ntwo");
        JsonNode messages = sent.path("messages");
        assertThat(messages).hasSize(3);
        JsonNode assistant = messages.get(1);
        assertThat(assistant.path("role").asText()).isEqualTo("assistant");
        assertThat(assistant.path("content").get(0).path("text").asText()).isEqualTo("Checking.");
        JsonNode toolUse = assistant.path("content").get(1);
        assertThat(toolUse.path("type").asText()).isEqualTo("tool_use");
        assertThat(toolUse.path("id").asText()).isEqualTo(CALLS.get(0).id());
        assertThat(toolUse.path("input").path("unit").asText()).isEqualTo("celsius");
        JsonNode results = messages.get(2);
        assertThat(results.path("role").asText()).isEqualTo("user");
        assertThat(results.path("content")).hasSize(3);
        assertThat(results.path("content").get(0).path("type").asText()).isEqualTo("tool_result");
        assertThat(results.path("content").get(0).path("tool_use_id").asText()).isEqualTo(CALLS.get(0).id());
        assertThat(results.path("content").get(0).has("is_error")).isFalse();
        assertThat(results.path("content").get(1).path("is_error").asBoolean()).isTrue();
        assertThat(results.path("content").get(1).path("content").asText()).isEqualTo("clock unavailable");
        assertThat(results.path("content").get(2).path("text").asText()).isEqualTo("And tomorrow?");
        JsonNode tools = sent.path("tools");
        assertThat(tools.get(0).path("name").asText()).isEqualTo("get_weather");
        assertThat(tools.get(0).path("input_schema")).isEqualTo(Json.toNode(WEATHER.parameters().toJson()));
        assertThat(sent.path("tool_choice").path("disable_parallel_tool_use").asBoolean()).isTrue();
        assertThat(sent.path("max_tokens").asInt()).isEqualTo(20_000);
        assertThat(sent.path("thinking").path("type").asText()).isEqualTo("enabled");
        assertThat(sent.path("thinking").path("budget_tokens").asInt()).isEqualTo(10_000);
        assertThat(sent.path("temperature").asDouble()).isEqualTo(0.3);
        assertThat(sent.path("top_p").asDouble()).isEqualTo(0.8);
        assertThat(sent.path("stop_sequences").toString()).isEqualTo("[\"END\"]");
        assertThat(sent.has("presence_penalty")).isFalse();
        assertThat(sent.has("seed")).isFalse();
    }

    @Test
    void thinkingBudgetRaisesTheDefaultMaxTokens() throws Exception {
        server.enqueue(json(AnthropicEvents.message("ok", List.of(), "end_turn", 1, 1)));
        model.chat(ASK.withOptions(ChatOptions.builder().thinkingBudget(8000).build()));
        JsonNode sent = body(server.takeRequest());
        assertThat(sent.path("max_tokens").asInt()).isGreaterThan(8000);
    }

    @Test
    void parallelToolCalls() {
        server.enqueue(json(AnthropicEvents.message("Let me check.", CALLS, "tool_use", 400, 120)));
        ChatResponse r = model.chat(ASK.withTools(WEATHER, TIME));
        assertThat(r.text()).isEqualTo("Let me check.");
        assertThat(r.toolCalls()).containsExactlyElementsOf(CALLS);
        assertThat(r.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
    }

    @Test
    void streamedTextAndToolCallsSplitAcrossEventsAndTcpReadsEqualTheBlockingAnswer() {
        server.enqueue(sse(AnthropicEvents.stream("Let me check.", CALLS, 3, 400, 120))
                .newBuilder().throttleBody(11, 0, TimeUnit.MILLISECONDS).build());
        server.enqueue(json(AnthropicEvents.message("Let me check.", CALLS, "tool_use", 400, 120)));
        RecordingListener listener = new RecordingListener();

        ChatResponse streamed = model.stream(ASK.withTools(WEATHER, TIME), listener);
        ChatResponse blocking = model.chat(ASK.withTools(WEATHER, TIME));

        assertThat(streamed).isEqualTo(blocking);
        assertThat(streamed.usage()).isEqualTo(new Usage(400, 120));
        assertThat(listener.text.toString()).isEqualTo("Let me check.");
        assertThat(listener.kinds()).containsExactly("text", "delta", "tool", "delta", "tool", "usage", "complete");
        assertThat(listener.toolCalls).containsExactlyElementsOf(CALLS);
        assertThat(listener.events).contains("delta:0:toolu_01A09q90qw90lq917835lq9:get_weather",
                "delta:1:toolu_01B11x22yz33ab44cd55ef6:get_time");
        assertThat(listener.completed).isSameAs(streamed);
    }

    @Test
    void streamRequestAsksForAStream() throws Exception {
        server.enqueue(sse(AnthropicEvents.stream("Hi", List.of(), 3, 5, 2)));
        RecordingListener listener = new RecordingListener();
        ChatResponse r = model.stream(ASK, listener);
        assertThat(r.text()).isEqualTo("Hi");
        assertThat(r.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(listener.events).containsExactly("text:Hi", "usage:5/2", "complete");
        assertThat(body(server.takeRequest()).path("stream").asBoolean()).isTrue();
    }

    @Test
    void toolWithoutArgumentsStreamsAsEmptyObject() {
        ToolCall noArgs = new ToolCall("toolu_01NOARGS00000000000000", "get_time", "{}");
        server.enqueue(sse(AnthropicEvents.messageStart(3) + AnthropicEvents.toolStart(0, noArgs.id(), noArgs.name())
                + AnthropicEvents.jsonDelta(0, "") + AnthropicEvents.blockStop(0)
                + AnthropicEvents.messageDelta("tool_use", 4) + AnthropicEvents.messageStop()));
        ChatResponse r = model.stream(ASK.withTools(TIME), new RecordingListener());
        assertThat(r.toolCalls()).containsExactly(noArgs);
    }

    @Test
    void errorEventInTheStreamIsTyped() {
        server.enqueue(sse(AnthropicEvents.messageStart(3) + AnthropicEvents.textStart(0)
                + AnthropicEvents.textDelta(0, "Hel")
                + "event: error\ndata: " + AnthropicEvents.error("overloaded_error", "Overloaded") + "\n\n"));
        RecordingListener listener = new RecordingListener();
        assertThatThrownBy(() -> model.stream(ASK, listener))
                .isInstanceOfSatisfying(ModelException.ServerError.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(529);
                    assertThat(e.getMessage()).contains("Overloaded");
                });
        assertThat(listener.events).containsExactly("text:Hel", "error:ServerError");
    }

    @Test
    void streamCutMidEventIsAnError() {
        String stream = AnthropicEvents.messageStart(3) + AnthropicEvents.toolStart(0, CALLS.get(0).id(), "get_weather")
                + AnthropicEvents.jsonDelta(0, "{\"city\": \"Os") + "event: content_block_delta\ndata: {\"type\":\"content_blo";
        server.enqueue(sse(stream));
        RecordingListener listener = new RecordingListener();
        assertThatThrownBy(() -> model.stream(ASK.withTools(WEATHER), listener))
                .isInstanceOf(ModelException.Connection.class)
                .hasMessageContaining("middle of an event")
                .hasMessageContaining("tool call 'get_weather' was cut");
        assertThat(listener.toolCalls).isEmpty();
        assertThat(listener.terminalCalls).isEqualTo(1);
    }

    @Test
    void streamEndingBeforeMessageStopIsAnError() {
        server.enqueue(sse(AnthropicEvents.messageStart(3) + AnthropicEvents.textStart(0)
                + AnthropicEvents.textDelta(0, "partial") + AnthropicEvents.blockStop(0)));
        RecordingListener listener = new RecordingListener();
        assertThatThrownBy(() -> model.stream(ASK, listener)).isInstanceOf(ModelException.MalformedResponse.class)
                .hasMessageContaining("without message_stop")
                .satisfies(e -> assertThat(((ModelException) e).isRetryable()).isFalse());
        assertThat(listener.completed).isNull();
    }

    @Test
    void anOpenAiStreamIsAMalformedResponseThatIsNotRetried() {
        // The wrong wire protocol: an OpenAI-compatible server answering with chat.completion.chunk events.
        server.enqueue(sse("data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
                + "\"delta\":{\"content\":\"hi\"},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n"));
        RecordingListener listener = new RecordingListener();
        assertThatThrownBy(() -> model.stream(ASK, listener)).isInstanceOf(ModelException.MalformedResponse.class)
                .satisfies(e -> assertThat(((ModelException) e).isRetryable()).isFalse());
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    @Test
    void malformedEventJsonIsMalformedResponse() {
        server.enqueue(sse(AnthropicEvents.messageStart(3) + "event: content_block_delta\ndata: {not json}\n\n"));
        RecordingListener listener = new RecordingListener();
        assertThatThrownBy(() -> model.stream(ASK, listener)).isInstanceOf(ModelException.MalformedResponse.class);
        assertThat(listener.error).isInstanceOf(ModelException.MalformedResponse.class);
        server.enqueue(json("{\"id\":\"msg_1\",\"content\":"));
        assertThatThrownBy(() -> model.chat(ASK)).isInstanceOf(ModelException.MalformedResponse.class);
    }

    @Test
    void unauthorizedIsAuthentication() {
        server.enqueue(new MockResponse.Builder().code(401)
                .body(AnthropicEvents.error("authentication_error", "invalid x-api-key " + KEY)).build());
        assertThatThrownBy(() -> model.chat(ASK)).isInstanceOfSatisfying(ModelException.Authentication.class, e -> {
            assertThat(e.getMessage()).contains("authentication_error").contains("invalid x-api-key").doesNotContain(KEY);
            assertThat(e.provider()).isEqualTo("anthropic");
        });
    }

    @Test
    void rateLimitedCarriesRetryAfter() {
        server.enqueue(new MockResponse.Builder().code(429).setHeader("retry-after", "40")
                .body(AnthropicEvents.error("rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit")).build());
        assertThatThrownBy(() -> model.chat(ASK)).isInstanceOfSatisfying(ModelException.RateLimited.class, e -> {
            assertThat(e.retryAfter()).contains(Duration.ofSeconds(40));
            assertThat(e.getMessage()).contains("per-minute rate limit");
        });
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    @Test
    void rateLimitWithShortRetryAfterThenSuccess() {
        server.enqueue(new MockResponse.Builder().code(429).setHeader("retry-after", "1")
                .body(AnthropicEvents.error("rate_limit_error", "slow down")).build());
        server.enqueue(json(AnthropicEvents.message("ok", List.of(), "end_turn", 1, 1)));
        assertThat(model.chat(ASK).text()).isEqualTo("ok");
        assertThat(server.getRequestCount()).isEqualTo(2);
    }

    @Test
    void overloadedThenSuccessIsRetriedAndExhaustedOverloadIsServerError() {
        server.enqueue(new MockResponse.Builder().code(529).body(AnthropicEvents.error("overloaded_error", "Overloaded")).build());
        server.enqueue(json(AnthropicEvents.message("ok", List.of(), "end_turn", 1, 1)));
        assertThat(model.chat(ASK).text()).isEqualTo("ok");
        for (int i = 0; i < 3; i++) {
            server.enqueue(new MockResponse.Builder().code(500).body(AnthropicEvents.error("api_error", "Internal server error")).build());
        }
        assertThatThrownBy(() -> model.chat(ASK)).isInstanceOfSatisfying(ModelException.ServerError.class,
                e -> assertThat(e.statusCode()).isEqualTo(500));
        assertThat(server.getRequestCount()).isEqualTo(5);
    }

    @Test
    void promptTooLongIsContextTooLongAndOtherErrorsAreBadRequest() {
        server.enqueue(new MockResponse.Builder().code(400)
                .body(AnthropicEvents.error("invalid_request_error", "prompt is too long: 208310 tokens > 200000 maximum")).build());
        assertThatThrownBy(() -> model.chat(ASK)).isInstanceOfSatisfying(ModelException.ContextTooLong.class,
                e -> assertThat(e.getMessage()).contains("208310 tokens > 200000 maximum"));
        server.enqueue(new MockResponse.Builder().code(400)
                .body(AnthropicEvents.error("invalid_request_error", "messages: roles must alternate")).build());
        assertThatThrownBy(() -> model.chat(ASK)).isInstanceOfSatisfying(ModelException.BadRequest.class,
                e -> assertThat(e.getMessage()).contains("messages: roles must alternate"));
    }

    @Test
    void keyNeverLeaksAndBuildErrorsAreClear() {
        assertThat(model.toString()).doesNotContain(KEY).contains("claude-sonnet-4-5");
        assertThat(model.id()).isEqualTo("anthropic/claude-sonnet-4-5");
        assertThatThrownBy(() -> Anthropic.builder().model("claude-sonnet-4-5")
                .apiKeyFromEnv("KEEL_TEST_SURELY_UNSET_ANTHROPIC_VAR").build())
                .isInstanceOf(KeelException.class).hasMessageContaining("KEEL_TEST_SURELY_UNSET_ANTHROPIC_VAR");
        Anthropic closing = builder().build();
        closing.close();
        closing.close();
    }
}
