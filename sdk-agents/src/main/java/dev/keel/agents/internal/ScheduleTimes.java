package dev.keel.agents.internal;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;

/**
 * The times of docker-agent's {@code scheduler}: a schedule's {@code when} read into its first fire and interval,
 * and a recurring schedule's next fire after one was taken. Pure functions of their arguments (the caller gives
 * "now"); stateless and thread-safe. Not API.
 */
public final class ScheduleTimes {
    /** The shortest interval of a recurring schedule. */
    public static final Duration MIN_INTERVAL = Duration.ofMinutes(1);
    /** Every accepted form of {@code when}, with an example each, for tool descriptions and errors. */
    public static final String FORMS = "in:<duration> (in:10m), at:<RFC 3339 time> (at:2026-07-14T09:00:00Z), "
            + "every:<duration> (every:1h, at least 1m), or one of minutely, hourly, daily, weekly";
    private static final Map<String, Duration> PRESETS = Map.of("minutely", Duration.ofMinutes(1),
            "hourly", Duration.ofHours(1), "daily", Duration.ofDays(1), "weekly", Duration.ofDays(7));

    private ScheduleTimes() {}

    /**
     * A parsed {@code when}: the first fire, and the interval (zero for a one-shot schedule).
     *
     * @param first    the first fire
     * @param interval the interval, or zero
     */
    public record When(Instant first, Duration interval) {}

    /**
     * Reads {@code when} at {@code now}: {@code in:<Go duration>}, {@code at:<RFC 3339 time with offset>} (in the
     * future), {@code every:<Go duration>} (at least {@link #MIN_INTERVAL}) or a preset.
     *
     * @param when the value as written
     * @param now  the current time
     * @return the first fire and interval
     * @throws IllegalArgumentException saying why the value is not a schedule
     */
    public static When parse(String when, Instant now) {
        String s = when.strip();
        if (s.isEmpty()) {
            throw new IllegalArgumentException("it is empty");
        }
        String lower = s.toLowerCase(Locale.ROOT);
        Duration preset = PRESETS.get(lower);
        if (preset != null) {
            return new When(now.plus(preset), preset);
        }
        if (lower.startsWith("in:")) {
            Duration d = positive(GoDurations.parse(s.substring(3).strip()), "the delay");
            return new When(now.plus(d), Duration.ZERO);
        }
        if (lower.startsWith("every:")) {
            Duration d = positive(GoDurations.parse(s.substring(6).strip()), "the interval");
            if (d.compareTo(MIN_INTERVAL) < 0) {
                throw new IllegalArgumentException("a recurring interval must be at least 1m, got "
                        + GoDurations.format(d));
            }
            return new When(now.plus(d), d);
        }
        if (lower.startsWith("at:")) {
            String t = s.substring(3).strip();
            Instant at;
            try {
                at = OffsetDateTime.parse(t, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("'" + t + "' is not an RFC 3339 time with an offset");
            }
            if (!at.isAfter(now)) {
                throw new IllegalArgumentException(at + " is not in the future (now is " + now + ")");
            }
            return new When(at, Duration.ZERO);
        }
        throw new IllegalArgumentException("not a schedule");
    }

    /**
     * The first of {@code due + k·interval} ({@code k ≥ 1}) after {@code now}: a recurring schedule's next fire once
     * the fire due at {@code due} was taken at {@code now}.
     *
     * @param due      when the fire taken was due
     * @param interval the schedule's interval (positive)
     * @param now      when it was taken
     * @return the next fire, after {@code now}
     */
    public static Instant nextAfter(Instant due, Duration interval, Instant now) {
        long k = 1;
        if (now.isAfter(due)) {
            k = Duration.between(due, now).dividedBy(interval) + 1;
        }
        return due.plus(interval.multipliedBy(k));
    }

    private static Duration positive(Duration d, String what) {
        if (d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException(what + " must be positive");
        }
        return d;
    }
}
