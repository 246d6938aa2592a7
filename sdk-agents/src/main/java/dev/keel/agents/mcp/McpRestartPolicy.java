package dev.keel.agents.mcp;

import java.time.Duration;
import java.util.Objects;

/**
 * Whether and how an {@link McpToolset} restarts a server that stopped (docker-agent's {@code lifecycle.restart},
 * {@code max_restarts} and {@code backoff}). Keel restarts lazily: the first use after the server stopped (a
 * crash, a broken connection, a call that timed out) starts it again, after the backoff has passed since it
 * stopped; a successful call resets the count of consecutive restarts. When the policy says no — {@link Mode#NEVER},
 * {@link Mode#ON_FAILURE} after the process exited with status 0, or more than {@link #maxRestarts()} restarts in
 * a row — every later use is a tool error saying why, until the toolset is closed. Immutable.
 *
 * @param mode           when to restart
 * @param maxRestarts    consecutive restarts allowed; {@code -1} = unlimited
 * @param initialBackoff the wait before the first restart
 * @param maxBackoff     the longest wait
 * @param multiplier     how the wait grows with each consecutive restart (at least 1)
 */
public record McpRestartPolicy(Mode mode, int maxRestarts, Duration initialBackoff, Duration maxBackoff,
                               double multiplier) {

    /** When a stopped server is started again. */
    public enum Mode {
        /** Never: the toolset stays down. */
        NEVER,
        /** After a failure: not when a stdio server exited with status 0. */
        ON_FAILURE,
        /** Whenever it stopped. */
        ALWAYS
    }

    /**
     * Checks the values.
     *
     * @param mode           when to restart
     * @param maxRestarts    consecutive restarts allowed; {@code -1} = unlimited
     * @param initialBackoff the wait before the first restart
     * @param maxBackoff     the longest wait
     * @param multiplier     how the wait grows with each consecutive restart
     * @throws IllegalArgumentException for {@code maxRestarts < -1}, a negative wait, a maximum below the initial
     *                                  wait, or a multiplier below 1 (or not a number)
     */
    public McpRestartPolicy {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        if (maxRestarts < -1) {
            throw new IllegalArgumentException("maxRestarts must be -1 (unlimited) or more, was " + maxRestarts);
        }
        if (initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("backoff must be 0 <= initial <= max, was " + initialBackoff + " .. "
                    + maxBackoff);
        }
        if (!(multiplier >= 1) || Double.isInfinite(multiplier)) {
            throw new IllegalArgumentException("multiplier must be a finite number of at least 1, was " + multiplier);
        }
    }

    /**
     * Restart at the next use, as often as needed, without waiting: what an {@link McpToolset} does by default.
     *
     * @return the policy
     */
    public static McpRestartPolicy onNextUse() {
        return new McpRestartPolicy(Mode.ALWAYS, -1, Duration.ZERO, Duration.ZERO, 1);
    }

    /**
     * docker-agent's {@code resilient} profile: after a failure, at most 5 restarts in a row, waiting 1 s, then
     * twice as long each time, at most 32 s.
     *
     * @return the policy
     */
    public static McpRestartPolicy resilient() {
        return new McpRestartPolicy(Mode.ON_FAILURE, 5, Duration.ofSeconds(1), Duration.ofSeconds(32), 2);
    }

    /**
     * No restart: once the server stopped, the toolset stays down (docker-agent's {@code strict} and
     * {@code best-effort} profiles).
     *
     * @return the policy
     */
    public static McpRestartPolicy never() {
        return new McpRestartPolicy(Mode.NEVER, 0, Duration.ZERO, Duration.ZERO, 1);
    }

    /**
     * The wait before the {@code restart}-th consecutive restart: {@code initial * multiplier^(restart-1)}, at most
     * {@code maxBackoff}.
     *
     * @param restart the restart's number in a row, from 1
     * @return the wait
     */
    public Duration backoff(int restart) {
        if (restart < 1 || initialBackoff.isZero()) {
            return Duration.ZERO;
        }
        double nanos = initialBackoff.toNanos() * Math.pow(multiplier, restart - 1);
        return nanos >= maxBackoff.toNanos() ? maxBackoff : Duration.ofNanos((long) nanos);
    }

    /**
     * Whether a further restart is allowed after {@code restarts} in a row.
     *
     * @param restarts consecutive restarts so far
     * @return whether one more is allowed
     */
    public boolean allows(int restarts) {
        return mode != Mode.NEVER && (maxRestarts < 0 || restarts < maxRestarts);
    }
}
