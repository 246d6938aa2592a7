package dev.keel.testing.cassette;

import dev.keel.core.internal.text.LineDiff;
import dev.keel.testing.internal.cassette.CassetteFile;
import dev.keel.testing.internal.cassette.HttpCodec;
import dev.keel.testing.internal.cassette.Interaction;
import dev.keel.testing.internal.cassette.Redactor;
import dev.keel.testing.internal.cassette.RequestMatcher;
import dev.keel.testing.internal.cassette.RequestMatcher.Canonical;
import dev.keel.testing.internal.cassette.Rules;
import dev.keel.testing.internal.cassette.SecretScanner;
import dev.keel.testing.internal.cassette.StoredRequest;
import dev.keel.testing.internal.cassette.StoredResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import okhttp3.Interceptor;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records HTTP interactions into a YAML cassette and replays them: the VCR pattern for tests that talk
 * to real AI providers. Record once with a key, then replay deterministically, offline, in
 * milliseconds.
 *
 * <pre>{@code
 * try (CassetteRecorder cassette = CassetteRecorder.builder(Path.of("src/test/resources/cassettes/weather.yaml"))
 *         .mode(CassetteMode.ONCE)
 *         .ignoreJsonField("created")
 *         .build()) {
 *     ChatModel model = OpenAiCompatible.builder().baseUrl(url).model("gpt-5").apiKey(key)
 *             .httpClient(cassette.client()).build();
 *     ...
 * }
 * }</pre>
 *
 * <p><b>Matching.</b> A request matches a recording with the same method, URL and canonical body: JSON
 * with keys sorted, tool-call ids ({@code call_…}, {@code toolu_…}) and {@linkplain Builder#ignoreJsonField
 * ignored fields} replaced and {@linkplain Builder#normalize normalise patterns} applied, on both sides.
 * Headers are not compared. Identical requests replay their recordings in recorded order, each once.
 *
 * <p><b>Writing.</b> Recordings are redacted as they are captured ({@code Authorization},
 * {@code X-Api-Key}, {@code api-key}, {@code Cookie}, {@code Set-Cookie}, key-like query parameters,
 * token-like JSON fields such as {@code access_token}, and user rules). {@link #close()} scans what it is about to write for secrets (the values of the key
 * environment variables and common key shapes) and refuses with a {@link CassetteSecretException} that
 * says where; otherwise it writes the cassette atomically, so an interrupted test never leaves a
 * truncated file.
 *
 * <p><b>Thread safety.</b> Thread-safe: concurrent calls may share one recorder. Recorders for
 * different files are independent. Closing twice is harmless.
 */
public final class CassetteRecorder implements Interceptor, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CassetteRecorder.class);

    /** Env vars that hold keys by default: scanned for before writing, and AUTO's "is a key present" check. */
    public static final List<String> DEFAULT_KEY_ENV_VARS = dev.keel.core.secrets.SecretScanner.DEFAULT_KEY_ENV_VARS;
    /** Headers whose values are always redacted. */
    public static final List<String> DEFAULT_REDACTED_HEADERS = List.of("Authorization", "Proxy-Authorization",
            "X-Api-Key", "api-key", "Cookie", "Set-Cookie", "X-Goog-Api-Key", "OpenAI-Organization", "OpenAI-Project");
    /** Query parameters whose values are always redacted. */
    public static final List<String> DEFAULT_REDACTED_QUERY_PARAMETERS = List.of("key", "api_key", "apikey",
            "api-key", "token", "access_token", "auth", "auth_token", "secret", "client_secret", "password", "sig",
            "signature");

    /** JSON fields whose values are always redacted, at any depth, in JSON bodies and events. */
    public static final List<String> DEFAULT_REDACTED_JSON_FIELDS = List.of("api_key", "apiKey", "access_token",
            "refresh_token", "id_token", "client_secret", "password");

    private enum Behaviour { REPLAY_ONLY, RECORD_ALL, REPLAY_OR_RECORD, NO_KEY }

    private final Path file;
    private final CassetteMode mode;
    private final Behaviour behaviour;
    private final Rules rules;
    private final Redactor redactor;
    private final RequestMatcher matcher;
    private final UnaryOperator<OutputStream> writeDecorator;
    private final Object lock = new Object();
    private final List<Interaction> interactions = new ArrayList<>();
    private final List<Canonical> canonicals = new ArrayList<>();
    private final List<Boolean> used = new ArrayList<>();
    private final int loaded;
    private int replayed;
    private int recorded;
    private boolean closed;
    private OkHttpClient ownedClient;

    private CassetteRecorder(Builder b) {
        this.file = b.file;
        this.mode = b.mode;
        this.rules = new Rules(lower(b.redactHeaders), lower(b.redactQuery), b.redactJsonFields, b.redactPatterns,
                b.ignoreJsonFields, b.normalizePatterns, List.copyOf(b.keyEnvVars), b.environment, b.secretShapes);
        this.redactor = new Redactor(rules);
        this.matcher = new RequestMatcher(rules, redactor);
        this.writeDecorator = b.writeDecorator;
        boolean exists = Files.exists(file);
        this.behaviour = switch (mode) {
            case NONE -> Behaviour.REPLAY_ONLY;
            case ONCE -> exists ? Behaviour.REPLAY_ONLY : Behaviour.RECORD_ALL;
            case NEW_EPISODES -> Behaviour.REPLAY_OR_RECORD;
            case ALL -> Behaviour.RECORD_ALL;
            case AUTO -> exists ? Behaviour.REPLAY_ONLY : keyPresent() ? Behaviour.RECORD_ALL : Behaviour.NO_KEY;
        };
        if (exists && behaviour != Behaviour.RECORD_ALL) {
            for (Interaction i : CassetteFile.read(file)) {
                interactions.add(i);
                canonicals.add(matcher.canonical(i.request()));
                used.add(false);
            }
        }
        this.loaded = interactions.size();
        log.debug("cassette {} opened: mode {}, {} recorded interactions, {}", file, mode, loaded, behaviour);
    }

    /**
     * Starts configuring a recorder for the cassette at {@code file} (conventionally {@code name.yaml}).
     *
     * @param file the cassette file
     * @return the builder
     */
    public static Builder builder(Path file) {
        return new Builder(file);
    }

    /**
     * A recorder with default rules.
     *
     * @param file the cassette file
     * @param mode when to replay and when to record
     * @return a recorder with default rules
     */
    public static CassetteRecorder open(Path file, CassetteMode mode) {
        return builder(file).mode(mode).build();
    }

    /**
     * The cassette file.
     *
     * @return the cassette file
     */
    public Path file() {
        return file;
    }

    /**
     * The mode this recorder was opened with.
     *
     * @return the mode this recorder was opened with
     */
    public CassetteMode mode() {
        return mode;
    }

    /**
     * Whether requests without a recording go to the network and get recorded in this session.
     *
     * @return whether requests without a recording go to the network and get recorded in this session
     */
    public boolean isRecording() {
        return behaviour == Behaviour.RECORD_ALL || behaviour == Behaviour.REPLAY_OR_RECORD;
    }

    /**
     * How many requests were answered from the cassette so far.
     *
     * @return how many requests were answered from the cassette so far
     */
    public int replayedCount() {
        synchronized (lock) {
            return replayed;
        }
    }

    /**
     * How many requests were sent to the network and recorded so far.
     *
     * @return how many requests were sent to the network and recorded so far
     */
    public int recordedCount() {
        synchronized (lock) {
            return recorded;
        }
    }

    /**
     * A client whose every call goes through this recorder, created on first use and shut down by
     * {@link #close()}. Hand it to providers ({@code OpenAiCompatible.builder().httpClient(...)}).
     *
     * @return a client whose every call goes through this recorder
     */
    public OkHttpClient client() {
        synchronized (lock) {
            ensureOpen();
            if (ownedClient == null) {
                ownedClient = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(120)).addInterceptor(this)
                        .build();
            }
            return ownedClient;
        }
    }

    /**
     * A client derived from {@code base} (sharing its pool and settings) with this recorder added last.
     *
     * @param base the client to derive from
     * @return a client derived from {@code base}
     */
    public OkHttpClient wrap(OkHttpClient base) {
        return base.newBuilder().addInterceptor(this).build();
    }

    @Override
    public Response intercept(Chain chain) throws IOException {
        ensureOpen();
        Request request = chain.request();
        byte[] body = HttpCodec.bodyBytes(request);
        StoredRequest live = HttpCodec.request(request, body);
        Canonical key = matcher.canonical(live);
        if (behaviour != Behaviour.RECORD_ALL) {
            Optional<StoredResponse> hit = take(key);
            if (hit.isPresent()) {
                return HttpCodec.replay(request, hit.get());
            }
            if (behaviour == Behaviour.REPLAY_ONLY) {
                throw miss(key);
            }
            if (behaviour == Behaviour.NO_KEY) {
                throw new CassetteException("cassette " + file + " does not exist and mode AUTO cannot record it: none of "
                        + rules.keyEnvVars() + " is set. Set the provider's key to record it, use mode ONCE to record"
                        + " against a local server, or add the cassette file");
            }
        }
        Request forward = request;
        if (request.body() != null) {
            forward = request.newBuilder().method(request.method(), RequestBody.create(body, request.body().contentType()))
                    .build();
        }
        Response response = chain.proceed(forward);
        byte[] responseBytes;
        ResponseBody responseBody = response.body();
        try (responseBody) {
            responseBytes = responseBody == null ? new byte[0] : responseBody.bytes();
        }
        Interaction interaction = new Interaction(redactor.redact(live),
                redactor.redact(HttpCodec.response(response, responseBytes)));
        synchronized (lock) {
            interactions.add(interaction);
            canonicals.add(key);
            used.add(true);
            recorded++;
        }
        return response.newBuilder()
                .body(ResponseBody.create(responseBytes, responseBody == null ? null : responseBody.contentType()))
                .build();
    }

    private Optional<StoredResponse> take(Canonical key) {
        synchronized (lock) {
            for (int i = 0; i < interactions.size(); i++) {
                if (!used.get(i) && canonicals.get(i).equals(key)) {
                    used.set(i, true);
                    replayed++;
                    return Optional.of(interactions.get(i).response());
                }
            }
            return Optional.empty();
        }
    }

    private CassetteMissException miss(Canonical live) {
        // The live request has not been through the secret scan: mask anything key-like before showing it.
        SecretScanner scanner = new SecretScanner(rules);
        Canonical key = new Canonical(scanner.mask(live.line()), scanner.mask(live.body()));
        List<Canonical> snapshot;
        List<Boolean> usedSnapshot;
        synchronized (lock) {
            snapshot = List.copyOf(canonicals);
            usedSnapshot = List.copyOf(used);
        }
        StringBuilder msg = new StringBuilder("no recorded interaction matches ").append(key.line())
                .append("\n  cassette: ").append(file).append(" (mode ").append(mode).append(", ")
                .append(snapshot.size()).append(" interactions")
                .append(Files.exists(file) ? "" : "; the file does not exist").append(')');
        int repeats = 0;
        for (int i = 0; i < snapshot.size(); i++) {
            if (snapshot.get(i).equals(live) && usedSnapshot.get(i)) {
                repeats++;
            }
        }
        if (repeats > 0) {
            msg.append("\n  this request was recorded ").append(repeats)
                    .append(" time(s) and every recording has been replayed already: the code under test made it"
                            + " more often than when the cassette was recorded");
            return new CassetteMissException(msg.toString(), key.line(), null, "");
        }
        Integer closest = null;
        LineDiff.Result best = null;
        for (int i = 0; i < snapshot.size(); i++) {
            LineDiff.Result d = RequestMatcher.diff(snapshot.get(i), key);
            if (best == null || d.nearerThan(best)) {
                best = d;
                closest = i;
            }
        }
        if (best == null) {
            msg.append("\n  the cassette has no interactions");
            return new CassetteMissException(msg.toString(), key.line(), null, "");
        }
        msg.append("\n  closest recorded request: interaction #").append(closest).append(" (")
                .append(best.changes()).append(" line(s) differ; - recorded, + this request):\n")
                .append(best.text().indent(4).stripTrailing());
        return new CassetteMissException(msg.toString(), key.line(), closest, best.text());
    }

    private boolean keyPresent() {
        for (String name : rules.keyEnvVars()) {
            String v = rules.environment().apply(name);
            if (v != null && !v.isBlank()) {
                return true;
            }
        }
        return false;
    }

    private void ensureOpen() {
        synchronized (lock) {
            if (closed) {
                throw new CassetteException("the recorder for cassette " + file + " is closed");
            }
        }
    }

    /**
     * Stops recording and, when new interactions were recorded, scans them for secrets and writes the
     * cassette atomically. Shuts down the client from {@link #client()}. Idempotent.
     *
     * @throws CassetteSecretException when the cassette would contain a secret; nothing is written
     * @throws CassetteException       when the file cannot be written; the old file is intact
     */
    @Override
    public void close() {
        List<Interaction> toWrite;
        OkHttpClient client;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            toWrite = recorded > 0 ? List.copyOf(interactions) : null;
            client = ownedClient;
        }
        if (client != null) {
            client.dispatcher().executorService().shutdown();
            client.connectionPool().evictAll();
        }
        if (toWrite == null) {
            return;
        }
        Optional<SecretScanner.Finding> secret = new SecretScanner(rules).scan(toWrite);
        if (secret.isPresent()) {
            SecretScanner.Finding f = secret.get();
            throw new CassetteSecretException(file.toString(), f.interactionIndex(), f.location(), f.rule());
        }
        CassetteFile.write(file, toWrite, writeDecorator);
        log.debug("cassette {} written: {} interactions ({} new)", file, toWrite.size(), toWrite.size() - loaded);
    }

    @Override
    public String toString() {
        synchronized (lock) {
            return "CassetteRecorder[" + file + " mode=" + mode + (isRecording() ? " recording" : " replaying")
                    + " interactions=" + interactions.size() + " replayed=" + replayed + " recorded=" + recorded
                    + (closed ? " closed" : "") + "]";
        }
    }

    private static Set<String> lower(Set<String> names) {
        Set<String> out = new LinkedHashSet<>();
        names.forEach(n -> out.add(n.toLowerCase(Locale.ROOT)));
        return out;
    }

    /** Configures a {@link CassetteRecorder}. Not thread-safe; the recorder is. */
    public static final class Builder {
        private final Path file;
        private CassetteMode mode = CassetteMode.ONCE;
        private final Set<String> redactHeaders = new LinkedHashSet<>(DEFAULT_REDACTED_HEADERS);
        private final Set<String> redactQuery = new LinkedHashSet<>(DEFAULT_REDACTED_QUERY_PARAMETERS);
        private final Set<String> redactJsonFields = new LinkedHashSet<>(DEFAULT_REDACTED_JSON_FIELDS);
        private final List<Pattern> redactPatterns = new ArrayList<>();
        private final Set<String> ignoreJsonFields = new LinkedHashSet<>();
        private final List<Pattern> normalizePatterns = new ArrayList<>();
        private final List<String> keyEnvVars = new ArrayList<>(DEFAULT_KEY_ENV_VARS);
        private final Map<String, Pattern> secretShapes = new LinkedHashMap<>(SecretScanner.defaultShapes());
        private Function<String, String> environment = System::getenv;
        private UnaryOperator<OutputStream> writeDecorator = UnaryOperator.identity();

        private Builder(Path file) {
            this.file = Objects.requireNonNull(file, "file");
        }

        /**
         * When to replay and when to record; default {@link CassetteMode#ONCE}.
         *
         * @param mode the mode
         * @return this builder
         */
        public Builder mode(CassetteMode mode) {
            this.mode = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /**
         * Also redact these headers' values (case-insensitive), in requests and responses.
         *
         * @param names the names
         * @return this builder
         */
        public Builder redactHeader(String... names) {
            redactHeaders.addAll(Arrays.asList(names));
            return this;
        }

        /**
         * Also redact these query parameters' values (case-insensitive).
         *
         * @param names the names
         * @return this builder
         */
        public Builder redactQueryParameter(String... names) {
            redactQuery.addAll(Arrays.asList(names));
            return this;
        }

        /**
         * Redact the values of JSON fields with these names, at any depth, in JSON bodies and events.
         *
         * @param names the names
         * @return this builder
         */
        public Builder redactJsonField(String... names) {
            redactJsonFields.addAll(Arrays.asList(names));
            return this;
        }

        /**
         * Redact every match of {@code regex} in URLs, header values and text bodies.
         *
         * @param regex a regular expression
         * @return this builder
         */
        public Builder redactPattern(String regex) {
            redactPatterns.add(Pattern.compile(regex));
            return this;
        }

        /**
         * Ignore the values of JSON fields with these names (ids, timestamps) when matching requests.
         *
         * @param names the names
         * @return this builder
         */
        public Builder ignoreJsonField(String... names) {
            ignoreJsonFields.addAll(Arrays.asList(names));
            return this;
        }

        /**
         * Ignore every match of {@code regex} in URLs and bodies when matching requests.
         *
         * @param regex a regular expression
         * @return this builder
         */
        public Builder normalize(String regex) {
            normalizePatterns.add(Pattern.compile(regex));
            return this;
        }

        /**
         * The env vars that hold keys, replacing {@link #DEFAULT_KEY_ENV_VARS}: their values (when at least
         * 8 characters) must never be written, and mode AUTO records only when one of them is set.
         *
         * @param names the env vars that hold keys, replacing {@link #DEFAULT_KEY_ENV_VARS}: their values (when at
         *     least 8 characters) must never be written, and mode AUTO records only when one of them is set
         * @return this builder
         */
        public Builder keyEnvVars(String... names) {
            keyEnvVars.clear();
            keyEnvVars.addAll(Arrays.asList(names));
            return this;
        }

        /**
         * Adds env vars to the list of those holding keys.
         *
         * @param names the names
         * @return this builder
         */
        public Builder addKeyEnvVar(String... names) {
            keyEnvVars.addAll(Arrays.asList(names));
            return this;
        }

        /**
         * Adds a secret shape the scan refuses to write, e.g. {@code ("Acme key", "acme_[a-z0-9]{32}")}.
         *
         * @param name what the shape is called in errors
         * @param regex a regular expression matching the secret
         * @return this builder
         */
        public Builder secretShape(String name, String regex) {
            secretShapes.put(Objects.requireNonNull(name, "name"), Pattern.compile(regex));
            return this;
        }

        /**
         * How env vars are read (default {@link System#getenv(String)}); tests inject a map's {@code get}.
         *
         * @param environment reads an env var's value, null when unset
         * @return this builder
         */
        public Builder environment(Function<String, String> environment) {
            this.environment = Objects.requireNonNull(environment, "environment");
            return this;
        }

        /** Test hook: wraps the stream the cassette is written to (to simulate a crash mid-write). */
        Builder writeDecorator(UnaryOperator<OutputStream> decorator) {
            this.writeDecorator = Objects.requireNonNull(decorator, "decorator");
            return this;
        }

        /**
         * Opens the recorder, reading the cassette when the mode replays.
         *
         * @return the recorder; close it to write the cassette
         * @throws CassetteFormatException when the existing file is not a readable cassette
         */
        public CassetteRecorder build() {
            return new CassetteRecorder(this);
        }
    }
}
