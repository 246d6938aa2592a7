package dev.keel.core.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keel.core.EmbeddingModel;
import dev.keel.core.ModelException;
import dev.keel.core.http.HttpConfig;
import dev.keel.core.internal.http.ProviderClient;
import dev.keel.core.internal.http.Secret;
import dev.keel.core.internal.provider.ApiKeys;
import dev.keel.core.internal.json.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;

/**
 * An {@link EmbeddingModel} speaking the OpenAI Embeddings API ({@code POST {baseUrl}/embeddings}), served
 * by OpenAI, GitHub Models, llama.cpp ({@code --embeddings}), vLLM and Docker Model Runner alike.
 *
 * <pre>{@code
 * try (OpenAiEmbeddings embeddings = OpenAiCompatible.embeddings()
 *         .model("text-embedding-3-small").apiKeyFromEnv("OPENAI_API_KEY").dimension(1536).build()) {
 *     List<float[]> vectors = embeddings.embedAll(List.of("first text", "second text"));
 * }
 * }</pre>
 *
 * <p>Inputs larger than {@link Builder#batchSize(int)} are sent in several requests; results keep the
 * input order. When {@link Builder#dimension(int)} is set, every vector is checked against it (a mismatch
 * is a {@link ModelException.MalformedResponse}); {@link Builder#sendDimensions(boolean)} also asks the
 * server to shorten vectors, which only some models support. Without a configured dimension,
 * {@link #dimension()} is learned from the first answer, embedding a short probe text if needed.
 *
 * <p>Thread-safe: share one instance. {@link #close()} releases the HTTP client when this model created
 * it. The API key never appears in {@link #toString()}, logs or exception messages.
 */
public final class OpenAiEmbeddings implements EmbeddingModel {
    private final String provider;
    private final HttpUrl baseUrl;
    private final HttpUrl endpoint;
    private final String model;
    private final Secret apiKey;
    private final int batchSize;
    private final boolean sendDimensions;
    private final Map<String, String> headers;
    private final ProviderClient client;
    private volatile int dimension;

    private OpenAiEmbeddings(Builder b) {
        this.provider = b.providerName;
        this.baseUrl = ApiKeys.baseUrl(provider, b.baseUrl);
        this.endpoint = baseUrl.newBuilder().addPathSegment("embeddings").build();
        if (b.model == null || b.model.isBlank()) {
            throw new IllegalArgumentException(provider + ": embedding model is required");
        }
        if (b.sendDimensions && b.dimension <= 0) {
            throw new IllegalArgumentException(provider + ": sendDimensions needs dimension(int)");
        }
        this.model = b.model;
        this.apiKey = ApiKeys.resolve(provider, b.apiKey, b.apiKeyEnv, System::getenv);
        this.batchSize = b.batchSize;
        this.sendDimensions = b.sendDimensions;
        this.dimension = b.dimension;
        this.headers = Map.copyOf(b.headers);
        this.client = ProviderClient.create(provider, b.http, b.httpClient, apiKey,
                (status, body, response) -> OpenAiWire.error(provider, status, body, response));
    }

    /**
     * Starts a builder.
     *
     * @return the builder
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
        for (int from = 0; from < texts.size(); from += batchSize) {
            out.addAll(embedBatch(texts.subList(from, Math.min(texts.size(), from + batchSize))));
        }
        return out;
    }

    private List<float[]> embedBatch(List<String> batch) {
        ObjectNode body = Json.object().put("model", model).put("encoding_format", "float");
        ArrayNode input = body.putArray("input");
        batch.forEach(input::add);
        if (sendDimensions) {
            body.put("dimensions", dimension);
        }
        Request.Builder rb = new Request.Builder().url(endpoint).post(ProviderClient.jsonBody(body));
        if (apiKey.isPresent()) {
            rb.header("Authorization", "Bearer " + apiKey.reveal());
        }
        headers.forEach(rb::header);
        JsonNode answer = client.executeJson(rb.build());
        JsonNode data = answer.path("data");
        if (!data.isArray() || data.size() != batch.size()) {
            throw malformed("expected " + batch.size() + " embeddings, got "
                    + (data.isArray() ? String.valueOf(data.size()) : "no data array"));
        }
        float[][] vectors = new float[batch.size()][];
        int position = 0;
        for (JsonNode item : data) {
            int index = item.path("index").asInt(position);
            position++;
            if (index < 0 || index >= vectors.length || vectors[index] != null) {
                throw malformed("embedding index " + index + " is out of range or repeated");
            }
            JsonNode values = item.path("embedding");
            if (!values.isArray() || values.isEmpty()) {
                throw malformed("embedding " + index + " is not a non-empty array of numbers");
            }
            float[] v = new float[values.size()];
            for (int k = 0; k < v.length; k++) {
                JsonNode n = values.get(k);
                if (!n.isNumber()) {
                    throw malformed("embedding " + index + " holds a non-number");
                }
                v[k] = n.floatValue();
            }
            vectors[index] = v;
        }
        int expected = dimension;
        for (float[] v : vectors) {
            if (expected == 0) {
                expected = v.length;
                dimension = expected;
            } else if (v.length != expected) {
                throw malformed("expected vectors of dimension " + expected + ", got " + v.length);
            }
        }
        return List.of(vectors);
    }

    private ModelException malformed(String what) {
        return new ModelException.MalformedResponse(provider, provider + " embeddings: " + what, null);
    }

    /** The vector length; learned from the server (one probe call) when not configured. */
    @Override
    public int dimension() {
        int d = dimension;
        if (d == 0) {
            embedAll(List.of("dimension probe"));
            d = dimension;
        }
        return d;
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
        return "OpenAiEmbeddings[provider=" + provider + ", baseUrl=" + baseUrl + ", model=" + model + ", dimension="
                + (dimension == 0 ? "unknown" : dimension) + ", apiKey=" + apiKey + "]";
    }

    /** Configures an {@link OpenAiEmbeddings}; same connection options as {@link OpenAiCompatible.Builder}. Not thread-safe. */
    public static final class Builder {
        private String providerName = "openai";
        private String baseUrl = OpenAiCompatible.OPENAI_BASE_URL;
        private String model;
        private String apiKey;
        private String apiKeyEnv;
        private HttpConfig http = HttpConfig.defaults();
        private OkHttpClient httpClient;
        private int dimension;
        private boolean sendDimensions;
        private int batchSize = 256;
        private final Map<String, String> headers = new LinkedHashMap<>();

        private Builder() {}

        /**
         * Name used in ids, logs and exceptions (default {@code openai}).
         *
         * @param providerName the name
         * @return this builder
         */
        public Builder providerName(String providerName) {
            this.providerName = Objects.requireNonNull(providerName, "providerName");
            return this;
        }

        /**
         * The API root; {@code /embeddings} is appended.
         *
         * @param baseUrl the API root; {@code /embeddings} is appended
         * @return this builder
         */
        public Builder baseUrl(String baseUrl) {
            this.baseUrl = Objects.requireNonNull(baseUrl, "baseUrl");
            return this;
        }

        /**
         * The embedding model requests ask for.
         *
         * @param model the model name, for example {@code text-embedding-3-small}
         * @return this builder
         */
        public Builder model(String model) {
            this.model = model;
            return this;
        }

        /**
         * The API key; null or blank means none.
         *
         * @param apiKey the API key; null or blank means none
         * @return this builder
         */
        public Builder apiKey(String apiKey) {
            this.apiKey = apiKey;
            return this;
        }

        /**
         * Reads the key from environment variable {@code name} at {@link #build()}; unset fails there.
         *
         * @param name the variable's name
         * @return this builder
         */
        public Builder apiKeyFromEnv(String name) {
            this.apiKeyEnv = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * Timeouts, retries and interceptors for a client this model creates and owns.
         *
         * @param http the configuration
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
         * The expected vector length; answers are checked against it.
         *
         * @param dimension the expected vector length; answers are checked against it
         * @return this builder
         */
        public Builder dimension(int dimension) {
            if (dimension <= 0) {
                throw new IllegalArgumentException("dimension must be positive, was " + dimension);
            }
            this.dimension = dimension;
            return this;
        }

        /**
         * Also send {@code dimensions} so the server shortens vectors (OpenAI text-embedding-3 models).
         *
         * @param sendDimensions whether to send {@code dimensions}
         * @return this builder
         */
        public Builder sendDimensions(boolean sendDimensions) {
            this.sendDimensions = sendDimensions;
            return this;
        }

        /**
         * Most inputs per request (default 256).
         *
         * @param batchSize the most inputs per request
         * @return this builder
         */
        public Builder batchSize(int batchSize) {
            if (batchSize <= 0) {
                throw new IllegalArgumentException("batchSize must be positive, was " + batchSize);
            }
            this.batchSize = batchSize;
            return this;
        }

        /**
         * An extra header on every request.
         *
         * @param name the header name
         * @param value the header value
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
        public OpenAiEmbeddings build() {
            return new OpenAiEmbeddings(this);
        }

        @Override
        public String toString() {
            return "OpenAiEmbeddings.Builder[provider=" + providerName + ", baseUrl=" + baseUrl + ", model=" + model + "]";
        }
    }
}
