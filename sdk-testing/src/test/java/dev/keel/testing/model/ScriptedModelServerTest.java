package dev.keel.testing.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.ResponseFormat;
import dev.keel.testing.internal.WireJson;
import dev.keel.core.message.AssistantMessage;
import dev.keel.core.message.SystemMessage;
import dev.keel.core.message.ToolResultMessage;
import dev.keel.core.message.UserMessage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ScriptedModelServerTest {
    private static final MediaType JSON = MediaType.get("application/json");
    private final OkHttpClient http = new OkHttpClient.Builder().readTimeout(5, TimeUnit.SECONDS).build();
    private final ScriptedModelServer llm = ScriptedModelServer.start();

    @AfterEach
    void close() {
        llm.close();
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }

    private record Reply(int status, String contentType, String retryAfter, String body) {
        JsonNode json() {
            return WireJson.parse(body);
        }
    }

    private Reply post(String path, String body) throws IOException {
        String url = llm.baseUrl().replaceAll("/v1$", "") + path;
        Request request = new Request.Builder().url(url).header("Authorization", "Bearer sk-test-123")
                .post(RequestBody.create(body, JSON)).build();
        try (Response r = http.newCall(request).execute()) {
            return new Reply(r.code(), r.header("Content-Type"), r.header("Retry-After"), r.body().string());
        }
    }

    private Reply chat(String extra) throws IOException {
        return post("/v1/chat/completions", "{\"model\":\"gpt-test\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]"
                + extra + "}");
    }

    /** The JSON payloads of an SSE body, and whether it ended with [DONE]. */
    private static List<JsonNode> events(String sse, List<String> raw) {
        List<JsonNode> out = new ArrayList<>();
        for (String block : sse.split("\n\n")) {
            assertThat(block).startsWith("data: ");
            String data = block.substring("data: ".length());
            raw.add(data);
            if (!data.equals("[DONE]")) {
                out.add(WireJson.parse(data));
            }
        }
        return out;
    }

    @Test
    void answersTextInTheChatCompletionFormat() throws IOException {
        llm.respond(ScriptedReply.text("hi there").usage(12, 3));
        Reply r = chat("");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.contentType()).startsWith("application/json");
        JsonNode json = r.json();
        assertThat(json.get("id").asText()).isEqualTo("chatcmpl-1");
        assertThat(json.get("object").asText()).isEqualTo("chat.completion");
        assertThat(json.get("model").asText()).isEqualTo("gpt-test");
        JsonNode choice = json.get("choices").get(0);
        assertThat(choice.get("message").get("role").asText()).isEqualTo("assistant");
        assertThat(choice.get("message").get("content").asText()).isEqualTo("hi there");
        assertThat(choice.get("finish_reason").asText()).isEqualTo("stop");
        assertThat(json.get("usage").get("prompt_tokens").asInt()).isEqualTo(12);
        assertThat(json.get("usage").get("completion_tokens").asInt()).isEqualTo(3);
        assertThat(json.get("usage").get("total_tokens").asInt()).isEqualTo(15);
    }

    @Test
    void answersToolCallsWithDeterministicIds() throws IOException {
        llm.respond(ScriptedReply.toolCall("get_weather", Map.of("city", "Oslo")))
                .respond(ScriptedReply.toolCalls(ScriptedToolCall.of("a", Map.of("x", 1)),
                        ScriptedToolCall.of("b", Map.of()), ScriptedToolCall.of("c", Map.of()).withId("fixed")));
        JsonNode first = chat("").json().get("choices").get(0);
        assertThat(first.get("finish_reason").asText()).isEqualTo("tool_calls");
        assertThat(first.get("message").get("content").isNull()).isTrue();
        JsonNode call = first.get("message").get("tool_calls").get(0);
        assertThat(call.get("id").asText()).isEqualTo("call_1");
        assertThat(call.get("type").asText()).isEqualTo("function");
        assertThat(call.get("function").get("name").asText()).isEqualTo("get_weather");
        assertThat(WireJson.parse(call.get("function").get("arguments").asText()).get("city").asText()).isEqualTo("Oslo");

        JsonNode calls = chat("").json().get("choices").get(0).get("message").get("tool_calls");
        assertThat(calls).hasSize(3);
        assertThat(calls.get(0).get("id").asText()).isEqualTo("call_2");
        assertThat(calls.get(1).get("id").asText()).isEqualTo("call_3");
        assertThat(calls.get(2).get("id").asText()).isEqualTo("fixed");
        assertThat(calls.get(0).get("function").get("arguments").asText()).isEqualTo("{\"x\":1}");
    }

    @Test
    void streamsTextAndSplitToolCallArgumentsWithAUsageChunk() throws IOException {
        llm.respond(ScriptedReply.toolCall("get_weather", Map.of("city", "Oslo", "unit", "celsius"))
                .withText("Let me check the weather.").usage(20, 7));
        Reply r = chat(",\"stream\":true,\"stream_options\":{\"include_usage\":true}");
        assertThat(r.contentType()).startsWith("text/event-stream");
        List<String> raw = new ArrayList<>();
        List<JsonNode> events = events(r.body(), raw);
        assertThat(raw.get(raw.size() - 1)).isEqualTo("[DONE]");
        assertThat(events).allSatisfy(e -> assertThat(e.get("object").asText()).isEqualTo("chat.completion.chunk"));
        assertThat(events.get(0).get("choices").get(0).get("delta").get("role").asText()).isEqualTo("assistant");

        StringBuilder text = new StringBuilder();
        StringBuilder args = new StringBuilder();
        int textChunks = 0;
        int argChunks = 0;
        String id = null;
        String finish = null;
        for (JsonNode e : events) {
            for (JsonNode choice : e.get("choices")) {
                JsonNode delta = choice.get("delta");
                if (delta.hasNonNull("content") && !delta.get("content").asText().isEmpty()) {
                    text.append(delta.get("content").asText());
                    textChunks++;
                }
                for (JsonNode tc : delta.path("tool_calls")) {
                    assertThat(tc.get("index").asInt()).isZero();
                    if (tc.has("id")) {
                        id = tc.get("id").asText();
                        assertThat(tc.get("function").get("name").asText()).isEqualTo("get_weather");
                    }
                    String piece = tc.get("function").get("arguments").asText();
                    if (!piece.isEmpty()) {
                        args.append(piece);
                        argChunks++;
                    }
                }
                if (choice.hasNonNull("finish_reason")) {
                    finish = choice.get("finish_reason").asText();
                }
            }
        }
        assertThat(text).hasToString("Let me check the weather.");
        assertThat(textChunks).isEqualTo(5);
        assertThat(id).isEqualTo("call_1");
        assertThat(argChunks).isGreaterThan(2);
        assertThat(WireJson.parse(args.toString())).isEqualTo(WireJson.parse("{\"city\":\"Oslo\",\"unit\":\"celsius\"}"));
        assertThat(finish).isEqualTo("tool_calls");
        JsonNode usage = events.get(events.size() - 1);
        assertThat(usage.get("choices")).isEmpty();
        assertThat(usage.get("usage").get("prompt_tokens").asInt()).isEqualTo(20);
        assertThat(usage.get("usage").get("completion_tokens").asInt()).isEqualTo(7);
        assertThat(events.get(1).has("usage")).isTrue();
        assertThat(events.get(1).get("usage").isNull()).isTrue();
    }

    @Test
    void streamWithoutIncludeUsageHasNoUsageChunk() throws IOException {
        llm.respond(ScriptedReply.text("a b"));
        List<String> raw = new ArrayList<>();
        List<JsonNode> events = events(chat(",\"stream\":true").body(), raw);
        assertThat(events).noneMatch(e -> e.has("usage"));
        assertThat(events.get(events.size() - 1).get("choices").get(0).get("finish_reason").asText()).isEqualTo("stop");
        assertThat(raw).endsWith("[DONE]");
    }

    @Test
    void streamsParallelToolCallsWithTheirOwnIndexes() throws IOException {
        llm.respond(ScriptedReply.toolCalls(ScriptedToolCall.of("a", Map.of("q", "one two three")),
                ScriptedToolCall.of("b", Map.of("q", "four five six"))));
        List<JsonNode> events = events(chat(",\"stream\":true").body(), new ArrayList<>());
        StringBuilder[] args = {new StringBuilder(), new StringBuilder()};
        List<String> ids = new ArrayList<>();
        for (JsonNode e : events) {
            for (JsonNode tc : e.get("choices").get(0).get("delta").path("tool_calls")) {
                if (tc.has("id")) {
                    ids.add(tc.get("id").asText());
                }
                args[tc.get("index").asInt()].append(tc.get("function").get("arguments").asText());
            }
        }
        assertThat(ids).containsExactly("call_1", "call_2");
        assertThat(WireJson.parse(args[0].toString()).get("q").asText()).isEqualTo("one two three");
        assertThat(WireJson.parse(args[1].toString()).get("q").asText()).isEqualTo("four five six");
    }

    @Test
    void answersScriptedErrorsInOpenAisErrorFormat() throws IOException {
        llm.respond(ScriptedReply.error(429, "slow down").retryAfter(1))
                .respond(ScriptedReply.error(400, "too long").errorCode("context_length_exceeded"));
        Reply r = chat("");
        assertThat(r.status()).isEqualTo(429);
        assertThat(r.retryAfter()).isEqualTo("1");
        assertThat(r.json().get("error").get("message").asText()).isEqualTo("slow down");
        assertThat(r.json().get("error").get("code").asText()).isEqualTo("rate_limit_exceeded");
        Reply r2 = chat("");
        assertThat(r2.status()).isEqualTo(400);
        assertThat(r2.json().get("error").get("code").asText()).isEqualTo("context_length_exceeded");
        assertThat(r2.json().get("error").get("type").asText()).isEqualTo("invalid_request_error");
        assertThat(llm.failures()).isEmpty();
    }

    @Test
    void delaysTheResponse() throws IOException {
        llm.respond(ScriptedReply.text("late").delayed(Duration.ofMillis(300)));
        long start = System.nanoTime();
        Reply r = chat("");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        assertThat(r.json().get("choices").get(0).get("message").get("content").asText()).isEqualTo("late");
    }

    @Test
    void anUnscriptedRequestIsA500AndARecordedFailure() throws IOException {
        Reply r = chat("");
        assertThat(r.status()).isEqualTo(500);
        assertThat(r.json().get("error").get("message").asText()).contains("no scripted reply for chat request #1");
        assertThat(llm.failures()).singleElement().asString().contains("no scripted reply");
        assertThatThrownBy(llm::assertNoFailures).isInstanceOf(AssertionError.class)
                .hasMessageContaining("no scripted reply for chat request #1");
    }

    @Test
    void queuedRepliesComeFirstThenTheChooserAnswersPerAgent() throws IOException {
        llm.respond(ScriptedReply.text("queued"));
        llm.respondWith(req -> req.systemPrompt().contains("planner") ? ScriptedReply.text("plan")
                : ScriptedReply.text("code for " + req.lastUserText()));
        assertThat(chat("").json().at("/choices/0/message/content").asText()).isEqualTo("queued");
        String planner = "{\"messages\":[{\"role\":\"system\",\"content\":\"You are the planner\"},"
                + "{\"role\":\"user\",\"content\":\"go\"}]}";
        String coder = "{\"messages\":[{\"role\":\"developer\",\"content\":\"You are the coder\"},"
                + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"the parser\"}]}]}";
        assertThat(post("/v1/chat/completions", planner).json().at("/choices/0/message/content").asText())
                .isEqualTo("plan");
        assertThat(post("/chat/completions", coder).json().at("/choices/0/message/content").asText())
                .isEqualTo("code for the parser");
        assertThat(llm.requests()).extracting(RecordedChatRequest::path)
                .containsExactly("/v1/chat/completions", "/v1/chat/completions", "/chat/completions");
        assertThat(llm.pendingReplies()).isZero();
        llm.assertNoFailures();
    }

    @Test
    void aChooserThatReturnsNullIsAFailure() throws IOException {
        llm.respondWith(req -> null);
        assertThat(chat("").status()).isEqualTo(500);
        assertThat(llm.failures()).hasSize(1);
    }

    @Test
    void recordsParsedRequests() throws IOException {
        llm.respond(ScriptedReply.text("ok"));
        String body = "{\"model\":\"m1\",\"temperature\":0.2,\"top_p\":0.9,\"max_completion_tokens\":50,"
                + "\"stop\":[\"END\"],\"seed\":7,\"parallel_tool_calls\":false,"
                + "\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"w\",\"strict\":true,"
                + "\"schema\":{\"type\":\"object\"}}},"
                + "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"description\":\"d\","
                + "\"parameters\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}}}],"
                + "\"messages\":[{\"role\":\"system\",\"content\":\"sys\"},{\"role\":\"user\",\"content\":\"q\"},"
                + "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"call_9\",\"type\":\"function\","
                + "\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\":\\\"Oslo\\\"}\"}}]},"
                + "{\"role\":\"tool\",\"tool_call_id\":\"call_9\",\"content\":\"sunny\"}]}";
        post("/v1/chat/completions", body);
        RecordedChatRequest r = llm.takeRequest();
        assertThat(r.sequence()).isEqualTo(1);
        assertThat(r.body()).isEqualTo(body);
        assertThat(r.model()).isEqualTo("m1");
        assertThat(r.options().temperature()).isEqualTo(0.2);
        assertThat(r.options().topP()).isEqualTo(0.9);
        assertThat(r.options().maxTokens()).isEqualTo(50);
        assertThat(r.options().stop()).containsExactly("END");
        assertThat(r.options().seed()).isEqualTo(7L);
        assertThat(r.options().parallelToolCalls()).isFalse();
        assertThat(r.options().responseFormat()).isInstanceOf(ResponseFormat.JsonSchemaFormat.class);
        assertThat(r.toolNames()).containsExactly("get_weather");
        assertThat(r.tools().get(0).parameters().toJson().at("/properties/city/type").flatMap(dev.keel.core.json.JsonValue::asString)).contains("string");
        assertThat(r.messages()).hasSize(4);
        assertThat(r.messages().get(0)).isEqualTo(new SystemMessage("sys"));
        assertThat(r.messages().get(1)).isEqualTo(new UserMessage("q"));
        AssistantMessage a = (AssistantMessage) r.messages().get(2);
        assertThat(a.toolCalls().get(0).id()).isEqualTo("call_9");
        assertThat(a.toolCalls().get(0).argumentsJson().get("city").flatMap(dev.keel.core.json.JsonValue::asString)).contains("Oslo");
        assertThat(r.lastMessage()).isEqualTo(new ToolResultMessage("call_9", "get_weather", "sunny", false));
        assertThat(r.header("authorization")).contains("Bearer sk-test-123");
        assertThat(r.toString()).doesNotContain("sk-test-123").contains("model=m1");
        assertThat(r.json().get("seed").orElseThrow().asLong()).hasValue(7);
        assertThatThrownBy(() -> llm.takeRequest(Duration.ofMillis(50))).isInstanceOf(AssertionError.class);
    }

    @Test
    void invalidRequestsAndUnknownPathsAreRecordedFailures() throws IOException {
        assertThat(post("/v1/chat/completions", "{not json").status()).isEqualTo(400);
        assertThat(post("/v1/chat/completions", "{\"messages\":[]}").status()).isEqualTo(400);
        assertThat(post("/v1/completions", "{}").status()).isEqualTo(404);
        assertThat(llm.failures()).hasSize(3);
        assertThat(llm.failures().get(1)).contains("'messages' must be a non-empty array");
        assertThat(llm.failures().get(2)).contains("no such endpoint: POST /v1/completions");
        assertThat(llm.requests()).isEmpty();
    }

    @Test
    void malformedJsonIsNotParseable() throws IOException {
        llm.respond(ScriptedReply.malformedJson()).respond(ScriptedReply.malformedJson());
        Reply plain = chat("");
        assertThat(plain.status()).isEqualTo(200);
        assertThatThrownBy(plain::json).isInstanceOf(dev.keel.core.json.JsonParseException.class);
        Reply streamed = chat(",\"stream\":true");
        String[] blocks = streamed.body().split("\n\n");
        assertThat(WireJson.parse(blocks[0].substring(6)).get("object").asText()).isEqualTo("chat.completion.chunk");
        assertThatThrownBy(() -> WireJson.parse(blocks[1].substring(6)))
                .isInstanceOf(dev.keel.core.json.JsonParseException.class);
    }

    @Test
    void aCutStreamEndsTheConnectionMidBody() {
        llm.respond(ScriptedReply.cutStream());
        assertThatThrownBy(() -> chat(",\"stream\":true")).isInstanceOf(IOException.class);
        llm.respond(ScriptedReply.cutStream());
        assertThatThrownBy(() -> chat("")).isInstanceOf(IOException.class);
    }

    @Test
    void servesEmbeddingsAsFloatsOrBase64() throws IOException {
        JsonNode plain = post("/v1/embeddings", "{\"model\":\"e\",\"input\":[\"a\",\"b\",\"a\"]}").json();
        assertThat(plain.get("data")).hasSize(3);
        assertThat(plain.at("/data/0/embedding")).hasSize(ScriptedModelServer.DEFAULT_EMBEDDING_DIMENSION);
        assertThat(plain.at("/data/0/embedding")).isEqualTo(plain.at("/data/2/embedding"));
        assertThat(plain.at("/data/0/embedding")).isNotEqualTo(plain.at("/data/1/embedding"));
        double norm = 0;
        for (JsonNode x : plain.at("/data/1/embedding")) {
            norm += x.asDouble() * x.asDouble();
        }
        assertThat(norm).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));

        llm.embeddings(text -> new float[] {text.length(), 0.5f});
        JsonNode b64 = post("/embeddings", "{\"input\":\"abc\",\"encoding_format\":\"base64\"}").json();
        ByteBuffer buf = ByteBuffer.wrap(Base64.getDecoder().decode(b64.at("/data/0/embedding").asText()))
                .order(ByteOrder.LITTLE_ENDIAN);
        assertThat(buf.getFloat()).isEqualTo(3f);
        assertThat(buf.getFloat()).isEqualTo(0.5f);
        assertThat(llm.embeddingRequests()).extracting(RecordedEmbeddingRequest::inputs)
                .containsExactly(List.of("a", "b", "a"), List.of("abc"));
    }

    @Test
    void closingTwiceIsHarmless() {
        llm.close();
        llm.close();
        assertThat(llm.toString()).contains("closed");
    }

    @Test
    void repliesValidateTheirInput() {
        assertThatThrownBy(() -> ScriptedReply.error(200, "x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ScriptedReply.text("x").retryAfter(1)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> ScriptedReply.toolCalls(List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThat(ScriptedReply.error(429, "slow").retryAfter(2).toString()).contains("429").contains("retryAfter=2s");
    }
}
