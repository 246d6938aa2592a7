package dev.keel.agents.internal.judge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.agents.AgentException;
import dev.keel.agents.ModelPrice;
import dev.keel.agents.team.Evaluator;
import dev.keel.core.Usage;
import dev.keel.core.json.JsonArray;
import dev.keel.core.json.JsonObject;
import dev.keel.core.json.JsonString;
import dev.keel.core.json.JsonValue;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The judge services' wire formats, as docker-agent's evaluator backends and the services' documentation give them:
 * what is sent (path, key, question), and every way an answer can break the services' promises — each refused
 * with an error that names the problem and never echoes the body, the state or the key.
 */
class JudgeClientTest {
    /** Planted in answers and states: no error message may contain it. */
    static final String MARKER = "sk-live-" + "0123456789abcdefSECRET";

    private MockWebServer server;
    private final OkHttpClient http = new OkHttpClient.Builder().build();
    private final List<String> spent = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        server = new MockWebServer();
        server.start();
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }

    static Evaluator evaluator(String provider, Evaluator.Kind kind, String baseUrl, String endpoint,
                               Duration timeout, ModelPrice price) {
        Map<String, String> choices = new LinkedHashMap<>();
        List<String> levels = new ArrayList<>();
        switch (kind) {
            case CHOICE -> {
                choices.put("safe", "only reads");
                choices.put("unsafe", "changes things");
                choices.put("review", "");
            }
            case SCORE -> levels.addAll(List.of("none", "some", "a lot"));
            case BOOLEAN -> { }
        }
        return new Evaluator("judge", provider, "jev-1.13.0", kind, "Is this call safe?", choices, levels, baseUrl,
                endpoint, "JUDGE_KEY", timeout, price);
    }

    private JudgeClient client(Evaluator e) {
        return new JudgeClient(e, http, v -> v.equals("JUDGE_KEY") ? "k3y" : null);
    }

    private JudgeClient.Spending recorder() {
        return (model, usage, price) -> spent.add(model + " " + usage + " " + price);
    }

    private static MockResponse json(String body) {
        return new MockResponse.Builder().setHeader("Content-Type", "application/json").body(body).build();
    }

    @Test
    void typeSafeGetsOneQuestionNamedEvaluationAtTheExactEndpointWithTheKeyFromItsVariable() throws Exception {
        Evaluator e = evaluator("typesafe", Evaluator.Kind.CHOICE, "", server.url("/development/predict").toString(),
                null, null);
        server.enqueue(json("""
                {"model": "jev-1.13.0",
                 "answers": {"evaluation": {"type": "choice", "choice": "unsafe", "confidence": 0.75,
                   "probabilities": {"safe": 0.1, "unsafe": 0.85, "review": 0.05}}},
                 "usage": {"input_tokens": 120, "output_tokens": 0}}"""));

        Evaluator.Judgement j = client(e).judge(JsonObject.of(Map.of("tool_name", "shell")), recorder());

        RecordedRequest sent = server.takeRequest(5, TimeUnit.SECONDS);
        assertThat(sent.getTarget()).isEqualTo("/development/predict");
        assertThat(sent.getMethod()).isEqualTo("POST");
        assertThat(sent.getHeaders().get("Authorization")).isEqualTo("Bearer k3y");
        JsonObject body = JsonObject.parse(sent.getBody().utf8());
        assertThat(body.names()).containsExactlyInAnyOrder("model", "state", "questions");
        assertThat(body.get("model").flatMap(JsonValue::asString)).contains("jev-1.13.0");
        assertThat(body.get("state").orElseThrow()).isEqualTo(JsonObject.of(Map.of("tool_name", "shell")));
        JsonObject question = body.at("/questions/evaluation").flatMap(JsonValue::asObject).orElseThrow();
        assertThat(question.get("type").flatMap(JsonValue::asString)).contains("choice");
        assertThat(question.get("instructions").flatMap(JsonValue::asString)).contains("Is this call safe?");
        assertThat(question.at("/criteria/unsafe").flatMap(JsonValue::asString)).contains("changes things");

        assertThat(j.outcome()).isEqualTo("unsafe");
        assertThat(j.probability()).isEqualTo(0.85);
        assertThat(j.probabilities()).containsEntry("safe", 0.1).containsEntry("review", 0.05);
        assertThat(j.confidence()).isEqualTo(0.75);
        assertThat(j.usage()).isEqualTo(new Usage(120, 0));
        // A custom endpoint is never priced by guess, even for the model TypeSafe publishes a price for.
        assertThat(j.cost()).isNull();
        assertThat(spent).containsExactly("typesafe/jev-1.13.0 " + new Usage(120, 0) + " null");
    }

    @Test
    void aBaseUrlGetsTheServicePathAndAnOpenAiEvaluatorAsksTheDecisionsApi() throws Exception {
        Evaluator ts = evaluator("typesafe", Evaluator.Kind.BOOLEAN, server.url("/ts/").toString(), "", null, null);
        server.enqueue(json("{\"model\": \"jev-1.13.0\", \"answers\": {\"evaluation\": {\"type\": \"noul\", \"noul\": 0.2}}}"));
        Evaluator.Judgement t = client(ts).judge(new JsonString("hello"), recorder());
        assertThat(server.takeRequest().getTarget()).isEqualTo("/ts/v1/systemone");
        assertThat(t.outcome()).isEqualTo("false");
        assertThat(t.probability()).isEqualTo(0.8);
        assertThat(t.usage()).as("no usage: unknown, not zero").isNull();

        Evaluator oa = evaluator("openai", Evaluator.Kind.SCORE, server.url("/v1").toString(), "", null,
                ModelPrice.of(2, 8));
        server.enqueue(json("""
                {"model": "decider-1", "answers": [
                   {"type": "score", "name": "other", "score": 0},
                   {"type": "score", "name": "evaluation", "score": 1.6,
                    "probabilities": [{"value": 0, "probability": 0.1}, {"value": 1, "probability": 0.2},
                                      {"value": 2, "probability": 0.7}]}],
                 "usage": {"input_tokens": 1000, "output_tokens": 500}}"""));
        Evaluator.Judgement d = client(oa).judge(JsonObject.of(Map.of("a", 1)), recorder());
        RecordedRequest sent = server.takeRequest();
        assertThat(sent.getTarget()).isEqualTo("/v1/decisions");
        JsonObject body = JsonObject.parse(sent.getBody().utf8());
        assertThat(body.get("input").flatMap(JsonValue::asString)).as("objects go as JSON text").contains("{\"a\":1}");
        JsonObject q = body.at("/questions/0").flatMap(JsonValue::asObject).orElseThrow();
        assertThat(q.get("type").flatMap(JsonValue::asString)).contains("score");
        assertThat(q.get("name").flatMap(JsonValue::asString)).contains("evaluation");
        assertThat(q.at("/levels/2/label").flatMap(JsonValue::asString)).contains("2");
        assertThat(q.at("/levels/2/description").flatMap(JsonValue::asString)).contains("a lot");
        assertThat(d.outcome()).isEqualTo("a lot");
        assertThat(d.score()).isEqualTo(1.6);
        assertThat(d.model()).isEqualTo("decider-1");
        assertThat(d.cost()).isCloseTo((1000 * 2 + 500 * 8) / 1e6, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(spent).last().asString().startsWith("openai/decider-1 ");
    }

    @Test
    void decisionsSendsChoicesSortedWithTheirDescriptionsAndAStringStateVerbatim() throws Exception {
        Evaluator e = evaluator("openai", Evaluator.Kind.CHOICE, server.url("/").toString(), "", null, null);
        server.enqueue(json("""
                {"answers": [{"type": "choice", "name": "evaluation", "choice": "safe",
                  "probabilities": [{"value": "safe", "probability": 0.5}, {"value": "unsafe", "probability": 0.5},
                                    {"value": "review", "probability": 0}]}]}"""));
        Evaluator.Judgement j = client(e).judge(new JsonString("rm -rf /tmp/x"), recorder());
        JsonObject body = JsonObject.parse(server.takeRequest().getBody().utf8());
        assertThat(body.get("input").flatMap(JsonValue::asString)).contains("rm -rf /tmp/x");
        JsonArray choices = body.at("/questions/0/choices").flatMap(JsonValue::asArray).orElseThrow();
        assertThat(choices.items()).extracting(c -> ((JsonObject) c).get("value").flatMap(JsonValue::asString).orElseThrow())
                .containsExactly("review", "safe", "unsafe");
        assertThat(((JsonObject) choices.items().get(0)).has("description")).as("an empty description is left out")
                .isFalse();
        assertThat(j.outcome()).as("a tie for the most probable choice is accepted").isEqualTo("safe");
        assertThat(j.model()).as("Decisions may omit the model").isEqualTo("jev-1.13.0");
    }

    @Test
    void withoutAKeyNothingIsSentAndTheErrorNamesTheVariable() {
        Evaluator e = evaluator("typesafe", Evaluator.Kind.BOOLEAN, server.url("/").toString(), "", null, null);
        JudgeClient keyless = new JudgeClient(e, http, v -> "  ");
        assertThatThrownBy(() -> keyless.judge(new JsonString("x"), recorder())).isInstanceOf(AgentException.class)
                .hasMessageContaining("set the environment variable JUDGE_KEY");
        assertThat(server.getRequestCount()).isZero();
        assertThat(spent).isEmpty();
    }

    @Test
    void aFailedStatusIsNeitherRetriedNorEchoedButItsReportedUsageIsStillCharged() {
        Evaluator e = evaluator("typesafe", Evaluator.Kind.BOOLEAN, server.url("/").toString(), "", null,
                ModelPrice.of(1, 1));
        server.enqueue(new MockResponse.Builder().code(503).body("{\"model\": \"jev-1.13.0\", \"error\": \"" + MARKER
                + "\", \"usage\": {\"input_tokens\": 7, \"output_tokens\": 1}}").build());
        server.enqueue(json("{\"model\": \"m\", \"answers\": {\"evaluation\": {\"type\": \"noul\", \"noul\": 1}}}"));
        assertThatThrownBy(() -> client(e).judge(new JsonString(MARKER), recorder()))
                .isInstanceOf(AgentException.class).hasMessageContaining("HTTP status 503")
                .hasMessageNotContaining(MARKER).hasMessageNotContaining("k3y");
        assertThat(server.getRequestCount()).isEqualTo(1);
        assertThat(spent).containsExactly("typesafe/jev-1.13.0 " + new Usage(7, 1) + " " + ModelPrice.of(1, 1));
    }

    @Test
    void aRedirectIsNotFollowedSoTheKeyNeverTravelsElsewhere() throws Exception {
        Evaluator e = evaluator("typesafe", Evaluator.Kind.BOOLEAN, "", server.url("/judge").toString(), null, null);
        server.enqueue(new MockResponse.Builder().code(307).setHeader("Location", server.url("/stolen")).build());
        assertThatThrownBy(() -> client(e).judge(new JsonString("x"), recorder()))
                .isInstanceOf(AgentException.class).hasMessageContaining("HTTP status 307");
        assertThat(server.getRequestCount()).isEqualTo(1);
        assertThat(server.takeRequest().getTarget()).isEqualTo("/judge");
    }

    @Test
    void anAnswerOverOneMebibyteIsRefusedUnread() {
        Evaluator e = evaluator("typesafe", Evaluator.Kind.BOOLEAN, server.url("/").toString(), "", null, null);
        String big = "{\"model\": \"m\", \"pad\": \"" + "x".repeat(JudgeClient.MAX_RESPONSE_BYTES) + "\"}";
        server.enqueue(json(big));
        assertThatThrownBy(() -> client(e).judge(new JsonString("x"), recorder()))
                .isInstanceOf(AgentException.class).hasMessageContaining("more than 1048576 bytes");
        assertThat(spent).as("the request was made, its usage unknown").containsExactly("typesafe/jev-1.13.0 null null");
    }

    @Test
    void anAnswerSlowerThanTheTimeLimitFailsWithoutWaitingForIt() {
        Evaluator e = evaluator("typesafe", Evaluator.Kind.BOOLEAN, server.url("/").toString(), "",
                Duration.ofMillis(300), null);
        server.enqueue(new MockResponse.Builder().bodyDelay(10, TimeUnit.SECONDS)
                .body("{\"model\": \"m\", \"answers\": {\"evaluation\": {\"type\": \"noul\", \"noul\": 1}}}").build());
        assertThatThrownBy(() -> client(e).judge(new JsonString("x"), recorder()))
                .isInstanceOf(AgentException.class).hasMessageContaining("gave no answer within PT0.3S");
        assertThat(spent).containsExactly("typesafe/jev-1.13.0 null null");
    }

    @Test
    void urlsWithCredentialsQueriesOrFragmentsAreRefusedWithoutEchoingThem() {
        for (String bad : List.of("https://user:" + MARKER + "@judge.example.com/p", "https://judge.example.com/p?t=" + MARKER,
                "https://judge.example.com/p#" + MARKER)) {
            Evaluator e = evaluator("typesafe", Evaluator.Kind.BOOLEAN, "", bad, null, null);
            assertThatThrownBy(() -> client(e)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("without credentials, query or fragment").hasMessageNotContaining(MARKER);
        }
    }

    /** Answers that break a promise, per backend: each is refused, naming the problem. */
    @ParameterizedTest(name = "{0} {1}: {3}")
    @CsvSource(delimiter = '|', textBlock = """
            typesafe | CHOICE  | {"model":"m","answers":{"evaluation":{"type":"choice","choice":"safe","probabilities":{"safe":0.5,"unsafe":0.4,"review":0.2}}}} | do not sum to one
            typesafe | CHOICE  | {"model":"m","answers":{"evaluation":{"type":"choice","choice":"safe","probabilities":{"safe":0.5,"unsafe":0.5}}}} | do not match the question's outcomes
            typesafe | CHOICE  | {"model":"m","answers":{"evaluation":{"type":"choice","choice":"safe","probabilities":{"safe":0.5,"unsafe":0.3,"other":0.2}}}} | do not match the question's outcomes
            typesafe | CHOICE  | {"model":"m","answers":{"evaluation":{"type":"choice","choice":"maybe","probabilities":{"safe":0.5,"unsafe":0.3,"review":0.2}}}} | a choice that was not offered
            typesafe | CHOICE  | {"model":"m","answers":{"evaluation":{"type":"choice","choice":"unsafe","probabilities":{"safe":0.5,"unsafe":0.3,"review":0.2}}}} | not a most probable one
            typesafe | CHOICE  | {"model":"m","answers":{"evaluation":{"type":"choice","probabilities":{"safe":0.5,"unsafe":0.3,"review":0.2}}}} | without a choice
            typesafe | CHOICE  | {"model":"m","answers":{"evaluation":{"type":"score","choice":"safe","probabilities":{"safe":0.5,"unsafe":0.3,"review":0.2}}}} | question type that does not match
            typesafe | CHOICE  | {"model":"m","answers":{"other":{"type":"choice"}}} | without an answer to the question
            typesafe | BOOLEAN | {"answers":{"evaluation":{"type":"noul","noul":0.5}}} | without naming its model
            typesafe | BOOLEAN | {"model":"m","answers":{"evaluation":{"type":"noul","noul":1.5}}} | invalid probability
            typesafe | BOOLEAN | {"model":"m","answers":{"evaluation":{"type":"noul","noul":null}}} | invalid probability
            typesafe | BOOLEAN | {"model":"m","answers":{"evaluation":{"type":"noul","noul":"0.9"}}} | invalid probability
            typesafe | BOOLEAN | {"model":"m","answers":{"evaluation":{"type":"noul","noul":0.9,"confidence":-0.1}}} | invalid confidence
            typesafe | BOOLEAN | {"model":"m","answers":{"evaluation":{"type":"noul","noul":0.9}},"usage":{"input_tokens":-1,"output_tokens":2}} | malformed token usage
            typesafe | BOOLEAN | {"model":"m","answers":{"evaluation":{"type":"noul","noul":0.9}},"usage":{"input_tokens":1.5,"output_tokens":2}} | malformed token usage
            typesafe | BOOLEAN | {"model":7,"answers":{"evaluation":{"type":"noul","noul":0.9}}} | model that is not a string
            typesafe | BOOLEAN | ["not", "an", "object"] | not a JSON object
            typesafe | BOOLEAN | <html>gateway error</html> | not a JSON object
            typesafe | SCORE   | {"model":"m","answers":{"evaluation":{"type":"score","score":2.5,"probabilities":{"0":0.1,"1":0.2,"2":0.7}}}} | out-of-range score
            typesafe | SCORE   | {"model":"m","answers":{"evaluation":{"type":"score","probabilities":{"0":0.1,"1":0.2,"2":0.7}}}} | out-of-range score
            openai   | BOOLEAN | {"answers":[{"type":"refusal","refusal":"no"}]} | refused to assess
            openai   | BOOLEAN | {"answers":[{"type":"predicate","name":"evaluation","probability":0.4},{"type":"predicate","name":"evaluation","probability":0.6}]} | more than once
            openai   | BOOLEAN | {"answers":[{"type":"predicate","name":"other","probability":0.4}]} | without an answer to the question
            openai   | BOOLEAN | {"answers":{"evaluation":{"type":"predicate"}}} | not a JSON list of answers
            openai   | CHOICE  | {"answers":[{"type":"choice","name":"evaluation","choice":"safe","probabilities":[{"value":"safe","probability":0.6},{"value":"safe","probability":0.2},{"value":"review","probability":0.2}]}]} | one outcome twice
            openai   | SCORE   | {"answers":[{"type":"score","name":"evaluation","score":0.2,"probabilities":[{"value":0,"probability":0.1},{"value":1,"probability":0.2},{"value":2,"probability":0.7}]}]} | does not match its probabilities
            openai   | SCORE   | {"answers":[{"type":"score","name":"evaluation","score":1.6,"probabilities":[{"value":0.5,"probability":0.1},{"value":1,"probability":0.2},{"value":2,"probability":0.7}]}]} | do not match the question's outcomes
            """)
    void aBrokenPromiseIsRefusedNamingIt(String provider, Evaluator.Kind kind, String answer, String problem) {
        Evaluator e = evaluator(provider, kind, "https://judge.example.com", "", null, null);
        String planted = answer.replace("\"m\"", "\"m-" + MARKER + "\"");
        assertThatThrownBy(() -> client(e).answer(200, planted.getBytes(StandardCharsets.UTF_8), recorder()))
                .isInstanceOf(AgentException.class).hasMessageContaining(problem).hasMessageNotContaining(MARKER)
                .hasMessageStartingWith("evaluator 'judge' (" + provider + ")");
    }

    @Test
    void usageWithACountMissingIsUnknownNotZeroAndTheAnswerStillCounts() {
        Evaluator e = evaluator("typesafe", Evaluator.Kind.BOOLEAN, "https://judge.example.com", "", null,
                ModelPrice.of(1, 1));
        Evaluator.Judgement j = client(e).answer(200, ("{\"model\":\"m\",\"answers\":{\"evaluation\":{\"type\":\"noul\","
                + "\"noul\":0,\"confidence\":0}},\"usage\":{\"input_tokens\":5}}").getBytes(StandardCharsets.UTF_8), recorder());
        assertThat(j.usage()).isNull();
        assertThat(j.cost()).isNull();
        assertThat(j.outcome()).isEqualTo("false");
        assertThat(j.confidence()).as("a zero confidence stays present").isEqualTo(0.0);
    }
}
