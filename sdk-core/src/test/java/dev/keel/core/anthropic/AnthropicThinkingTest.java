package dev.keel.core.anthropic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.core.ChatOptions;
import dev.keel.core.ChatRequest;
import dev.keel.core.ChatResponse;
import dev.keel.core.ThinkingBudget;
import dev.keel.core.http.HttpConfig;
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
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Extended thinking on the Messages API: budgets and effort levels on the request, thinking streamed to the
 * listener, and thinking blocks (with their signatures) sent back first in the assistant turn, as the API requires
 * when tools are used with thinking. Event and block shapes are those of Anthropic's "Extended thinking" and
 * "Streaming messages" documentation ({@code thinking_delta}, {@code signature_delta}, {@code redacted_thinking}).
 */
class AnthropicThinkingTest {
    private static final ToolSpec WEATHER = ToolSpec.of("get_weather", "Weather",
            JsonSchema.object().required("city", JsonSchema.string()).build());
    private static final ChatRequest ASK = ChatRequest.of(Message.user("Weather in Oslo?")).withTools(WEATHER);

    private LoopbackServer server;
    private Anthropic model;

    @BeforeEach
    void start() {
        server = LoopbackServer.start();
        model = Anthropic.builder().baseUrl(server.url("/")).model("claude-sonnet-4-5").apiKey("sk-ant-test-key")
                .http(HttpConfig.builder().maxRetries(0).build()).build();
    }

    @AfterEach
    void stop() {
        model.close();
        server.close();
    }

    private static String event(String type, String data) {
        return "event: " + type + "\ndata: " + data + "\n\n";
    }

    @Test
    void budgetsAndEffortLevelsBecomeThinkingSettings() {
        Object[][] cases = {
                {ThinkingBudget.parse("medium"), "enabled", 8192L, null},
                {ThinkingBudget.tokens(500), "enabled", 1024L, null},
                {ThinkingBudget.tokens(20_000), "enabled", 20_000L, null},
                {ThinkingBudget.parse("adaptive"), "adaptive", null, null},
                {ThinkingBudget.parse("adaptive/low"), "adaptive", null, "low"},
        };
        for (Object[] c : cases) {
            server.enqueue(Reply.json(AnthropicEvents.message("ok", List.of(), "end_turn", 1, 1)));
            model.chat(ASK.withOptions(ChatOptions.builder().thinkingBudget((ThinkingBudget) c[0]).build()));
            Recorded sent = server.takeRequest();
            assertThat(sent.text("/thinking/type")).as(c[0].toString()).isEqualTo(c[1]);
            if (c[2] != null) {
                assertThat(sent.at("/thinking/budget_tokens").asLong().getAsLong()).isEqualTo((Long) c[2]);
                assertThat(sent.at("/max_tokens").asLong().getAsLong()).as("room for the answer after the budget")
                        .isGreaterThan((Long) c[2]);
            }
            if (c[3] != null) {
                assertThat(sent.text("/output_config/effort")).isEqualTo(c[3]);
            }
        }
        server.enqueue(Reply.json(AnthropicEvents.message("ok", List.of(), "end_turn", 1, 1)));
        model.chat(ASK.withOptions(ChatOptions.builder().thinkingBudget(ThinkingBudget.off()).build()));
        assertThat(server.takeRequest().json().at("/thinking")).isEmpty();
    }

    @Test
    void streamedThinkingReachesTheListenerAndItsBlocksGoBackFirstOnTheNextTurn() {
        String stream = AnthropicEvents.messageStart(40)
                + event("content_block_start", "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":"
                + "{\"type\":\"thinking\",\"thinking\":\"\",\"signature\":\"\"}}")
                + event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":"
                + "{\"type\":\"thinking_delta\",\"thinking\":\"The user wants \"}}")
                + event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":"
                + "{\"type\":\"thinking_delta\",\"thinking\":\"Oslo's weather.\"}}")
                + event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":"
                + "{\"type\":\"signature_delta\",\"signature\":\"EqQBCgIYAhIM1gbcDa9GJwZA2b3h\"}}")
                + AnthropicEvents.blockStop(0)
                + event("content_block_start", "{\"type\":\"content_block_start\",\"index\":1,\"content_block\":"
                + "{\"type\":\"redacted_thinking\",\"data\":\"EmwKAhgBEgy3va3pzix\"}}")
                + AnthropicEvents.blockStop(1)
                + AnthropicEvents.toolStart(2, "toolu_01A", "get_weather")
                + AnthropicEvents.jsonDelta(2, "{\"city\":\"Oslo\"}")
                + AnthropicEvents.blockStop(2)
                + AnthropicEvents.messageDelta("tool_use", 60) + AnthropicEvents.messageStop();
        server.enqueue(Reply.sse(stream).inPieces(23));
        server.enqueue(Reply.json(AnthropicEvents.message("12 °C.", List.of(), "end_turn", 1, 1)));
        RecordingListener listener = new RecordingListener();

        ChatResponse first = model.stream(ASK.withOptions(ChatOptions.builder().thinkingBudget(4096).build()), listener);

        assertThat(listener.reasoning.toString()).isEqualTo("The user wants Oslo's weather.");
        assertThat(first.text()).isEmpty();
        assertThat(first.message().reasoning()).containsExactly(
                new Reasoning(Reasoning.ANTHROPIC, "thinking", "The user wants Oslo's weather.", "EqQBCgIYAhIM1gbcDa9GJwZA2b3h"),
                new Reasoning(Reasoning.ANTHROPIC, "redacted_thinking", "", "EmwKAhgBEgy3va3pzix"));
        ToolCall call = first.toolCalls().get(0);

        model.chat(ASK.plus(first.message()).plus(Message.toolResult(call, "12 °C")));

        server.takeRequest();
        Recorded next = server.takeRequest();
        assertThat(next.text("/messages/1/role")).isEqualTo("assistant");
        assertThat(next.text("/messages/1/content/0/type")).isEqualTo("thinking");
        assertThat(next.text("/messages/1/content/0/thinking")).isEqualTo("The user wants Oslo's weather.");
        assertThat(next.text("/messages/1/content/0/signature")).isEqualTo("EqQBCgIYAhIM1gbcDa9GJwZA2b3h");
        assertThat(next.text("/messages/1/content/1/type")).isEqualTo("redacted_thinking");
        assertThat(next.text("/messages/1/content/1/data")).isEqualTo("EmwKAhgBEgy3va3pzix");
        assertThat(next.text("/messages/1/content/2/type")).isEqualTo("tool_use");
    }

    @Test
    void aBlockingAnswerKeepsItsThinkingBlocksToo() {
        server.enqueue(Reply.json("{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5\","
                + "\"content\":[{\"type\":\"thinking\",\"thinking\":\"Short.\",\"signature\":\"sig-1\"},"
                + "{\"type\":\"text\",\"text\":\"Sunny.\"}],\"stop_reason\":\"end_turn\",\"usage\":{\"input_tokens\":5,"
                + "\"output_tokens\":9}}"));

        ChatResponse r = model.chat(ASK);

        assertThat(r.text()).isEqualTo("Sunny.");
        assertThat(r.message().reasoning()).containsExactly(new Reasoning(Reasoning.ANTHROPIC, "thinking", "Short.", "sig-1"));
    }

    @Test
    void thinkingDisplayAndExtraBodyParametersAreSent() {
        try (Anthropic tuned = Anthropic.builder().baseUrl(server.url("/")).model("claude-opus-4-7").apiKey("k-123456")
                .thinkingDisplay("summarized").bodyParameter("top_k", JsonValue.of(20))
                .http(HttpConfig.builder().maxRetries(0).build()).build()) {
            server.enqueue(Reply.json(AnthropicEvents.message("ok", List.of(), "end_turn", 1, 1)));
            tuned.chat(ASK.withOptions(ChatOptions.builder().thinkingBudget(ThinkingBudget.parse("adaptive/high")).build()));
        }
        Recorded sent = server.takeRequest();
        assertThat(sent.text("/thinking/display")).isEqualTo("summarized");
        assertThat(sent.at("/top_k").asLong().getAsLong()).isEqualTo(20);
    }

    @Test
    void aTaskBudgetGoesIntoOutputConfigBesideTheEffortWithItsBetaAddedToTheCallersBetas() {
        try (Anthropic budgeted = Anthropic.builder().baseUrl(server.url("/")).model("claude-opus-4-7").apiKey("k-123456")
                .header("Anthropic-Beta", "interleaved-thinking-2025-05-14").taskBudget(64_000)
                .http(HttpConfig.builder().maxRetries(0).build()).build()) {
            server.enqueue(Reply.json(AnthropicEvents.message("ok", List.of(), "end_turn", 1, 1)));
            budgeted.chat(ASK.withOptions(ChatOptions.builder().thinkingBudget(ThinkingBudget.parse("adaptive/high"))
                    .build()));
            server.enqueue(Reply.json(AnthropicEvents.message("ok", List.of(), "end_turn", 1, 1)));
            budgeted.chat(ASK);
        }
        Recorded withEffort = server.takeRequest();
        assertThat(withEffort.text("/output_config/effort")).isEqualTo("high");
        assertThat(withEffort.text("/output_config/task_budget/type")).isEqualTo("tokens");
        assertThat(withEffort.at("/output_config/task_budget/total").asLong().getAsLong()).isEqualTo(64_000);
        assertThat(withEffort.header("anthropic-beta"))
                .isEqualTo("interleaved-thinking-2025-05-14,task-budgets-2026-03-13");
        Recorded plain = server.takeRequest();
        assertThat(plain.at("/output_config/task_budget/total").asLong().getAsLong()).isEqualTo(64_000);
        assertThat(plain.json().at("/output_config/effort")).isEmpty();

        // without a task budget there is neither the field nor the beta
        server.enqueue(Reply.json(AnthropicEvents.message("ok", List.of(), "end_turn", 1, 1)));
        model.chat(ASK);
        Recorded none = server.takeRequest();
        assertThat(none.json().at("/output_config")).isEmpty();
        assertThat(none.header("anthropic-beta")).isNull();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Anthropic.builder().taskBudget(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 1 token");
    }
}
