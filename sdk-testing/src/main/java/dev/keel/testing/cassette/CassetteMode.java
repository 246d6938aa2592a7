package dev.keel.testing.cassette;

import java.util.Locale;

/** When a {@link CassetteRecorder} replays and when it records. */
public enum CassetteMode {
    /** Replay only. A request without a recording fails with {@link CassetteMissException}; nothing is written. */
    NONE,
    /** Record every request if the cassette file is absent; otherwise replay only, like {@link #NONE}. */
    ONCE,
    /** Replay requests that have a recording; send the others to the network and add them to the cassette. */
    NEW_EPISODES,
    /** Ignore any existing recording: send every request to the network and rewrite the cassette. */
    ALL,
    /**
     * Replay when the cassette exists. When it does not, record if one of the recorder's key environment
     * variables is set, and otherwise fail on the first request with a message saying what to do.
     */
    AUTO;

    /**
     * Parses a mode name case-insensitively; {@code new-episodes} and {@code new_episodes} both work.
     *
     * @param name the mode's name
     * @return the mode
     * @throws IllegalArgumentException naming the valid modes
     */
    public static CassetteMode parse(String name) {
        String n = name.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (CassetteMode m : values()) {
            if (m.name().equals(n)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown cassette mode '" + name + "'; use one of none, once, new_episodes, all, auto");
    }
}
