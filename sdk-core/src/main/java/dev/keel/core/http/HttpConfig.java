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

    /**
     * Creates the value, checking its components.
     *
     * @param connectTimeout time to establish a connection
     * @param readTimeout maximum silence between two reads (also between two streamed events)
     * @param callTimeout whole-call limit including retries; {@link Duration#ZERO} = none (streams)
     * @param maxRetries retries after the first attempt on 429, 5xx and connection resets
     * @param initialBackoff first backoff; doubles per retry, with full jitter, capped by {@code maxBackoff}
     * @param maxBackoff largest wait between attempts (a longer {@code Retry-After} fails instead)
     * @param interceptors application interceptors, outermost first (a cassette recorder goes here)
     */
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

    /**
     * Defaults: connect 10 s, read 120 s, no call timeout, 3 retries from 500 ms up to 30 s.
     *
     * @return the defaults
     */
    public static HttpConfig defaults() {
        return builder().build();
    }

    /**
     * Starts a builder with the defaults.
     *
     * @return the builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder that starts from this configuration.
     *
     * @return the builder
     */
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

        /**
         * Connect timeout.
         *
         * @param d the timeout
         * @return this builder
         */
        public Builder connectTimeout(Duration d) { connectTimeout = d; return this; }

        /**
         * Longest silence between two reads, also between two streamed events.
         *
         * @param d the timeout
         * @return this builder
         */
        public Builder readTimeout(Duration d) { readTimeout = d; return this; }

        /**
         * Limit of a whole call, retries included; {@link Duration#ZERO} for none (streams).
         *
         * @param d the timeout
         * @return this builder
         */
        public Builder callTimeout(Duration d) { callTimeout = d; return this; }

        /**
         * Retries after the first attempt on 429, 5xx and connection resets.
         *
         * @param n the number of retries
         * @return this builder
         */
        public Builder maxRetries(int n) { maxRetries = n; return this; }

        /**
         * The first wait between attempts, doubled after each.
         *
         * @param d the wait
         * @return this builder
         */
        public Builder initialBackoff(Duration d) { initialBackoff = d; return this; }

        /**
         * The longest wait between attempts.
         *
         * @param d the wait
         * @return this builder
         */
        public Builder maxBackoff(Duration d) { maxBackoff = d; return this; }

        /**
         * Adds an application interceptor after those already added.
         *
         * @param interceptor the interceptor
         * @return this builder
         */
        public Builder addInterceptor(Interceptor interceptor) {
            interceptors.add(Objects.requireNonNull(interceptor, "interceptor"));
            return this;
        }

        /**
         * Builds the configuration.
         *
         * @return the configuration
         */
        public HttpConfig build() {
            return new HttpConfig(connectTimeout, readTimeout, callTimeout, maxRetries, initialBackoff, maxBackoff,
                    interceptors);
        }
    }
}
