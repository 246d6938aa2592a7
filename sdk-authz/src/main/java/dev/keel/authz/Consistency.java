package dev.keel.authz;

import java.util.Objects;

/**
 * How fresh the data a read or check sees must be (SpiceDB's consistency requirement).
 * Keel's clients default to {@link #fullyConsistent()} because a permission filter that reads stale
 * data can show a document whose access was just revoked; choose {@link #minimizeLatency()} when
 * that staleness is acceptable, or {@link #atLeastAsFresh(ZedToken)} to read your own writes cheaply.
 */
public sealed interface Consistency {

    /**
     * Use whatever revision is cheapest (may be a few seconds stale).
     *
     * @return the consistency
     */
    static Consistency minimizeLatency() {
        return MinimizeLatency.INSTANCE;
    }

    /**
     * See at least every write up to {@code token}.
     *
     * @param token the token of the write that must be visible
     * @return the consistency
     */
    static Consistency atLeastAsFresh(ZedToken token) {
        return new AtLeastAsFresh(token);
    }

    /**
     * See the newest data (the most expensive choice).
     *
     * @return the consistency
     */
    static Consistency fullyConsistent() {
        return FullyConsistent.INSTANCE;
    }

    /** See {@link Consistency#minimizeLatency()}. */
    enum MinimizeLatency implements Consistency {
        /** The only value. */
        INSTANCE;

        @Override
        public String toString() {
            return "minimizeLatency";
        }
    }

    /** See {@link Consistency#fullyConsistent()}. */
    enum FullyConsistent implements Consistency {
        /** The only value. */
        INSTANCE;

        @Override
        public String toString() {
            return "fullyConsistent";
        }
    }

    /**
     * See {@link Consistency#atLeastAsFresh(ZedToken)}.
     *
     * @param token the revision to be at least as fresh as
     */
    record AtLeastAsFresh(ZedToken token) implements Consistency {
        /**
         * Requires a token.
         *
         * @param token the revision to be at least as fresh as
         */
        public AtLeastAsFresh {
            Objects.requireNonNull(token, "token");
        }
    }
}
