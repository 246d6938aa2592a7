package dev.keel.testing.cassette;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.testing.internal.WireJson;
import dev.keel.testing.internal.cassette.CassetteFile;
import dev.keel.testing.internal.cassette.Header;
import dev.keel.testing.internal.cassette.Interaction;
import java.io.IOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

/**
 * Whatever a request or response carries, a secret (a key-shaped value, or the value of a key env var)
 * never reaches the cassette file: the save is refused, or the value was redacted.
 */
class SecretsNeverReachTheFileTest {
    private static MockWebServer server;
    private static OkHttpClient http;
    /** Where the next response should carry the secret; set per try (tries run one at a time). */
    private static volatile Case current;

    enum Where {
        AUTHORIZATION_HEADER, API_KEY_HEADER, OTHER_REQUEST_HEADER, KEY_QUERY_PARAMETER, OTHER_QUERY_PARAMETER,
        REQUEST_JSON_BODY, REQUEST_TEXT_BODY, RESPONSE_HEADER, SET_COOKIE, RESPONSE_JSON_BODY, RESPONSE_EVENT
    }

    /** A secret, whether it comes from an env var, where it goes, and a harmless name for the carrier. */
    record Case(String secret, boolean fromEnv, Where where, String name) {
        @Override
        public String toString() {
            return where + " (" + (fromEnv ? "env value" : "key shape") + ", " + secret.length() + " chars)";
        }
    }

    @BeforeContainer
    static void start() throws IOException {
        server = new MockWebServer();
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                Case c = current;
                MockResponse.Builder r = new MockResponse.Builder().setHeader("Content-Type", "application/json").body("{\"ok\":1}");
                switch (c.where()) {
                    case RESPONSE_HEADER -> r.setHeader(c.name(), "v=" + c.secret());
                    case SET_COOKIE -> r.addHeader("Set-Cookie", "session=" + c.secret() + "; HttpOnly");
                    case RESPONSE_JSON_BODY -> r.body(WireJson.write(Map.of("debug", Map.of(c.name(), c.secret()))));
                    case RESPONSE_EVENT -> r.setHeader("Content-Type", "text/event-stream")
                            .body("data: {\"a\":1}\n\ndata: " + WireJson.write(Map.of(c.name(), c.secret()))
                                    + "\n\ndata: [DONE]\n\n");
                    default -> { }
                }
                return r.build();
            }
        });
        server.start();
        http = new OkHttpClient.Builder().readTimeout(5, TimeUnit.SECONDS).build();
    }

    @AfterContainer
    static void stop() throws IOException {
        server.close();
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }

    @Provide
    Arbitrary<Case> cases() {
        Arbitrary<String> alnum = Arbitraries.strings().withCharRange('a', 'z').withCharRange('A', 'Z')
                .withCharRange('0', '9').ofMinLength(20).ofMaxLength(48);
        Arbitrary<String> shaped = Arbitraries.oneOf(
                alnum.map(s -> "sk-" + s),
                alnum.map(s -> "sk-proj-" + s),
                alnum.map(s -> "sk-ant-api03-" + s),
                alnum.map(s -> "ghp_" + s),
                alnum.map(s -> "github_pat_" + s),
                Arbitraries.strings().withCharRange('A', 'Z').withCharRange('0', '9').ofLength(16).map(s -> "AKIA" + s),
                alnum.map(s -> "Bearer " + s));
        Arbitrary<String> envValue = Arbitraries.strings().withCharRange('a', 'z').withCharRange('A', 'Z')
                .withCharRange('0', '9').withChars("-_.~+/=:@!$%&*\"\\").ofMinLength(10).ofMaxLength(40)
                .filter(s -> !s.isBlank());
        Arbitrary<String> names = Arbitraries.strings().withCharRange('a', 'z').ofMinLength(3).ofMaxLength(10)
                .map(s -> "x-" + s);
        Arbitrary<Boolean> fromEnv = Arbitraries.of(true, false);
        return Combinators.combine(fromEnv, shaped, envValue, Arbitraries.of(Where.class), names)
                .as((env, shape, value, where, name) -> new Case(env ? value : shape, env, where, name));
    }

    @Property(tries = 100)
    void theSaveIsRefusedOrTheValueRedacted(@ForAll("cases") Case c) throws IOException {
        current = c;
        Path dir = Files.createTempDirectory("keel-cassette-prop");
        Path file = dir.resolve("p.yaml");
        try {
            Map<String, String> env = c.fromEnv() ? Map.of("OPENAI_API_KEY", c.secret()) : Map.of();
            CassetteRecorder rec = CassetteRecorder.builder(file).mode(CassetteMode.ALL).environment(env::get).build();
            send(rec.wrap(http), c);
            boolean refused = false;
            try {
                rec.close();
            } catch (CassetteSecretException e) {
                refused = true;
                assertThat(e.getMessage()).doesNotContain(c.secret());
                assertThat(file).doesNotExist();
            }
            if (c.where() == Where.AUTHORIZATION_HEADER || c.where() == Where.API_KEY_HEADER
                    || c.where() == Where.KEY_QUERY_PARAMETER || c.where() == Where.SET_COOKIE) {
                assertThat(refused).as("a value under a redacted name is redacted, so the save succeeds").isFalse();
            }
            if (!refused) {
                assertNowhereIn(file, c.secret());
            }
            try (Stream<Path> files = Files.list(dir)) {
                assertThat(files.filter(p -> p.toString().endsWith(".tmp"))).isEmpty();
            }
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static void send(OkHttpClient client, Case c) throws IOException {
        HttpUrl.Builder url = server.url("/v1/chat").newBuilder().addQueryParameter("page", "1");
        Request.Builder r = new Request.Builder();
        RequestBody body = RequestBody.create("{\"q\":\"hello\"}", MediaType.get("application/json"));
        switch (c.where()) {
            case AUTHORIZATION_HEADER -> r.header("Authorization", "Bearer " + c.secret());
            case API_KEY_HEADER -> r.header("api-key", c.secret());
            case OTHER_REQUEST_HEADER -> r.header(c.name(), c.secret());
            case KEY_QUERY_PARAMETER -> url.addQueryParameter("key", c.secret());
            case OTHER_QUERY_PARAMETER -> url.addQueryParameter(c.name(), c.secret());
            case REQUEST_JSON_BODY -> body = RequestBody.create(WireJson.write(Map.of("messages",
                    List.of(Map.of("role", "user", "content", "my key is " + c.secret())))),
                    MediaType.get("application/json"));
            case REQUEST_TEXT_BODY -> body = RequestBody.create("note\n" + c.secret() + "\n",
                    MediaType.get("text/plain"));
            default -> { }
        }
        try (Response response = client.newCall(r.url(url.build()).post(body).build()).execute()) {
            assertThat(response.code()).isEqualTo(200);
            response.body().string();
        }
    }

    /** Neither the file's text nor any value decoded from it holds the secret (raw, URL- or JSON-encoded). */
    private static void assertNowhereIn(Path file, String secret) throws IOException {
        String yaml = Files.readString(file);
        String json = WireJson.write(secret);
        List<String> forms = List.of(secret, URLEncoder.encode(secret, StandardCharsets.UTF_8),
                json.substring(1, json.length() - 1));
        for (String form : forms) {
            assertThat(yaml).doesNotContain(form);
        }
        List<String> decoded = new ArrayList<>();
        for (Interaction i : CassetteFile.read(file)) {
            decoded.add(URLDecoder.decode(i.request().url(), StandardCharsets.UTF_8));
            i.request().headers().stream().map(Header::value).forEach(decoded::add);
            decoded.add(i.request().body().text());
            i.response().headers().stream().map(Header::value).forEach(decoded::add);
            decoded.add(i.response().body().text());
        }
        for (String value : decoded) {
            for (String form : forms) {
                assertThat(value).doesNotContain(form);
            }
        }
    }
}
