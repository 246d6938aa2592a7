package dev.keel.agents.toolsets;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A clock the test moves, starting at {@link #T0}; safe to read from the scheduler's timer thread. */
public final class MovingClock extends Clock {
    /** Where every moving clock starts. */
    public static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
    private volatile Instant now = T0;

    /** Moves the clock forward by {@code d}. */
    public void advance(Duration d) {
        now = now.plus(d);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public Instant instant() {
        return now;
    }
}
