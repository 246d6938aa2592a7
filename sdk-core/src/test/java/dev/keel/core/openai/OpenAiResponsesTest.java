package dev.keel.core.openai;

import static dev.keel.core.openai.ResponsesEvents.event;
import static dev.keel.core.openai.ResponsesEvents.response;
import static dev.keel.core.openai.ResponsesEvents.usage;
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
import dev.keel.core.json.JsonArray;
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

/** The Responses API client against a real HTTP server answering in the documented (and recorded) shapes. */
class OpenAiResponsesTest {
    private static final String KEY = "sk-test-responses-key-0123456789";
    private static final ToolSpec WEATHER = ToolSpec.of("get_weather", "Weather for a city",
            JsonSchema.object().required("city", JsonSchema.string()).build());
    private static final ChatRequest ASK = ChatRequest.of(Message.system("You are terse."), Message.user("Weather in Oslo?"))
            .withTools(WEATHER);
    private static final ToolCall OSLO = new ToolCall("call_2FQdm3Br7Qb35YUBSkDR7kue", "get_weather", "{\"city\":\"Oslo\"}");
    private static final ToolCall BERGEN = new ToolCall("call_AB6AaRZ1FYZB2RwS6A5vbdqn", "get_weather", "{\"city\":\"Bergen\"}");

    private LoopbackServer server;
    private OpenAiResponses model;

    @BeforeEach
    void start() {
        server = LoopbackServer.start();
        model = builder().build();
    }

    @AfterEach
    void stop() {
        model.close();
        server.close();
    }

    private OpenAiResponses.Builder builder() {
        return OpenAiResponses.builder().baseUrl(server.url("/v1")).model("gpt-5.1").apiKey(KEY)
                .http(HttpConfig.builder().maxRetries(0).readTimeout(Duration.ofSeconds(10)).build());
    }

    @Test
    void streamedTextArrivesAsDeltasAndEqualsTheSameAnswerFetchedWhole() {
        String usage = usage(1354, 1276, 42, 0);
        server.enqueue(Reply.sse(ResponsesEvents.textStream(List.of("Sunny", ", ", "12 °C", "."), usage)).inPieces(37));
        server.enqueue(Reply.json(response("completed", "[" + ResponsesEvents.messageItem("msg_0a1b2c3d4e5f", "completed",
                "Sunny, 12 °C.") + "]", usage, null, null)));
        RecordingListener listener = new RecordingListener();

        ChatResponse streamed = model.stream(ASK, listener);
        ChatResponse whole = model.chat(ASK);

        assertThat(streamed.text()).isEqualTo("Sunny, 12 °C.");
        assertThat(streamed.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(streamed.usage()).isEqualTo(new Usage(1354, 42, 1276, 0, 0));
        assertThat(streamed.id()).isEqualTo(ResponsesEvents.ID);
        assertThat(streamed.model()).isEqualTo(ResponsesEvents.MODEL);
        assertThat(streamed).isEqualTo(whole);
        assertThat(listener.text.toString()).isEqualTo("Sunny, 12 °C.");
        assertThat(listener.kinds()).containsExactly("text", "usage", "complete");
        assertThat(listener.terminalCalls).isEqualTo(1);
    }

    @Test
    void theRequestCarriesInstructionsInputItemsFunctionToolsAndOptions() {
        server.enqueue(Reply.json(response("completed", "[]", usage(1, 0, 1, 0), null, null)));
        ChatRequest request = new ChatRequest(List.of(Message.system("You are terse."), Message.system("Use metric."),
                Message.user("Weather in Oslo?"), Message.assistant("Checking.", List.of(OSLO)),
                Message.toolResult(OSLO, "12 °C"), Message.system("Answer in one line."), Message.user("And Bergen?")),
                List.of(WEATHER), ChatOptions.builder().temperature(0.3).topP(0.9).maxTokens(500).parallelToolCalls(false)
                .presencePenalty(0.5).stop("END").seed(7L)
                .responseFormat(ResponseFormat.jsonSchema("weather", JsonSchema.object()
                        .required("summary", JsonSchema.string()).build())).build());

        model.chat(request);

        Recorded sent = server.takeRequest();
        assertThat(sent.method()).isEqualTo("POST");
        assertThat(sent.path()).isEqualTo("/v1/responses");
        assertThat(sent.header("Authorization")).isEqualTo("Bearer " + KEY);
        assertThat(sent.text("/model")).isEqualTo("gpt-5.1");
        assertThat(sent.text("/instructions")).isEqualTo("You are terse.\n\nUse metric.");
        assertThat(sent.text("/input/0/role")).isEqualTo("user");
        assertThat(sent.text("/input/0/content")).isEqualTo("Weather in Oslo?");
        assertThat(sent.text("/input/1/role")).isEqualTo("assistant");
        assertThat(sent.text("/input/1/content")).isEqualTo("Checking.");
        assertThat(sent.text("/input/2/type")).isEqualTo("function_call");
        assertThat(sent.text("/input/2/call_id")).isEqualTo(OSLO.id());
        assertThat(sent.text("/input/2/name")).isEqualTo("get_weather");
        assertThat(sent.text("/input/2/arguments")).isEqualTo(OSLO.arguments());
        assertThat(sent.text("/input/3/type")).isEqualTo("function_call_output");
        assertThat(sent.text("/input/3/call_id")).isEqualTo(OSLO.id());
        assertThat(sent.text("/input/3/output")).isEqualTo("12 °C");
        assertThat(sent.text("/input/4/role")).as("a later system message is a developer message").isEqualTo("developer");
        assertThat(sent.text("/input/5/content")).isEqualTo("And Bergen?");
        assertThat(sent.json().at("/input/6")).isEmpty();
        assertThat(sent.text("/tools/0/type")).isEqualTo("function");
        assertThat(sent.text("/tools/0/name")).isEqualTo("get_weather");
        assertThat(sent.at("/tools/0/parameters")).isEqualTo(WEATHER.parameters().toJson());
        assertThat(sent.at("/tools/0/strict").asBoolean()).contains(false);
        assertThat(sent.at("/parallel_tool_calls").asBoolean()).contains(false);
        assertThat(sent.at("/temperature").asDouble().getAsDouble()).isEqualTo(0.3);
        assertThat(sent.at("/top_p").asDouble().getAsDouble()).isEqualTo(0.9);
        assertThat(sent.at("/max_output_tokens").asLong().getAsLong()).isEqualTo(500);
        assertThat(sent.text("/text/format/type")).isEqualTo("json_schema");
        assertThat(sent.text("/text/format/name")).isEqualTo("weather");
        assertThat(sent.at("/text/format/strict").asBoolean()).contains(true);
        assertThat(sent.at("/store").asBoolean()).contains(false);
        assertThat(sent.json().at("/reasoning")).as("no reasoning asked for without a budget").isEmpty();
        assertThat(sent.json().at("/stream")).isEmpty();
        for (String absent : List.of("/presence_penalty", "/stop", "/seed", "/messages", "/include")) {
            assertThat(sent.json().at(absent)).as(absent).isEmpty();
        }
    }

    @Test
    void aCallWithoutAResultGetsAPlaceholderOutputTheApiRequires() {
        server.enqueue(Reply.json(response("completed", "[]", null, null, null)));
        model.chat(ChatRequest.of(Message.user("Weather?"), Message.assistant("", List.of(OSLO, BERGEN)),
                Message.toolResult(BERGEN, "9 °C"), Message.user("Go on")));

        Recorded sent = server.takeRequest();
        assertThat(sent.text("/input/3/call_id")).isEqualTo(BERGEN.id());
        assertThat(sent.text("/input/5/type")).isEqualTo("function_call_output");
        assertThat(sent.text("/input/5/call_id")).isEqualTo(OSLO.id());
        assertThat(sent.text("/input/5/output")).isEqualTo(ResponsesWire.UNANSWERED_CALL);
    }

    @Test
    void streamedFunctionCallsAssembleFromArgumentDeltasInAnyReadSplit() {
        server.enqueue(Reply.sse(ResponsesEvents.reasoningAndCallsStream(null, null, null, List.of(),
                List.of(OSLO, BERGEN), 3, usage(45, 0, 25, 0))).inPieces(11));
        RecordingListener listener = new RecordingListener();

        ChatResponse r = model.stream(ASK, listener);

        assertThat(r.toolCalls()).containsExactly(OSLO, BERGEN);
        assertThat(r.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
        assertThat(r.text()).isEmpty();
        assertThat(listener.toolCalls).containsExactly(OSLO, BERGEN);
        assertThat(String.join("", listener.argumentDeltas)).isEqualTo(OSLO.arguments() + BERGEN.arguments());
        assertThat(listener.events).contains("delta:0:" + OSLO.id() + ":get_weather", "delta:1:" + BERGEN.id() + ":get_weather");
        assertThat(listener.events.indexOf("tool:get_weather")).as("each call complete at its output_item.done")
                .isLessThan(listener.events.indexOf("delta:1:" + BERGEN.id() + ":get_weather"));
    }

    @Test
    void reasoningSummariesStreamAndTheEncryptedItemGoesBackOnTheNextTurn() {
        server.enqueue(Reply.sse(ResponsesEvents.reasoningAndCallsStream("rs_01830d662ab38565", "gAAAAB-added",
                "gAAAAB-done-final", List.of("**Checking", " the weather**\n\nI'll call", " the tool."), List.of(OSLO), 5,
                usage(200, 128, 180, 128))));
        server.enqueue(Reply.json(response("completed", "[" + ResponsesEvents.messageItem("msg_2", "completed", "12 °C.")
                + "]", usage(260, 0, 4, 0), null, null)));
        ChatOptions high = ChatOptions.builder().thinkingBudget(ThinkingBudget.parse("high")).build();
        RecordingListener listener = new RecordingListener();

        ChatResponse first = model.stream(ASK.withOptions(high), listener);

        assertThat(listener.reasoning.toString()).isEqualTo("**Checking the weather**\n\nI'll call the tool.");
        assertThat(first.message().reasoning()).containsExactly(new Reasoning(Reasoning.OPENAI_RESPONSES,
                "rs_01830d662ab38565", "**Checking the weather**\n\nI'll call the tool.", "gAAAAB-done-final"));
        assertThat(first.usage()).isEqualTo(new Usage(200, 180, 128, 0, 128));
        Recorded firstSent = server.takeRequest();
        assertThat(firstSent.text("/reasoning/effort")).isEqualTo("high");
        assertThat(firstSent.text("/reasoning/summary")).isEqualTo("auto");
        assertThat(firstSent.at("/include")).isEqualTo(JsonArray.of("reasoning.encrypted_content"));
        assertThat(firstSent.at("/stream").asBoolean()).contains(true);

        model.chat(ASK.withOptions(high).plus(first.message()).plus(Message.toolResult(OSLO, "12 °C")));

        Recorded next = server.takeRequest();
        assertThat(next.text("/input/1/type")).isEqualTo("reasoning");
        assertThat(next.text("/input/1/id")).isEqualTo("rs_01830d662ab38565");
        assertThat(next.text("/input/1/encrypted_content")).as("the content of output_item.done, not of .added")
                .isEqualTo("gAAAAB-done-final");
        assertThat(next.text("/input/1/summary/0/text")).isEqualTo("**Checking the weather**\n\nI'll call the tool.");
        assertThat(next.text("/input/2/type")).isEqualTo("function_call");
        assertThat(next.text("/input/3/type")).isEqualTo("function_call_output");
    }

    @Test
    void reasoningWithoutEncryptedContentIsNotReferencedByIdWhenNothingIsStored() {
        server.enqueue(Reply.json(response("completed", "[]", null, null, null)));
        Message turn = new dev.keel.core.message.AssistantMessage("", List.of(OSLO), List.of(
                new Reasoning(Reasoning.OPENAI_RESPONSES, "rs_only_id", "summary", ""),
                new Reasoning(Reasoning.ANTHROPIC, "thinking", "another provider's", "sig")));

        model.chat(ChatRequest.of(Message.user("Weather?"), turn, Message.toolResult(OSLO, "12 °C")));

        Recorded sent = server.takeRequest();
        assertThat(sent.text("/input/1/type")).isEqualTo("function_call");
        assertThat(sent.body()).doesNotContain("rs_only_id").doesNotContain("another provider's");
    }

    @Test
    void theEffortLevelsMapToReasoningEffort() {
        for (String level : List.of("minimal", "low", "medium", "high", "xhigh")) {
            server.enqueue(Reply.json(response("completed", "[]", null, null, null)));
            model.chat(ASK.withOptions(ChatOptions.builder().thinkingBudget(ThinkingBudget.parse(level)).build()));
            assertThat(server.takeRequest().text("/reasoning/effort")).isEqualTo(level);
        }
        server.enqueue(Reply.json(response("completed", "[]", null, null, null)));
        model.chat(ASK.withOptions(ChatOptions.builder().thinkingBudget(3000).build()));
        assertThat(server.takeRequest().text("/reasoning/effort")).as("3000 tokens is about medium").isEqualTo("medium");
        server.enqueue(Reply.json(response("completed", "[]", null, null, null)));
        model.chat(ASK.withOptions(ChatOptions.builder().thinkingBudget(ThinkingBudget.parse("none")).build()));
        assertThat(server.takeRequest().json().at("/reasoning")).isEmpty();
    }

    @Test
    void anIncompleteResponseIsALengthFinishWithTheTextSoFar() {
        String msg = ResponsesEvents.messageItem("msg_x", "incomplete", "Sunny and");
        server.enqueue(Reply.sse(event("response.created", 0, "\"response\":" + response("in_progress", "[]", null, null, null))
                + event("response.output_text.delta", 1, "\"item_id\":\"msg_x\",\"output_index\":0,\"content_index\":0,\"delta\":\"Sunny and\"")
                + event("response.incomplete", 2, "\"response\":" + response("incomplete", "[" + msg + "]",
                usage(20, 0, 16, 0), "max_output_tokens", null))));

        ChatResponse r = model.stream(ASK, new RecordingListener());

        assertThat(r.finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(r.text()).isEqualTo("Sunny and");
    }

    @Test
    void aFailedResponseIsATypedErrorReportedOnce() {
        // Shape of openai-response-failed-only.1.chunks.txt: created, then failed with a rate-limit error.
        server.enqueue(Reply.sse(event("response.created", 0, "\"response\":" + response("in_progress", "[]", null, null, null))
                + event("response.failed", 1, "\"response\":" + response("failed", "[]", null, null,
                "{\"code\":\"rate_limit_exceeded\",\"message\":\"Request too large for gpt-5.1 on tokens per min (TPM)\"}"))));
        RecordingListener listener = new RecordingListener();

        assertThatThrownBy(() -> model.stream(ASK, listener)).isInstanceOfSatisfying(ModelException.RateLimited.class, e -> {
            assertThat(e.getMessage()).contains("rate_limit_exceeded").contains("tokens per min");
            assertThat(e.isRetryable()).isTrue();
        });
        assertThat(listener.terminalCalls).isEqualTo(1);
        assertThat(listener.error).isInstanceOf(ModelException.RateLimited.class);
    }

    @Test
    void anErrorEventEndsTheStreamWithItsError() {
        // Shape of openai-error.1.chunks.txt: an error event (fields nested under "error"), then response.failed.
        server.enqueue(Reply.sse(event("response.created", 0, "\"response\":" + response("in_progress", "[]", null, null, null))
                + event("error", 1, "\"error\":{\"type\":\"invalid_request_error\",\"code\":\"context_length_exceeded\","
                + "\"message\":\"Your input exceeds the context window of this model.\",\"param\":\"input\"}")
                + event("response.failed", 2, "\"response\":" + response("failed", "[]", null, null,
                "{\"code\":\"context_length_exceeded\",\"message\":\"Your input exceeds the context window.\"}"))));

        assertThatThrownBy(() -> model.stream(ASK, new RecordingListener()))
                .isInstanceOf(ModelException.ContextTooLong.class).hasMessageContaining("context window");
    }

    @Test
    void aStreamEndingWithoutATerminalEventIsMalformedAndNotRetried() {
        server.enqueue(Reply.sse(event("response.created", 0, "\"response\":" + response("in_progress", "[]", null, null, null))
                + event("response.output_text.delta", 1, "\"item_id\":\"m\",\"output_index\":0,\"content_index\":0,\"delta\":\"partial\"")));
        RecordingListener listener = new RecordingListener();

        assertThatThrownBy(() -> model.stream(ASK, listener)).isInstanceOfSatisfying(ModelException.MalformedResponse.class,
                e -> {
                    assertThat(e.getMessage()).contains("without response.completed");
                    assertThat(e.isRetryable()).isFalse();
                });
        assertThat(listener.completed).isNull();
    }

    @Test
    void aChatCompletionsStreamIsTheWrongProtocolNotAnAnswer() {
        server.enqueue(Reply.sse("data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
                + "\"delta\":{\"content\":\"hi\"},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n"));

        assertThatThrownBy(() -> model.stream(ASK, new RecordingListener()))
                .isInstanceOf(ModelException.MalformedResponse.class).hasMessageContaining("is this a Responses API endpoint");
        assertThat(server.requestCount()).isEqualTo(1);
    }

    @Test
    void argumentsForAnOutputThatIsNoFunctionCallAreMalformed() {
        server.enqueue(Reply.sse(event("response.created", 0, "\"response\":" + response("in_progress", "[]", null, null, null))
                + event("response.function_call_arguments.delta", 1, "\"item_id\":\"fc_x\",\"output_index\":4,\"delta\":\"{\"")
                + event("response.completed", 2, "\"response\":" + response("completed", "[]", null, null, null))));

        assertThatThrownBy(() -> model.stream(ASK, new RecordingListener()))
                .isInstanceOf(ModelException.MalformedResponse.class).hasMessageContaining("output 4");
    }

    @Test
    void aConnectionCutMidStreamIsARetryableConnectionError() {
        String stream = ResponsesEvents.reasoningAndCallsStream(null, null, null, List.of(), List.of(OSLO), 2, null);
        server.enqueue(Reply.sse(stream).cutAfter(stream.indexOf("function_call_arguments.done")));
        RecordingListener listener = new RecordingListener();

        assertThatThrownBy(() -> model.stream(ASK, listener)).isInstanceOfSatisfying(ModelException.Connection.class,
                e -> assertThat(e.isRetryable()).isTrue());
        assertThat(listener.toolCalls).isEmpty();
    }

    @Test
    void anInvalidKeyIsAuthenticationAndTheKeyNeverShows() {
        server.enqueue(Reply.status(401, "{\"error\":{\"message\":\"Incorrect API key provided: " + KEY + ".\","
                + "\"type\":\"invalid_request_error\",\"param\":null,\"code\":\"invalid_api_key\"}}"));

        assertThatThrownBy(() -> model.chat(ASK)).isInstanceOf(ModelException.Authentication.class)
                .hasMessageContaining("Incorrect API key").satisfies(e -> assertThat(e.getMessage()).doesNotContain(KEY));
        assertThat(model.toString()).doesNotContain(KEY);
    }

    @Test
    void aServerThatIgnoresStreamingStillFeedsTheListener() {
        server.enqueue(Reply.json(response("completed", "[" + ResponsesEvents.reasoningItem("rs_1", "enc", "Thinking.")
                + "," + ResponsesEvents.callItem("fc_1", OSLO, "completed", OSLO.arguments()) + "]", usage(9, 0, 9, 3), null,
                null)));
        RecordingListener listener = new RecordingListener();

        ChatResponse r = model.stream(ASK, listener);

        assertThat(r.toolCalls()).containsExactly(OSLO);
        assertThat(listener.toolCalls).containsExactly(OSLO);
        assertThat(listener.reasoning.toString()).isEqualTo("Thinking.");
        assertThat(listener.completed).isEqualTo(r);
    }

    @Test
    void aRefusalIsAContentFilterAnswer() {
        server.enqueue(Reply.json(response("completed", "[{\"id\":\"msg_r\",\"type\":\"message\",\"status\":\"completed\","
                + "\"role\":\"assistant\",\"content\":[{\"type\":\"refusal\",\"refusal\":\"I can't help with that.\"}]}]",
                null, null, null)));

        ChatResponse r = model.chat(ASK);

        assertThat(r.text()).isEqualTo("I can't help with that.");
        assertThat(r.finishReason()).isEqualTo(FinishReason.CONTENT_FILTER);
    }

    @Test
    void extraBodyParametersAndHeadersAreSentButNeverOverrideKeelsFields() {
        try (OpenAiResponses custom = builder().header("OpenAI-Project", "proj_123456789")
                .bodyParameter("service_tier", JsonValue.of("flex")).bodyParameter("model", JsonValue.of("not-this"))
                .store(true).build()) {
            server.enqueue(Reply.json(response("completed", "[]", null, null, null)));
            custom.chat(ASK);
        }
        Recorded sent = server.takeRequest();
        assertThat(sent.header("OpenAI-Project")).isEqualTo("proj_123456789");
        assertThat(sent.text("/service_tier")).isEqualTo("flex");
        assertThat(sent.text("/model")).isEqualTo("gpt-5.1");
        assertThat(sent.at("/store").asBoolean()).contains(true);
    }
}
