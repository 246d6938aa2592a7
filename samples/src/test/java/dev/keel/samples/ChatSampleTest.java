package dev.keel.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.core.message.ToolResultMessage;
import dev.keel.core.openai.OpenAiCompatible;
import dev.keel.testing.model.RecordedChatRequest;
import dev.keel.testing.model.ScriptedModelServer;
import dev.keel.testing.model.ScriptedReply;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChatSampleTest {

    @Test
    void streamsTheAnswerAndSendsTheToolResultBack() {
        try (ScriptedModelServer llm = ScriptedModelServer.start();
             OpenAiCompatible model = OpenAiCompatible.builder().baseUrl(llm.baseUrl()).model("m").build()) {
            llm.respond(ScriptedReply.toolCall("get_weather", Map.of("city", "Bergen")).chunkSize(3))
               .respond(ScriptedReply.text("Rain in Bergen.").chunkSize(2));
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();

            ChatSample.run(model, new PrintStream(bytes, true, StandardCharsets.UTF_8));

            String printed = bytes.toString(StandardCharsets.UTF_8);
            assertThat(printed).contains("→ tool call get_weather {\"city\":\"Bergen\"}")
                    .contains("assistant: Rain in Bergen.");
            RecordedChatRequest second = llm.requests().get(1);
            assertThat(second.messages()).last().isInstanceOfSatisfying(ToolResultMessage.class,
                    result -> assertThat(result.content()).contains("\"city\":\"Bergen\""));
            llm.assertNoFailures();
        }
    }
}
