package dev.keel.core.google;

import static dev.keel.core.google.GeminiChunks.chunk;
import static dev.keel.core.google.GeminiChunks.functionCall;
import static dev.keel.core.google.GeminiChunks.sse;
import static dev.keel.core.google.GeminiChunks.text;
import static dev.keel.core.google.GeminiChunks.thought;
import static dev.keel.core.google.GeminiChunks.usage;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.ChatOptions;
import dev.keel.core.ChatRequest;
import dev.keel.core.ChatResponse;
import dev.keel.core.FinishReason;
import dev.keel.core.ModelException;
import dev.keel.core.ResponseFormat;
import dev.keel.core.ThinkingBudget;
import dev.keel.core.Usage;
import dev.keel.core.http.HttpConfig;
import dev.keel.core.json.JsonObject;
import dev.keel.core.json.JsonValue;
import dev.keel.core.message.Message;
import dev.keel.core.message.Reasoning;
import dev.keel.core.message.ToolCall;
import dev.keel.core.testutil.LoopbackServer;
import dev.keel.core.testutil.LoopbackServer.Recorded;
import dev.keel.core.testutil.LoopbackServer.Reply;
import dev.keel.core.testutil.RecordingListener;
import dev.keel.core.tool.JsonSchema;
import dev.keel.core.tool.ToolSpec;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Gemini's native API against a real HTTP server answering in the documented (and recorded) shapes. */
class GeminiTest {
    private static final String KEY = "AIzaSyTestKey-0123456789abcdefghij";
    private static final String SIGNATURE = "EqsFCqgFAb4+9vvtAF5n87lB4OGDOoTRMOqp35jW65Xs";
    private static final ToolSpec WEATHER = ToolSpec.of("get_weather", "Weather for a city",
            JsonSchema.object().required("city", JsonSchema.string()).build());
    private static final ChatRequest ASK = ChatRequest.of(Message.system("You are terse."), Message.user("Weather in Oslo?"))
            .withTools(WEATHER);

    private LoopbackServer server;
    private Gemini model;

    @BeforeEach
    void start() {
        server = LoopbackServer.start();
        model = builder("gemini-3-pro-preview").build();
    }

    @AfterEach
    void stop() {
        model.close();
        server.close();
    }

    private Gemini.Builder builder(String modelName) {
        return Gemini.builder().baseUrl(server.url("/v1beta")).model(modelName).apiKey(KEY)
                .http(HttpConfig.builder().maxRetries(0).readTimeout(Duration.ofSeconds(10)).build());
    }

    @Test
    void streamedTextArrivesAsDeltasAndEqualsTheSameAnswerFetchedWhole() {
        List<String> chunks = GeminiChunks.textChunks(List.of("There are **3**", " \"r\"s in strawberry."), SIGNATURE, 9, 185);
        server.enqueue(Reply.sse(sse(chunks)).inPieces(29));
        server.enqueue(Reply.json(chunk(List.of(text("There are **3** \"r\"s in strawberry."),
                GeminiChunks.signedEmptyText(SIGNATURE)), "STOP", usage(9, 8, 185))));
        RecordingListener listener = new RecordingListener();

        ChatResponse streamed = model.stream(ASK, listener);
        ChatResponse whole = model.chat(ASK);

        assertThat(streamed.text()).isEqualTo("There are **3** \"r\"s in strawberry.");
        assertThat(streamed.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(streamed.usage()).isEqualTo(new Usage(9, 8 + 185, 0, 0, 185));
        assertThat(streamed.model()).isEqualTo(GeminiChunks.MODEL_VERSION);
        assertThat(streamed.id()).isEqualTo(GeminiChunks.RESPONSE_ID);
        assertThat(streamed.message().reasoning()).containsExactly(new Reasoning(Reasoning.GEMINI, "", "", SIGNATURE));
        assertThat(streamed).isEqualTo(whole);
        assertThat(listener.kinds()).containsExactly("text", "usage", "complete");
        Recorded streamedRequest = server.takeRequest();
        assertThat(streamedRequest.target()).isEqualTo("/v1beta/models/gemini-3-pro-preview:streamGenerateContent?alt=sse");
        assertThat(server.takeRequest().target()).isEqualTo("/v1beta/models/gemini-3-pro-preview:generateContent");
    }

    @Test
    void theRequestCarriesTheSystemInstructionContentsToolsAndGenerationConfig() {
        server.enqueue(Reply.json(chunk(List.of(text("ok")), "STOP", null)));
        ToolCall oslo = new ToolCall("call_0", "get_weather", "{\"city\":\"Oslo\"}");
        ToolCall bergen = new ToolCall("call_1", "get_weather", "{\"city\":\"Bergen\"}");
        ChatRequest request = new ChatRequest(List.of(Message.system("You are terse."), Message.user("Weather?"),
                Message.assistant("Checking both.", List.of(oslo, bergen)), Message.toolResult(oslo, "12 °C"),
                Message.toolError(bergen, "station offline"), Message.system("Be brief."), Message.user("Well?")),
                List.of(WEATHER), ChatOptions.builder().temperature(0.4).topP(0.9).maxTokens(800).stop("END")
                .presencePenalty(0.1).frequencyPenalty(0.2).seed(42L)
                .responseFormat(ResponseFormat.jsonSchema("w", JsonSchema.object().required("t", JsonSchema.string()).build()))
                .build());

        model.chat(request);

        Recorded sent = server.takeRequest();
        assertThat(sent.header("x-goog-api-key")).isEqualTo(KEY);
        assertThat(sent.target()).doesNotContain(KEY).doesNotContain("key=");
        assertThat(sent.text("/systemInstruction/parts/0/text")).isEqualTo("You are terse.\n\nBe brief.");
        assertThat(sent.text("/contents/0/role")).isEqualTo("user");
        assertThat(sent.text("/contents/0/parts/0/text")).isEqualTo("Weather?");
        assertThat(sent.text("/contents/1/role")).isEqualTo("model");
        assertThat(sent.text("/contents/1/parts/0/text")).isEqualTo("Checking both.");
        assertThat(sent.text("/contents/1/parts/1/functionCall/name")).isEqualTo("get_weather");
        assertThat(sent.at("/contents/1/parts/1/functionCall/args")).isEqualTo(JsonObject.parse("{\"city\":\"Oslo\"}"));
        assertThat(sent.text("/contents/1/parts/1/functionCall/id")).isEqualTo("call_0");
        assertThat(sent.text("/contents/2/role")).as("both results answer the turn together").isEqualTo("user");
        assertThat(sent.text("/contents/2/parts/0/functionResponse/name")).isEqualTo("get_weather");
        assertThat(sent.text("/contents/2/parts/0/functionResponse/id")).isEqualTo("call_0");
        assertThat(sent.text("/contents/2/parts/0/functionResponse/response/output")).isEqualTo("12 °C");
        assertThat(sent.text("/contents/2/parts/1/functionResponse/response/error")).isEqualTo("station offline");
        assertThat(sent.text("/contents/2/parts/2/text")).isEqualTo("Well?");
        assertThat(sent.json().at("/contents/3")).isEmpty();
        assertThat(sent.text("/tools/0/functionDeclarations/0/name")).isEqualTo("get_weather");
        assertThat(sent.at("/tools/0/functionDeclarations/0/parametersJsonSchema")).isEqualTo(WEATHER.parameters().toJson());
        assertThat(sent.at("/generationConfig/temperature").asDouble().getAsDouble()).isEqualTo(0.4);
        assertThat(sent.at("/generationConfig/topP").asDouble().getAsDouble()).isEqualTo(0.9);
        assertThat(sent.at("/generationConfig/maxOutputTokens").asLong().getAsLong()).isEqualTo(800);
        assertThat(sent.text("/generationConfig/stopSequences/0")).isEqualTo("END");
        assertThat(sent.at("/generationConfig/presencePenalty").asDouble().getAsDouble()).isEqualTo(0.1);
        assertThat(sent.at("/generationConfig/frequencyPenalty").asDouble().getAsDouble()).isEqualTo(0.2);
        assertThat(sent.at("/generationConfig/seed").asLong().getAsLong()).isEqualTo(42);
        assertThat(sent.text("/generationConfig/responseMimeType")).isEqualTo("application/json");
        assertThat(sent.text("/generationConfig/responseJsonSchema/properties/t/type")).isEqualTo("string");
        assertThat(sent.json().at("/generationConfig/thinkingConfig")).isEmpty();
    }

    @Test
    void thinkingBudgetsMapToThinkingLevelsOnGemini3AndBudgetsOnGemini2() {
        ChatOptions high = ChatOptions.builder().thinkingBudget(ThinkingBudget.parse("high")).build();
        server.enqueue(Reply.json(chunk(List.of(text("ok")), "STOP", null)));
        model.chat(ASK.withOptions(high));
        Recorded gemini3 = server.takeRequest();
        assertThat(gemini3.text("/generationConfig/thinkingConfig/thinkingLevel")).isEqualTo("high");
        assertThat(gemini3.at("/generationConfig/thinkingConfig/includeThoughts").asBoolean()).contains(true);

        try (Gemini flash = builder("gemini-2.5-flash").build()) {
            for (var c : List.of(
                    new Object[] {high, 16384L}, new Object[] {ChatOptions.builder().thinkingBudget(ThinkingBudget.parse("low")).build(), 2048L},
                    new Object[] {ChatOptions.builder().thinkingBudget(3000).build(), 3000L},
                    new Object[] {ChatOptions.builder().thinkingBudget(-1).build(), -1L},
                    new Object[] {ChatOptions.builder().thinkingBudget(ThinkingBudget.parse("none")).build(), 0L})) {
                server.enqueue(Reply.json(chunk(List.of(text("ok")), "STOP", null)));
                flash.chat(ASK.withOptions((ChatOptions) c[0]));
                Recorded sent = server.takeRequest();
                assertThat(sent.at("/generationConfig/thinkingConfig/thinkingBudget").asLong().getAsLong()).isEqualTo((Long) c[1]);
                assertThat(sent.json().at("/generationConfig/thinkingConfig/thinkingLevel")).isEmpty();
            }
        }
    }

    @Test
    void aFunctionCallKeepsItsThoughtSignatureForTheNextTurn() {
        server.enqueue(Reply.sse(sse(List.of(
                chunk(List.of(thought("Looking up the weather.")), null, usage(29, 0, 40)),
                chunk(List.of(functionCall("get_weather", "{\"city\":\"Oslo\"}", SIGNATURE)), null, usage(29, 15, 804)),
                chunk(List.of(text("")), "STOP", usage(29, 15, 804))))));
        server.enqueue(Reply.json(chunk(List.of(text("12 °C in Oslo.")), "STOP", usage(60, 6, 0))));
        RecordingListener listener = new RecordingListener();

        ChatResponse first = model.stream(ASK, listener);

        // Gemini sent no id: one unique to the response (its responseId) and the call's position.
        String id = "call_" + GeminiChunks.RESPONSE_ID + "_0";
        ToolCall call = new ToolCall(id, "get_weather", "{\"city\":\"Oslo\"}");
        assertThat(first.toolCalls()).containsExactly(call);
        assertThat(first.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
        assertThat(first.text()).isEmpty();
        assertThat(listener.reasoning.toString()).isEqualTo("Looking up the weather.");
        assertThat(listener.toolCalls).containsExactly(call);
        assertThat(first.message().reasoning()).containsExactly(
                new Reasoning(Reasoning.GEMINI, "", "Looking up the weather.", ""),
                new Reasoning(Reasoning.GEMINI, id, "", SIGNATURE));
        assertThat(first.usage()).isEqualTo(new Usage(29, 15 + 804, 0, 0, 804));

        ChatResponse second = model.chat(ASK.plus(first.message()).plus(Message.toolResult(call, "12 °C")));

        assertThat(second.text()).isEqualTo("12 °C in Oslo.");
        server.takeRequest();
        Recorded next = server.takeRequest();
        assertThat(next.text("/contents/1/parts/0/functionCall/name")).isEqualTo("get_weather");
        assertThat(next.text("/contents/1/parts/0/thoughtSignature")).isEqualTo(SIGNATURE);
        assertThat(next.body()).as("thought summaries are not sent back").doesNotContain("Looking up the weather");
        assertThat(next.text("/contents/2/parts/0/functionResponse/response/output")).isEqualTo("12 °C");
    }

    @Test
    void aCallFromAnotherModelGetsTheDocumentedPlaceholderSignatureOnGemini3Only() {
        ToolCall fromGpt = new ToolCall("call_abc", "get_weather", "{\"city\":\"Oslo\"}");
        ChatRequest history = ASK.plus(Message.assistant("", List.of(fromGpt))).plus(Message.toolResult(fromGpt, "12 °C"));
        server.enqueue(Reply.json(chunk(List.of(text("ok")), "STOP", null)));
        model.chat(history);
        assertThat(server.takeRequest().text("/contents/1/parts/0/thoughtSignature"))
                .isEqualTo(GeminiWire.SKIP_SIGNATURE_VALIDATION);

        try (Gemini flash = builder("gemini-2.5-flash").build()) {
            server.enqueue(Reply.json(chunk(List.of(text("ok")), "STOP", null)));
            flash.chat(history);
            assertThat(server.takeRequest().json().at("/contents/1/parts/0/thoughtSignature")).isEmpty();
        }
    }

    @Test
    void aBlockedPromptIsATypedContentBlockedError() {
        String blocked = "{\"promptFeedback\":{\"blockReason\":\"PROHIBITED_CONTENT\"},\"usageMetadata\":"
                + "{\"promptTokenCount\":9,\"totalTokenCount\":9},\"modelVersion\":\"gemini-3.7-flash\",\"responseId\":\"x\"}";
        server.enqueue(Reply.sse(sse(List.of(blocked))));
        server.enqueue(Reply.json(blocked));
        RecordingListener listener = new RecordingListener();

        assertThatThrownBy(() -> model.stream(ASK, listener)).isInstanceOfSatisfying(ModelException.ContentBlocked.class,
                e -> {
                    assertThat(e.reason()).isEqualTo("PROHIBITED_CONTENT");
                    assertThat(e.isRetryable()).isFalse();
                });
        assertThat(listener.error).isInstanceOf(ModelException.ContentBlocked.class);
        assertThatThrownBy(() -> model.chat(ASK)).isInstanceOf(ModelException.ContentBlocked.class)
                .hasMessageContaining("PROHIBITED_CONTENT");
    }

    @Test
    void anAnswerStoppedForSafetyIsAContentFilterFinish() {
        server.enqueue(Reply.sse(sse(List.of(chunk(List.of(text("Here is how")), null, null),
                chunk(List.of(text("")), "SAFETY", usage(9, 3, 0))))));

        ChatResponse r = model.stream(ASK, new RecordingListener());

        assertThat(r.finishReason()).isEqualTo(FinishReason.CONTENT_FILTER);
        assertThat(r.text()).isEqualTo("Here is how");
    }

    @Test
    void cachedAndToolUsePromptTokensAreCounted() {
        server.enqueue(Reply.json(chunk(List.of(text("42")), "STOP", "{\"promptTokenCount\":19,\"cachedContentTokenCount\":3,"
                + "\"candidatesTokenCount\":4,\"toolUsePromptTokenCount\":63,\"thoughtsTokenCount\":56,\"totalTokenCount\":142}")));

        assertThat(model.chat(ASK).usage()).isEqualTo(new Usage(19 + 63, 4 + 56, 3, 0, 56));
    }

    @Test
    void rateLimitsCarryTheRetryInfoDelay() {
        server.enqueue(Reply.status(429, "{\"error\":{\"code\":429,\"message\":\"You exceeded your current quota.\","
                + "\"status\":\"RESOURCE_EXHAUSTED\",\"details\":[{\"@type\":\"type.googleapis.com/google.rpc.QuotaFailure\","
                + "\"violations\":[{\"quotaId\":\"GenerateRequestsPerMinutePerProjectPerModel-FreeTier\"}]},"
                + "{\"@type\":\"type.googleapis.com/google.rpc.RetryInfo\",\"retryDelay\":\"34.4s\"}]}}"));

        assertThatThrownBy(() -> model.chat(ASK)).isInstanceOfSatisfying(ModelException.RateLimited.class,
                e -> assertThat(e.retryAfter()).contains(Duration.ofMillis(34_400)));
    }

    @Test
    void anInvalidKeyIsAuthenticationAndTheKeyNeverShows() {
        server.enqueue(Reply.status(400, "{\"error\":{\"code\":400,\"message\":\"API key not valid. Please pass a valid API "
                + "key. (" + KEY + ")\",\"status\":\"INVALID_ARGUMENT\",\"details\":[{\"@type\":"
                + "\"type.googleapis.com/google.rpc.ErrorInfo\",\"reason\":\"API_KEY_INVALID\",\"domain\":\"googleapis.com\"}]}}"));

        assertThatThrownBy(() -> model.chat(ASK)).isInstanceOfSatisfying(ModelException.Authentication.class, e -> {
            assertThat(e.getMessage()).contains("API key not valid").doesNotContain(KEY);
            assertThat(e.statusCode()).isEqualTo(401);
        });
        assertThat(model.toString()).doesNotContain(KEY);
    }

    @Test
    void anInputOverTheTokenLimitIsContextTooLong() {
        server.enqueue(Reply.status(400, "{\"error\":{\"code\":400,\"message\":\"The input token count (1200000) exceeds "
                + "the maximum number of tokens allowed (1048576).\",\"status\":\"INVALID_ARGUMENT\"}}"));
        server.enqueue(Reply.status(400, "{\"error\":{\"code\":400,\"message\":\"Penalty is not enabled for "
                + "models/gemini-2.5-flash\",\"status\":\"INVALID_ARGUMENT\"}}"));

        assertThatThrownBy(() -> model.chat(ASK)).isInstanceOf(ModelException.ContextTooLong.class);
        assertThatThrownBy(() -> model.chat(ASK)).isInstanceOf(ModelException.BadRequest.class)
                .hasMessageContaining("INVALID_ARGUMENT: Penalty is not enabled");
    }

    @Test
    void anErrorInsideTheStreamIsTyped() {
        server.enqueue(Reply.sse(sse(List.of(chunk(List.of(text("Par")), null, null),
                "{\"error\":{\"code\":503,\"message\":\"The model is overloaded.\",\"status\":\"UNAVAILABLE\"}}"))));

        assertThatThrownBy(() -> model.stream(ASK, new RecordingListener()))
                .isInstanceOfSatisfying(ModelException.ServerError.class, e -> assertThat(e.isRetryable()).isTrue());
    }

    @Test
    void aStreamWithoutAFinishReasonIsMalformedAndACutOneIsAConnectionError() {
        server.enqueue(Reply.sse(sse(List.of(chunk(List.of(text("partial")), null, null)))));
        assertThatThrownBy(() -> model.stream(ASK, new RecordingListener()))
                .isInstanceOfSatisfying(ModelException.MalformedResponse.class, e -> {
                    assertThat(e.getMessage()).contains("without a finishReason");
                    assertThat(e.isRetryable()).isFalse();
                });

        String body = sse(GeminiChunks.textChunks(List.of("one", " two"), SIGNATURE, 9, 0));
        server.enqueue(Reply.sse(body).cutAfter(body.indexOf("two")));
        assertThatThrownBy(() -> model.stream(ASK, new RecordingListener()))
                .isInstanceOfSatisfying(ModelException.Connection.class, e -> assertThat(e.isRetryable()).isTrue());

        server.enqueue(Reply.sse("data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[]}\n\ndata: [DONE]\n\n"));
        assertThatThrownBy(() -> model.stream(ASK, new RecordingListener()))
                .isInstanceOf(ModelException.MalformedResponse.class);
    }

    @Test
    void builtInToolsAndGenerationParametersAreSent() {
        try (Gemini grounded = builder("gemini-2.5-flash").builtInTool("googleSearch").builtInTool("codeExecution")
                .generationParameter("topK", JsonValue.of(40)).build()) {
            server.enqueue(Reply.json(chunk(List.of(text("ok")), "STOP", null)));
            grounded.chat(ASK);
        }
        Recorded sent = server.takeRequest();
        assertThat(sent.json().at("/tools/1/googleSearch")).isPresent();
        assertThat(sent.json().at("/tools/2/codeExecution")).isPresent();
        assertThat(sent.at("/generationConfig/topK").asLong().getAsLong()).isEqualTo(40);
    }
}
