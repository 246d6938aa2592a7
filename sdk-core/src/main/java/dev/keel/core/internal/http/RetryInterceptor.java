package dev.keel.core.internal.http;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import javax.net.ssl.SSLException;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retries a call on HTTP 429, HTTP 5xx and connection failures (an {@link IOException} before any
 * response), with exponential backoff and full jitter: before retry {@code n} (0-based) it waits a
 * random time in {@code [0, min(maxBackoff, initialBackoff * 2^n)]}. A {@code Retry-After} (or
 * {@code retry-after-ms}) header replaces the computed wait; when it asks for longer than
 * {@code maxBackoff} the response is returned as is, so the caller sees the 429 and its header.
 *
 * <p>Timeouts are not retried (the caller's time budget is spent), nor unknown hosts or TLS failures
 * (retrying cannot help), nor requests whose body is one-shot (it cannot be sent twice).
 * When retries are exhausted the last response is returned, or the last exception rethrown.
 *
 * <p>Logs one debug line per attempt with the method and URL (key-like query values masked); never
 * headers. Thread-safe and stateless between calls.
 */
public final class RetryInterceptor implements Interceptor {
    private static final Logger LOG = LoggerFactory.getLogger(RetryInterceptor.class);

    /** How the interceptor waits; tests substitute a recording implementation. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    private final int maxRetries;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final Sleeper sleeper;
    private final Clock clock;

    public RetryInterceptor(int maxRetries, Duration initialBackoff, Duration maxBackoff) {
        this(maxRetries, initialBackoff, maxBackoff, d -> Thread.sleep(d.toMillis()), Clock.systemUTC());
    }

    public RetryInterceptor(int maxRetries, Duration initialBackoff, Duration maxBackoff, Sleeper sleeper, Clock clock) {
        if (maxRetries < 0) {
            throw new IllegalArgumentException("maxRetries cannot be negative");
        }
        this.maxRetries = maxRetries;
        this.initialBackoff = Objects.requireNonNull(initialBackoff, "initialBackoff");
        this.maxBackoff = Objects.requireNonNull(maxBackoff, "maxBackoff");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public Response intercept(Chain chain) throws IOException {
        Request request = chain.request();
        boolean replayable = request.body() == null || !request.body().isOneShot();
        int attempts = replayable ? maxRetries + 1 : 1;
        String where = request.method() + " " + LogSafe.url(request.url());
        for (int attempt = 1; ; attempt++) {
            LOG.debug("{} attempt {}/{}", where, attempt, attempts);
            Response response;
            try {
                response = chain.proceed(request);
            } catch (IOException e) {
                if (attempt >= attempts || !isRetryable(e) || chain.call().isCanceled()) {
                    throw e;
                }
                Duration wait = backoff(attempt - 1);
                LOG.debug("{} failed ({}); retrying in {} ms", where, e.getClass().getSimpleName(), wait.toMillis());
                pause(wait, chain);
                continue;
            }
            int code = response.code();
            if (attempt >= attempts || !isRetryable(code)) {
                return response;
            }
            Optional<Duration> asked = RetryAfter.from(response.headers(), clock.instant());
            if (asked.isPresent() && asked.get().compareTo(maxBackoff) > 0) {
                LOG.debug("{} got HTTP {} with Retry-After {} s beyond the {} s cap; not waiting", where, code,
                        asked.get().toSeconds(), maxBackoff.toSeconds());
                return response;
            }
            Duration wait = asked.isPresent() ? asked.get() : backoff(attempt - 1);
            LOG.debug("{} got HTTP {}; retrying in {} ms", where, code, wait.toMillis());
            response.close();
            pause(wait, chain);
        }
    }

    /** Full jitter: uniform in [0, min(maxBackoff, initialBackoff * 2^retry)]. */
    Duration backoff(int retry) {
        long initial = Math.max(0, initialBackoff.toMillis());
        long cap = Math.max(0, maxBackoff.toMillis());
        long exp;
        if (initial == 0) {
            exp = 0;
        } else if (retry >= Long.numberOfLeadingZeros(initial) - 1) {
            exp = Long.MAX_VALUE; // initial * 2^retry would overflow
        } else {
            exp = initial << retry;
        }
        long bound = Math.min(cap, exp);
        return Duration.ofMillis(bound == 0 ? 0 : ThreadLocalRandom.current().nextLong(bound + 1));
    }

    private void pause(Duration wait, Chain chain) throws IOException {
        try {
            if (!wait.isZero()) {
                sleeper.sleep(wait);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting to retry");
        }
        if (chain.call().isCanceled()) {
            // the call timeout expired (or the call was cancelled) while we waited
            throw new InterruptedIOException("call timed out or was cancelled while waiting to retry");
        }
    }

    static boolean isRetryable(int code) {
        return code == 429 || code >= 500;
    }

    static boolean isRetryable(IOException e) {
        // Timeouts mean the time budget is used up; unknown hosts and TLS failures will not heal.
        return !(e instanceof InterruptedIOException) && !(e instanceof UnknownHostException)
                && !(e instanceof SSLException);
    }

    @Override
    public String toString() {
        return "RetryInterceptor[maxRetries=" + maxRetries + ", initialBackoff=" + initialBackoff + ", maxBackoff="
                + maxBackoff + "]";
    }
}
