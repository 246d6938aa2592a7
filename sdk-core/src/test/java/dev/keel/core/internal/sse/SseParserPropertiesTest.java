package dev.keel.core.internal.sse;

import static org.assertj.core.api.Assertions.assertThat;

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

/** Any split of a valid event stream into reads yields the same events as the model says. */
class SseParserPropertiesTest {

    /** An event as written: optional name, one or more data lines, and the line end used. */
    record Written(String name, List<String> dataLines, String lineEnd, boolean commentBefore) {
        String render() {
            StringBuilder b = new StringBuilder();
            if (commentBefore) {
                b.append(": keep-alive").append(lineEnd);
            }
            if (name != null) {
                b.append("event: ").append(name).append(lineEnd);
            }
            for (String line : dataLines) {
                b.append("data: ").append(line).append(lineEnd);
            }
            return b.append(lineEnd).toString();
        }

        SseEvent expected() {
            return new SseEvent(name == null ? "message" : name, String.join("\n", dataLines), "");
        }
    }

    @Provide
    Arbitrary<Written> events() {
        // data text without line breaks; includes multi-byte characters and colons
        Arbitrary<String> text = Arbitraries.strings().withChars("ab{}\":, é東ß\\").ofMaxLength(40)
                .map(s -> s.startsWith(" ") ? "x" + s : s);
        Arbitrary<String> name = Arbitraries.of("message_start", "content_block_delta", "ping").injectNull(0.5);
        return Combinators.combine(name, text.list().ofMinSize(1).ofMaxSize(3),
                Arbitraries.of("\n", "\r\n", "\r"), Arbitraries.of(true, false)).as(Written::new);
    }

    @Property(tries = 300)
    void anySplitYieldsTheSameEvents(@ForAll @Size(min = 1, max = 12) List<@From("events") Written> written,
                                     @ForAll @Size(max = 20) List<@IntRange(min = 0, max = 10_000) Integer> cuts) {
        StringBuilder stream = new StringBuilder();
        written.forEach(w -> stream.append(w.render()));
        byte[] bytes = stream.toString().getBytes(StandardCharsets.UTF_8);

        List<SseEvent> out = new ArrayList<>();
        SseParser parser = new SseParser(out::add);
        List<Integer> points = new ArrayList<>();
        cuts.forEach(c -> points.add(c % (bytes.length + 1)));
        points.sort(Integer::compare);
        int from = 0;
        for (int p : points) {
            parser.feed(bytes, from, p - from);
            from = p;
        }
        parser.feed(bytes, from, bytes.length - from);

        assertThat(out).containsExactlyElementsOf(written.stream().map(Written::expected).toList());
        assertThat(parser.hasPartialEvent()).isFalse();
    }

    @Property(tries = 200)
    void aTruncatedStreamIsAlwaysReportedPartial(@ForAll @Size(min = 1, max = 5) List<@From("events") Written> events,
                                                 @ForAll @IntRange(min = 1, max = 10_000) int cut) {
        // a cut right after a complete comment line is indistinguishable from a clean end; keep the last event bare
        List<Written> written = new ArrayList<>(events);
        Written tail = written.remove(written.size() - 1);
        written.add(new Written(tail.name(), tail.dataLines(), tail.lineEnd(), false));
        StringBuilder stream = new StringBuilder();
        written.forEach(w -> stream.append(w.render()));
        byte[] bytes = stream.toString().getBytes(StandardCharsets.UTF_8);
        // cut strictly inside the last event's text, after its first byte and before its final line end
        String last = written.get(written.size() - 1).render();
        int lastLength = last.getBytes(StandardCharsets.UTF_8).length;
        int lastEnd = written.get(written.size() - 1).lineEnd().length();
        int start = bytes.length - lastLength;
        int length = 1 + cut % Math.max(1, lastLength - lastEnd - 1);
        SseParser parser = new SseParser(e -> { });
        parser.feed(bytes, 0, start + length);
        assertThat(parser.eventCount()).isEqualTo(written.size() - 1);
        assertThat(parser.hasPartialEvent()).isTrue();
    }
}
