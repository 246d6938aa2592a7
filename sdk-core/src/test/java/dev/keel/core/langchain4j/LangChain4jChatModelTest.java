package dev.keel.core.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.ChatModel;
import dev.keel.core.ChatOptions;
import dev.keel.core.ChatRequest;
import dev.keel.core.ChatResponse;
import dev.keel.core.FinishReason;
import dev.keel.core.ModelException;
import dev.keel.core.ResponseFormat;
import dev.keel.core.StreamListener;
import dev.keel.core.Usage;
import dev.keel.core.message.AssistantMessage;
import dev.keel.core.message.Message;
import dev.keel.core.message.ToolCall;
import dev.keel.core.message.ToolResultMessage;
import dev.keel.core.tool.JsonSchema;
import dev.keel.core.tool.ToolSpec;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.AuthenticationException;
import dev.langchain4j.exception.HttpException;
import dev.langchain4j.exception.RateLimitException;
import dev.langchain4j.exception.TimeoutException;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ResponseFormatType;
import dev.langchain4j.model.chat.request.json.JsonEnumSchema;
import dev.langchain4j.model.chat.request.json.JsonIntegerSchema;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.request.json.JsonStringSchema;
import dev.langchain4j.model.chat.response.CompleteToolCall;
import dev.langchain4j.model.chat.response.PartialToolCall;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.output.TokenUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class LangChain4jChatModelTest {

    static final ToolSpec WEATHER = ToolSpec.of("get_weather", "Current weather for a city",
            JsonSchema.object()
                    .required("city", JsonSchema.string("City name"))
                    .optional("unit", JsonSchema.enumOf("celsius", "fahrenheit"))
                    .optional("days", JsonSchema.integer())
                    .noAdditionalProperties()
                    .build());

    /** A hand-written LangChain4j chat model (a fake LLM): records the request, answers from a script. */
    static final class ScriptedLangChain4jModel implements dev.langchain4j.model.chat.ChatModel {
        final List<dev.langchain4j.model.chat.request.ChatRequest> requests = new CopyOnWriteArrayList<>();
        private final Function<dev.langchain4j.model.chat.request.ChatRequest, dev.langchain4j.model.chat.response.ChatResponse> script;

        ScriptedLangChain4jModel(Function<dev.langchain4j.model.chat.request.ChatRequest,
                dev.langchain4j.model.chat.response.ChatResponse> script) {
            this.script = script;
        }

        @Override
        public dev.langchain4j.model.chat.response.ChatResponse doChat(dev.langchain4j.model.chat.request.ChatRequest request) {
            requests.add(request);
            return script.apply(request);
        }
    }

    @Test
    void keelRequestReachesLangChain4jModelAndToolCallsComeBack() {
        ScriptedLangChain4jModel lc4j = new ScriptedLangChain4jModel(r -> dev.langchain4j.model.chat.response.ChatResponse.builder()
                .aiMessage(AiMessage.from(List.of(
                        ToolExecutionRequest.builder().id("call_a").name("get_weather").arguments("{\"city\":\"Oslo\"}").build(),
                        ToolExecutionRequest.builder().id("call_b").name("get_weather").arguments("{\"city\":\"Bergen\"}").build())))
                .finishReason(dev.langchain4j.model.output.FinishReason.TOOL_EXECUTION)
                .tokenUsage(new TokenUsage(12, 7))
                .id("resp-1")
                .modelName("fake-model")
                .build());
        ChatModel model = LangChain4j.chatModel(lc4j);

        ToolCall earlier = new ToolCall("call_0", "get_weather", "{\"city\":\"Paris\"}");
        ChatRequest request = ChatRequest.of(
                        Message.system("You are terse."),
                        Message.user("Weather in Paris?"),
                        Message.assistant("", List.of(earlier)),
                        Message.toolResult(earlier, "12 C"),
                        Message.user("And Oslo and Bergen?"))
                .withTools(WEATHER)
                .withOptions(ChatOptions.builder().model("override").temperature(0.3).topP(0.9).maxTokens(100)
                        .presencePenalty(0.1).frequencyPenalty(0.2).stop("END").build());

        ChatResponse response = model.chat(request);

        assertThat(lc4j.requests).hasSize(1);
        var sent = lc4j.requests.get(0);
        List<ChatMessage> messages = sent.messages();
        assertThat(messages).hasSize(5);
        assertThat(((SystemMessage) messages.get(0)).text()).isEqualTo("You are terse.");
        assertThat(((UserMessage) messages.get(1)).singleText()).isEqualTo("Weather in Paris?");
        AiMessage ai = (AiMessage) messages.get(2);
        assertThat(ai.text()).isNull();
        assertThat(ai.toolExecutionRequests()).singleElement().satisfies(t -> {
            assertThat(t.id()).isEqualTo("call_0");
            assertThat(t.name()).isEqualTo("get_weather");
            assertThat(t.arguments()).isEqualTo("{\"city\":\"Paris\"}");
        });
        ToolExecutionResultMessage result = (ToolExecutionResultMessage) messages.get(3);
        assertThat(result.id()).isEqualTo("call_0");
        assertThat(result.toolName()).isEqualTo("get_weather");
        assertThat(result.text()).isEqualTo("12 C");
        assertThat(((UserMessage) messages.get(4)).singleText()).isEqualTo("And Oslo and Bergen?");

        assertThat(sent.modelName()).isEqualTo("override");
        assertThat(sent.temperature()).isEqualTo(0.3);
        assertThat(sent.topP()).isEqualTo(0.9);
        assertThat(sent.maxOutputTokens()).isEqualTo(100);
        assertThat(sent.presencePenalty()).isEqualTo(0.1);
        assertThat(sent.frequencyPenalty()).isEqualTo(0.2);
        assertThat(sent.stopSequences()).containsExactly("END");

        ToolSpecification spec = sent.toolSpecifications().get(0);
        assertThat(spec.name()).isEqualTo("get_weather");
        assertThat(spec.description()).isEqualTo("Current weather for a city");
        JsonObjectSchema params = spec.parameters();
        assertThat(params.required()).containsExactly("city");
        assertThat(params.additionalProperties()).isFalse();
        assertThat(params.properties()).containsOnlyKeys("city", "unit", "days");
        assertThat(params.properties().get("city")).isInstanceOf(JsonStringSchema.class);
        assertThat(((JsonStringSchema) params.properties().get("city")).description()).isEqualTo("City name");
        assertThat(((JsonEnumSchema) params.properties().get("unit")).enumValues()).containsExactly("celsius", "fahrenheit");
        assertThat(params.properties().get("days")).isInstanceOf(JsonIntegerSchema.class);

        assertThat(response.text()).isEmpty();
        assertThat(response.toolCalls()).containsExactly(
                new ToolCall("call_a", "get_weather", "{\"city\":\"Oslo\"}"),
                new ToolCall("call_b", "get_weather", "{\"city\":\"Bergen\"}"));
        assertThat(response.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
        assertThat(response.usage()).isEqualTo(new Usage(12, 7));
        assertThat(response.id()).isEqualTo("resp-1");
        assertThat(response.model()).isEqualTo("fake-model");
    }

    @Test
    void jsonSchemaResponseFormatIsPassedAsLangChain4jJsonSchema() {
        ScriptedLangChain4jModel lc4j = new ScriptedLangChain4jModel(r -> dev.langchain4j.model.chat.response.ChatResponse.builder()
                .aiMessage(AiMessage.from("{\"city\":\"Oslo\"}"))
                .finishReason(dev.langchain4j.model.output.FinishReason.STOP)
                .build());
        JsonSchema schema = JsonSchema.object().required("city", JsonSchema.string()).build();
        ChatResponse response = LangChain4j.chatModel(lc4j).chat(ChatRequest.of(Message.user("city?"))
                .withOptions(ChatOptions.builder().responseFormat(ResponseFormat.jsonSchema("place", schema)).build()));

        var format = lc4j.requests.get(0).responseFormat();
        assertThat(format.type()).isEqualTo(ResponseFormatType.JSON);
        assertThat(format.jsonSchema().name()).isEqualTo("place");
        assertThat(SchemaConversion.fromElement(format.jsonSchema().rootElement())).isEqualTo(schema);
        assertThat(response.text()).isEqualTo("{\"city\":\"Oslo\"}");
        assertThat(response.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(response.usage()).isEqualTo(Usage.ZERO);
    }

    @Test
    void missingToolCallIdsAndFinishReasonAreFilledIn() {
        ScriptedLangChain4jModel lc4j = new ScriptedLangChain4jModel(r -> dev.langchain4j.model.chat.response.ChatResponse.builder()
                .aiMessage(AiMessage.from(List.of(
                        ToolExecutionRequest.builder().name("a").arguments("{}").build(),
                        ToolExecutionRequest.builder().name("b").arguments("{}").build())))
                .build());
        ChatResponse response = LangChain4j.chatModel(lc4j).chat(ChatRequest.of(Message.user("go")));
        assertThat(response.toolCalls()).extracting(ToolCall::id).containsExactly("call_0", "call_1");
        assertThat(response.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
    }

    @Test
    void langChain4jExceptionsBecomeTypedModelExceptions() {
        assertThatThrownBy(() -> failingWith(new RateLimitException("slow down")))
                .isInstanceOf(ModelException.RateLimited.class).hasMessageContaining("slow down");
        assertThatThrownBy(() -> failingWith(new AuthenticationException("bad key")))
                .isInstanceOfSatisfying(ModelException.Authentication.class, e -> assertThat(e.statusCode()).isEqualTo(401));
        assertThatThrownBy(() -> failingWith(new HttpException(503, "overloaded")))
                .isInstanceOfSatisfying(ModelException.ServerError.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(503);
                    assertThat(e.isRetryable()).isTrue();
                });
        assertThatThrownBy(() -> failingWith(new HttpException(404, "no such model")))
                .isInstanceOfSatisfying(ModelException.BadRequest.class, e -> assertThat(e.statusCode()).isEqualTo(404));
        assertThatThrownBy(() -> failingWith(new RuntimeException("wrapped", new TimeoutException("too slow"))))
                .isInstanceOf(ModelException.Timeout.class).hasMessageContaining("too slow");
    }

    private static ChatResponse failingWith(RuntimeException e) {
        return LangChain4j.chatModel(new ScriptedLangChain4jModel(r -> {
            throw e;
        })).chat(ChatRequest.of(Message.user("hi")));
    }

    /** A streaming fake that answers on another thread, like real LangChain4j streaming models. */
    static final class ThreadedStreamingModel implements StreamingChatModel {
        private final boolean reportsCompleteToolCalls;
        private final Throwable failure;

        ThreadedStreamingModel(boolean reportsCompleteToolCalls, Throwable failure) {
            this.reportsCompleteToolCalls = reportsCompleteToolCalls;
            this.failure = failure;
        }

        @Override
        public void doChat(dev.langchain4j.model.chat.request.ChatRequest request, StreamingChatResponseHandler handler) {
            Thread t = new Thread(() -> {
                handler.onPartialResponse("Hel");
                handler.onPartialResponse("lo");
                if (failure != null) {
                    handler.onError(failure);
                    return;
                }
                handler.onPartialToolCall(PartialToolCall.builder().index(0).id("call_x").name("get_weather")
                        .partialArguments("{\"city\":").build());
                handler.onPartialToolCall(PartialToolCall.builder().index(0).id("call_x").name("get_weather")
                        .partialArguments("\"Oslo\"}").build());
                ToolExecutionRequest call = ToolExecutionRequest.builder().id("call_x").name("get_weather")
                        .arguments("{\"city\":\"Oslo\"}").build();
                if (reportsCompleteToolCalls) {
                    handler.onCompleteToolCall(new CompleteToolCall(0, call));
                }
                handler.onCompleteResponse(dev.langchain4j.model.chat.response.ChatResponse.builder()
                        .aiMessage(AiMessage.from("Hello", List.of(call)))
                        .finishReason(dev.langchain4j.model.output.FinishReason.TOOL_EXECUTION)
                        .tokenUsage(new TokenUsage(5, 3))
                        .build());
            }, "lc4j-stream");
            t.start();
        }
    }

    static final class RecordingListener implements StreamListener {
        final List<String> events = new ArrayList<>();
        final List<Thread> threads = new ArrayList<>();

        private void add(String event) {
            events.add(event);
            threads.add(Thread.currentThread());
        }

        @Override public void onText(String delta) { add("text:" + delta); }
        @Override public void onToolCallDelta(int index, String id, String name, String argumentsDelta) {
            add("delta:" + index + ":" + id + ":" + name + ":" + argumentsDelta);
        }
        @Override public void onToolCall(ToolCall call) { add("call:" + call.id() + ":" + call.arguments()); }
        @Override public void onUsage(Usage usage) { add("usage:" + usage.inputTokens() + "/" + usage.outputTokens()); }
        @Override public void onComplete(ChatResponse response) { add("complete:" + response.finishReason()); }
        @Override public void onError(ModelException error) { add("error:" + error.getClass().getSimpleName()); }
    }

    @Test
    void streamingDeliversEventsInOrderOnTheCallingThread() {
        ChatModel model = LangChain4j.chatModel(new ThreadedStreamingModel(true, null));
        RecordingListener listener = new RecordingListener();

        ChatResponse response = model.stream(ChatRequest.of(Message.user("hi")).withTools(WEATHER), listener);

        assertThat(listener.events).containsExactly(
                "text:Hel", "text:lo",
                "delta:0:call_x:get_weather:{\"city\":",
                "delta:0:call_x:get_weather:\"Oslo\"}",
                "call:call_x:{\"city\":\"Oslo\"}",
                "usage:5/3",
                "complete:TOOL_CALLS");
        assertThat(listener.threads).containsOnly(Thread.currentThread());
        assertThat(response.text()).isEqualTo("Hello");
        assertThat(response.toolCalls()).containsExactly(new ToolCall("call_x", "get_weather", "{\"city\":\"Oslo\"}"));
        // chat() on a streaming-only adapter assembles the same answer
        assertThat(model.chat(ChatRequest.of(Message.user("hi")))).isEqualTo(response);
    }

    @Test
    void streamingAnnouncesToolCallsFromTheFinalResponseWhenTheModelDidNotReportThem() {
        RecordingListener listener = new RecordingListener();
        LangChain4j.chatModel(new ThreadedStreamingModel(false, null)).stream(ChatRequest.of(Message.user("hi")), listener);
        assertThat(listener.events).filteredOn(e -> e.startsWith("call:")).containsExactly("call:call_x:{\"city\":\"Oslo\"}");
    }

    @Test
    void streamingErrorReachesListenerThenIsThrownTyped() {
        RecordingListener listener = new RecordingListener();
        ChatModel model = LangChain4j.chatModel(new ThreadedStreamingModel(true, new TimeoutException("read timed out")));
        assertThatThrownBy(() -> model.stream(ChatRequest.of(Message.user("hi")), listener))
                .isInstanceOf(ModelException.Timeout.class).hasMessageContaining("read timed out");
        assertThat(listener.events).containsExactly("text:Hel", "text:lo", "error:Timeout");
    }

    @Test
    void interruptingAStreamCancelsItAndFailsTyped() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean cancelled = new java.util.concurrent.atomic.AtomicBoolean();
        StreamingChatModel endless = new StreamingChatModel() {
            @Override
            public void doChat(dev.langchain4j.model.chat.request.ChatRequest request, StreamingChatResponseHandler handler) {
                dev.langchain4j.model.chat.response.StreamingHandle handle = new dev.langchain4j.model.chat.response.StreamingHandle() {
                    @Override public void cancel() { cancelled.set(true); }
                    @Override public boolean isCancelled() { return cancelled.get(); }
                };
                handler.onPartialResponse(new dev.langchain4j.model.chat.response.PartialResponse("thinking"),
                        new dev.langchain4j.model.chat.response.PartialResponseContext(handle));
                // never completes
            }
        };
        RecordingListener listener = new RecordingListener();
        java.util.concurrent.atomic.AtomicReference<Throwable> thrown = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.CountDownLatch sawText = new java.util.concurrent.CountDownLatch(1);
        Thread caller = new Thread(() -> {
            try {
                LangChain4j.chatModel(endless).stream(ChatRequest.of(Message.user("hi")), new StreamListener() {
                    @Override public void onText(String delta) { listener.onText(delta); sawText.countDown(); }
                    @Override public void onError(ModelException error) { listener.onError(error); }
                });
            } catch (Throwable t) {
                thrown.set(t);
            }
        });
        caller.start();
        assertThat(sawText.await(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        caller.interrupt();
        caller.join(5000);
        assertThat(caller.isAlive()).isFalse();
        assertThat(thrown.get()).isInstanceOf(ModelException.Connection.class).hasMessageContaining("interrupted");
        assertThat(cancelled).isTrue();
        assertThat(listener.events).containsExactly("text:thinking", "error:Connection");
    }

    @Test
    void blockingModelWithStreamingPartnerUsesEachForItsMethod() {
        ScriptedLangChain4jModel blocking = new ScriptedLangChain4jModel(r -> dev.langchain4j.model.chat.response.ChatResponse.builder()
                .aiMessage(AiMessage.from("blocking answer")).build());
        ChatModel model = LangChain4j.chatModel(blocking, new ThreadedStreamingModel(true, null));
        assertThat(model.chat(ChatRequest.of(Message.user("hi"))).text()).isEqualTo("blocking answer");
        assertThat(model.stream(ChatRequest.of(Message.user("hi")), new StreamListener() {}).text()).isEqualTo("Hello");
        assertThat(blocking.requests).hasSize(1);
        assertThat(model.id()).isEqualTo("langchain4j:ScriptedLangChain4jModel");
    }

    @Test
    void keelModelWorksAsLangChain4jChatModel() {
        List<ChatRequest> seen = new ArrayList<>();
        ChatModel keel = request -> {
            seen.add(request);
            return new ChatResponse(new AssistantMessage("checking", List.of(
                    new ToolCall("call_9", "get_weather", "{\"city\":\"Oslo\"}"))),
                    FinishReason.TOOL_CALLS, new Usage(20, 4), "keel-model", "r-9");
        };
        dev.langchain4j.model.chat.ChatModel lc4j = LangChain4j.asLangChain4jChatModel(keel);

        var answer = lc4j.chat(dev.langchain4j.model.chat.request.ChatRequest.builder()
                .messages(SystemMessage.from("sys"), UserMessage.from("weather?"),
                        AiMessage.from(ToolExecutionRequest.builder().id("c1").name("get_weather").arguments("{}").build()),
                        ToolExecutionResultMessage.from("c1", "get_weather", "sunny"))
                .toolSpecifications(ToolSpecification.builder().name("get_weather").description("weather")
                        .parameters(JsonObjectSchema.builder().addStringProperty("city", "City name").required("city").build())
                        .build())
                .temperature(0.5)
                .maxOutputTokens(50)
                .build());

        ChatRequest request = seen.get(0);
        assertThat(request.messages()).containsExactly(
                Message.system("sys"), Message.user("weather?"),
                Message.assistant("", List.of(new ToolCall("c1", "get_weather", "{}"))),
                new ToolResultMessage("c1", "get_weather", "sunny", false));
        assertThat(request.tools()).containsExactly(ToolSpec.of("get_weather", "weather",
                JsonSchema.object().required("city", JsonSchema.string("City name")).build()));
        assertThat(request.options().temperature()).isEqualTo(0.5);
        assertThat(request.options().maxTokens()).isEqualTo(50);

        assertThat(answer.aiMessage().text()).isEqualTo("checking");
        assertThat(answer.aiMessage().toolExecutionRequests()).singleElement().satisfies(t -> {
            assertThat(t.id()).isEqualTo("call_9");
            assertThat(t.arguments()).isEqualTo("{\"city\":\"Oslo\"}");
        });
        assertThat(answer.finishReason()).isEqualTo(dev.langchain4j.model.output.FinishReason.TOOL_EXECUTION);
        assertThat(answer.tokenUsage().inputTokenCount()).isEqualTo(20);
        assertThat(answer.tokenUsage().outputTokenCount()).isEqualTo(4);
        assertThat(answer.id()).isEqualTo("r-9");
    }

    @Test
    void keelModelWorksAsLangChain4jStreamingChatModel() {
        // A Keel model streamed by LangChain4j: the streaming LangChain4j fake seen through Keel, then back again.
        StreamingChatModel lc4j = LangChain4j.asLangChain4jStreamingChatModel(
                LangChain4j.chatModel(new ThreadedStreamingModel(true, null)));
        List<String> events = new ArrayList<>();
        dev.langchain4j.model.chat.response.ChatResponse[] done = new dev.langchain4j.model.chat.response.ChatResponse[1];
        lc4j.chat("hi", new StreamingChatResponseHandler() {
            @Override public void onPartialResponse(String partial) { events.add("text:" + partial); }
            @Override public void onPartialToolCall(PartialToolCall call) { events.add("delta:" + call.partialArguments()); }
            @Override public void onCompleteToolCall(CompleteToolCall call) {
                events.add("call:" + call.index() + ":" + call.toolExecutionRequest().arguments());
            }
            @Override public void onCompleteResponse(dev.langchain4j.model.chat.response.ChatResponse response) {
                events.add("complete");
                done[0] = response;
            }
            @Override public void onError(Throwable error) { events.add("error:" + error); }
        });
        assertThat(events).containsExactly("text:Hel", "text:lo", "delta:{\"city\":", "delta:\"Oslo\"}",
                "call:0:{\"city\":\"Oslo\"}", "complete");
        assertThat(done[0].aiMessage().text()).isEqualTo("Hello");
        assertThat(done[0].finishReason()).isEqualTo(dev.langchain4j.model.output.FinishReason.TOOL_EXECUTION);
        assertThat(done[0].tokenUsage().totalTokenCount()).isEqualTo(8);

        List<Throwable> errors = new ArrayList<>();
        LangChain4j.asLangChain4jStreamingChatModel(LangChain4j.chatModel(
                new ThreadedStreamingModel(true, new RateLimitException("quota")))).chat("hi", new StreamingChatResponseHandler() {
            @Override public void onCompleteResponse(dev.langchain4j.model.chat.response.ChatResponse response) {}
            @Override public void onError(Throwable error) { errors.add(error); }
        });
        assertThat(errors).singleElement().isInstanceOf(RateLimitException.class);
    }

    @Test
    void keelFailureSurfacesAsLangChain4jException() {
        ChatModel keel = request -> {
            throw new ModelException.RateLimited("openai", "quota", null);
        };
        assertThatThrownBy(() -> LangChain4j.asLangChain4jChatModel(keel).chat("hi"))
                .isInstanceOf(RateLimitException.class)
                .hasCauseInstanceOf(ModelException.RateLimited.class);
    }

    @Test
    void roundTripThroughBothAdaptersPreservesTheConversation() {
        ChatModel echo = request -> new ChatResponse(new AssistantMessage(
                request.messages().size() + " messages, " + request.tools().size() + " tools", List.of()),
                FinishReason.STOP, new Usage(1, 1), "", "");
        ChatModel twice = LangChain4j.chatModel(LangChain4j.asLangChain4jChatModel(echo));
        ChatResponse r = twice.chat(ChatRequest.of(Message.system("s"), Message.user("u")).withTools(WEATHER));
        assertThat(r.text()).isEqualTo("2 messages, 1 tools");
        assertThat(r.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(r.usage()).isEqualTo(new Usage(1, 1));
    }
}
