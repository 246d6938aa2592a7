package dev.keel.core.openai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.core.ChatResponse;
import dev.keel.core.FinishReason;
import dev.keel.core.Usage;
import dev.keel.core.internal.http.ProviderClient;
import dev.keel.core.internal.http.Secret;
import dev.keel.core.internal.sse.SseEvent;
import dev.keel.core.internal.sse.SseParser;
import dev.keel.core.message.ToolCall;
import dev.keel.core.testutil.RecordingListener;
import dev.keel.core.testutil.Sse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import okhttp3.OkHttpClient;

/** A streamed tool-calling answer assembles to the same calls however it is fragmented and read. */
class OpenAiStreamPropertiesTest {
    private static final OkHttpClient UNUSED = new OkHttpClient();

    @Provide
    Arbitrary<ToolCall> calls() {
        Arbitrary<String> id = Arbitraries.strings().alpha().numeric().ofLength(24).map(s -> "call_" + s);
        Arbitrary<String> name = Arbitraries.of("get_weather", "get_time", "search_docs", "transfer_task");
        Arbitrary<String> args = Arbitraries.strings().withChars("abc xyz09é東\"\\").ofMaxLength(60)
                .map(v -> "{\"value\":" + dev.keel.core.internal.json.Json.write(v) + "}");
        return Combinators.combine(id, name, args).as(ToolCall::new);
    }

    @Property(tries = 150)
    void toolCallsSurviveAnyFragmentationAndReadSplit(
            @ForAll @Size(min = 1, max = 4) List<@From("calls") ToolCall> calls,
            @ForAll @IntRange(min = 1, max = 17) int pieceSize,
            @ForAll @IntRange(min = 1, max = 97) int readSize) {
        byte[] body = Sse.data(OpenAiChunks.toolStream(calls, pieceSize, 11, 5)).getBytes(StandardCharsets.UTF_8);
        ProviderClient client = new ProviderClient("openai", UNUSED, false, Secret.none(), (s, b, r) -> null);
        RecordingListener listener = new RecordingListener();
        OpenAiStream stream = new OpenAiStream(client, listener);
        List<SseEvent> events = new ArrayList<>();
        SseParser parser = new SseParser(events::add);
        boolean open = true;
        for (int from = 0; from < body.length && open; from += readSize) {
            parser.feed(body, from, Math.min(readSize, body.length - from));
            for (SseEvent e : events) {
                open = open && stream.onEvent(e);
            }
            events.clear();
        }
        ChatResponse r = stream.finish(ProviderClient.StreamEnd.STOPPED);

        assertThat(r.toolCalls()).containsExactlyElementsOf(calls);
        assertThat(listener.toolCalls).containsExactlyElementsOf(calls);
        assertThat(r.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
        assertThat(r.usage()).isEqualTo(new Usage(11, 5));
        r.toolCalls().forEach(c -> assertThat(c.argumentsJson().has("value")).isTrue());
    }
}
