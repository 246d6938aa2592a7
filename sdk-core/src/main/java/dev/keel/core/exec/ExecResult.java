package dev.keel.core.exec;

import java.time.Duration;
import java.util.Objects;

/**
 * What a command did.
 *
 * @param exitCode  the exit status (128+n when killed by signal n; -1 when unknown)
 * @param stdout    standard output decoded as UTF-8, up to the command's output limit
 * @param stderr    standard error decoded as UTF-8, up to the command's output limit
 * @param timedOut  the command was killed because it exceeded its timeout
 * @param truncated output beyond the limit was dropped
 * @param duration  wall-clock time from start to exit
 */
public record ExecResult(int exitCode, String stdout, String stderr, boolean timedOut, boolean truncated,
                         Duration duration) {
    /**
     * Creates the value, checking its components.
     *
     * @param exitCode the exit status (128+n when killed by signal n; -1 when unknown)
     * @param stdout standard output decoded as UTF-8, up to the command's output limit
     * @param stderr standard error decoded as UTF-8, up to the command's output limit
     * @param timedOut the command was killed because it exceeded its timeout
     * @param truncated output beyond the limit was dropped
     * @param duration wall-clock time from start to exit
     */
    public ExecResult {
        stdout = Objects.requireNonNullElse(stdout, "");
        stderr = Objects.requireNonNullElse(stderr, "");
        duration = Objects.requireNonNullElse(duration, Duration.ZERO);
    }

    /**
     * Exit code 0 and no timeout.
     *
     * @return true when the command succeeded
     */
    public boolean ok() {
        return exitCode == 0 && !timedOut;
    }
}
