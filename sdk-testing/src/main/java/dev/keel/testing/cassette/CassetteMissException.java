package dev.keel.testing.cassette;

import java.util.Objects;
import java.util.Optional;

/**
 * A request had no recorded interaction to replay (and the mode does not allow recording it). The
 * message shows the request, the closest recorded one and a readable diff between the two, with
 * volatile values normalised and secrets redacted.
 */
public final class CassetteMissException extends CassetteException {
    private static final long serialVersionUID = 1L;

    /** The request that had no recording, rendered. */
    private final String request;

    /** The index of the closest recorded interaction, or null. */
    private final Integer closestIndex;

    /** The differences from the closest recording. */
    private final String diff;

    /**
     * Creates the exception.
     *
     * @param message      the complete explanation
     * @param request      the missed request, {@code METHOD URL}
     * @param closestIndex 0-based index of the closest recorded interaction, or {@code null} when the
     *                     cassette has none
     * @param diff         the readable diff against the closest one (empty when none)
     */
    public CassetteMissException(String message, String request, Integer closestIndex, String diff) {
        super(message);
        this.request = Objects.requireNonNull(request, "request");
        this.closestIndex = closestIndex;
        this.diff = diff == null ? "" : diff;
    }

    /**
     * The request that missed, as {@code METHOD URL} (query secrets redacted).
     *
     * @return the request that missed
     */
    public String request() {
        return request;
    }

    /**
     * Index of the closest recorded interaction, if the cassette has any.
     *
     * @return the index, if any
     */
    public Optional<Integer> closestIndex() {
        return Optional.ofNullable(closestIndex);
    }

    /**
     * Line-by-line differences between the closest recording and the request.
     *
     * @return the differences
     */
    public String diff() {
        return diff;
    }
}
