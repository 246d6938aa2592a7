package dev.keel.core.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.ChatOptions;
import dev.keel.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Validation, labels and secrecy of model configurations and specs. */
class ModelSpecTest {

    @Test
    void configurationsRejectWhatCannotWorkWithoutEchoingSecrets() {
        assertThatThrownBy(() -> ModelConfig.of("openai", "gpt-5").withTokenKey("sk-proj-abc123"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must name an environment variable")
                .hasMessageNotContaining("sk-proj-abc123");
        assertThatThrownBy(() -> ModelConfig.builder("openai", "m").header("Bad Header", "v").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Bad Header");
        assertThatThrownBy(() -> ModelConfig.builder("openai", "m").header("X-Ok", "a\r\nInjected: yes").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("line break");
        assertThatThrownBy(() -> ModelConfig.builder("openai", "m").env("1BAD", "x").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1BAD");
        assertThatThrownBy(() -> ProviderConfig.openAiCompatible("p", "https://x.example", null)
                .withHeaders(Map.of("X", "a\nb"))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void toStringShowsNamesNeverValues() {
        ModelConfig c = ModelConfig.builder("openai", "gpt-5").env("OPENAI_API_KEY", "sk-literal-in-a-file")
                .header("Authorization", "Bearer sk-another-literal").tokenKey("MY_KEY")
                .providerOptions(JsonObject.parse("{\"http_headers\":{\"X-Secret\":\"s3cr3t-value\"}}"))
                .apiType(ApiType.OPENAI_RESPONSES).build();

        assertThat(c.toString()).contains("openai/gpt-5", "apiType=openai-responses", "tokenKey=MY_KEY",
                "headers=[Authorization]", "env=[OPENAI_API_KEY]", "providerOptions=[http_headers]")
                .doesNotContain("sk-literal-in-a-file", "sk-another-literal", "s3cr3t-value");
        assertThat(c.withOptions(ChatOptions.builder().temperature(0.2).build()).withBaseUrl("https://x/v1"))
                .as("the with-copies keep every other setting")
                .satisfies(copy -> {
                    assertThat(copy.headers()).isEqualTo(c.headers());
                    assertThat(copy.env()).isEqualTo(c.env());
                    assertThat(copy.apiType()).isEqualTo(ApiType.OPENAI_RESPONSES);
                });
    }

    @Test
    void specsValidateAndLabelThemselves() {
        ModelConfig a = ModelConfig.parse("anthropic/claude-sonnet-4-5");
        ModelConfig b = ModelConfig.parse("openai/gpt-5");
        assertThat(ModelSpec.fallback(a, List.of(b)).label()).isEqualTo("fallback(anthropic/claude-sonnet-4-5 -> openai/gpt-5)");
        assertThat(ModelSpec.fallback(a, List.of(b)).retries()).isEqualTo(2);
        assertThat(ModelSpec.fallback(a, List.of(b)).cooldown()).isEqualTo(Duration.ofMinutes(1));
        assertThat(ModelSpec.alternates(List.of(a, b)).label()).isEqualTo("alternates(anthropic/claude-sonnet-4-5 | openai/gpt-5)");
        assertThat(ModelSpec.routing(a, List.of(ModelSpec.Route.of(b, "code"))).label()).isEqualTo("routing(anthropic/claude-sonnet-4-5)");
        assertThat(ModelSpec.auto().candidates()).extracting(ModelSpec::label).containsExactly(
                "anthropic/claude-sonnet-4-6", "openai/gpt-5", "google/gemini-3.5-flash", "mistral/mistral-small-latest",
                "dmr/ai/qwen3:latest");
        assertThat(b.withOptions(ChatOptions.builder().maxTokens(9).build()).requestOptions().maxTokens()).isEqualTo(9);
        assertThat(ModelSpec.alternates(List.of(a)).requestOptions()).isEqualTo(ChatOptions.defaults());

        assertThatThrownBy(() -> ModelSpec.fallback(a, List.of()).withRetries(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ModelSpec.fallback(a, List.of()).withCooldown(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ModelSpec.routing(a, List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ModelSpec.Route.of(b)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ModelSpec.Route.of(b, " ")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ModelSpec.alternates(List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ModelSpec.firstAvailable(List.of())).isInstanceOf(IllegalArgumentException.class);
    }
}
