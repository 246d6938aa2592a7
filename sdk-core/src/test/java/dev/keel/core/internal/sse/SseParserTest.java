package dev.keel.core.internal.sse;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseParserTest {

    private static List<SseEvent> parse(String... chunks) {
        List<SseEvent> out = new ArrayList<>();
        SseParser p = new SseParser(out::add);
        for (String c : chunks) {
            p.feed(c.getBytes(StandardCharsets.UTF_8));
        }
        return out;
    }

    @Test
    void dataOnlyEvents() {
        assertThat(parse("data: {\"a\":1}\n\ndata: [DONE]\n\n"))
                .containsExactly(SseEvent.message("{\"a\":1}"), SseEvent.message("[DONE]"));
    }

    @Test
    void multiLineDataIsJoinedWithNewlines() {
        assertThat(parse("data: first\ndata:second\ndata\ndata:  indented\n\n"))
                .containsExactly(SseEvent.message("first\nsecond\n\n indented"));
    }

    @Test
    void commentsAndUnknownFieldsAreIgnored() {
        assertThat(parse(": keep-alive\n\nretry: 1000\nfoo: bar\ndata: x\n\n:another\n\n"))
                .containsExactly(SseEvent.message("x"));
    }

    @Test
    void namedEventsAndIds() {
        assertThat(parse("event: message_start\nid: 7\ndata: {}\n\nevent: ping\ndata: {\"type\":\"ping\"}\n\n"))
                .containsExactly(new SseEvent("message_start", "{}", "7"), new SseEvent("ping", "{\"type\":\"ping\"}", "7"));
    }

    @Test
    void eventWithoutDataIsNotDispatched() {
        assertThat(parse("event: lonely\n\ndata: y\n\n")).containsExactly(SseEvent.message("y"));
    }

    @Test
    void crlfAndCrLineEndsIncludingACrlfSplitAcrossReads() {
        assertThat(parse("data: a\r\n\r\ndata: b\r\r", "data: c\r", "\n\r", "\n"))
                .containsExactly(SseEvent.message("a"), SseEvent.message("b"), SseEvent.message("c"));
    }

    @Test
    void multiByteCharactersSplitAcrossReads() {
        byte[] bytes = "data: Zürich 東京 🚀\n\n".getBytes(StandardCharsets.UTF_8);
        List<SseEvent> out = new ArrayList<>();
        SseParser p = new SseParser(out::add);
        for (byte b : bytes) {
            p.feed(new byte[] {b});
        }
        assertThat(out).containsExactly(SseEvent.message("Zürich 東京 🚀"));
        assertThat(p.hasPartialEvent()).isFalse();
    }

    @Test
    void leadingByteOrderMarkIsSkipped() {
        assertThat(parse("\uFEFFdata: x\n\n")).containsExactly(SseEvent.message("x"));
    }

    @Test
    void partialEventIsReportedAtTheEnd() {
        List<SseEvent> out = new ArrayList<>();
        SseParser p = new SseParser(out::add);
        p.feed("data: done\n\ndata: {\"cut".getBytes(StandardCharsets.UTF_8));
        assertThat(out).containsExactly(SseEvent.message("done"));
        assertThat(p.hasPartialEvent()).isTrue();
        SseParser q = new SseParser(e -> { });
        q.feed("data: complete line but no blank line\n".getBytes(StandardCharsets.UTF_8));
        assertThat(q.hasPartialEvent()).isTrue();
        assertThat(q.eventCount()).isZero();
    }
}
