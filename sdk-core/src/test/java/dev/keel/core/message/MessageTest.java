package dev.keel.core.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.json.JsonParseException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MessageTest {

    @Test
    void factoriesSetRoleAndContent() {
        assertThat(Message.system("s")).isEqualTo(new SystemMessage("s"));
        assertThat(Message.system("s").role()).isEqualTo(Message.Role.SYSTEM);
        assertThat(Message.user("u").role()).isEqualTo(Message.Role.USER);
        AssistantMessage a = Message.assistant("a");
        assertThat(a.role()).isEqualTo(Message.Role.ASSISTANT);
        assertThat(a.hasToolCalls()).isFalse();
        assertThat(new AssistantMessage(null, List.of()).text()).isEmpty();
        assertThatThrownBy(() -> Message.user(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void toolResultsEchoTheCall() {
        ToolCall call = new ToolCall("call_1", "search", "{\"q\":\"x\"}");
        ToolResultMessage ok = Message.toolResult(call, "found");
        assertThat(ok).isEqualTo(new ToolResultMessage("call_1", "search", "found", false));
        assertThat(ok.role()).isEqualTo(Message.Role.TOOL);
        ToolResultMessage failed = Message.toolError(call, "timeout");
        assertThat(failed.error()).isTrue();
        assertThat(failed.toolCallId()).isEqualTo("call_1");
        assertThat(failed.content()).isEqualTo("timeout");
    }

    @Test
    void assistantToolCallsAreCopied() {
        List<ToolCall> calls = new ArrayList<>(List.of(new ToolCall("1", "a", "{}")));
        AssistantMessage m = Message.assistant("", calls);
        calls.clear();
        assertThat(m.toolCalls()).hasSize(1);
        assertThat(m.hasToolCalls()).isTrue();
    }

    @Test
    void argumentsJsonParsesObjects() {
        ToolCall call = new ToolCall("1", "weather", "{\"city\":\"Oslo\",\"days\":3}");
        assertThat(call.argumentsJson().get("city").flatMap(dev.keel.core.json.JsonValue::asString)).contains("Oslo");
        assertThat(call.argumentsJson().get("days").orElseThrow().asLong()).hasValue(3);
        assertThat(new ToolCall("1", "t", "  ").argumentsJson().size()).isZero();
        assertThat(new ToolCall("1", "t", null).arguments()).isEqualTo("{}");
    }

    @Test
    void argumentsJsonExplainsBadArguments() {
        assertThatThrownBy(() -> new ToolCall("1", "weather", "{\"city\":").argumentsJson())
                .isInstanceOf(JsonParseException.class).hasMessageContaining("invalid JSON");
        assertThatThrownBy(() -> new ToolCall("1", "weather", "[1,2]").argumentsJson())
                .isInstanceOf(JsonParseException.class)
                .hasMessageContaining("weather").hasMessageContaining("must be a JSON object").hasMessageContaining("got array");
        assertThatThrownBy(() -> new ToolCall("1", "weather", "\"Oslo\"").argumentsJson())
                .isInstanceOf(JsonParseException.class).hasMessageContaining("got string");
    }
}
