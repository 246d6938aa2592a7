package dev.keel.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.core.openai.OpenAiCompatible;
import dev.keel.testing.model.RecordedChatRequest;
import dev.keel.testing.model.ScriptedModelServer;
import dev.keel.testing.model.ScriptedReply;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The coding-assistant RAG with a configured (scripted) model: real chunks, real MiniLM, real retrieval. */
class RagSampleTest {

    @Test
    void sendsTheRetrievedSnippetsAndTheHistoryToTheModel() throws Exception {
        try (ScriptedModelServer llm = ScriptedModelServer.start();
             OpenAiCompatible model = OpenAiCompatible.builder().baseUrl(llm.baseUrl()).model("m").build()) {
            llm.respond(ScriptedReply.text("Use Files.lines in try-with-resources [1]."))
               .respond(ScriptedReply.text("Use Jackson's ObjectMapper.readValue [1]."));
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();

            List<String> answers = RagSample.run(model, RagSample.QUESTIONS.subList(0, 2),
                    new PrintStream(bytes, true, StandardCharsets.UTF_8));

            assertThat(answers).containsExactly("Use Files.lines in try-with-resources [1].",
                    "Use Jackson's ObjectMapper.readValue [1].");
            RecordedChatRequest first = llm.requests().get(0);
            assertThat(first.body()).contains("Files.lines").contains("How do I read a file line by line in Java?");
            RecordedChatRequest second = llm.requests().get(1);
            // the second prompt carries the retrieved JSON snippet and the first turn as history
            assertThat(second.body()).contains("ObjectMapper").contains("How do I read a file line by line in Java?")
                    .contains("Use Files.lines in try-with-resources [1].");
            String output = bytes.toString(StandardCharsets.UTF_8);
            assertThat(output).contains("A (").contains("readValue");
            // hybrid: the best passage was found by both strategies and fused with RRF
            assertThat(output).containsPattern("hit rrf 0\\.0328 \\{(chunked-embeddings=0\\.\\d+, bm25=\\d|bm25=\\d+\\.\\d+, chunked-embeddings=)")
                    .contains("## Read a file line by line in Java");
            llm.assertNoFailures();
        }
    }
}
