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

    private final String request;
    private final Integer closestIndex;
    private final String diff;

    /**
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

    /** The request that missed, as {@code METHOD URL} (query secrets redacted). */
    public String request() {
        return request;
    }

    /** Index of the closest recorded interaction, if the cassette has any. */
    public Optional<Integer> closestIndex() {
        return Optional.ofNullable(closestIndex);
    }

    /** Line-by-line differences between the closest recording and the request. */
    public String diff() {
        return diff;
    }
}
