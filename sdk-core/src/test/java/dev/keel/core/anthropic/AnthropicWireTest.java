package dev.keel.core.anthropic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.core.FinishReason;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AnthropicWireTest {

    @ParameterizedTest
    @CsvSource({
        "end_turn, STOP",
        "stop_sequence, STOP",
        "max_tokens, LENGTH",
        "tool_use, TOOL_CALLS",
        "refusal, CONTENT_FILTER",
        "pause_turn, OTHER",
    })
    void stopReasons(String wire, FinishReason expected) {
        assertThat(AnthropicWire.finishReason(wire)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({
        "'{\"city\": \"Oslo\", \"n\": 1}', '{\"city\":\"Oslo\",\"n\":1}'",
        "'', '{}'",
        "'{\"cut\": \"Os', '{\"cut\": \"Os'",
    })
    void streamedArgumentsAreCanonicalWhenValid(String streamed, String expected) {
        assertThat(AnthropicWire.canonicalArguments(streamed)).isEqualTo(expected);
    }
}
