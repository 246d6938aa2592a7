package dev.keel.core.internal.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.http.HttpClients;
import dev.keel.core.http.HttpConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.SocketEffect;
import okio.BufferedSink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RetryInterceptorTest {
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    private MockWebServer server;
    private final List<Duration> sleeps = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        server = new MockWebServer();
        server.start();
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    private OkHttpClient client(int maxRetries, Duration initial, Duration max) {
        RetryInterceptor retry = new RetryInterceptor(maxRetries, initial, max, sleeps::add,
                Clock.fixed(NOW, ZoneOffset.UTC));
        return new OkHttpClient.Builder().addInterceptor(retry).readTimeout(Duration.ofSeconds(5)).build();
    }

    private Request post(String body) {
        return new Request.Builder().url(server.url("/v1/chat/completions"))
                .post(RequestBody.create(body, MediaType.get("application/json"))).build();
    }

    @Test
    void serverErrorThenSuccessIsRetriedWithBoundedBackoff() throws Exception {
        server.enqueue(new MockResponse.Builder().code(500).body("boom").build());
        server.enqueue(new MockResponse.Builder().body("ok").build());
        try (Response r = client(3, Duration.ofMillis(100), Duration.ofSeconds(5)).newCall(post("{}")).execute()) {
            assertThat(r.code()).isEqualTo(200);
            assertThat(r.body().string()).isEqualTo("ok");
        }
        assertThat(server.getRequestCount()).isEqualTo(2);
        assertThat(sleeps).hasSizeLessThanOrEqualTo(1); // a jittered zero wait is skipped
        sleeps.forEach(d -> assertThat(d).isBetween(Duration.ZERO, Duration.ofMillis(100)));
        // the replayed body is the same
        assertThat(server.takeRequest().getBody().utf8()).isEqualTo("{}");
        assertThat(server.takeRequest().getBody().utf8()).isEqualTo("{}");
    }

    @Test
    void rateLimitWithRetryAfterSecondsWaitsExactlyThatLong() throws Exception {
        server.enqueue(new MockResponse.Builder().code(429).setHeader("Retry-After", "1").build());
        server.enqueue(new MockResponse.Builder().body("ok").build());
        try (Response r = client(3, Duration.ofMillis(10), Duration.ofSeconds(5)).newCall(post("{}")).execute()) {
            assertThat(r.code()).isEqualTo(200);
        }
        assertThat(sleeps).containsExactly(Duration.ofSeconds(1));
        assertThat(server.getRequestCount()).isEqualTo(2);
    }

    @Test
    void retryAfterHttpDateIsRelativeToNow() throws Exception {
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(NOW.plusSeconds(3).atOffset(ZoneOffset.UTC));
        server.enqueue(new MockResponse.Builder().code(503).setHeader("Retry-After", date).build());
        server.enqueue(new MockResponse.Builder().body("ok").build());
        try (Response r = client(3, Duration.ofMillis(10), Duration.ofSeconds(5)).newCall(post("{}")).execute()) {
            assertThat(r.code()).isEqualTo(200);
        }
        assertThat(sleeps).containsExactly(Duration.ofSeconds(3));
    }

    @Test
    void retryAfterBeyondMaxBackoffReturnsThe429WithoutWaiting() throws Exception {
        server.enqueue(new MockResponse.Builder().code(429).setHeader("Retry-After", "120").body("slow down").build());
        server.enqueue(new MockResponse.Builder().body("never fetched").build());
        try (Response r = client(3, Duration.ofMillis(10), Duration.ofSeconds(30)).newCall(post("{}")).execute()) {
            assertThat(r.code()).isEqualTo(429);
            assertThat(r.header("Retry-After")).isEqualTo("120");
            assertThat(r.body().string()).isEqualTo("slow down");
        }
        assertThat(sleeps).isEmpty();
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    @Test
    void exhaustionReturnsTheLastErrorAfterMaxRetriesWithGrowingCaps() throws Exception {
        for (int i = 0; i < 4; i++) {
            server.enqueue(new MockResponse.Builder().code(503).body("down " + i).build());
        }
        server.enqueue(new MockResponse.Builder().body("too late").build());
        try (Response r = client(3, Duration.ofMillis(100), Duration.ofMillis(250)).newCall(post("{}")).execute()) {
            assertThat(r.code()).isEqualTo(503);
            assertThat(r.body().string()).isEqualTo("down 3");
        }
        assertThat(server.getRequestCount()).isEqualTo(4);
        // caps: 100, 200, then 400 capped at 250
        List<Duration> caps = List.of(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(250));
        assertThat(sleeps).hasSizeLessThanOrEqualTo(3);
        for (int i = 0; i < sleeps.size(); i++) {
            assertThat(sleeps.get(i)).isLessThanOrEqualTo(caps.get(2));
        }
    }

    @Test
    void clientErrorsAreNotRetried() throws Exception {
        server.enqueue(new MockResponse.Builder().code(400).body("bad").build());
        try (Response r = client(3, Duration.ofMillis(1), Duration.ofMillis(5)).newCall(post("{}")).execute()) {
            assertThat(r.code()).isEqualTo(400);
        }
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    @Test
    void connectionDroppedBeforeTheResponseIsRetried() throws Exception {
        server.enqueue(new MockResponse.Builder().onResponseStart(SocketEffect.ShutdownConnection.INSTANCE).build());
        server.enqueue(new MockResponse.Builder().body("ok").build());
        try (Response r = client(2, Duration.ofMillis(1), Duration.ofMillis(5)).newCall(post("{}")).execute()) {
            assertThat(r.code()).isEqualTo(200);
            assertThat(r.body().string()).isEqualTo("ok");
        }
        assertThat(server.getRequestCount()).isEqualTo(2);
    }

    @Test
    void connectionFailuresExhaustedRethrowTheIoException() {
        for (int i = 0; i < 3; i++) {
            server.enqueue(new MockResponse.Builder().onResponseStart(SocketEffect.ShutdownConnection.INSTANCE).build());
        }
        assertThatThrownBy(() -> client(2, Duration.ofMillis(1), Duration.ofMillis(5)).newCall(post("{}")).execute())
                .isInstanceOf(IOException.class);
        assertThat(server.getRequestCount()).isEqualTo(3);
    }

    @Test
    void oneShotBodiesAreNeverRetried() throws Exception {
        server.enqueue(new MockResponse.Builder().code(500).build());
        server.enqueue(new MockResponse.Builder().body("ok").build());
        RequestBody oneShot = new RequestBody() {
            @Override
            public MediaType contentType() {
                return MediaType.get("application/json");
            }

            @Override
            public void writeTo(BufferedSink sink) throws IOException {
                sink.writeUtf8("{}");
            }

            @Override
            public boolean isOneShot() {
                return true;
            }
        };
        Request request = new Request.Builder().url(server.url("/upload")).post(oneShot).build();
        try (Response r = client(3, Duration.ofMillis(1), Duration.ofMillis(5)).newCall(request).execute()) {
            assertThat(r.code()).isEqualTo(500);
        }
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    @Test
    void httpClientsRunsConfiguredInterceptorsInOrderAroundTheRetries() throws Exception {
        server.enqueue(new MockResponse.Builder().code(502).build());
        server.enqueue(new MockResponse.Builder().body("ok").build());
        AtomicInteger outerCalls = new AtomicInteger();
        HttpConfig config = HttpConfig.builder().initialBackoff(Duration.ofMillis(1)).maxBackoff(Duration.ofMillis(5))
                .addInterceptor(chain -> {
                    outerCalls.incrementAndGet();
                    return chain.proceed(chain.request().newBuilder().addHeader("X-Order", "first").build());
                })
                .addInterceptor(chain -> chain.proceed(chain.request().newBuilder().addHeader("X-Order", "second").build()))
                .build();
        OkHttpClient client = HttpClients.create(config);
        try (Response r = client.newCall(post("{}")).execute()) {
            assertThat(r.code()).isEqualTo(200);
        }
        assertThat(outerCalls).hasValue(1);
        assertThat(server.takeRequest().getHeaders().values("X-Order")).containsExactly("first", "second");
        assertThat(server.takeRequest().getHeaders().values("X-Order")).containsExactly("first", "second");
    }

    @Test
    void debugLineNamesTheUrlButNeverHeaderSecretsOrKeyQueryValues() throws Exception {
        server.enqueue(new MockResponse.Builder().code(500).build());
        server.enqueue(new MockResponse.Builder().body("ok").build());
        String secret = "sk-test-SECRET-0123456789";
        Request request = new Request.Builder()
                .url(server.url("/v1/embeddings").newBuilder().addQueryParameter("api_key", secret)
                        .addQueryParameter("page", "2").build())
                .header("Authorization", "Bearer " + secret)
                .post(RequestBody.create("{}", MediaType.get("application/json"))).build();
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try (Response r = client(2, Duration.ofMillis(1), Duration.ofMillis(5)).newCall(request).execute()) {
            assertThat(r.code()).isEqualTo(200);
        } finally {
            System.setErr(original);
        }
        String log = captured.toString(StandardCharsets.UTF_8);
        assertThat(log).contains("/v1/embeddings").contains("page=2").contains("attempt 1/3").contains("attempt 2/3");
        assertThat(log).doesNotContain(secret);
    }

    @Test
    void retryAfterParsing() {
        assertThat(RetryAfter.parse("7", NOW)).contains(Duration.ofSeconds(7));
        assertThat(RetryAfter.parse(" 0 ", NOW)).contains(Duration.ZERO);
        assertThat(RetryAfter.parse("Thu, 01 Jan 2026 00:00:10 GMT", NOW)).contains(Duration.ofSeconds(10));
        assertThat(RetryAfter.parse("Wed, 31 Dec 2025 23:00:00 GMT", NOW)).contains(Duration.ZERO);
        assertThat(RetryAfter.parse("soon", NOW)).isEmpty();
        assertThat(RetryAfter.parse(null, NOW)).isEmpty();
        assertThat(RetryAfter.from(okhttp3.Headers.of("retry-after-ms", "1500", "Retry-After", "9"), NOW))
                .contains(Duration.ofMillis(1500));
    }

    @Test
    void aClientWithoutRetriesOrRedirectsSendsEachCallOnceToItsOwnUrl() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        okhttp3.Interceptor watcher = chain -> {
            seen.add(chain.request().url().encodedPath());
            return chain.proceed(chain.request());
        };
        OkHttpClient shared = HttpClients.create(HttpConfig.builder().maxRetries(3)
                .initialBackoff(Duration.ofMillis(1)).maxBackoff(Duration.ofMillis(2)).addInterceptor(watcher).build());
        OkHttpClient once = HttpClients.withoutRetriesOrRedirects(shared);

        server.enqueue(new MockResponse.Builder().code(503).body("busy").build());
        try (Response r = once.newCall(post("{}")).execute()) {
            assertThat(r.code()).isEqualTo(503);
        }
        assertThat(server.getRequestCount()).isEqualTo(1);

        server.enqueue(new MockResponse.Builder().code(307).setHeader("Location", server.url("/elsewhere")).build());
        try (Response r = once.newCall(post("{}")).execute()) {
            assertThat(r.code()).isEqualTo(307);
        }
        assertThat(server.getRequestCount()).isEqualTo(2);
        assertThat(seen).as("the caller's interceptors still run").containsExactly("/v1/chat/completions",
                "/v1/chat/completions");
        server.enqueue(new MockResponse.Builder().code(503).body("busy").build());
        server.enqueue(new MockResponse.Builder().body("again").build());
        try (Response r = shared.newCall(post("{}")).execute()) {
            assertThat(r.body().string()).as("the shared client still retries").isEqualTo("again");
        }
        shared.dispatcher().executorService().shutdown();
        shared.connectionPool().evictAll();
    }
}
