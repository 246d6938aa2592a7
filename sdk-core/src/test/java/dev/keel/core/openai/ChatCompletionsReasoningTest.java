package dev.keel.core.openai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.core.ChatOptions;
import dev.keel.core.ChatRequest;
import dev.keel.core.ThinkingBudget;
import dev.keel.core.http.HttpConfig;
import dev.keel.core.json.JsonValue;
import dev.keel.core.message.Message;
import dev.keel.core.testutil.LoopbackServer;
import dev.keel.core.testutil.LoopbackServer.Recorded;
import dev.keel.core.testutil.LoopbackServer.Reply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Thinking budgets as Chat Completions' {@code reasoning_effort}, and extra body parameters for compatible servers. */
class ChatCompletionsReasoningTest {
    private static final ChatRequest HI = ChatRequest.of(Message.user("hi"));

    private LoopbackServer server;

    @BeforeEach
    void start() {
        server = LoopbackServer.start().dispatcher(r -> Reply.json("{\"id\":\"c\",\"object\":\"chat.completion\","
                + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"ok\"},\"finish_reason\":\"stop\"}]}"));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private OpenAiCompatible.Builder builder() {
        return OpenAiCompatible.builder().baseUrl(server.url("/v1")).model("gpt-5").apiKey("sk-123456")
                .http(HttpConfig.builder().maxRetries(0).build());
    }

    @Test
    void effortLevelsAndTokenBudgetsAreSentAsReasoningEffort() {
        try (OpenAiCompatible model = builder().build()) {
            model.chat(HI.withOptions(ChatOptions.builder().thinkingBudget(ThinkingBudget.parse("low")).build()));
            model.chat(HI.withOptions(ChatOptions.builder().thinkingBudget(16_384).build()));
            model.chat(HI.withOptions(ChatOptions.builder().thinkingBudget(ThinkingBudget.parse("max")).build()));
            model.chat(HI.withOptions(ChatOptions.builder().thinkingBudget(ThinkingBudget.parse("none")).build()));
            model.chat(HI);
        }
        assertThat(server.takeRequest().text("/reasoning_effort")).isEqualTo("low");
        assertThat(server.takeRequest().text("/reasoning_effort")).isEqualTo("high");
        assertThat(server.takeRequest().text("/reasoning_effort")).as("max is OpenAI's xhigh").isEqualTo("xhigh");
        assertThat(server.takeRequest().json().at("/reasoning_effort")).as("off: the model's default").isEmpty();
        assertThat(server.takeRequest().json().at("/reasoning_effort")).isEmpty();
    }

    @Test
    void extraBodyParametersAreSentWithoutOverridingKeelsFields() {
        try (OpenAiCompatible model = builder().bodyParameter("top_k", JsonValue.of(40))
                .bodyParameter("messages", JsonValue.of("not these")).build()) {
            model.chat(HI);
        }
        Recorded sent = server.takeRequest();
        assertThat(sent.at("/top_k").asLong().getAsLong()).isEqualTo(40);
        assertThat(sent.text("/messages/0/content")).isEqualTo("hi");
    }
}
