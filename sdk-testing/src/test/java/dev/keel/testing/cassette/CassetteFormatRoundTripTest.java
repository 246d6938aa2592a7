package dev.keel.testing.cassette;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.testing.internal.WireJson;
import dev.keel.testing.internal.cassette.CassetteFile;
import dev.keel.testing.internal.cassette.Header;
import dev.keel.testing.internal.cassette.Interaction;
import dev.keel.testing.internal.cassette.SseEvent;
import dev.keel.testing.internal.cassette.StoredBody;
import dev.keel.testing.internal.cassette.StoredRequest;
import dev.keel.testing.internal.cassette.StoredResponse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** Whatever a body holds, writing a cassette and reading it back gives the same bytes. */
class CassetteFormatRoundTripTest {

    @Provide
    Arbitrary<StoredBody> bodies() {
        Arbitrary<String> text = Arbitraries.strings().all().ofMaxLength(300)
                // Text bodies come from strict UTF-8 decoding, so they never hold a lone surrogate.
                .filter(s -> new String(s.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                        java.nio.charset.StandardCharsets.UTF_8).equals(s));
        Arbitrary<String> json = Arbitraries.maps(Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(8),
                        Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(30).map(s -> (Object) s),
                                Arbitraries.integers().map(i -> (Object) i), Arbitraries.of(true, false).map(b -> (Object) b),
                                Arbitraries.doubles().between(-1e6, 1e6).map(d -> (Object) d)))
                .ofMaxSize(6).map(m -> WireJson.write(Map.of("data", m)));
        Arbitrary<StoredBody> events = Arbitraries.oneOf(json, Arbitraries.strings().alpha().numeric().withChars(" \"{}:")
                        .ofMaxLength(40))
                .list().ofMinSize(1).ofMaxSize(8)
                .map(datas -> new StoredBody.Events(datas.stream()
                        .map(d -> new SseEvent(null, d.length() % 3 == 0 ? "delta" : null, d, null)).toList()));
        Arbitrary<StoredBody> binary = Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(200)
                .map(StoredBody.Binary::new);
        return Arbitraries.oneOf(text.map(StoredBody.Text::new), json.map(StoredBody.Text::new), events, binary);
    }

    /**
     * U+0085 (NEXT LINE) is a line break to the YAML reader; a body holding it, as text, as a JSON string or as a JSON
     * key, must not come back with a newline or a space in its place.
     */
    @Test
    void nextLineInABodyReadsBackAsItself() throws IOException {
        for (String body : List.of("progress\u0085done\nnext line", "\u0085", "{\"a\\u0085b\":\"c\u0085d\"}",
                "{\"k\u0085\":[\"x\u0085\\ny\"]}")) {
            StoredBody stored = new StoredBody.Text(body);
            Interaction in = new Interaction(new StoredRequest("POST", "http://127.0.0.1:1/v1/x", List.of(), stored),
                    new StoredResponse(200, "OK", List.of(), stored, false));
            Path file = Files.createTempFile("keel-nel", ".yaml");
            try {
                CassetteFile.write(file, List.of(in), UnaryOperator.identity());
                Interaction back = CassetteFile.read(file).get(0);
                assertThat(back.request().body().bytes()).as(body).isEqualTo(stored.bytes());
                assertThat(back.response().body().bytes()).as(body).isEqualTo(stored.bytes());
            } finally {
                Files.deleteIfExists(file);
            }
        }
    }

    @Property(tries = 300)
    void bodiesSurviveAWriteAndARead(@ForAll("bodies") StoredBody request, @ForAll("bodies") StoredBody response)
            throws IOException {
        Interaction in = new Interaction(
                new StoredRequest("POST", "http://127.0.0.1:1/v1/x?q=a%20b", List.of(new Header("X-A", "1"),
                        new Header("X-A", "2")), request),
                new StoredResponse(200, "OK", List.of(new Header("Content-Type", "text/plain")), response, false));
        Path file = Files.createTempFile("keel-format", ".yaml");
        try {
            CassetteFile.write(file, List.of(in), UnaryOperator.identity());
            Interaction back = CassetteFile.read(file).get(0);
            assertThat(back.request().body().bytes()).isEqualTo(request.bytes());
            assertThat(back.response().body().bytes()).isEqualTo(response.bytes());
            assertThat(back.request().headers()).isEqualTo(in.request().headers());
            assertThat(back.request().url()).isEqualTo(in.request().url());
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
