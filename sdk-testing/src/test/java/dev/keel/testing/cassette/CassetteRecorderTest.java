package dev.keel.testing.cassette;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okio.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The recorder against a real HTTP server on loopback, through raw OkHttp calls. */
class CassetteRecorderTest {
    private static final MediaType JSON = MediaType.get("application/json");

    @TempDir
    Path dir;
    private MockWebServer server;
    private final OkHttpClient base = new OkHttpClient.Builder().readTimeout(5, TimeUnit.SECONDS).build();

    @BeforeEach
    void start() throws IOException {
        server = new MockWebServer();
        server.setDispatcher(new Dispatcher() {
            private final java.util.concurrent.atomic.AtomicInteger exchanges = new java.util.concurrent.atomic.AtomicInteger();

            @Override
            public MockResponse dispatch(RecordedRequest request) {
                String body = request.getBody() == null ? "" : request.getBody().utf8();
                return new MockResponse.Builder().setHeader("Content-Type", "application/json")
                        .body("{\"n\":" + exchanges.getAndIncrement() + ",\"echo\":" + (body.isEmpty() ? "null"
                                : "\"" + body.replace("\\", "\\\\").replace("\"", "\\\"") + "\"") + "}").build();
            }
        });
        server.start();
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
        base.dispatcher().executorService().shutdown();
        base.connectionPool().evictAll();
    }

    private String post(OkHttpClient client, String path, String json) throws IOException {
        Request r = new Request.Builder().url(server.url(path)).post(RequestBody.create(json, JSON)).build();
        try (Response response = client.newCall(r).execute()) {
            return response.code() + " " + response.body().string();
        }
    }

    private String get(OkHttpClient client, String pathAndQuery) throws IOException {
        try (Response response = client.newCall(new Request.Builder().url(server.url(pathAndQuery)).build()).execute()) {
            return response.code() + " " + response.body().string();
        }
    }

    private Path cassette() {
        return dir.resolve("c.yaml");
    }

    private String record(CassetteMode mode, String... bodies) throws IOException {
        StringBuilder sb = new StringBuilder();
        try (CassetteRecorder rec = CassetteRecorder.open(cassette(), mode)) {
            OkHttpClient client = rec.wrap(base);
            for (String b : bodies) {
                sb.append(post(client, "/v1/chat", b)).append('\n');
            }
        }
        return sb.toString();
    }

    @Test
    void onceRecordsWhenAbsentThenReplaysWithoutTheNetwork() throws IOException {
        String first = record(CassetteMode.ONCE, "{\"q\":1}", "{\"q\":2}");
        assertThat(cassette()).exists();
        assertThat(server.getRequestCount()).isEqualTo(2);
        String again = record(CassetteMode.ONCE, "{\"q\":1}", "{\"q\":2}");
        assertThat(again).isEqualTo(first);
        assertThat(server.getRequestCount()).isEqualTo(2);
        String yaml = Files.readString(cassette());
        assertThat(yaml).startsWith("format: \"keel-cassette\"\nversion: 1\n");
    }

    @Test
    void matchingIgnoresKeyOrderAndWhitespaceButNotValues() throws IOException {
        record(CassetteMode.ONCE, "{\"a\":1,\"b\":{\"x\":true,\"y\":[1,2]}}");
        try (CassetteRecorder rec = CassetteRecorder.open(cassette(), CassetteMode.NONE)) {
            assertThat(post(rec.wrap(base), "/v1/chat", "{ \"b\": {\"y\": [1, 2], \"x\": true}, \"a\": 1 }"))
                    .startsWith("200 {\"n\":0");
            assertThatThrownBy(() -> post(rec.wrap(base), "/v1/chat", "{\"a\":1,\"b\":{\"x\":true,\"y\":[2,1]}}"))
                    .isInstanceOf(CassetteMissException.class);
        }
    }

    @Test
    void toolCallIdsOfEitherProviderAreNormalisedOnBothSides() throws IOException {
        String openAi = "{\"messages\":[{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"%s\"}]},"
                + "{\"role\":\"tool\",\"tool_call_id\":\"%s\",\"content\":\"ok\"}]}";
        String anthropic = "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\","
                + "\"tool_use_id\":\"%s\",\"content\":\"ok\"}]}]}";
        record(CassetteMode.ONCE, openAi.formatted("call_abc123", "call_abc123"),
                anthropic.formatted("toolu_01A09q90qw90lq917835lq9"));
        try (CassetteRecorder rec = CassetteRecorder.open(cassette(), CassetteMode.NONE)) {
            OkHttpClient c = rec.wrap(base);
            assertThat(post(c, "/v1/chat", openAi.formatted("call_Zy98", "call_Zy98"))).contains("\"n\":0");
            assertThat(post(c, "/v1/chat", anthropic.formatted("toolu_01XyZ"))).contains("\"n\":1");
            assertThatThrownBy(() -> post(c, "/v1/chat", openAi.formatted("call_1", "call_1").replace("ok", "changed")))
                    .isInstanceOf(CassetteMissException.class);
        }
    }

    @Test
    void noneWithoutACassetteFailsNamingTheMissingFile() {
        try (CassetteRecorder rec = CassetteRecorder.open(cassette(), CassetteMode.NONE)) {
            assertThat(rec.isRecording()).isFalse();
            assertThatThrownBy(() -> post(rec.wrap(base), "/v1/chat", "{}"))
                    .isInstanceOf(CassetteMissException.class)
                    .hasMessageContaining("the file does not exist")
                    .hasMessageContaining("the cassette has no interactions");
        }
        assertThat(cassette()).doesNotExist();
        assertThat(server.getRequestCount()).isZero();
    }

    @Test
    void aMissShowsTheClosestRecordingAndADiff() throws IOException {
        record(CassetteMode.ONCE, "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"weather in Oslo\"}]}",
                "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"time in Paris\"}]}");
        try (CassetteRecorder rec = CassetteRecorder.open(cassette(), CassetteMode.ONCE)) {
            CassetteMissException miss = org.junit.jupiter.api.Assertions.assertThrows(CassetteMissException.class,
                    () -> post(rec.wrap(base), "/v1/chat",
                            "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"time in Rome\"}]}"));
            assertThat(miss.closestIndex()).contains(1);
            assertThat(miss.diff()).contains("- ").contains("\"time in Paris\"").contains("+ ")
                    .contains("\"time in Rome\"").doesNotContain("Oslo");
            assertThat(miss.getMessage()).contains("closest recorded request: interaction #1")
                    .contains("POST " + server.url("/v1/chat"));
            assertThat(miss.request()).isEqualTo("POST " + server.url("/v1/chat"));
        }
    }

    @Test
    void aMissNeverShowsASecretFromTheLiveRequest() throws IOException {
        String secret = "sk-" + "ant-" + "Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2";
        record(CassetteMode.ONCE, "{\"q\":\"hello\"}");
        try (CassetteRecorder rec = CassetteRecorder.open(cassette(), CassetteMode.NONE)) {
            CassetteMissException miss = org.junit.jupiter.api.Assertions.assertThrows(CassetteMissException.class,
                    () -> post(rec.wrap(base), "/v1/chat?api_key=" + secret, "{\"q\":\"" + secret + "\"}"));
            assertThat(miss.getMessage()).doesNotContain(secret).contains("<SECRET>").contains("api_key=REDACTED");
            assertThat(miss.diff()).doesNotContain(secret);
        }
    }

    @Test
    void identicalRequestsReplayInRecordedOrderEachOnce() throws IOException {
        String recorded = record(CassetteMode.ONCE, "{\"same\":1}", "{\"same\":1}");
        assertThat(recorded).contains("\"n\":0").contains("\"n\":1");
        try (CassetteRecorder rec = CassetteRecorder.open(cassette(), CassetteMode.NONE)) {
            OkHttpClient c = rec.wrap(base);
            assertThat(post(c, "/v1/chat", "{\"same\":1}")).contains("\"n\":0");
            assertThat(post(c, "/v1/chat", "{\"same\":1}")).contains("\"n\":1");
            assertThatThrownBy(() -> post(c, "/v1/chat", "{\"same\":1}")).isInstanceOf(CassetteMissException.class)
                    .hasMessageContaining("more often than when the cassette was recorded");
            assertThat(rec.replayedCount()).isEqualTo(2);
        }
    }

    @Test
    void newEpisodesReplaysHitsAndAppendsMisses() throws IOException {
        record(CassetteMode.ONCE, "{\"q\":\"a\"}");
        try (CassetteRecorder rec = CassetteRecorder.open(cassette(), CassetteMode.NEW_EPISODES)) {
            OkHttpClient c = rec.wrap(base);
            assertThat(post(c, "/v1/chat", "{\"q\":\"a\"}")).contains("\"n\":0");
            assertThat(post(c, "/v1/chat", "{\"q\":\"b\"}")).contains("\"n\":1");
            assertThat(rec.replayedCount()).isEqualTo(1);
            assertThat(rec.recordedCount()).isEqualTo(1);
        }
        assertThat(server.getRequestCount()).isEqualTo(2);
        try (CassetteRecorder rec = CassetteRecorder.open(cassette(), CassetteMode.NONE)) {
            OkHttpClient c = rec.wrap(base);
            assertThat(post(c, "/v1/chat", "{\"q\":\"b\"}")).contains("\"n\":1");
            assertThat(post(c, "/v1/chat", "{\"q\":\"a\"}")).contains("\"n\":0");
        }
    }

    @Test
    void allReRecordsEverything() throws IOException {
        record(CassetteMode.ONCE, "{\"q\":\"a\"}");
        String rerecorded = record(CassetteMode.ALL, "{\"q\":\"a\"}");
        assertThat(rerecorded).contains("\"n\":1");
        assertThat(server.getRequestCount()).isEqualTo(2);
        try (CassetteRecorder rec = CassetteRecorder.open(cassette(), CassetteMode.NONE)) {
            assertThat(post(rec.wrap(base), "/v1/chat", "{\"q\":\"a\"}")).contains("\"n\":1");
        }
        assertThat(Files.readString(cassette())).doesNotContain("\"n\": 0");
    }

    @Test
    void autoReplaysRecordsWithAKeyAndFailsClearlyWithout() throws IOException {
        Map<String, String> noKey = Map.of();
        try (CassetteRecorder rec = CassetteRecorder.builder(cassette()).mode(CassetteMode.AUTO)
                .environment(noKey::get).build()) {
            assertThatThrownBy(() -> post(rec.wrap(base), "/v1/chat", "{}")).isInstanceOf(CassetteException.class)
                    .hasMessageContaining("does not exist and mode AUTO cannot record it")
                    .hasMessageContaining("OPENAI_API_KEY");
        }
        assertThat(cassette()).doesNotExist();
        assertThat(server.getRequestCount()).isZero();

        Map<String, String> withKey = Map.of("MY_KEY", "a-local-key-value");
        try (CassetteRecorder rec = CassetteRecorder.builder(cassette()).mode(CassetteMode.AUTO)
                .keyEnvVars("MY_KEY").environment(withKey::get).build()) {
            assertThat(rec.isRecording()).isTrue();
            assertThat(post(rec.wrap(base), "/v1/chat", "{}")).contains("\"n\":0");
        }
        assertThat(cassette()).exists();
        try (CassetteRecorder rec = CassetteRecorder.builder(cassette()).mode(CassetteMode.AUTO)
                .environment(noKey::get).build()) {
            assertThat(rec.isRecording()).isFalse();
            assertThat(post(rec.wrap(base), "/v1/chat", "{}")).contains("\"n\":0");
        }
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    @Test
    void redactsCredentialsAtWriteTimeAndStillMatches() throws IOException {
        String token = "tok" + "en-" + "1234567890";
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return new MockResponse.Builder().setHeader("Content-Type", "application/json")
                        .addHeader("Set-Cookie", "session=" + token)
                        .body("{\"ok\":true,\"access_token\":\"" + token + "\"}").build();
            }
        });
        try (CassetteRecorder rec = CassetteRecorder.builder(cassette()).redactHeader("X-Custom-Auth")
                .redactJsonField("password").redactPattern("acct-[0-9]+").build()) {
            OkHttpClient c = rec.wrap(base);
            Request r = new Request.Builder().url(server.url("/v1/x?key=" + token + "&page=2"))
                    .header("Authorization", "Bearer " + token).header("api-key", token).header("X-Api-Key", token)
                    .header("Cookie", "session=" + token).header("X-Custom-Auth", token)
                    .post(RequestBody.create("{\"user\":\"acct-42\",\"password\":\"" + token + "\"}", JSON)).build();
            try (Response response = c.newCall(r).execute()) {
                assertThat(response.header("Set-Cookie")).contains(token);
            }
        }
        String yaml = Files.readString(cassette());
        assertThat(yaml).doesNotContain(token).doesNotContain("acct-42").contains("<REDACTED>")
                .contains("key=REDACTED&page=2").contains("Authorization");
        try (CassetteRecorder rec = CassetteRecorder.builder(cassette()).mode(CassetteMode.NONE)
                .redactHeader("X-Custom-Auth").redactJsonField("password").redactPattern("acct-[0-9]+").build()) {
            Request r = new Request.Builder().url(server.url("/v1/x?key=another-value&page=2"))
                    .post(RequestBody.create("{\"user\":\"acct-7\",\"password\":\"different\"}", JSON)).build();
            try (Response response = rec.wrap(base).newCall(r).execute()) {
                assertThat(response.code()).isEqualTo(200);
                assertThat(response.body().string()).isEqualTo("{\"ok\":true,\"access_token\":\"<REDACTED>\"}");
                assertThat(response.header("Set-Cookie")).isEqualTo("<REDACTED>");
            }
        }
    }

    @Test
    void refusesToWriteASecretAndSaysWhereWithoutShowingIt() throws IOException {
        String secret = "sk-" + "proj" + "A1b2C3d4E5f6G7h8I9j0K1l2";
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return new MockResponse.Builder().setHeader("X-Debug", "key was " + secret).body("{}").build();
            }
        });
        Files.writeString(cassette(), "format: \"keel-cassette\"\nversion: 1\ninteractions: []\n");
        CassetteRecorder rec = CassetteRecorder.open(cassette(), CassetteMode.ALL);
        post(rec.wrap(base), "/v1/chat", "{}");
        CassetteSecretException e = org.junit.jupiter.api.Assertions.assertThrows(CassetteSecretException.class,
                rec::close);
        assertThat(e.interactionIndex()).isZero();
        assertThat(e.location()).isEqualTo("response header 'X-Debug'");
        assertThat(e.rule()).contains("OpenAI-style key");
        assertThat(e.getMessage()).doesNotContain(secret).contains("interaction #0");
        assertThat(Files.readString(cassette())).isEqualTo("format: \"keel-cassette\"\nversion: 1\ninteractions: []\n");
        rec.close();
    }

    @Test
    void refusesTheValueOfAKeyEnvVarAnywhere() throws IOException {
        String value = "plain-looking-value-42";
        Map<String, String> env = Map.of("ACME_TOKEN", value);
        CassetteRecorder rec = CassetteRecorder.builder(cassette()).addKeyEnvVar("ACME_TOKEN").environment(env::get)
                .build();
        post(rec.wrap(base), "/v1/chat", "{\"note\":\"" + value + "\"}");
        assertThatThrownBy(rec::close).isInstanceOf(CassetteSecretException.class)
                .hasMessageContaining("request body").hasMessageContaining("env var ACME_TOKEN")
                .hasMessageNotContaining(value);
        assertThat(cassette()).doesNotExist();
    }

    @Test
    void findsASecretEvenWhenTheUrlEncodesIt() throws IOException {
        String bearer = "Bearer " + "Zm9vYmFyYmF6cXV4cXV1eA";
        CassetteRecorder rec = CassetteRecorder.open(cassette(), CassetteMode.ONCE);
        get(rec.wrap(base), "/v1/x?note=" + bearer.replace(" ", "%20"));
        assertThatThrownBy(rec::close).isInstanceOfSatisfying(CassetteSecretException.class, e -> {
            assertThat(e.location()).isEqualTo("request url");
            assertThat(e.rule()).contains("bearer token");
        });
        assertThat(cassette()).doesNotExist();
    }

    @Test
    void anInterruptedWriteLeavesTheOldCassetteIntact() throws IOException {
        record(CassetteMode.ONCE, "{\"q\":\"old\"}");
        byte[] before = Files.readAllBytes(cassette());
        CassetteRecorder rec = CassetteRecorder.builder(cassette()).mode(CassetteMode.ALL)
                .writeDecorator(out -> new OutputStream() {
                    private int written;

                    @Override
                    public void write(int b) throws IOException {
                        write(new byte[] {(byte) b}, 0, 1);
                    }

                    @Override
                    public void write(byte[] b, int off, int len) throws IOException {
                        int room = Math.max(0, 40 - written);
                        out.write(b, off, Math.min(room, len));
                        written += Math.min(room, len);
                        if (len > room) {
                            throw new IOException("disk full (simulated)");
                        }
                    }
                }).build();
        post(rec.wrap(base), "/v1/chat", "{\"q\":\"new\"}");
        assertThatThrownBy(rec::close).isInstanceOf(CassetteException.class).hasMessageContaining("disk full");
        assertThat(Files.readAllBytes(cassette())).isEqualTo(before);
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("c.yaml");
        }
    }

    @Test
    void replaysAnEventStreamEventByEventInOrder() throws IOException {
        StringBuilder sse = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            sse.append("data: {\"i\":").append(i).append("}\n\n");
        }
        sse.append("event: done\ndata: line one\ndata: line two\n\ndata: [DONE]\n\n");
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return new MockResponse.Builder().setHeader("Content-Type", "text/event-stream").body(sse.toString()).build();
            }
        });
        try (CassetteRecorder rec = CassetteRecorder.open(cassette(), CassetteMode.ONCE)) {
            assertThat(post(rec.wrap(base), "/v1/chat", "{\"stream\":true}")).isEqualTo("200 " + sse);
        }
        String yaml = Files.readString(cassette());
        assertThat(yaml).contains("events:").contains("event: \"done\"").contains("data: \"[DONE]\"");
        try (CassetteRecorder rec = CassetteRecorder.open(cassette(), CassetteMode.NONE)) {
            Request r = new Request.Builder().url(server.url("/v1/chat"))
                    .post(RequestBody.create("{\"stream\":true}", JSON)).build();
            try (Response response = rec.wrap(base).newCall(r).execute()) {
                assertThat(response.header("Content-Type")).isEqualTo("text/event-stream");
                List<String> reads = new ArrayList<>();
                Buffer sink = new Buffer();
                while (response.body().source().read(sink, 8192) != -1) {
                    reads.add(sink.readUtf8());
                }
                assertThat(String.join("", reads)).isEqualTo(sse.toString());
                assertThat(reads).hasSize(22);
                assertThat(reads.get(0)).isEqualTo("data: {\"i\":0}\n\n");
                assertThat(reads.get(21)).isEqualTo("data: [DONE]\n\n");
            }
        }
    }

    @Test
    void gzipAndBinaryBodiesSurviveARoundTrip() throws IOException {
        byte[] binary = new byte[3000];
        new Random(42).nextBytes(binary);
        String text = "{\"answer\":\"" + "compressible ".repeat(50) + "\"}";
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                if (request.getTarget().equals("/bin")) {
                    return new MockResponse.Builder().setHeader("Content-Type", "application/octet-stream")
                            .body(new Buffer().write(binary)).build();
                }
                return new MockResponse.Builder().setHeader("Content-Type", "application/json")
                        .setHeader("Content-Encoding", "gzip").body(new Buffer().write(gzip(text))).build();
            }
        });
        try (CassetteRecorder rec = CassetteRecorder.open(cassette(), CassetteMode.ONCE)) {
            OkHttpClient c = rec.wrap(base);
            assertThat(fetch(c, "/bin", false)).isEqualTo(binary);
            assertThat(new String(gunzip(fetch(c, "/gz", true)), StandardCharsets.UTF_8)).isEqualTo(text);
        }
        String yaml = Files.readString(cassette());
        assertThat(yaml).contains("base64:").contains("gzip: true").contains("compressible compressible");
        try (CassetteRecorder rec = CassetteRecorder.open(cassette(), CassetteMode.NONE)) {
            OkHttpClient c = rec.wrap(base);
            assertThat(fetch(c, "/bin", false)).isEqualTo(binary);
            assertThat(new String(gunzip(fetch(c, "/gz", true)), StandardCharsets.UTF_8)).isEqualTo(text);
        }
        assertThat(server.getRequestCount()).isEqualTo(2);
    }

    /** With an explicit Accept-Encoding OkHttp leaves the gzip bytes alone, so the recorder sees them. */
    private byte[] fetch(OkHttpClient c, String path, boolean gzip) throws IOException {
        Request.Builder b = new Request.Builder().url(server.url(path));
        if (gzip) {
            b.header("Accept-Encoding", "gzip");
        }
        try (Response r = c.newCall(b.build()).execute()) {
            return r.body().bytes();
        }
    }

    private static byte[] gzip(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(s.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return out.toByteArray();
    }

    private static byte[] gunzip(byte[] b) throws IOException {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(b))) {
            return in.readAllBytes();
        }
    }

    @Test
    void ignoredFieldsAndNormalisedPatternsDoNotBreakMatching() throws IOException {
        try (CassetteRecorder rec = CassetteRecorder.builder(cassette()).ignoreJsonField("timestamp")
                .normalize("req-[0-9a-f]{8}").build()) {
            post(rec.wrap(base), "/v1/chat", "{\"timestamp\":1700000000,\"trace\":\"req-0badf00d\",\"q\":\"x\"}");
        }
        try (CassetteRecorder rec = CassetteRecorder.builder(cassette()).mode(CassetteMode.NONE)
                .ignoreJsonField("timestamp").normalize("req-[0-9a-f]{8}").build()) {
            assertThat(post(rec.wrap(base), "/v1/chat",
                    "{\"timestamp\":1800000000,\"trace\":\"req-12345678\",\"q\":\"x\"}")).startsWith("200");
            assertThatThrownBy(() -> post(rec.wrap(base), "/v1/chat",
                    "{\"timestamp\":1800000000,\"trace\":\"req-12345678\",\"q\":\"y\"}"))
                    .isInstanceOf(CassetteMissException.class);
        }
    }

    @Test
    void concurrentRecordersWriteTheirOwnCassettes() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Callable<Void>> jobs = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                int id = t;
                jobs.add(() -> {
                    Path file = dir.resolve("t" + id + ".yaml");
                    try (CassetteRecorder rec = CassetteRecorder.open(file, CassetteMode.ONCE)) {
                        for (int i = 0; i < 5; i++) {
                            post(rec.wrap(base), "/v1/t" + id, "{\"i\":" + i + "}");
                        }
                    }
                    return null;
                });
            }
            for (Future<Void> f : pool.invokeAll(jobs)) {
                f.get();
            }
            assertThat(server.getRequestCount()).isEqualTo(30);
            jobs.clear();
            for (int t = 0; t < 6; t++) {
                int id = t;
                jobs.add(() -> {
                    try (CassetteRecorder rec = CassetteRecorder.open(dir.resolve("t" + id + ".yaml"), CassetteMode.NONE)) {
                        for (int i = 4; i >= 0; i--) {
                            assertThat(post(rec.wrap(base), "/v1/t" + id, "{\"i\":" + i + "}"))
                                    .contains("\"echo\":\"{\\\"i\\\":" + i + "}\"");
                        }
                        assertThat(rec.replayedCount()).isEqualTo(5);
                    }
                    return null;
                });
            }
            for (Future<Void> f : pool.invokeAll(jobs)) {
                f.get();
            }
            assertThat(server.getRequestCount()).isEqualTo(30);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void oneRecorderSharedByConcurrentCallsRecordsThemAll() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try (CassetteRecorder rec = CassetteRecorder.open(cassette(), CassetteMode.ONCE)) {
            OkHttpClient c = rec.wrap(base);
            List<Callable<String>> jobs = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                String body = "{\"i\":" + i + "}";
                jobs.add(() -> post(c, "/v1/chat", body));
            }
            for (Future<String> f : pool.invokeAll(jobs)) {
                assertThat(f.get()).startsWith("200");
            }
            assertThat(rec.recordedCount()).isEqualTo(12);
        } finally {
            pool.shutdownNow();
        }
        try (CassetteRecorder rec = CassetteRecorder.open(cassette(), CassetteMode.NONE)) {
            for (int i = 0; i < 12; i++) {
                assertThat(post(rec.wrap(base), "/v1/chat", "{\"i\":" + i + "}")).contains("{\\\"i\\\":" + i + "}");
            }
        }
    }

    @Test
    void unreadableCassettesFailWithAFormatException() throws IOException {
        Files.writeString(cassette(), "format: \"keel-cassette\"\nversion: 2\ninteractions: []\n");
        assertThatThrownBy(() -> CassetteRecorder.open(cassette(), CassetteMode.NONE))
                .isInstanceOf(CassetteFormatException.class).hasMessageContaining("format version 2");
        Files.writeString(cassette(), "format: [unclosed\n");
        assertThatThrownBy(() -> CassetteRecorder.open(cassette(), CassetteMode.NONE))
                .isInstanceOf(CassetteFormatException.class).hasMessageContaining("not valid YAML");
        Files.writeString(cassette(), "format: \"keel-cassette\"\nversion: 1\ninteractions:\n- request: {}\n");
        assertThatThrownBy(() -> CassetteRecorder.open(cassette(), CassetteMode.NONE))
                .isInstanceOf(CassetteFormatException.class).hasMessageContaining("interaction #0");
    }

    @Test
    void aClosedRecorderRefusesCallsAndClosingTwiceIsHarmless() {
        CassetteRecorder rec = CassetteRecorder.open(cassette(), CassetteMode.ONCE);
        OkHttpClient c = rec.client();
        rec.close();
        rec.close();
        assertThat(rec.toString()).contains("closed");
        assertThatThrownBy(() -> rec.intercept(null)).isInstanceOf(CassetteException.class)
                .hasMessageContaining("is closed");
        assertThat(c.dispatcher().executorService().isShutdown()).isTrue();
        assertThat(cassette()).doesNotExist();
    }

    @Test
    void modesParseFromNames() {
        assertThat(CassetteMode.parse("new-episodes")).isEqualTo(CassetteMode.NEW_EPISODES);
        assertThat(CassetteMode.parse(" All ")).isEqualTo(CassetteMode.ALL);
        assertThatThrownBy(() -> CassetteMode.parse("sometimes")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("none, once, new_episodes, all, auto");
    }
}
