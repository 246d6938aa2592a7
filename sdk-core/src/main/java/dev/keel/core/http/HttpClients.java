package dev.keel.core.http;

import dev.keel.core.internal.http.RetryInterceptor;
import okhttp3.OkHttpClient;

/**
 * Creates OkHttp clients from an {@link HttpConfig}. Stateless and thread-safe.
 *
 * <p>The client runs the configuration's interceptors in order (outermost first), then Keel's retry
 * interceptor: retries on HTTP 429, 5xx and connection failures with exponential backoff and full
 * jitter, honouring {@code Retry-After} up to {@link HttpConfig#maxBackoff()}. Because retries happen
 * inside the configured interceptors, those interceptors (a cassette recorder, a logger) see one
 * logical call and its final response. Requests with one-shot bodies are never retried.
 */
public final class HttpClients {
    private HttpClients() {}

    /**
     * A new client with the configuration's timeouts, interceptors and retry policy. Share the result:
     * every {@code OkHttpClient} owns a connection pool and threads.
     *
     * @param config the configuration
     * @return a new client with the configuration's timeouts
     */
    public static OkHttpClient create(HttpConfig config) {
        OkHttpClient.Builder b = new OkHttpClient.Builder()
                .connectTimeout(config.connectTimeout())
                .readTimeout(config.readTimeout())
                .callTimeout(config.callTimeout());
        config.interceptors().forEach(b::addInterceptor);
        b.addInterceptor(new RetryInterceptor(config.maxRetries(), config.initialBackoff(), config.maxBackoff()));
        return b.build();
    }

    /**
     * A client sharing {@code client}'s connection pool, dispatcher, timeouts and interceptors, but without
     * Keel's retry interceptor and without following redirects: for calls that must happen at most once
     * because each one is charged or has an effect (a judge service's assessment), and whose endpoint must not
     * be able to send the request, with its credentials, elsewhere. A 3xx answer reaches the caller as it is.
     *
     * @param client the client to derive from (the caller keeps owning it)
     * @return a client that sends each call exactly once, to the URL it was given
     */
    public static OkHttpClient withoutRetriesOrRedirects(OkHttpClient client) {
        OkHttpClient.Builder b = client.newBuilder().followRedirects(false).followSslRedirects(false);
        b.interceptors().removeIf(RetryInterceptor.class::isInstance);
        return b.build();
    }
}
