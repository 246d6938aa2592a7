package dev.keel.agents.approval;

import java.util.Locale;
import java.util.Optional;

/**
 * docker-agent's safety modes for tool approval, applied when a tool call matches no {@code allow},
 * {@code ask} or {@code deny} pattern ({@code deny} patterns always win).
 */
public enum Safety {
    /** Ask about every call, read-only tools included. */
    STRICT,
    /** Read-only tools run; everything else is asked (Keel's default). */
    BALANCED,
    /** For unattended runs: read-only tools run, everything else is denied without asking (fail closed). */
    RESTRICTED,
    /** Approve every call (like {@code yolo}); review the configuration before using it. */
    AUTONOMOUS;

    /**
     * The mode a team file names.
     *
     * @param name {@code strict}, {@code balanced}, {@code restricted} or {@code autonomous}
     * @return the mode, or empty
     */
    public static Optional<Safety> named(String name) {
        try {
            return Optional.of(valueOf(name.strip().toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
