package dev.keel.core.http;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import okhttp3.Interceptor;

/**
 * Immutable HTTP settings shared by Keel's providers: timeouts, retry policy and interceptors.
 * {@link HttpClients#create(HttpConfig)} turns it into an {@code OkHttpClient}; build one client per
 * configuration and share it.
 *
 * @param connectTimeout time to establish a connection
 * @param readTimeout    maximum silence between two reads (also between two streamed events)
 * @param callTimeout    whole-call limit including retries; {@link Duration#ZERO} = none (streams)
 * @param maxRetries     retries after the first attempt on 429, 5xx and connection resets
 * @param initialBackoff first backoff; doubles per retry, with full jitter, capped by {@code maxBackoff}
 * @param maxBackoff     largest wait between attempts (a longer {@code Retry-After} fails instead)
 * @param interceptors   application interceptors, outermost first (a cassette recorder goes here)
 */
public record HttpConfig(Duration connectTimeout, Duration readTimeout, Duration callTimeout, int maxRetries,
                         Duration initialBackoff, Duration maxBackoff, List<Interceptor> interceptors) {

    public HttpConfig {
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(readTimeout, "readTimeout");
        Objects.requireNonNull(callTimeout, "callTimeout");
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        if (maxRetries < 0) {
            throw new IllegalArgumentException("maxRetries cannot be negative");
        }
        interceptors = List.copyOf(interceptors == null ? List.of() : interceptors);
    }

    /** Defaults: connect 10 s, read 120 s, no call timeout, 3 retries from 500 ms up to 30 s. */
    public static HttpConfig defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.connectTimeout = connectTimeout;
        b.readTimeout = readTimeout;
        b.callTimeout = callTimeout;
        b.maxRetries = maxRetries;
        b.initialBackoff = initialBackoff;
        b.maxBackoff = maxBackoff;
        b.interceptors.addAll(interceptors);
        return b;
    }

    /** Builder for {@link HttpConfig}. Not thread-safe. */
    public static final class Builder {
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration readTimeout = Duration.ofSeconds(120);
        private Duration callTimeout = Duration.ZERO;
        private int maxRetries = 3;
        private Duration initialBackoff = Duration.ofMillis(500);
        private Duration maxBackoff = Duration.ofSeconds(30);
        private final List<Interceptor> interceptors = new ArrayList<>();

        private Builder() {}

        public Builder connectTimeout(Duration d) { connectTimeout = d; return this; }
        public Builder readTimeout(Duration d) { readTimeout = d; return this; }
        public Builder callTimeout(Duration d) { callTimeout = d; return this; }
        public Builder maxRetries(int n) { maxRetries = n; return this; }
        public Builder initialBackoff(Duration d) { initialBackoff = d; return this; }
        public Builder maxBackoff(Duration d) { maxBackoff = d; return this; }

        /** Adds an application interceptor after those already added. */
        public Builder addInterceptor(Interceptor interceptor) {
            interceptors.add(Objects.requireNonNull(interceptor, "interceptor"));
            return this;
        }

        public HttpConfig build() {
            return new HttpConfig(connectTimeout, readTimeout, callTimeout, maxRetries, initialBackoff, maxBackoff,
                    interceptors);
        }
    }
}
