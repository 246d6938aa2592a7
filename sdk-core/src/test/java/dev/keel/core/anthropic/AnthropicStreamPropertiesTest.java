package dev.keel.core.anthropic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.core.ChatResponse;
import dev.keel.core.FinishReason;
import dev.keel.core.Usage;
import dev.keel.core.internal.http.ProviderClient;
import dev.keel.core.internal.http.Secret;
import dev.keel.core.internal.sse.SseEvent;
import dev.keel.core.internal.sse.SseParser;
import dev.keel.core.internal.json.Json;
import dev.keel.core.message.ToolCall;
import dev.keel.core.testutil.RecordingListener;
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

/** A streamed Messages answer assembles to the same text and tool calls however it is fragmented and read. */
class AnthropicStreamPropertiesTest {
    private static final OkHttpClient UNUSED = new OkHttpClient();

    @Provide
    Arbitrary<ToolCall> calls() {
        Arbitrary<String> id = Arbitraries.strings().alpha().numeric().ofLength(24).map(s -> "toolu_" + s);
        Arbitrary<String> name = Arbitraries.of("get_weather", "get_time", "search_docs");
        Arbitrary<String> value = Arbitraries.strings().withChars("abc xyz09é東\"\\").ofMaxLength(50);
        return Combinators.combine(id, name, value)
                .as((i, n, v) -> new ToolCall(i, n, "{\"value\":" + Json.write(v) + ",\"n\":1}"));
    }

    @Property(tries = 150)
    void answersSurviveAnyFragmentationAndReadSplit(
            @ForAll @Size(max = 4) List<@From("calls") ToolCall> calls,
            @ForAll("texts") String text,
            @ForAll @IntRange(min = 1, max = 17) int pieceSize,
            @ForAll @IntRange(min = 1, max = 97) int readSize) {
        byte[] body = AnthropicEvents.stream(text, calls, pieceSize, 30, 12).getBytes(StandardCharsets.UTF_8);
        ProviderClient client = new ProviderClient("anthropic", UNUSED, false, Secret.none(), (s, b, r) -> null);
        RecordingListener listener = new RecordingListener();
        AnthropicStream stream = new AnthropicStream(client, listener);
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

        assertThat(r.text()).isEqualTo(text);
        assertThat(listener.text.toString()).isEqualTo(text);
        assertThat(r.toolCalls()).containsExactlyElementsOf(calls);
        assertThat(listener.toolCalls).containsExactlyElementsOf(calls);
        assertThat(r.finishReason()).isEqualTo(calls.isEmpty() ? FinishReason.STOP : FinishReason.TOOL_CALLS);
        assertThat(r.usage()).isEqualTo(new Usage(30, 12));
    }

    @Provide
    Arbitrary<String> texts() {
        return Arbitraries.strings().withChars("Hello, wörld 東京\n\"").ofMaxLength(40);
    }
}
