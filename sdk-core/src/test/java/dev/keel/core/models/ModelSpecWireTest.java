package dev.keel.core.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.ChatModel;
import dev.keel.core.ChatOptions;
import dev.keel.core.ChatRequest;
import dev.keel.core.ChatResponse;
import dev.keel.core.ModelEvent;
import dev.keel.core.ModelException;
import dev.keel.core.http.HttpConfig;
import dev.keel.core.message.Message;
import dev.keel.core.testutil.LoopbackServer;
import dev.keel.core.testutil.LoopbackServer.Recorded;
import dev.keel.core.testutil.LoopbackServer.Reply;
import dev.keel.core.testutil.RecordingListener;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Fallback chains, routers, alternates and first-available choices resolved through a registry whose providers
 * are paths of one loopback server, each answering Chat Completions as scripted.
 */
class ModelSpecWireTest {
    private static final ChatRequest HI = ChatRequest.of(Message.user("hi"));

    private LoopbackServer server;
    private final Map<String, Deque<Reply>> scripts = new ConcurrentHashMap<>();
    private final List<ModelEvent> events = new CopyOnWriteArrayList<>();
    private final MutableClock clock = new MutableClock();
    private ModelRegistry registry;

    /** A clock the test moves. */
    static final class MutableClock extends Clock {
        volatile Instant now = Instant.parse("2030-01-01T00:00:00Z");

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @BeforeEach
    void start() {
        server = LoopbackServer.start();
        server.dispatcher(request -> {
            String provider = request.path().split("/")[1];
            Deque<Reply> script = scripts.get(provider);
            Reply next = script == null ? null : script.poll();
            return next != null ? next : Reply.status(500, "{\"error\":{\"message\":\"nothing scripted for " + provider + "\"}}");
        });
        ModelRegistry.Builder b = ModelRegistry.builder()
                .environment(Map.of("PRIMARY_KEY", "pk-secret-123", "BACKUP_KEY", "bk-secret-456"))
                .http(HttpConfig.builder().maxRetries(0).readTimeout(Duration.ofSeconds(10)).build());
        for (String p : List.of("primary", "backup", "third", "creative", "fast")) {
            String key = p.equals("primary") ? "PRIMARY_KEY" : p.equals("backup") ? "BACKUP_KEY" : null;
            b.provider(ProviderConfig.openAiCompatible(p, server.url("/" + p + "/v1"), key));
        }
        b.provider(ProviderConfig.openAiCompatible("nokey", server.url("/nokey/v1"), "UNSET_KEY"));
        registry = b.build();
    }

    @AfterEach
    void stop() {
        registry.close();
        server.close();
    }

    private void script(String provider, Reply... replies) {
        scripts.computeIfAbsent(provider, p -> new ArrayDeque<>()).addAll(List.of(replies));
    }

    private static Reply answer(String text) {
        return Reply.json("{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"model\":\"m\",\"choices\":[{\"index\":0,"
                + "\"message\":{\"role\":\"assistant\",\"content\":\"" + text + "\"},\"finish_reason\":\"stop\"}],"
                + "\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2,\"total_tokens\":5}}");
    }

    private static Reply streamed(String... pieces) {
        StringBuilder b = new StringBuilder();
        for (String p : pieces) {
            b.append("data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":"
                    + "{\"content\":\"").append(p).append("\"},\"finish_reason\":null}]}\n\n");
        }
        b.append("data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{},"
                + "\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n");
        return Reply.sse(b.toString());
    }

    private static Reply status(int code, String message) {
        return Reply.status(code, "{\"error\":{\"message\":\"" + message + "\",\"type\":\"x\",\"code\":null}}");
    }

    private long calls(String provider) {
        return server.requests().stream().filter(r -> r.path().startsWith("/" + provider + "/")).count();
    }

    private ModelComposer composer() {
        return ModelComposer.over(registry).listener(events::add).clock(clock).random(new Random(7))
                .backoff(Duration.ZERO, Duration.ZERO);
    }

    private static ModelSpec.Fallback fallback(String primary, String... fallbacks) {
        return ModelSpec.fallback(ModelConfig.of(primary, "m"),
                java.util.Arrays.stream(fallbacks).map(f -> (ModelSpec) ModelConfig.of(f, "m")).toList());
    }

    @Test
    void serverErrorsAreRetriedOnTheSameModelThenTheNextModelAnswers() {
        script("primary", status(500, "boom"), status(502, "boom"), status(503, "boom"));
        script("backup", answer("from backup"));
        try (ChatModel model = composer().resolve(fallback("primary", "backup"))) {
            ChatResponse r = model.chat(HI);

            assertThat(r.text()).isEqualTo("from backup");
            assertThat(calls("primary")).as("1 + 2 retries").isEqualTo(3);
            assertThat(calls("backup")).isEqualTo(1);
            assertThat(events).hasSize(4);
            assertThat(events.get(0)).isInstanceOfSatisfying(ModelEvent.Retrying.class, e -> {
                assertThat(e.model()).isEqualTo("primary/m");
                assertThat(e.attempt()).isEqualTo(1);
                assertThat(e.maxAttempts()).isEqualTo(3);
                assertThat(e.error()).isInstanceOf(ModelException.ServerError.class);
            });
            assertThat(events.get(2)).isInstanceOfSatisfying(ModelEvent.FellBack.class, e -> {
                assertThat(e.from()).isEqualTo("primary/m");
                assertThat(e.to()).isEqualTo("backup/m");
                assertThat(e.error().statusCode()).isEqualTo(503);
            });
            assertThat(events.get(3)).isEqualTo(new ModelEvent.Answered("backup/m", 4, false));

            script("primary", answer("primary is back"));
            assertThat(model.chat(HI).text()).as("no cooldown after retryable failures").isEqualTo("primary is back");
        }
    }

    @Test
    void aRateLimitMovesOnAtOnceAndPinsTheFallbackForTheCooldown() {
        script("primary", status(429, "slow down"));
        script("backup", answer("b1"), answer("b2"));
        try (ChatModel model = composer().resolve(fallback("primary", "backup").withCooldown(Duration.ofMinutes(1)))) {
            assertThat(model.chat(HI).text()).isEqualTo("b1");
            assertThat(calls("primary")).as("no retry of a 429 on the same model").isEqualTo(1);

            clock.now = clock.now.plusSeconds(59);
            assertThat(model.chat(HI).text()).isEqualTo("b2");
            assertThat(calls("primary")).as("pinned to the fallback within the cooldown").isEqualTo(1);
            assertThat(events.get(events.size() - 1)).isEqualTo(new ModelEvent.Answered("backup/m", 1, true));

            clock.now = clock.now.plusSeconds(2);
            script("primary", answer("p1"), answer("p2"));
            assertThat(model.chat(HI).text()).as("the primary again after the cooldown").isEqualTo("p1");
            assertThat(model.chat(HI).text()).isEqualTo("p2");
        }
    }

    @Test
    void authenticationBadRequestsAndUnsetKeysMoveToTheNextModel() {
        script("primary", status(401, "bad key pk-secret-123"));
        script("backup", status(400, "unsupported parameter"));
        script("third", answer("third answers"));
        try (ChatModel model = composer().resolve(ModelSpec.fallback(ModelConfig.of("nokey", "m"),
                List.of(ModelConfig.of("primary", "m"), ModelConfig.of("backup", "m"), ModelConfig.of("third", "m"))))) {
            assertThat(model.chat(HI).text()).isEqualTo("third answers");
        }
        List<ModelEvent.FellBack> moves = events.stream().filter(ModelEvent.FellBack.class::isInstance)
                .map(ModelEvent.FellBack.class::cast).toList();
        assertThat(moves).extracting(e -> e.error().getClass().getSimpleName())
                .containsExactly("MissingVariable", "Authentication", "BadRequest");
        assertThat(((ModelException.MissingVariable) moves.get(0).error()).variable()).isEqualTo("UNSET_KEY");
        assertThat(moves.get(1).error().getMessage()).doesNotContain("pk-secret-123");
        assertThat(calls("nokey")).as("an unset key fails before any request").isZero();
    }

    @Test
    void whenEveryModelFailsTheLastErrorIsThrownWithTheEarlierOnesAndTheListenerHearsItOnce() {
        script("primary", status(429, "limit"));
        script("backup", status(500, "down"));
        RecordingListener listener = new RecordingListener();
        try (ChatModel model = composer().resolve(fallback("primary", "backup").withRetries(0))) {
            assertThatThrownBy(() -> model.stream(HI, listener)).isInstanceOfSatisfying(ModelException.ServerError.class,
                    e -> assertThat(e.getSuppressed()).singleElement().isInstanceOf(ModelException.RateLimited.class));
        }
        assertThat(listener.terminalCalls).isEqualTo(1);
        assertThat(listener.error).isInstanceOf(ModelException.ServerError.class);
        assertThat(listener.completed).isNull();
    }

    @Test
    void aStreamCutMidAnswerFallsBackAndTheListenerIsToldToStartOver() {
        String partial = "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":"
                + "{\"content\":\"Half an answ\"},\"finish_reason\":null}]}\n\ndata: {\"id\":\"c\",\"obj";
        script("primary", Reply.sse(partial).cutAfter(partial.length()));
        script("backup", streamed("Whole ", "answer."));
        RecordingListener listener = new RecordingListener();
        try (ChatModel model = composer().resolve(fallback("primary", "backup").withRetries(0))) {
            ChatResponse r = model.stream(HI, listener);

            assertThat(r.text()).isEqualTo("Whole answer.");
        }
        assertThat(listener.kinds()).containsExactly("text", "model", "text", "model", "complete");
        assertThat(listener.modelEvents.get(0)).isInstanceOfSatisfying(ModelEvent.FellBack.class,
                e -> assertThat(e.error()).isInstanceOf(ModelException.Connection.class));
        assertThat(listener.modelEvents.get(1)).isInstanceOf(ModelEvent.Answered.class);
        assertThat(listener.terminalCalls).isEqualTo(1);
        assertThat(listener.error).isNull();
    }

    @Test
    void concurrentCallsShareTheChainAndItsCooldownSafely() throws Exception {
        server.dispatcher(request -> request.path().startsWith("/primary/") ? status(429, "limit") : answer("backup"));
        try (ChatModel model = composer().resolve(fallback("primary", "backup"))) {
            var pool = java.util.concurrent.Executors.newFixedThreadPool(8);
            try {
                List<java.util.concurrent.Future<String>> answers = new java.util.ArrayList<>();
                for (int i = 0; i < 40; i++) {
                    answers.add(pool.submit(() -> model.chat(HI).text()));
                }
                for (var a : answers) {
                    assertThat(a.get(30, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("backup");
                }
            } finally {
                pool.shutdownNow();
            }
        }
        assertThat(calls("backup")).isEqualTo(40);
        assertThat(calls("primary")).as("pinned once a fallback answered; only calls already under way tried it")
                .isBetween(1L, 8L);
    }

    @Test
    void anInterruptedCallStopsInsteadOfFallingBack() {
        script("primary", status(500, "down"));
        try (ChatModel model = composer().resolve(fallback("primary", "backup"))) {
            Thread.currentThread().interrupt();
            try {
                assertThatThrownBy(() -> model.chat(HI)).isInstanceOf(ModelException.Connection.class)
                        .hasMessageContaining("interrupted");
            } finally {
                Thread.interrupted();
            }
        }
        assertThat(calls("backup")).isZero();
        assertThat(events).noneMatch(ModelEvent.FellBack.class::isInstance);
    }

    @Test
    void routingSendsEachRequestToTheRouteWhoseExamplesMatchItsLastUserMessage() {
        ModelSpec spec = ModelSpec.routing(ModelConfig.of("primary", "default"), List.of(
                ModelSpec.Route.of(ModelConfig.of("creative", "m"), "Write a story about", "Help me brainstorm",
                        "Come up with names for"),
                ModelSpec.Route.of(ModelConfig.of("fast", "m"), "Convert this to JSON", "Simple math calculation",
                        "What time is it")));
        script("creative", answer("once upon a time"));
        script("fast", answer("{}"));
        script("primary", answer("hello"), answer("fine"));
        try (ChatModel model = composer().resolve(spec)) {
            assertThat(model.chat(ChatRequest.of(Message.user("please write a short story about dragons"))).text())
                    .isEqualTo("once upon a time");
            assertThat(model.chat(ChatRequest.of(Message.user("Write a story about X"), Message.assistant("ok"),
                    Message.user("now convert this list to json"))).text()).as("the last user message decides")
                    .isEqualTo("{}");
            assertThat(model.chat(ChatRequest.of(Message.user("hello there"))).text()).isEqualTo("hello");
            assertThat(model.chat(ChatRequest.of(Message.system("only a system prompt"))).text()).isEqualTo("fine");
        }
        List<ModelEvent.Selected> choices = events.stream().map(ModelEvent.Selected.class::cast).toList();
        assertThat(choices).extracting(ModelEvent.Selected::model)
                .containsExactly("creative/m", "fast/m", "primary/default", "primary/default");
        assertThat(choices.get(0).reason()).startsWith("matched example \"Write a story about\"");
        assertThat(choices.get(2).reason()).contains("no example matched");
        assertThat(choices.get(3).reason()).contains("no user message");
        assertThat(server.requests().stream().map(Recorded::path)).containsExactly("/creative/v1/chat/completions",
                "/fast/v1/chat/completions", "/primary/v1/chat/completions", "/primary/v1/chat/completions");
    }

    @Test
    void alternatesSpreadCallsOverTheirModelsOnePerCall() {
        for (int i = 0; i < 20; i++) {
            script("primary", answer("p"));
            script("backup", answer("b"));
        }
        try (ChatModel model = composer().resolve(ModelSpec.alternates(List.of(ModelConfig.of("primary", "m"),
                ModelConfig.of("backup", "m"))))) {
            for (int i = 0; i < 20; i++) {
                model.chat(HI);
            }
        }
        assertThat(server.requestCount()).isEqualTo(20);
        assertThat(calls("primary")).isBetween(3L, 17L);
        assertThat(calls("backup")).isEqualTo(20 - calls("primary"));
        assertThat(events).hasSize(20).allMatch(e -> e instanceof ModelEvent.Selected s && s.reason().contains("at random"));
    }

    @Test
    void firstAvailablePicksTheFirstCandidateWhoseKeyIsSet() {
        script("backup", answer("backup it is"));
        ModelSpec spec = ModelSpec.firstAvailable(List.of(ModelConfig.of("nokey", "m"), ModelConfig.of("backup", "m"),
                ModelConfig.of("primary", "m")));
        try (ChatModel model = composer().resolve(spec)) {
            assertThat(model.chat(HI).text()).isEqualTo("backup it is");
        }
        assertThat(events).singleElement().isInstanceOfSatisfying(ModelEvent.Selected.class, e -> {
            assertThat(e.model()).isEqualTo("backup/m");
            assertThat(e.reason()).contains("nokey/m");
        });
        assertThatThrownBy(() -> composer().resolve(ModelSpec.firstAvailable(List.of(ModelConfig.of("nokey", "m"),
                ModelConfig.of("openai", "gpt-5")))))
                .isInstanceOfSatisfying(ModelResolutionException.NoneAvailable.class,
                        e -> assertThat(e.candidates()).containsExactly("nokey/m", "openai/gpt-5"));
    }

    @Test
    void autoPicksTheFirstProviderWithAKeyAndDockerModelRunnerWithoutOne() {
        try (ModelRegistry withOpenAi = ModelRegistry.builder().environment(Map.of("OPENAI_API_KEY", "sk-x")).build();
             ModelRegistry withGemini = ModelRegistry.builder().environment(Map.of("GEMINI_API_KEY", "g-x")).build();
             ModelRegistry bare = ModelRegistry.builder().environment(Map.of()).build()) {
            List<String> picked = new CopyOnWriteArrayList<>();
            for (ModelRegistry r : List.of(withOpenAi, withGemini, bare)) {
                ModelComposer.over(r).listener(e -> picked.add(((ModelEvent.Selected) e).model())).resolve(ModelSpec.auto());
            }
            assertThat(picked).containsExactly("openai/gpt-5", "google/gemini-3.5-flash", "dmr/ai/qwen3:latest");
        }
    }

    @Test
    void eachMemberKeepsItsOwnGenerationOptionsUnderTheRequests() {
        script("primary", status(429, "limit"));
        script("backup", answer("ok"), answer("ok"));
        ModelSpec spec = ModelSpec.fallback(ModelConfig.of("primary", "m"), List.of(ModelConfig.of("backup", "m")
                .withOptions(ChatOptions.builder().temperature(0.1).maxTokens(64).build())));
        try (ChatModel model = composer().resolve(spec)) {
            model.chat(HI);
            model.chat(HI.withOptions(ChatOptions.builder().temperature(0.9).build()));
        }
        List<Recorded> toBackup = server.requests().stream().filter(r -> r.path().startsWith("/backup/")).toList();
        assertThat(toBackup.get(0).at("/temperature").asDouble().getAsDouble()).isEqualTo(0.1);
        assertThat(toBackup.get(0).at("/max_tokens").asLong().getAsLong()).isEqualTo(64);
        assertThat(toBackup.get(1).at("/temperature").asDouble().getAsDouble()).as("the request's own wins").isEqualTo(0.9);
        assertThat(toBackup.get(1).at("/max_tokens").asLong().getAsLong()).isEqualTo(64);
    }

    @Test
    void nestedSpecsResolveAndReportThroughOneListener() {
        script("creative", status(503, "down"));
        script("backup", answer("backed up"));
        ModelSpec routed = ModelSpec.routing(ModelConfig.of("primary", "m"),
                List.of(ModelSpec.Route.of(ModelConfig.of("creative", "m"), "write a poem")));
        RecordingListener listener = new RecordingListener();
        try (ChatModel model = composer().resolve(ModelSpec.fallback(routed, List.of(ModelConfig.of("backup", "m")))
                .withRetries(0))) {
            assertThat(model.id()).isEqualTo("fallback(routing(primary/m) -> backup/m)");
            assertThat(model.stream(ChatRequest.of(Message.user("write a poem about rain")), listener).text())
                    .isEqualTo("backed up");
        }
        assertThat(listener.modelEvents).extracting(e -> e.getClass().getSimpleName())
                .containsExactly("Selected", "FellBack", "Answered");
        assertThat(events).extracting(e -> e.getClass().getSimpleName()).containsExactly("Selected", "FellBack", "Answered");
    }
}
