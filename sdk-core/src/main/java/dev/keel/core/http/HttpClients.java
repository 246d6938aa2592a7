package dev.keel.core.http;

import okhttp3.OkHttpClient;

/** Creates OkHttp clients from an {@link HttpConfig}. */
public final class HttpClients {
    private HttpClients() {}

    /**
     * A new client with the configuration's timeouts and interceptors. Share the result: every
     * {@code OkHttpClient} owns a connection pool and threads.
     */
    public static OkHttpClient create(HttpConfig config) {
        OkHttpClient.Builder b = new OkHttpClient.Builder()
                .connectTimeout(config.connectTimeout())
                .readTimeout(config.readTimeout())
                .callTimeout(config.callTimeout());
        config.interceptors().forEach(b::addInterceptor);
        return b.build();
    }
}
