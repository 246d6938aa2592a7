package dev.keel.core.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.ChatModel;
import dev.keel.core.ChatRequest;
import dev.keel.core.http.HttpConfig;
import dev.keel.core.message.Message;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.Test;

/** Models of one registry share its HTTP client; the registry owns it and closing the registry ends them. */
class ModelRegistryOwnershipTest {
    private static final ChatRequest HI = ChatRequest.of(Message.user("hi"));

    private static MockResponse answer() {
        return new MockResponse.Builder().setHeader("Content-Type", "application/json")
                .body(ModelRegistryWireTest.CHAT_ANSWER).build();
    }

    @Test
    void modelsOfOneRegistryShareConnectionsAndDieWithIt() throws Exception {
        try (MockWebServer server = new MockWebServer()) {
            server.enqueue(answer());
            server.enqueue(answer());
            server.start();
            ModelRegistry registry = ModelRegistry.builder().environment(Map.of())
                    .http(HttpConfig.builder().maxRetries(0).build())
                    .provider(ProviderConfig.openAiCompatible("local", server.url("/v1").toString())).build();
            ChatModel first = registry.chatModel("local/a");
            ChatModel second = registry.resolve(ModelConfig.of("local", "b"));
            first.chat(HI);
            second.chat(HI);
            server.takeRequest();
            // The second model's request reuses the first one's connection: one client, one pool.
            assertThat(server.takeRequest().getExchangeIndex()).isEqualTo(1);

            registry.close();
            registry.close();
            assertThatThrownBy(() -> first.chat(HI)).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
            assertThatThrownBy(() -> registry.chatModel("local/c")).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("registry is closed");
            assertThat(registry.toString()).contains("closed");
        }
    }

    @Test
    void modelsFromTheOneLinerOwnTheirOwnClient() throws Exception {
        try (MockWebServer server = new MockWebServer()) {
            server.enqueue(answer());
            server.enqueue(answer());
            server.start();
            ModelRegistry registry = ModelRegistry.builder().environment(Map.of()).clientPerModel()
                    .provider(ProviderConfig.openAiCompatible("local", server.url("/v1").toString())).build();
            try (ChatModel a = registry.chatModel("local/a"); ChatModel b = registry.chatModel("local/b")) {
                a.chat(HI);
                b.chat(HI);
            }
            server.takeRequest();
            assertThat(server.takeRequest().getExchangeIndex()).as("a new connection: separate clients").isZero();
        }
    }

    @Test
    void configurationOverridesKeepTheKnownProvidersApi() {
        try (ModelRegistry registry = ModelRegistry.builder().environment(Map.of("MINE", "k"))
                .http(HttpConfig.builder().maxRetries(0).build()).build()) {
            ChatModel claude = registry.resolve(ModelConfig.of("anthropic", "claude-x")
                    .withBaseUrl("http://127.0.0.1:9/").withTokenKey("MINE"));
            // Built at the first call; the connection is refused there, by the Anthropic client.
            assertThatThrownBy(() -> claude.chat(HI)).isInstanceOf(dev.keel.core.ModelException.Connection.class)
                    .hasMessageContaining("127.0.0.1:9/v1/messages");
            assertThatThrownBy(() -> registry.resolve(ModelConfig.of("nowhere", "m").withTokenKey("MINE")))
                    .isInstanceOf(ModelResolutionException.UnknownProvider.class);
            ChatModel custom = registry.resolve(ModelConfig.of("custom", "m").withBaseUrl("http://127.0.0.1:9/v1")
                    .withTokenKey("UNSET"));
            assertThatThrownBy(() -> custom.chat(HI)).isInstanceOfSatisfying(
                    dev.keel.core.ModelException.MissingVariable.class, e -> {
                        assertThat(e.variable()).isEqualTo("UNSET");
                        assertThat(e.getMessage()).contains("UNSET").contains("API key");
                    });
        }
    }
}
