package dev.keel.core.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.ChatOptions;
import dev.keel.core.ChatRequest;
import dev.keel.core.ChatResponse;
import dev.keel.core.FinishReason;
import dev.keel.core.KeelException;
import dev.keel.core.ModelException;
import dev.keel.core.ResponseFormat;
import dev.keel.core.Usage;
import dev.keel.core.http.HttpConfig;
import dev.keel.core.internal.json.Json;
import dev.keel.core.message.Message;
import dev.keel.core.message.ToolCall;
import dev.keel.core.testutil.RecordingListener;
import dev.keel.core.testutil.Sse;
import dev.keel.core.tool.JsonSchema;
import dev.keel.core.tool.ToolSpec;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OpenAiCompatibleTest {
    static final String KEY = "sk-proj-TESTKEY-abcdefghijklmnopqrstuvwxyz0123456789";
    static final ToolSpec WEATHER = ToolSpec.of("get_weather", "Current weather for a city",
            JsonSchema.object().required("city", JsonSchema.string("City name")).build());
    static final ToolSpec TIME = ToolSpec.of("get_time", "Local time in a city",
            JsonSchema.object().required("city", JsonSchema.string()).build());
    static final ChatRequest ASK = ChatRequest.of(Message.system("You are terse."), Message.user("Weather in Oslo?"));

    private MockWebServer server;
    private OpenAiCompatible model;

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

    private OpenAiCompatible.Builder builder() {
        return OpenAiCompatible.builder().baseUrl(server.url("/v1").toString()).model("gpt-5").apiKey(KEY)
                .http(HttpConfig.builder().maxRetries(2).initialBackoff(Duration.ofMillis(1))
                        .maxBackoff(Duration.ofSeconds(2)).readTimeout(Duration.ofSeconds(5)).build());
    }

    private static MockResponse json(String body) {
        return new MockResponse.Builder().setHeader("Content-Type", "application/json").body(body).build();
    }

    private static MockResponse sse(List<String> payloads) {
        return new MockResponse.Builder().setHeader("Content-Type", "text/event-stream; charset=utf-8").body(Sse.data(payloads)).build();
    }

    private static JsonNode body(RecordedRequest r) {
        return Json.parse(r.getBody().utf8());
    }

    @Test
    void plainAnswer() throws Exception {
        server.enqueue(json(OpenAiChunks.completion("Sunny, 18 °C.", List.of(), "stop", 21, 7)));

        ChatResponse r = model.chat(ASK);

        assertThat(r.text()).isEqualTo("Sunny, 18 °C.");
        assertThat(r.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(r.usage()).isEqualTo(new Usage(21, 7));
        assertThat(r.id()).isEqualTo(OpenAiChunks.ID);
        assertThat(r.model()).isEqualTo(OpenAiChunks.MODEL);
        assertThat(r.toolCalls()).isEmpty();
        RecordedRequest req = server.takeRequest();
        assertThat(req.getMethod()).isEqualTo("POST");
        assertThat(req.getTarget()).isEqualTo("/v1/chat/completions");
        assertThat(req.getHeaders().get("Authorization")).isEqualTo("Bearer " + KEY);
        JsonNode sent = body(req);
        assertThat(sent.path("model").asText()).isEqualTo("gpt-5");
        assertThat(sent.path("messages")).hasSize(2);
        assertThat(sent.path("messages").get(0).path("role").asText()).isEqualTo("system");
        assertThat(sent.path("messages").get(1).path("content").asText()).isEqualTo("Weather in Oslo?");
        assertThat(sent.has("stream")).isFalse();
        assertThat(sent.has("tools")).isFalse();
        assertThat(sent.has("temperature")).isFalse();
    }

    @Test
    void requestCarriesTheWholeConversationToolsAndOptions() throws Exception {
        server.enqueue(json(OpenAiChunks.completion("done", List.of(), "stop", 1, 1)));
        ToolCall call = new ToolCall("call_abc", "get_weather", "{\"city\":\"Oslo\"}");
        JsonSchema answer = JsonSchema.object().required("summary", JsonSchema.string()).noAdditionalProperties().build();
        ChatRequest request = new ChatRequest(List.of(
                Message.system("sys"), Message.user("Weather in Oslo?"),
                Message.assistant("", List.of(call)),
                Message.toolResult(call, "{\"temp\":18}"),
                Message.toolError(new ToolCall("call_def", "get_time", "{}"), "unknown city")),
                List.of(WEATHER, TIME),
                ChatOptions.builder().model("gpt-5-mini").temperature(0.2).topP(0.9).maxTokens(300)
                        .presencePenalty(0.1).frequencyPenalty(0.3).stop("END", "STOP").seed(42L)
                        .parallelToolCalls(false).thinkingBudget(1000)
                        .responseFormat(new ResponseFormat.JsonSchemaFormat("answer", answer, true)).build());

        model.chat(request);

        JsonNode sent = body(server.takeRequest());
        assertThat(sent.path("model").asText()).isEqualTo("gpt-5-mini");
        JsonNode messages = sent.path("messages");
        assertThat(messages).hasSize(5);
        JsonNode assistant = messages.get(2);
        assertThat(assistant.path("role").asText()).isEqualTo("assistant");
        assertThat(assistant.path("content").isNull()).isTrue();
        assertThat(assistant.path("tool_calls").get(0).path("id").asText()).isEqualTo("call_abc");
        assertThat(assistant.path("tool_calls").get(0).path("type").asText()).isEqualTo("function");
        assertThat(assistant.path("tool_calls").get(0).path("function").path("arguments").asText())
                .isEqualTo("{\"city\":\"Oslo\"}");
        assertThat(messages.get(3).path("role").asText()).isEqualTo("tool");
        assertThat(messages.get(3).path("tool_call_id").asText()).isEqualTo("call_abc");
        assertThat(messages.get(3).path("content").asText()).isEqualTo("{\"temp\":18}");
        assertThat(messages.get(4).path("content").asText()).isEqualTo("unknown city");
        JsonNode tools = sent.path("tools");
        assertThat(tools).hasSize(2);
        assertThat(tools.get(0).path("type").asText()).isEqualTo("function");
        assertThat(tools.get(0).path("function").path("name").asText()).isEqualTo("get_weather");
        assertThat(tools.get(0).path("function").path("parameters")).isEqualTo(Json.toNode(WEATHER.parameters().toJson()));
        assertThat(sent.path("parallel_tool_calls").asBoolean(true)).isFalse();
        assertThat(sent.path("temperature").asDouble()).isEqualTo(0.2);
        assertThat(sent.path("top_p").asDouble()).isEqualTo(0.9);
        // a non-OpenAI base URL gets max_tokens, which every compatible server accepts
        assertThat(sent.path("max_tokens").asInt()).isEqualTo(300);
        assertThat(sent.has("max_completion_tokens")).isFalse();
        assertThat(sent.path("presence_penalty").asDouble()).isEqualTo(0.1);
        assertThat(sent.path("frequency_penalty").asDouble()).isEqualTo(0.3);
        assertThat(sent.path("stop").toString()).isEqualTo("[\"END\",\"STOP\"]");
        assertThat(sent.path("seed").asLong()).isEqualTo(42);
        JsonNode format = sent.path("response_format");
        assertThat(format.path("type").asText()).isEqualTo("json_schema");
        assertThat(format.path("json_schema").path("name").asText()).isEqualTo("answer");
        assertThat(format.path("json_schema").path("strict").asBoolean()).isTrue();
        assertThat(format.path("json_schema").path("schema")).isEqualTo(Json.toNode(answer.toJson()));
        assertThat(sent.has("thinking")).isFalse();
    }

    @Test
    void defaultOptionsApplyAndRequestOptionsWin() throws Exception {
        server.enqueue(json(OpenAiChunks.completion("{}", List.of(), "stop", 1, 1)));
        try (OpenAiCompatible m = builder().maxTokensParameter("max_completion_tokens")
                .defaultOptions(ChatOptions.builder().temperature(0.7).maxTokens(100)
                        .responseFormat(ResponseFormat.jsonObject()).build()).build()) {
            m.chat(ASK.withOptions(ChatOptions.builder().temperature(0.0).build()));
        }
        JsonNode sent = body(server.takeRequest());
        assertThat(sent.path("temperature").asDouble()).isEqualTo(0.0);
        assertThat(sent.path("max_completion_tokens").asInt()).isEqualTo(100);
        assertThat(sent.path("response_format").path("type").asText()).isEqualTo("json_object");
    }

    @Test
    void parallelToolCalls() throws Exception {
        List<ToolCall> calls = List.of(new ToolCall("call_1", "get_weather", "{\"city\":\"Oslo\"}"),
                new ToolCall("call_2", "get_time", "{\"city\":\"Oslo\"}"));
        server.enqueue(json(OpenAiChunks.completion(null, calls, "tool_calls", 80, 40)));

        ChatResponse r = model.chat(ASK.withTools(WEATHER, TIME));

        assertThat(r.toolCalls()).containsExactlyElementsOf(calls);
        assertThat(r.text()).isEmpty();
        assertThat(r.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
        assertThat(r.toolCalls().get(0).argumentsJson().get("city").flatMap(dev.keel.core.json.JsonValue::asString)).contains("Oslo");
    }

    @Test
    void streamedTextIsDeliveredInOrderAndAssembledLikeChat() throws Exception {
        server.enqueue(sse(List.of(OpenAiChunks.role(), OpenAiChunks.text("Sun"), OpenAiChunks.text("ny, "),
                OpenAiChunks.text("18 °C."), OpenAiChunks.finish("stop"), OpenAiChunks.usage(21, 7), "[DONE]")));
        server.enqueue(json(OpenAiChunks.completion("Sunny, 18 °C.", List.of(), "stop", 21, 7)));
        RecordingListener listener = new RecordingListener();

        ChatResponse streamed = model.stream(ASK, listener);
        ChatResponse blocking = model.chat(ASK);

        assertThat(streamed).isEqualTo(blocking);
        assertThat(listener.events).containsExactly("text:Sun", "text:ny, ", "text:18 °C.", "usage:21/7", "complete");
        assertThat(listener.completed).isSameAs(streamed);
        JsonNode sent = body(server.takeRequest());
        assertThat(sent.path("stream").asBoolean()).isTrue();
        assertThat(sent.path("stream_options").path("include_usage").asBoolean()).isTrue();
    }

    @Test
    void streamedParallelToolCallsSplitAcrossChunksAndTcpReads() throws Exception {
        List<ToolCall> calls = List.of(
                new ToolCall("call_DdmO9pD3xa9XTPNJ32zg2hcA", "get_weather", "{\"city\":\"Oslo\",\"unit\":\"celsius\"}"),
                new ToolCall("call_ABNX5vJ7lwjBHGNd1qcKgUhq", "get_time", "{\"city\":\"Zürich — 東京\"}"));
        // fragments of 3 characters, bytes trickling in 7 at a time
        server.enqueue(sse(OpenAiChunks.toolStream(calls, 3, 80, 40)).newBuilder().throttleBody(7, 0, TimeUnit.MILLISECONDS).build());
        server.enqueue(json(OpenAiChunks.completion(null, calls, "tool_calls", 80, 40)));
        RecordingListener listener = new RecordingListener();

        ChatResponse streamed = model.stream(ASK.withTools(WEATHER, TIME), listener);

        assertThat(streamed.toolCalls()).containsExactlyElementsOf(calls);
        assertThat(streamed.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
        assertThat(streamed.usage()).isEqualTo(new Usage(80, 40));
        assertThat(streamed).isEqualTo(model.chat(ASK.withTools(WEATHER, TIME)));
        assertThat(listener.kinds()).containsExactly("delta", "tool", "usage", "complete");
        assertThat(listener.toolCalls).containsExactlyElementsOf(calls);
        // every delta names its call from the first fragment on
        assertThat(listener.events.get(0)).isEqualTo("delta:0:call_DdmO9pD3xa9XTPNJ32zg2hcA:get_weather");
        assertThat(listener.events).contains("delta:1:call_ABNX5vJ7lwjBHGNd1qcKgUhq:get_time");
        assertThat(String.join("", listener.argumentDeltas)).isEqualTo(calls.get(0).arguments() + calls.get(1).arguments());
    }

    @Test
    void groqStyleUsageInItsExtensionObjectIsRead() {
        String last = "{\"id\":\"chatcmpl-groq\",\"model\":\"llama-3.3-70b-versatile\",\"choices\":[{\"index\":0,"
                + "\"delta\":{},\"finish_reason\":\"stop\"}],\"x_groq\":{\"id\":\"req_01\",\"usage\":"
                + "{\"prompt_tokens\":12,\"completion_tokens\":3,\"total_tokens\":15}}}";
        server.enqueue(sse(List.of(OpenAiChunks.text("Hi"), last, "[DONE]")));
        RecordingListener listener = new RecordingListener();
        assertThat(model.stream(ASK, listener).usage()).isEqualTo(new Usage(12, 3));
        assertThat(listener.events).containsExactly("text:Hi", "usage:12/3", "complete");
    }

    @Test
    void refusalsAreSurfacedAsContentFilteredText() {
        String refusal = "I'm sorry, I cannot help with that request.";
        server.enqueue(json("{\"id\":\"chatcmpl-r\",\"model\":\"gpt-5\",\"choices\":[{\"index\":0,\"message\":"
                + "{\"role\":\"assistant\",\"content\":null,\"refusal\":\"" + refusal + "\"},\"finish_reason\":\"stop\"}],"
                + "\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":9}}"));
        server.enqueue(sse(List.of(
                "{\"id\":\"chatcmpl-r\",\"model\":\"gpt-5\",\"choices\":[{\"index\":0,\"delta\":{\"refusal\":\"I'm sorry, \"},\"finish_reason\":null}]}",
                "{\"id\":\"chatcmpl-r\",\"model\":\"gpt-5\",\"choices\":[{\"index\":0,\"delta\":{\"refusal\":\"I cannot help with that request.\"},\"finish_reason\":null}]}",
                "{\"id\":\"chatcmpl-r\",\"model\":\"gpt-5\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}",
                OpenAiChunks.usage(5, 9).replace(OpenAiChunks.ID, "chatcmpl-r"), "[DONE]")));
        ChatResponse blocking = model.chat(ASK);
        assertThat(blocking.text()).isEqualTo(refusal);
        assertThat(blocking.finishReason()).isEqualTo(FinishReason.CONTENT_FILTER);
        ChatResponse streamed = model.stream(ASK, new RecordingListener());
        assertThat(streamed).isEqualTo(blocking);
    }

    @Test
    void serverRejectingStreamOptionsIsAskedAgainWithout() throws Exception {
        server.enqueue(new MockResponse.Builder().code(400)
                .body("{\"error\":{\"message\":\"Unrecognized request argument supplied: stream_options\"}}").build());
        server.enqueue(sse(List.of(OpenAiChunks.text("ok"), OpenAiChunks.finish("stop"), "[DONE]")));
        RecordingListener listener = new RecordingListener();
        assertThat(model.stream(ASK, listener).text()).isEqualTo("ok");
        assertThat(listener.events).containsExactly("text:ok", "complete");
        assertThat(body(server.takeRequest()).has("stream_options")).isTrue();
        JsonNode retried = body(server.takeRequest());
        assertThat(retried.has("stream_options")).isFalse();
        assertThat(retried.path("stream").asBoolean()).isTrue();
    }

    @Test
    void serverThatIgnoresStreamingStillServesTheListener() {
        server.enqueue(json(OpenAiChunks.completion("plain", List.of(), "stop", 3, 1)));
        RecordingListener listener = new RecordingListener();
        ChatResponse r = model.stream(ASK, listener);
        assertThat(r.text()).isEqualTo("plain");
        assertThat(listener.events).containsExactly("text:plain", "usage:3/1", "complete");
    }

    @Test
    void unauthorizedIsAuthenticationAndNeverEchoesTheKey() {
        server.enqueue(new MockResponse.Builder().code(401).setHeader("Content-Type", "application/json")
                .body("{\"error\":{\"message\":\"Incorrect API key provided: " + KEY
                        + ". You can find your API key at https://platform.openai.com/account/api-keys.\","
                        + "\"type\":\"invalid_request_error\",\"param\":null,\"code\":\"invalid_api_key\"}}").build());

        assertThatThrownBy(() -> model.chat(ASK))
                .isInstanceOfSatisfying(ModelException.Authentication.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(401);
                    assertThat(e.provider()).isEqualTo("openai");
                    assertThat(e.getMessage()).contains("Incorrect API key provided").doesNotContain(KEY);
                });
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    @Test
    void forbiddenIsAuthentication() {
        server.enqueue(new MockResponse.Builder().code(403).body("{\"error\":{\"message\":\"no access\"}}").build());
        assertThatThrownBy(() -> model.chat(ASK)).isInstanceOf(ModelException.Authentication.class);
    }

    @Test
    void rateLimitBeyondTheBackoffCapIsRateLimitedWithRetryAfter() {
        server.enqueue(new MockResponse.Builder().code(429).setHeader("Retry-After", "20")
                .body("{\"error\":{\"message\":\"Rate limit reached for gpt-5\",\"type\":\"requests\",\"code\":\"rate_limit_exceeded\"}}").build());

        assertThatThrownBy(() -> model.chat(ASK))
                .isInstanceOfSatisfying(ModelException.RateLimited.class, e -> {
                    assertThat(e.retryAfter()).contains(Duration.ofSeconds(20));
                    assertThat(e.getMessage()).contains("Rate limit reached for gpt-5");
                    assertThat(e.isRetryable()).isTrue();
                });
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    @Test
    void rateLimitWithShortRetryAfterIsRetriedTransparently() {
        server.enqueue(new MockResponse.Builder().code(429).setHeader("Retry-After", "1")
                .body("{\"error\":{\"message\":\"slow down\"}}").build());
        server.enqueue(json(OpenAiChunks.completion("after the wait", List.of(), "stop", 1, 1)));
        assertThat(model.chat(ASK).text()).isEqualTo("after the wait");
        assertThat(server.getRequestCount()).isEqualTo(2);
    }

    @Test
    void serverErrorThenSuccessSucceeds() {
        server.enqueue(new MockResponse.Builder().code(500).body("{\"error\":{\"message\":\"The server had an error\"}}").build());
        server.enqueue(json(OpenAiChunks.completion("recovered", List.of(), "stop", 1, 1)));
        assertThat(model.chat(ASK).text()).isEqualTo("recovered");
        assertThat(server.getRequestCount()).isEqualTo(2);
    }

    @Test
    void serverErrorsExhaustedAreServerError() {
        for (int i = 0; i < 3; i++) {
            server.enqueue(new MockResponse.Builder().code(503).body("{\"error\":{\"message\":\"overloaded " + i + "\"}}").build());
        }
        assertThatThrownBy(() -> model.chat(ASK))
                .isInstanceOfSatisfying(ModelException.ServerError.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(503);
                    assertThat(e.getMessage()).contains("overloaded 2");
                });
        assertThat(server.getRequestCount()).isEqualTo(3);
    }

    @Test
    void contextLengthExceededIsContextTooLong() {
        server.enqueue(new MockResponse.Builder().code(400).body("{\"error\":{\"message\":\"This model's maximum "
                + "context length is 128000 tokens. However, your messages resulted in 130000 tokens.\","
                + "\"type\":\"invalid_request_error\",\"param\":\"messages\",\"code\":\"context_length_exceeded\"}}").build());
        assertThatThrownBy(() -> model.chat(ASK))
                .isInstanceOfSatisfying(ModelException.ContextTooLong.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(400);
                    assertThat(e.getMessage()).contains("maximum context length is 128000 tokens");
                });
    }

    @Test
    void otherClientErrorsAreBadRequestWithTheProvidersMessage() {
        server.enqueue(new MockResponse.Builder().code(400).body("{\"error\":{\"message\":\"Invalid schema for "
                + "function 'get_weather': 'object' is not valid\",\"type\":\"invalid_request_error\",\"code\":null}}").build());
        assertThatThrownBy(() -> model.chat(ASK.withTools(WEATHER)))
                .isInstanceOfSatisfying(ModelException.BadRequest.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(400);
                    assertThat(e.getMessage()).contains("Invalid schema for function 'get_weather'");
                });
        server.enqueue(new MockResponse.Builder().code(404).body("not json at all").build());
        assertThatThrownBy(() -> model.chat(ASK))
                .isInstanceOfSatisfying(ModelException.BadRequest.class,
                        e -> assertThat(e.getMessage()).contains("404").contains("not json at all"));
    }

    @Test
    void malformedJsonIsMalformedResponse() {
        server.enqueue(json("{\"id\":\"chatcmpl-1\",\"choices\":[{\"message\":"));
        assertThatThrownBy(() -> model.chat(ASK)).isInstanceOf(ModelException.MalformedResponse.class)
                .hasMessageContaining("invalid JSON");
        server.enqueue(json("{\"id\":\"chatcmpl-1\",\"choices\":[]}"));
        assertThatThrownBy(() -> model.chat(ASK)).isInstanceOf(ModelException.MalformedResponse.class)
                .hasMessageContaining("no choices");
    }

    @Test
    void malformedEventDataFailsTheStream() {
        server.enqueue(sse(List.of(OpenAiChunks.text("Hel"), "{\"choices\":[{\"delta\":{\"content\":\"lo\"}", "[DONE]")));
        RecordingListener listener = new RecordingListener();
        assertThatThrownBy(() -> model.stream(ASK, listener)).isInstanceOf(ModelException.MalformedResponse.class);
        assertThat(listener.events).containsExactly("text:Hel", "error:MalformedResponse");
        assertThat(listener.error).isInstanceOf(ModelException.MalformedResponse.class);
    }

    @Test
    void streamCutMidEventIsAnErrorNotAHang() {
        String body = Sse.data(List.of(OpenAiChunks.text("Hel"), OpenAiChunks.text("lo")))
                + "data: {\"id\":\"chatcmpl-1\",\"choices\":[{\"delta\":{\"cont";
        server.enqueue(new MockResponse.Builder().setHeader("Content-Type", "text/event-stream").body(body).build());
        RecordingListener listener = new RecordingListener();
        assertThatThrownBy(() -> model.stream(ASK, listener))
                .isInstanceOf(ModelException.Connection.class).hasMessageContaining("middle of an event");
        assertThat(listener.events).containsExactly("text:Hel", "text:lo", "error:Connection");
        assertThat(listener.terminalCalls).isEqualTo(1);
    }

    @Test
    void streamEndingInsideToolCallArgumentsIsAnError() {
        List<String> chunks = new ArrayList<>(List.of(OpenAiChunks.role(),
                OpenAiChunks.tool(0, "call_1", "get_weather", ""), OpenAiChunks.tool(0, null, null, "{\"ci"),
                OpenAiChunks.tool(0, null, null, "ty\":\"Os")));
        server.enqueue(sse(chunks));
        RecordingListener listener = new RecordingListener();
        assertThatThrownBy(() -> model.stream(ASK.withTools(WEATHER), listener))
                .isInstanceOf(ModelException.MalformedResponse.class)
                .hasMessageContaining("without finishing the answer")
                .hasMessageContaining("tool call 'get_weather' was cut")
                .satisfies(e -> assertThat(((ModelException) e).isRetryable()).isFalse());
        assertThat(listener.toolCalls).isEmpty();
        assertThat(listener.error).isNotNull();
        assertThat(listener.completed).isNull();
    }

    @Test
    void anAnthropicStreamIsAMalformedResponseThatIsNotRetried() {
        // The wrong wire protocol: an Anthropic Messages stream where Chat Completions chunks were expected.
        server.enqueue(new MockResponse.Builder().setHeader("Content-Type", "text/event-stream").body(
                "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"m\",\"usage\":{}}}\n\n"
                        + "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n").build());
        RecordingListener listener = new RecordingListener();
        assertThatThrownBy(() -> model.stream(ASK, listener)).isInstanceOf(ModelException.MalformedResponse.class)
                .hasMessageContaining("OpenAI-compatible")
                .satisfies(e -> assertThat(((ModelException) e).isRetryable()).isFalse());
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    @Test
    void connectionDroppedDuringTheBodyIsAConnectionError() {
        server.enqueue(sse(List.of(OpenAiChunks.text("a".repeat(4000)), OpenAiChunks.text("b".repeat(4000)),
                OpenAiChunks.finish("stop"), "[DONE]")).newBuilder()
                .onResponseBody(SocketEffect.ShutdownConnection.INSTANCE).build());
        RecordingListener listener = new RecordingListener();
        assertThatThrownBy(() -> model.stream(ASK, listener)).isInstanceOf(ModelException.Connection.class);
        assertThat(listener.error).isInstanceOf(ModelException.Connection.class);
    }

    @Test
    void errorEventInsideTheStreamIsTyped() {
        server.enqueue(sse(List.of(OpenAiChunks.text("par"),
                "{\"error\":{\"message\":\"The server had an error while processing your request.\",\"type\":\"server_error\"}}")));
        RecordingListener listener = new RecordingListener();
        assertThatThrownBy(() -> model.stream(ASK, listener)).isInstanceOf(ModelException.ServerError.class)
                .hasMessageContaining("The server had an error");
        assertThat(listener.events).containsExactly("text:par", "error:ServerError");
    }

    @Test
    void streamErrorStatusIsMappedBeforeAnyEvent() {
        server.enqueue(new MockResponse.Builder().code(401).body("{\"error\":{\"message\":\"bad key\"}}").build());
        RecordingListener listener = new RecordingListener();
        assertThatThrownBy(() -> model.stream(ASK, listener)).isInstanceOf(ModelException.Authentication.class);
        assertThat(listener.events).containsExactly("error:Authentication");
    }

    @Test
    void silentServerIsTimeout() {
        server.enqueue(new MockResponse.Builder().onResponseStart(SocketEffect.Stall.INSTANCE).build());
        try (OpenAiCompatible slow = builder().http(HttpConfig.builder().maxRetries(0)
                .readTimeout(Duration.ofMillis(200)).build()).build()) {
            assertThatThrownBy(() -> slow.chat(ASK)).isInstanceOfSatisfying(ModelException.Timeout.class,
                    e -> assertThat(e.isRetryable()).isTrue());
        }
    }

    @Test
    void silenceBetweenStreamedEventsIsTimeout() {
        String first = Sse.data(List.of(OpenAiChunks.text("Hel")));
        // the first event arrives at once, then the server stalls for longer than the read timeout
        server.enqueue(new MockResponse.Builder().setHeader("Content-Type", "text/event-stream")
                .body(first + Sse.data(List.of(OpenAiChunks.text("lo"), OpenAiChunks.finish("stop"), "[DONE]")))
                .throttleBody(first.length(), 3, TimeUnit.SECONDS).build());
        try (OpenAiCompatible slow = builder().http(HttpConfig.builder().maxRetries(0)
                .readTimeout(Duration.ofMillis(1000)).build()).build()) {
            RecordingListener listener = new RecordingListener();
            assertThatThrownBy(() -> slow.stream(ASK, listener)).isInstanceOf(ModelException.Timeout.class);
            assertThat(listener.events).containsExactly("text:Hel", "error:Timeout");
        }
    }

    @Test
    void interruptingTheCallerCancelsABlockedStream() throws Exception {
        String first = Sse.data(List.of(OpenAiChunks.text("Hel")));
        server.enqueue(new MockResponse.Builder().setHeader("Content-Type", "text/event-stream")
                .body(first + Sse.data(List.of(OpenAiChunks.text("lo"), OpenAiChunks.finish("stop"), "[DONE]")))
                .throttleBody(first.length(), 3, TimeUnit.SECONDS).build());
        RecordingListener listener = new RecordingListener();
        java.util.concurrent.CountDownLatch firstText = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicReference<Throwable> thrown = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicBoolean stillInterrupted = new java.util.concurrent.atomic.AtomicBoolean();
        Thread caller = new Thread(() -> {
            try {
                model.stream(ASK, new dev.keel.core.StreamListener() {
                    @Override
                    public void onText(String delta) {
                        listener.onText(delta);
                        firstText.countDown();
                    }

                    @Override
                    public void onError(ModelException e) {
                        listener.onError(e);
                    }
                });
            } catch (Throwable t) {
                thrown.set(t);
                stillInterrupted.set(Thread.currentThread().isInterrupted());
            }
        });
        caller.start();
        assertThat(firstText.await(10, TimeUnit.SECONDS)).isTrue();
        caller.interrupt();
        caller.join(10_000);
        assertThat(caller.isAlive()).isFalse();
        assertThat(thrown.get()).isInstanceOf(ModelException.Connection.class).hasMessageContaining("interrupted");
        assertThat(stillInterrupted).isTrue();
        assertThat(listener.events).containsExactly("text:Hel", "error:Connection");
    }

    @Test
    void logsNameTheEndpointButNeverTheKey() {
        server.enqueue(new MockResponse.Builder().code(500).body("{\"error\":{\"message\":\"oops\"}}").build());
        server.enqueue(sse(List.of(OpenAiChunks.text("ok"), OpenAiChunks.finish("stop"), "[DONE]")));
        java.io.PrintStream original = System.err;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            assertThat(model.stream(ASK, new RecordingListener()).text()).isEqualTo("ok");
        } finally {
            System.setErr(original);
        }
        String log = captured.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(log).contains("/v1/chat/completions").contains("attempt 2/3").doesNotContain(KEY);
    }

    @Test
    void theKeyNeverAppearsInToStringOrMessages() {
        assertThat(model.toString()).doesNotContain(KEY).contains("gpt-5").contains("apiKey=***");
        assertThat(builder().toString()).doesNotContain(KEY);
        assertThat(model.id()).isEqualTo("openai/gpt-5");
        // a misbehaving local server that echoes the Authorization header into a 400 body
        server.enqueue(new MockResponse.Builder().code(400).body("bad header Authorization: Bearer " + KEY).build());
        assertThatThrownBy(() -> model.chat(ASK)).satisfies(e -> assertThat(e.getMessage()).doesNotContain(KEY)
                .contains("Bearer ***"));
        server.enqueue(json("{\"oops\": \"" + KEY + "\""));
        assertThatThrownBy(() -> model.chat(ASK)).satisfies(e -> assertThat(e.getMessage()).doesNotContain(KEY));
    }

    @Test
    void noKeyMeansNoAuthorizationHeader() throws Exception {
        server.enqueue(json(OpenAiChunks.completion("local", List.of(), "stop", 1, 1)));
        try (OpenAiCompatible local = OpenAiCompatible.builder().providerName("dmr")
                .baseUrl(server.url("/engines/llama.cpp/v1/").toString()).model("ai/qwen2.5").build()) {
            assertThat(local.chat(ASK).text()).isEqualTo("local");
            assertThat(local.toString()).contains("apiKey=(none)");
        }
        RecordedRequest req = server.takeRequest();
        assertThat(req.getHeaders().get("Authorization")).isNull();
        assertThat(req.getTarget()).isEqualTo("/engines/llama.cpp/v1/chat/completions");
    }

    @Test
    void missingEnvironmentVariableFailsAtBuildNamingTheVariable() {
        assertThatThrownBy(() -> OpenAiCompatible.builder().model("gpt-5")
                .apiKeyFromEnv("KEEL_TEST_SURELY_UNSET_VARIABLE_42").build())
                .isInstanceOf(KeelException.class).hasMessageContaining("KEEL_TEST_SURELY_UNSET_VARIABLE_42");
        assertThatThrownBy(() -> OpenAiCompatible.builder().build()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("model is required");
        assertThatThrownBy(() -> OpenAiCompatible.builder().model("m").baseUrl("ftp://nope").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("baseUrl");
    }

    @Test
    void openAiItselfGetsMaxCompletionTokens() throws Exception {
        // same wire, but the default for api.openai.com: route through an interceptor to the mock server
        server.enqueue(json(OpenAiChunks.completion("x", List.of(), "stop", 1, 1)));
        okhttp3.HttpUrl mock = server.url("/v1/chat/completions");
        try (OpenAiCompatible openai = OpenAiCompatible.builder().model("gpt-5").apiKey(KEY)
                .http(HttpConfig.builder().addInterceptor(chain -> chain.proceed(chain.request().newBuilder()
                        .url(mock).build())).build()).build()) {
            openai.chat(ASK.withOptions(ChatOptions.builder().maxTokens(50).build()));
        }
        JsonNode sent = body(server.takeRequest());
        assertThat(sent.path("max_completion_tokens").asInt()).isEqualTo(50);
        assertThat(sent.has("max_tokens")).isFalse();
    }

    @Test
    void closingTwiceIsHarmless() {
        OpenAiCompatible m = builder().build();
        m.close();
        m.close();
        assertThatThrownBy(() -> m.chat(ASK)).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }
}
