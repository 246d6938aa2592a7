package dev.keel.core.internal.compose;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Waits between retries of one model: {@code initial} doubling per retry up to {@code max}, with ±10 % jitter
 * (docker-agent's 200 ms → 2 s). Thread-safe when the random generator is (access to it is synchronized).
 */
public final class Backoff {
    private static final double JITTER = 0.1;

    private final Duration initial;
    private final Duration max;
    private final RandomGenerator random;

    public Backoff(Duration initial, Duration max, RandomGenerator random) {
        this.initial = Objects.requireNonNull(initial, "initial");
        this.max = Objects.requireNonNull(max, "max");
        this.random = Objects.requireNonNull(random, "random");
        if (initial.isNegative() || max.isNegative()) {
            throw new IllegalArgumentException("backoff cannot be negative");
        }
    }

    /** The wait after failed attempt {@code attempt} (from 1) of one model. */
    public Duration delay(int attempt) {
        double nanos = initial.toNanos();
        for (int i = 1; i < attempt && nanos < max.toNanos(); i++) {
            nanos *= 2;
        }
        nanos = Math.min(nanos, max.toNanos());
        double r;
        synchronized (random) {
            r = random.nextDouble();
        }
        return Duration.ofNanos(Math.round(nanos * (1 + JITTER * (2 * r - 1))));
    }

    @Override
    public String toString() {
        return "Backoff[" + initial + " doubling to " + max + ", ±10%]";
    }
}
