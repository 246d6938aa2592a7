package dev.keel.core.openai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.core.FinishReason;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OpenAiWireTest {

    @ParameterizedTest
    @CsvSource({
        "stop, false, STOP",
        "length, false, LENGTH",
        "tool_calls, true, TOOL_CALLS",
        "function_call, true, TOOL_CALLS",
        "content_filter, false, CONTENT_FILTER",
        // llama.cpp and Ollama report 'stop' on tool-calling turns
        "stop, true, TOOL_CALLS",
        "something_new, false, OTHER",
    })
    void finishReasons(String wire, boolean hasToolCalls, FinishReason expected) {
        assertThat(OpenAiWire.finishReason(wire, hasToolCalls)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "context_length_exceeded invalid_request_error | anything | true",
        " | This model's maximum context length is 8192 tokens | true",
        " | the request exceeds the available context size, try increasing it | true",
        "invalid_value | Invalid 'temperature' | false",
    })
    void contextOverflowIsRecognisedAcrossServers(String code, String message, boolean expected) {
        assertThat(OpenAiWire.isContextTooLong(code == null ? "" : code, message)).isEqualTo(expected);
    }
}
