package dev.keel.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.anthropic.Anthropic;
import dev.keel.core.internal.json.Json;
import dev.keel.core.message.Message;
import dev.keel.core.openai.OpenAiCompatible;
import dev.keel.core.tool.JsonSchema;
import dev.keel.core.tool.ToolSpec;
import java.io.IOException;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Usage as the providers document it — Anthropic's cache reads and writes, OpenAI's cached and reasoning
 * tokens — in plain and streamed answers, and Anthropic's {@code cache_control} on the request.
 */
class UsageAndCachingWireTest {
    private static final ToolSpec WEATHER = ToolSpec.of("get_weather", "Weather",
            JsonSchema.object().required("city", JsonSchema.string()).build());
    private static final ToolSpec TIME = ToolSpec.of("get_time", "Time", JsonSchema.object().build());
    private static final ChatRequest ASK = ChatRequest.of(Message.system("You are terse."), Message.user("Weather?"),
            Message.assistant("Where?"), Message.user("Oslo"));

    private MockWebServer server;

    @BeforeEach
    void start() throws IOException {
        server = new MockWebServer();
        server.start();
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
    }

    private Anthropic anthropic() {
        return Anthropic.builder().baseUrl(server.url("/").toString()).model("claude-sonnet-4-5").apiKey("k").build();
    }

    private OpenAiCompatible openAi() {
        return OpenAiCompatible.builder().baseUrl(server.url("/v1").toString()).model("gpt-5").apiKey("k").build();
    }

    private static MockResponse json(String body) {
        return new MockResponse.Builder().setHeader("Content-Type", "application/json").body(body).build();
    }

    private static MockResponse sse(String body) {
        return new MockResponse.Builder().setHeader("Content-Type", "text/event-stream").body(body).build();
    }

    @Test
    void anthropicCacheReadsAndWritesArePartOfTheInput() {
        // The shape of the Messages API's usage object with prompt caching (docs: "Prompt caching").
        server.enqueue(json("""
                {"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5",
                 "content":[{"type":"text","text":"Sunny."}],"stop_reason":"end_turn","stop_sequence":null,
                 "usage":{"input_tokens":50,"cache_creation_input_tokens":248,"cache_read_input_tokens":1800,
                          "output_tokens":503}}"""));
        try (Anthropic model = anthropic()) {
            Usage u = model.chat(ASK).usage();
            assertThat(u).isEqualTo(new Usage(2098, 503, 1800, 248, 0));
            assertThat(u.uncachedInputTokens()).isEqualTo(50);
        }
    }

    @Test
    void anthropicStreamedUsageCombinesMessageStartAndMessageDelta() {
        // message_start carries the input side; message_delta the (cumulative) output tokens.
        server.enqueue(sse("""
                event: message_start
                data: {"type":"message_start","message":{"id":"msg_2","type":"message","role":"assistant","content":[],"model":"claude-sonnet-4-5","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":78,"cache_creation_input_tokens":0,"cache_read_input_tokens":1276,"output_tokens":1}}}

                event: content_block_start
                data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

                event: ping
                data: {"type": "ping"}

                event: content_block_delta
                data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Sunny."}}

                event: content_block_stop
                data: {"type":"content_block_stop","index":0}

                event: message_delta
                data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":15}}

                event: message_stop
                data: {"type":"message_stop"}

                """));
        try (Anthropic model = anthropic()) {
            Usage u = model.stream(ASK, StreamListener.onText(t -> { })).usage();
            assertThat(u).isEqualTo(new Usage(1354, 15, 1276, 0, 0));
        }
    }

    @Test
    void anthropicMessageDeltaWithCumulativeInputCountsReplacesTheStartCounts() {
        server.enqueue(sse("""
                event: message_start
                data: {"type":"message_start","message":{"id":"m","model":"x","content":[],"usage":{"input_tokens":10,"cache_creation_input_tokens":2909,"cache_read_input_tokens":0,"output_tokens":1}}}

                event: message_delta
                data: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"input_tokens":150,"cache_creation_input_tokens":0,"cache_read_input_tokens":2909,"output_tokens":40}}

                event: message_stop
                data: {"type":"message_stop"}

                """));
        try (Anthropic model = anthropic()) {
            assertThat(model.stream(ASK, StreamListener.onText(t -> { })).usage())
                    .isEqualTo(new Usage(3059, 40, 2909, 0, 0));
        }
    }

    @Test
    void openAiCachedAndReasoningTokensAreRead() {
        // Chat Completions usage with prompt_tokens_details / completion_tokens_details (API reference).
        server.enqueue(json("""
                {"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-5",
                 "choices":[{"index":0,"message":{"role":"assistant","content":"Sunny."},"finish_reason":"stop"}],
                 "usage":{"prompt_tokens":2006,"completion_tokens":300,"total_tokens":2306,
                          "prompt_tokens_details":{"cached_tokens":1920,"audio_tokens":0},
                          "completion_tokens_details":{"reasoning_tokens":128,"audio_tokens":0,
                             "accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}}"""));
        try (OpenAiCompatible model = openAi()) {
            assertThat(model.chat(ASK).usage()).isEqualTo(new Usage(2006, 300, 1920, 0, 128));
        }
    }

    @Test
    void openAiStreamedUsageChunkIsRead() {
        // With stream_options.include_usage the last chunk has empty choices and the usage.
        server.enqueue(sse("""
                data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"gpt-5","choices":[{"index":0,"delta":{"role":"assistant","content":"Sunny."},"finish_reason":null}],"usage":null}

                data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"gpt-5","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":null}

                data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"gpt-5","choices":[],"usage":{"prompt_tokens":1354,"completion_tokens":20,"total_tokens":1374,"prompt_tokens_details":{"cached_tokens":1280},"completion_tokens_details":{"reasoning_tokens":12}}}

                data: [DONE]

                """));
        try (OpenAiCompatible model = openAi()) {
            assertThat(model.stream(ASK, StreamListener.onText(t -> { })).usage())
                    .isEqualTo(new Usage(1354, 20, 1280, 0, 12));
        }
    }

    @Test
    void aPartLargerThanItsTotalIsNotTrusted() {
        server.enqueue(json("""
                {"choices":[{"index":0,"message":{"role":"assistant","content":"x"},"finish_reason":"stop"}],
                 "usage":{"prompt_tokens":10,"completion_tokens":5,"prompt_tokens_details":{"cached_tokens":99},
                          "completion_tokens_details":{"reasoning_tokens":50}}}"""));
        try (OpenAiCompatible model = openAi()) {
            assertThat(model.chat(ASK).usage()).isEqualTo(new Usage(10, 5, 10, 0, 5));
        }
    }

    @Test
    void anthropicCacheControlOnSystemToolsAndMessages() throws Exception {
        server.enqueue(json("""
                {"id":"m","content":[{"type":"text","text":"ok"}],"stop_reason":"end_turn","usage":{"input_tokens":1,"output_tokens":1}}"""));
        try (Anthropic model = anthropic()) {
            model.chat(ASK.withTools(WEATHER, TIME).withCacheBreakpoints(CacheBreakpoint.system(), CacheBreakpoint.tools(),
                    CacheBreakpoint.atMessage(2)));
        }
        JsonNode sent = Json.parse(server.takeRequest().getBody().utf8());
        assertThat(sent.path("system").isArray()).isTrue();
        assertThat(sent.path("system").get(0).path("text").asText()).isEqualTo("You are terse.");
        assertThat(sent.path("system").get(0).path("cache_control").path("type").asText()).isEqualTo("ephemeral");
        assertThat(sent.path("tools").get(0).has("cache_control")).isFalse();
        assertThat(sent.path("tools").get(1).path("cache_control").path("type").asText()).isEqualTo("ephemeral");
        // messages: user "Weather?", assistant "Where?", user "Oslo": index 2 is the assistant turn
        assertThat(sent.path("messages").get(0).path("content").get(0).has("cache_control")).isFalse();
        assertThat(sent.path("messages").get(1).path("content").get(0).path("cache_control").path("type").asText())
                .isEqualTo("ephemeral");
        assertThat(sent.path("messages").get(2).path("content").get(0).has("cache_control")).isFalse();
    }

    @Test
    void withoutBreakpointsTheRequestIsUnchanged() throws Exception {
        server.enqueue(json("""
                {"id":"m","content":[{"type":"text","text":"ok"}],"stop_reason":"end_turn","usage":{"input_tokens":1,"output_tokens":1}}"""));
        try (Anthropic model = anthropic()) {
            model.chat(ASK.withTools(WEATHER));
        }
        String sent = server.takeRequest().getBody().utf8();
        assertThat(sent).doesNotContain("cache_control");
        assertThat(Json.parse(sent).path("system").asText()).isEqualTo("You are terse.");
    }

    @Test
    void breakpointsAreValidated() {
        assertThatThrownBy(() -> ASK.withCacheBreakpoints(CacheBreakpoint.atMessage(4)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("4 messages");
        assertThatThrownBy(() -> ASK.withCacheBreakpoints(CacheBreakpoint.system(), CacheBreakpoint.tools(),
                CacheBreakpoint.atMessage(0), CacheBreakpoint.atMessage(1), CacheBreakpoint.atMessage(2)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most 4");
        assertThatThrownBy(() -> new Usage(10, 1, 8, 3, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Usage(10, 1, 0, 0, 2)).isInstanceOf(IllegalArgumentException.class);
    }
}
