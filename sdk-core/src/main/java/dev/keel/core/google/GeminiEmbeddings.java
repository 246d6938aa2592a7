package dev.keel.core.google;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keel.core.EmbeddingModel;
import dev.keel.core.ModelException;
import dev.keel.core.http.HttpConfig;
import dev.keel.core.internal.http.ProviderClient;
import dev.keel.core.internal.http.Secret;
import dev.keel.core.internal.json.Json;
import dev.keel.core.internal.provider.ApiKeys;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;

/**
 * An {@link EmbeddingModel} on Gemini's {@code batchEmbedContents} ({@code POST
 * {baseUrl}/models/{model}:batchEmbedContents}).
 *
 * <pre>{@code
 * try (GeminiEmbeddings e = Gemini.embeddings().model("gemini-embedding-001").apiKeyFromEnv("GOOGLE_API_KEY")
 *         .outputDimensionality(768).build()) {
 *     List<float[]> vectors = e.embedAll(List.of("first text", "second text"));
 * }
 * }</pre>
 *
 * <p>Inputs are sent {@value #MAX_BATCH} per request (the API's limit) and come back in input order. The dimension
 * is {@link Builder#outputDimensionality(int)} when set (sent as {@code outputDimensionality}), 3072 for
 * {@code gemini-embedding-001}, 768 for {@code text-embedding-004}, otherwise learned from the first answer. Every
 * vector is checked against it ({@link ModelException.MalformedResponse} on a mismatch).
 *
 * <p>Thread-safe: share one instance. {@link #close()} releases the HTTP client when this model created it. The
 * API key never appears in {@link #toString()}, logs or exception messages.
 */
public final class GeminiEmbeddings implements EmbeddingModel {
    /** The most texts one {@code batchEmbedContents} request may carry. */
    public static final int MAX_BATCH = 100;
    private static final Map<String, Integer> KNOWN_DIMENSIONS = Map.of(
            "gemini-embedding-001", 3072, "text-embedding-004", 768, "embedding-001", 768);

    private final String provider;
    private final HttpUrl endpoint;
    private final String model;
    private final Secret apiKey;
    private final String taskType;
    private final int outputDimensionality;
    private final Map<String, String> headers;
    private final ProviderClient client;
    private volatile int dimension;

    private GeminiEmbeddings(Builder b) {
        this.provider = b.providerName;
        HttpUrl baseUrl = ApiKeys.baseUrl(provider, b.baseUrl);
        if (b.model == null || b.model.isBlank()) {
            throw new IllegalArgumentException(provider + ": embedding model is required");
        }
        this.model = b.model.startsWith("models/") ? b.model.substring("models/".length()) : b.model;
        this.endpoint = baseUrl.newBuilder().addPathSegment("models").addPathSegment(model + ":batchEmbedContents").build();
        this.apiKey = ApiKeys.resolve(provider, b.apiKey, b.apiKeyEnv, System::getenv);
        this.taskType = b.taskType;
        this.outputDimensionality = b.outputDimensionality;
        this.dimension = b.outputDimensionality > 0 ? b.outputDimensionality : KNOWN_DIMENSIONS.getOrDefault(model, 0);
        this.headers = Map.copyOf(b.headers);
        this.client = ProviderClient.create(provider, b.http, b.httpClient, apiKey.and(headers.values()),
                (status, body, response) -> GeminiWire.error(provider, status, body, response));
    }

    /**
     * A builder; {@code model} is required.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public List<float[]> embedAll(List<String> texts) {
        Objects.requireNonNull(texts, "texts");
        for (int i = 0; i < texts.size(); i++) {
            if (texts.get(i) == null) {
                throw new IllegalArgumentException("text " + i + " is null");
            }
        }
        List<float[]> out = new ArrayList<>(texts.size());
        for (int from = 0; from < texts.size(); from += MAX_BATCH) {
            out.addAll(embedBatch(texts.subList(from, Math.min(texts.size(), from + MAX_BATCH))));
        }
        return out;
    }

    private List<float[]> embedBatch(List<String> batch) {
        ObjectNode body = Json.object();
        ArrayNode requests = body.putArray("requests");
        for (String text : batch) {
            ObjectNode r = requests.addObject().put("model", "models/" + model);
            r.putObject("content").putArray("parts").addObject().put("text", text);
            if (taskType != null) {
                r.put("taskType", taskType);
            }
            if (outputDimensionality > 0) {
                r.put("outputDimensionality", outputDimensionality);
            }
        }
        Request.Builder rb = new Request.Builder().url(endpoint).post(ProviderClient.jsonBody(body));
        if (apiKey.isPresent()) {
            rb.header("x-goog-api-key", apiKey.reveal());
        }
        headers.forEach(rb::header);
        JsonNode embeddings = client.executeJson(rb.build()).path("embeddings");
        if (!embeddings.isArray() || embeddings.size() != batch.size()) {
            throw malformed("expected " + batch.size() + " embeddings, got "
                    + (embeddings.isArray() ? String.valueOf(embeddings.size()) : "no embeddings array"));
        }
        List<float[]> vectors = new ArrayList<>(batch.size());
        for (JsonNode e : embeddings) {
            JsonNode values = e.path("values");
            if (!values.isArray() || values.isEmpty()) {
                throw malformed("embedding " + vectors.size() + " is not a non-empty array of numbers");
            }
            float[] v = new float[values.size()];
            for (int k = 0; k < v.length; k++) {
                if (!values.get(k).isNumber()) {
                    throw malformed("embedding " + vectors.size() + " holds a non-number");
                }
                v[k] = values.get(k).floatValue();
            }
            int expected = dimension;
            if (expected == 0) {
                dimension = v.length;
            } else if (v.length != expected) {
                throw malformed("expected vectors of dimension " + expected + ", got " + v.length);
            }
            vectors.add(v);
        }
        return vectors;
    }

    private ModelException malformed(String what) {
        return new ModelException.MalformedResponse(provider, provider + " embeddings: " + what, null);
    }

    /** The vector length; learned with a one-word probe call when neither configured nor known. */
    @Override
    public int dimension() {
        if (dimension == 0) {
            embedAll(List.of("dimension"));
        }
        return dimension;
    }

    @Override
    public String id() {
        return provider + "/" + model;
    }

    /** Releases the HTTP client if this model created it. Idempotent. */
    @Override
    public void close() {
        client.close();
    }

    @Override
    public String toString() {
        return "GeminiEmbeddings[provider=" + provider + ", model=" + model + ", apiKey=" + apiKey + "]";
    }

    /**
     * Configures a {@link GeminiEmbeddings}. Defaults: provider {@code google}, base URL
     * {@value Gemini#GEMINI_BASE_URL}, no task type, the model's own dimension. Not thread-safe.
     */
    public static final class Builder {
        private String providerName = "google";
        private String baseUrl = Gemini.GEMINI_BASE_URL;
        private String model;
        private String apiKey;
        private String apiKeyEnv;
        private String taskType;
        private int outputDimensionality;
        private HttpConfig http = HttpConfig.defaults();
        private OkHttpClient httpClient;
        private final Map<String, String> headers = new LinkedHashMap<>();

        private Builder() {}

        /**
         * The name used in ids, logs and exceptions.
         *
         * @param providerName the name
         * @return this builder
         */
        public Builder providerName(String providerName) {
            this.providerName = Objects.requireNonNull(providerName, "providerName");
            return this;
        }

        /**
         * The API root including its version.
         *
         * @param baseUrl the API root
         * @return this builder
         */
        public Builder baseUrl(String baseUrl) {
            this.baseUrl = Objects.requireNonNull(baseUrl, "baseUrl");
            return this;
        }

        /**
         * The embedding model, e.g. {@code gemini-embedding-001}.
         *
         * @param model the model name
         * @return this builder
         */
        public Builder model(String model) {
            this.model = model;
            return this;
        }

        /**
         * The API key, sent as {@code x-goog-api-key}.
         *
         * @param apiKey the key
         * @return this builder
         */
        public Builder apiKey(String apiKey) {
            this.apiKey = apiKey;
            return this;
        }

        /**
         * Reads the key from the environment variable {@code name} at {@link #build()}.
         *
         * @param name the variable name
         * @return this builder
         */
        public Builder apiKeyFromEnv(String name) {
            this.apiKeyEnv = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * The task the vectors serve ({@code RETRIEVAL_DOCUMENT}, {@code RETRIEVAL_QUERY}, {@code SEMANTIC_SIMILARITY},
         * …), sent as {@code taskType}.
         *
         * @param taskType the task type
         * @return this builder
         */
        public Builder taskType(String taskType) {
            this.taskType = Objects.requireNonNull(taskType, "taskType");
            return this;
        }

        /**
         * Shortens vectors to this length ({@code outputDimensionality}).
         *
         * @param dimension the vector length, positive
         * @return this builder
         */
        public Builder outputDimensionality(int dimension) {
            if (dimension <= 0) {
                throw new IllegalArgumentException("outputDimensionality must be positive, was " + dimension);
            }
            this.outputDimensionality = dimension;
            return this;
        }

        /**
         * Timeouts, retries and interceptors for a client this model creates and owns.
         *
         * @param http the HTTP settings
         * @return this builder
         */
        public Builder http(HttpConfig http) {
            this.http = Objects.requireNonNull(http, "http");
            return this;
        }

        /**
         * Uses {@code client} as is; the model does not close it.
         *
         * @param client the client
         * @return this builder
         */
        public Builder httpClient(OkHttpClient client) {
            this.httpClient = Objects.requireNonNull(client, "client");
            return this;
        }

        /**
         * An extra header on every request.
         *
         * @param name the header name
         * @param value the value
         * @return this builder
         */
        public Builder header(String name, String value) {
            headers.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * Builds the model.
         *
         * @return the model
         */
        public GeminiEmbeddings build() {
            return new GeminiEmbeddings(this);
        }

        @Override
        public String toString() {
            return "GeminiEmbeddings.Builder[provider=" + providerName + ", model=" + model + "]";
        }
    }
}
