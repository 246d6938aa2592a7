package dev.keel.core.openai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.core.ChatResponse;
import dev.keel.core.internal.http.ProviderClient;
import dev.keel.core.internal.http.Secret;
import dev.keel.core.internal.json.Json;
import dev.keel.core.internal.sse.SseEvent;
import dev.keel.core.internal.sse.SseParser;
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

/**
 * However a Responses API stream is fragmented (argument deltas of any size) and read (any split of the bytes), it
 * assembles to the answer its terminal response object holds, and each call reaches the listener exactly once.
 */
class ResponsesStreamPropertiesTest {
    private static final OkHttpClient UNUSED = new OkHttpClient();

    @Provide
    Arbitrary<ToolCall> calls() {
        Arbitrary<String> id = Arbitraries.strings().alpha().numeric().ofLength(24).map(s -> "call_" + s);
        Arbitrary<String> name = Arbitraries.of("get_weather", "get_time", "search_docs", "transfer_task");
        Arbitrary<String> args = Arbitraries.strings().withChars("abc xyz09é東\"\\{}").ofMaxLength(60)
                .map(v -> "{\"value\":" + Json.write(v) + "}");
        return Combinators.combine(id, name, args).as(ToolCall::new);
    }

    @Property(tries = 150)
    void callsAndReasoningSurviveAnyFragmentationAndReadSplit(
            @ForAll @Size(min = 1, max = 4) List<@From("calls") ToolCall> calls,
            @ForAll @IntRange(min = 1, max = 17) int pieceSize,
            @ForAll @IntRange(min = 1, max = 97) int readSize) {
        List<ToolCall> distinct = calls.stream().collect(java.util.stream.Collectors.toMap(ToolCall::id, c -> c,
                (a, b) -> a, java.util.LinkedHashMap::new)).values().stream().toList();
        byte[] body = ResponsesEvents.reasoningAndCallsStream("rs_prop", "enc-a", "enc-b", List.of("Think", "ing."),
                distinct, pieceSize, ResponsesEvents.usage(10, 2, 20, 5)).getBytes(StandardCharsets.UTF_8);
        ProviderClient client = new ProviderClient("openai", UNUSED, false, Secret.none(), (s, b, r) -> null);
        RecordingListener listener = new RecordingListener();
        ResponsesStream stream = new ResponsesStream(client, listener);
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

        assertThat(r.toolCalls()).containsExactlyElementsOf(distinct);
        assertThat(listener.toolCalls).containsExactlyElementsOf(distinct);
        assertThat(String.join("", listener.argumentDeltas))
                .isEqualTo(String.join("", distinct.stream().map(ToolCall::arguments).toList()));
        assertThat(listener.reasoning.toString()).isEqualTo("Thinking.");
        assertThat(r.message().reasoning()).singleElement().satisfies(x -> assertThat(x.opaque()).isEqualTo("enc-b"));
        assertThat(listener.terminalCalls).isEqualTo(1);
    }
}
