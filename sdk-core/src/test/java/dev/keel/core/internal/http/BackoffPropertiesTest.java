package dev.keel.core.internal.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

class BackoffPropertiesTest {

    @Property
    void fullJitterStaysWithinTheExponentialCap(@ForAll @IntRange(min = 0, max = 80) int retry,
                                                @ForAll @LongRange(min = 0, max = 10_000) long initialMs,
                                                @ForAll @LongRange(min = 0, max = 120_000) long maxMs) {
        RetryInterceptor r = new RetryInterceptor(3, Duration.ofMillis(initialMs), Duration.ofMillis(maxMs));
        double exponential = initialMs * Math.pow(2, retry);
        long cap = (long) Math.min(maxMs, exponential);
        Duration d = r.backoff(retry);
        assertThat(d.toMillis()).isBetween(0L, cap);
    }
}
