package dev.keel.agents.internal.judge;

import dev.keel.agents.AgentException;
import dev.keel.agents.ModelPrice;
import dev.keel.agents.team.Evaluator;
import dev.keel.core.Usage;
import dev.keel.core.http.HttpClients;
import dev.keel.core.json.JsonArray;
import dev.keel.core.json.JsonNull;
import dev.keel.core.json.JsonNumber;
import dev.keel.core.json.JsonObject;
import dev.keel.core.json.JsonString;
import dev.keel.core.json.JsonValue;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Function;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * Asks a judge service for one evaluator's assessment, speaking the service's own API: TypeSafe's
 * {@code /v1/systemone} or OpenAI's Decisions API ({@code /decisions}), as docker-agent's evaluator backends do.
 *
 * <p>What the services promise is checked, not trusted: the answer must be for the question asked, probabilities
 * must cover exactly the configured outcomes and sum to one (within 0.001, for rounding), a choice must be a
 * most probable one, a score must lie within the levels (and, for Decisions, match its probabilities), and token
 * counts must be well formed — anything else is an error, never a guessed verdict. Each call is sent once
 * (never retried: each one is charged), redirects are not followed (the key must not travel elsewhere), the
 * answer is read up to 1 MiB, and the whole call — key lookup, transfer, reading — has the evaluator's time
 * limit (10 s by default). Error messages name what was wrong, never the key, the state sent or the body
 * received. The key variable is read on every call, so a rotated key is picked up.
 *
 * <p>Immutable and thread-safe.
 */
public final class JudgeClient {
    /** docker-agent's default when an evaluator sets no {@code timeout}. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    static final int MAX_RESPONSE_BYTES = 1 << 20;
    private static final double TOLERANCE = 1e-3;
    private static final double SCORE_TOLERANCE = 5e-2;
    private static final MediaType JSON = MediaType.get("application/json");

    /** Where an assessment is asked. */
    public enum Backend {
        /** TypeSafe's judge API. */
        TYPESAFE("typesafe", "https://api.typesafe.ai", "/v1/systemone", "TYPESAFE_API_KEY", TypeSafeWire.INSTANCE),
        /** OpenAI's Decisions API. */
        OPENAI_DECISIONS("openai", "https://api.openai.com/v1", "/decisions", "OPENAI_API_KEY", DecisionsWire.INSTANCE);

        private final Wire wire;
        private final String provider;
        private final String defaultBaseUrl;
        private final String path;
        private final String defaultTokenKey;

        Backend(String provider, String defaultBaseUrl, String path, String defaultTokenKey, Wire wire) {
            this.wire = wire;
            this.provider = provider;
            this.defaultBaseUrl = defaultBaseUrl;
            this.path = path;
            this.defaultTokenKey = defaultTokenKey;
        }

        /**
         * The backend an evaluator {@code provider} names.
         *
         * @param provider {@code typesafe} or {@code openai}
         * @return the backend, or null for any other provider
         */
        public static Backend of(String provider) {
            for (Backend b : values()) {
                if (b.provider.equalsIgnoreCase(provider)) {
                    return b;
                }
            }
            return null;
        }

        /** The variable holding the key when the evaluator names none. */
        public String defaultTokenKey() {
            return defaultTokenKey;
        }
    }

    /** Told about each request that was sent, whatever came of it. */
    @FunctionalInterface
    public interface Spending {
        /**
         * One request was sent.
         *
         * @param model the model that answered (the requested one when the answer did not say), as
         *              {@code provider/model}
         * @param usage the tokens it reported, or null when unknown
         * @param price what a token costs, or null when unknown
         */
        void spent(String model, Usage usage, ModelPrice price);
    }

    private final Evaluator evaluator;
    private final Backend backend;
    private final String endpoint;
    private final String tokenKey;
    private final Function<String, String> environment;
    private final OkHttpClient http;
    private final Duration timeout;
    private final boolean officialEndpoint;
    /** The probability keys the answer must have: choice names or level indices, sorted as docker-agent sends them. */
    private final List<String> keys;

    /**
     * A client for {@code evaluator}, whose {@code provider} must be {@code typesafe} or {@code openai}.
     *
     * @param evaluator   the evaluator
     * @param http        the HTTP client to derive from (its pool and interceptors are shared, its retries dropped)
     * @param environment where the key variable is read, on every call
     * @throws IllegalArgumentException when the provider is neither, or a URL is not a plain HTTP(S) URL
     */
    public JudgeClient(Evaluator evaluator, OkHttpClient http, Function<String, String> environment) {
        this.evaluator = Objects.requireNonNull(evaluator, "evaluator");
        this.backend = Backend.of(evaluator.provider());
        if (backend == null) {
            throw new IllegalArgumentException("evaluator '" + evaluator.name() + "' has provider '"
                    + evaluator.provider() + "'; a judge service is typesafe or openai");
        }
        this.endpoint = endpoint(evaluator, backend);
        this.officialEndpoint = endpoint.equals(backend.defaultBaseUrl + backend.path);
        this.tokenKey = evaluator.tokenKey().isEmpty() ? backend.defaultTokenKey : evaluator.tokenKey();
        this.environment = Objects.requireNonNull(environment, "environment");
        this.timeout = evaluator.timeLimit().filter(d -> !d.isZero() && !d.isNegative()).orElse(DEFAULT_TIMEOUT);
        this.http = HttpClients.withoutRetriesOrRedirects(Objects.requireNonNull(http, "http")).newBuilder()
                .callTimeout(timeout).build();
        List<String> k = new ArrayList<>();
        switch (evaluator.kind()) {
            case BOOLEAN -> { }
            case CHOICE -> k.addAll(new TreeMap<>(evaluator.choices()).keySet());
            case SCORE -> {
                for (int i = 0; i < evaluator.levels().size(); i++) {
                    k.add(Integer.toString(i));
                }
            }
        }
        this.keys = List.copyOf(k);
    }

    /**
     * The URL an assessment by {@code evaluator} is sent to, checked as the constructor checks it; for a loader
     * that must refuse a bad URL before anything is built.
     *
     * @param evaluator the evaluator
     * @return the endpoint
     * @throws IllegalArgumentException as the constructor does
     */
    public static String endpoint(Evaluator evaluator) {
        Backend backend = Backend.of(evaluator.provider());
        if (backend == null) {
            throw new IllegalArgumentException("evaluator '" + evaluator.name() + "' has provider '"
                    + evaluator.provider() + "'; a judge service is typesafe or openai");
        }
        return endpoint(evaluator, backend);
    }

    private static String endpoint(Evaluator evaluator, Backend backend) {
        String base = evaluator.baseUrl().isEmpty() ? backend.defaultBaseUrl : evaluator.baseUrl();
        String endpoint = evaluator.endpoint().isEmpty() ? stripSlashes(base) + backend.path : evaluator.endpoint();
        okhttp3.HttpUrl url = okhttp3.HttpUrl.parse(endpoint);
        if (url == null || !url.username().isEmpty() || !url.password().isEmpty() || url.query() != null
                || url.fragment() != null) {
            throw new IllegalArgumentException("evaluator '" + evaluator.name()
                    + "': the endpoint must be an HTTP(S) URL without credentials, query or fragment");
        }
        return endpoint;
    }

    /**
     * The key variable, when it is unset or blank now: what the next assessment would fail on.
     *
     * @return the variable's name, or empty when it is set
     */
    public java.util.Optional<String> missingKey() {
        String token = environment.apply(tokenKey);
        return token == null || token.isBlank() ? java.util.Optional.of(tokenKey) : java.util.Optional.empty();
    }

    /**
     * The URL asked.
     *
     * @return the endpoint
     */
    public String endpoint() {
        return endpoint;
    }

    /**
     * Asks for an assessment of {@code state}.
     *
     * @param state    what to assess: a string, an object or an array
     * @param spending told once if the request was sent (even when the answer is then refused), with the usage
     *                 the answer reported
     * @return the checked assessment
     * @throws AgentException naming what went wrong: no key, a transport failure or timeout, a non-200 status,
     *                        an oversized or malformed answer, a refusal, or an answer that breaks the rules above
     */
    public Evaluator.Judgement judge(JsonValue state, Spending spending) {
        Objects.requireNonNull(spending, "spending");
        if (!(state instanceof JsonString || state instanceof JsonObject || state instanceof JsonArray)) {
            throw new IllegalArgumentException("the state to assess must be a string, object or array");
        }
        String token = environment.apply(tokenKey);
        if (token == null || token.isBlank()) {
            throw fail("has no API key: set the environment variable " + tokenKey);
        }
        Request request = new Request.Builder().url(endpoint)
                .header("Authorization", "Bearer " + token.strip())
                .header("Accept", "application/json")
                .post(RequestBody.create(backend.wire.request(evaluator, keys, state).toJson(), JSON)).build();
        int status;
        byte[] body;
        try (Response response = http.newCall(request).execute()) {
            status = response.code();
            body = read(response.body());
        } catch (InterruptedIOException e) {
            spending.spent(backend.provider + "/" + evaluator.model(), null, null);
            if (Thread.currentThread().isInterrupted()) {
                throw new AgentException.Cancelled("cancelled while evaluator '" + evaluator.name() + "' was assessing");
            }
            throw fail("gave no answer within " + timeout);
        } catch (IOException e) {
            spending.spent(backend.provider + "/" + evaluator.model(), null, null);
            throw fail("request failed (" + e.getClass().getSimpleName() + ")");
        }
        return answer(status, body, spending);
    }

    /**
     * Reads what the service answered: tells {@code spending} about the request (with the usage the answer
     * reported, when it could be read), then checks the answer.
     *
     * @param status   the HTTP status
     * @param body     the body, or null when it was larger than the cap
     * @param spending told about the request
     * @return the checked assessment
     * @throws AgentException naming what was wrong
     */
    Evaluator.Judgement answer(int status, byte[] body, Spending spending) {
        JsonObject answer = null;
        if (body != null) {
            try {
                answer = JsonObject.parse(new String(body, StandardCharsets.UTF_8));
            } catch (RuntimeException e) {
                answer = null;
            }
        }
        String model = evaluator.model();
        Usage usage = null;
        boolean badUsage = false;
        if (answer != null) {
            JsonValue m = answer.get("model").orElse(JsonNull.INSTANCE);
            if (m instanceof JsonString s && !s.value().isBlank()) {
                model = s.value();
            }
            try {
                usage = usage(answer.get("usage").orElse(null));
            } catch (IllegalArgumentException e) {
                badUsage = true;
            }
        }
        ModelPrice price = price(model);
        spending.spent(backend.provider + "/" + model, usage, price);
        if (status != 200) {
            throw fail("answered HTTP status " + status);
        }
        if (body == null) {
            throw fail("answered more than " + MAX_RESPONSE_BYTES + " bytes");
        }
        if (answer == null) {
            throw fail("answered something that is not a JSON object");
        }
        JsonValue m = answer.get("model").orElse(JsonNull.INSTANCE);
        if (!(m instanceof JsonNull) && !(m instanceof JsonString)) {
            throw fail("answered a model that is not a string");
        }
        if (backend.wire.modelRequired() && !(m instanceof JsonString s && !s.value().isBlank())) {
            throw fail("answered without naming its model");
        }
        if (badUsage) {
            // The spend cannot be accounted, so the answer is not used either.
            throw fail("answered malformed token usage");
        }
        JsonObject a = backend.wire.answer(answer, evaluator, keys, this::fail);
        Double cost = usage == null || price == null ? null : price.cost(usage);
        return result(a, model, usage, cost);
    }

    /** Checks a normalized answer and turns it into a judgement. */
    private Evaluator.Judgement result(JsonObject a, String model, Usage usage, Double cost) {
        Double confidence = null;
        if (a.has("confidence") && !(a.get("confidence").get() instanceof JsonNull)) {
            confidence = probability(a.get("confidence").get(), "confidence");
        }
        if (evaluator.kind() == Evaluator.Kind.BOOLEAN) {
            double p = probability(a.get("probability").orElse(JsonNull.INSTANCE), "probability");
            Map<String, Double> probabilities = new LinkedHashMap<>();
            probabilities.put("true", p);
            probabilities.put("false", 1 - p);
            return new Evaluator.Judgement(p >= 0.5 ? "true" : "false", Math.max(p, 1 - p), probabilities, null,
                    confidence, model, usage, cost);
        }
        if (!(a.get("probabilities").orElse(null) instanceof JsonObject raw) || raw.size() != keys.size()) {
            throw fail("answered probabilities that do not match the question's outcomes");
        }
        Map<String, Double> probabilities = new LinkedHashMap<>();
        double sum = 0;
        for (String key : keys) {
            if (!raw.has(key)) {
                throw fail("answered probabilities that do not match the question's outcomes");
            }
            double p = probability(raw.get(key).get(), "probabilities");
            probabilities.put(key, p);
            sum += p;
        }
        if (Math.abs(sum - 1) > TOLERANCE) {
            throw fail("answered probabilities that do not sum to one");
        }
        if (evaluator.kind() == Evaluator.Kind.CHOICE) {
            String choice = a.get("choice").flatMap(JsonValue::asString).orElse(null);
            if (choice == null) {
                throw fail("answered without a choice");
            }
            Double selected = probabilities.get(choice);
            if (selected == null) {
                throw fail("answered a choice that was not offered");
            }
            if (probabilities.values().stream().anyMatch(p -> p > selected)) {
                throw fail("answered a choice that is not a most probable one");
            }
            return new Evaluator.Judgement(choice, selected, probabilities, null, confidence, model, usage, cost);
        }
        JsonValue s = a.get("score").orElse(JsonNull.INSTANCE);
        int last = keys.size() - 1;
        if (!(s instanceof JsonNumber n) || Double.isNaN(n.doubleValue()) || Double.isInfinite(n.doubleValue())
                || n.doubleValue() < -TOLERANCE || n.doubleValue() > last + TOLERANCE) {
            throw fail("answered a missing or out-of-range score");
        }
        double score = n.doubleValue();
        if (backend.wire.scoreMatchesProbabilities()) {
            double expected = 0;
            for (int i = 0; i < keys.size(); i++) {
                expected += i * probabilities.get(keys.get(i));
            }
            if (Math.abs(score - expected) > SCORE_TOLERANCE) {
                throw fail("answered a score that does not match its probabilities");
            }
        }
        int level = (int) Math.max(0, Math.min(last, Math.round(score)));
        return new Evaluator.Judgement(evaluator.levels().get(level), probabilities.get(keys.get(level)),
                probabilities, score, confidence, model, usage, cost);
    }

    private double probability(JsonValue v, String what) {
        if (v instanceof JsonNumber n) {
            double d = n.doubleValue();
            if (!Double.isNaN(d) && d >= 0 && d <= 1) {
                return d;
            }
        }
        throw fail("answered a missing or invalid " + what);
    }

    /** {@code input_tokens} and {@code output_tokens}: both present = known, either missing = unknown. */
    private static Usage usage(JsonValue v) {
        if (v == null || v instanceof JsonNull) {
            return null;
        }
        if (!(v instanceof JsonObject o)) {
            throw new IllegalArgumentException("usage");
        }
        Long in = count(o.get("input_tokens").orElse(JsonNull.INSTANCE));
        Long out = count(o.get("output_tokens").orElse(JsonNull.INSTANCE));
        if (in == null || out == null) {
            return null;
        }
        if (in > Long.MAX_VALUE - out) {
            throw new IllegalArgumentException("usage");
        }
        return new Usage(in, out);
    }

    private static Long count(JsonValue v) {
        if (v instanceof JsonNull) {
            return null;
        }
        if (v instanceof JsonNumber n && n.isIntegral() && n.value().signum() >= 0
                && n.value().compareTo(java.math.BigDecimal.valueOf(Long.MAX_VALUE)) <= 0) {
            return n.longValue();
        }
        throw new IllegalArgumentException("usage");
    }

    /**
     * The evaluator's {@code cost}; otherwise TypeSafe's published price, only for its official endpoint and
     * the model it was published for (aliases and later versions are not guessed).
     */
    private ModelPrice price(String answeringModel) {
        if (evaluator.price() != null) {
            return evaluator.price();
        }
        if (backend == Backend.TYPESAFE && officialEndpoint && "jev-1.13.0".equals(answeringModel)) {
            return ModelPrice.of(0.042, 0);
        }
        return null;
    }


    /** The body, or null when it is larger than the cap. */
    private static byte[] read(ResponseBody body) throws IOException {
        if (body == null) {
            return new byte[0];
        }
        try (InputStream in = body.byteStream()) {
            byte[] bytes = in.readNBytes(MAX_RESPONSE_BYTES + 1);
            return bytes.length > MAX_RESPONSE_BYTES ? null : bytes;
        }
    }

    private static String stripSlashes(String url) {
        String s = url;
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        return s;
    }

    private AgentException fail(String what) {
        return new AgentException("evaluator '" + evaluator.name() + "' (" + backend.provider + ") " + what);
    }

    @Override
    public String toString() {
        return "JudgeClient[" + evaluator.name() + ", " + backend.provider + ", " + endpoint + ", key in " + tokenKey
                + ", timeout " + timeout + "]";
    }
}
