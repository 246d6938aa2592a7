package dev.keel.agents;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.ToolResult;
import dev.keel.agents.tool.Toolset;
import dev.keel.core.Usage;
import dev.keel.core.anthropic.Anthropic;
import dev.keel.core.tool.ToolSpec;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.Test;

/**
 * An agent marks its stable prefix (tools + system prompt) for the provider's prompt cache on every call,
 * and the cache reads the provider reports are billed at the cache-read price.
 */
class PromptCachingTest {

    @Test
    void agentsCacheToolsAndSystemPromptAndPayCacheReadPrices() throws Exception {
        try (MockWebServer server = new MockWebServer()) {
            // Agents stream: the Messages API's documented event sequence with prompt-cache usage.
            server.enqueue(new MockResponse.Builder().setHeader("Content-Type", "text/event-stream").body("""
                    event: message_start
                    data: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","content":[],"model":"claude-sonnet-4-5","stop_reason":null,"usage":{"input_tokens":78,"cache_creation_input_tokens":0,"cache_read_input_tokens":1276,"output_tokens":1}}}

                    event: content_block_start
                    data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

                    event: content_block_delta
                    data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Done."}}

                    event: content_block_stop
                    data: {"type":"content_block_stop","index":0}

                    event: message_delta
                    data: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":20}}

                    event: message_stop
                    data: {"type":"message_stop"}

                    """).build());
            server.start();
            Anthropic claude = Anthropic.builder().baseUrl(server.url("/").toString()).model("claude-sonnet-4-5")
                    .apiKey("k").build();
            Tool noop = Tool.of(ToolSpec.of("noop", "does nothing"), (a, c) -> ToolResult.ok(""));
            Agent agent = Agent.builder("a").model(claude).instruction("You are a careful assistant.")
                    .toolsets(Toolset.of("t", noop)).build();
            AgentResult result;
            try (claude; Runner runner = Runner.builder(agent)
                    .price(claude.id(), ModelPrice.of(3.00, 15.00).withCacheReads(0.30).withCacheWrites(3.75)).build()) {
                result = runner.run("Hello");
            }
            JsonNode sent = new ObjectMapper().readTree(server.takeRequest().getBody().utf8());
            assertThat(sent.path("system").get(0).path("text").asText()).isEqualTo("You are a careful assistant.");
            assertThat(sent.path("system").get(0).path("cache_control").path("type").asText()).isEqualTo("ephemeral");
            assertThat(sent.path("messages").toString()).doesNotContain("cache_control");

            assertThat(result.usage()).isEqualTo(new Usage(1354, 20, 1276, 0, 0));
            // 78 uncached at $3, 1276 cached reads at $0.30, 20 output at $15 per million
            double expected = (78 * 3.00 + 1276 * 0.30 + 20 * 15.00) / 1_000_000d;
            assertThat(result.session().cost()).hasValue(expected);
            assertThat(expected).isLessThan(ModelPrice.of(3.00, 15.00).cost(result.usage()));
        }
    }
}
