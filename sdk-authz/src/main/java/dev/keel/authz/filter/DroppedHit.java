package dev.keel.authz.filter;

import dev.keel.authz.ObjectRef;
import java.util.Objects;

/**
 * One hit a {@link PostFilter} removed, for audit logs. Carries the rank and resource id, never the
 * hit's content.
 *
 * @param rank     position of the hit in the retriever's ranking (0 = best)
 * @param resource the resource the hit belongs to, or {@code null} when the extractor failed
 * @param reason   why it was dropped
 * @param detail   a short technical detail for errors (empty for plain denials); never hit content
 */
public record DroppedHit(int rank, ObjectRef resource, DropReason reason, String detail) {
    /**
     * Requires a reason; null detail becomes empty.
     *
     * @param detail a short technical detail for errors (empty for plain denials); never hit content
     * @param rank position of the hit in the retriever's ranking (0 = best)
     * @param reason why it was dropped
     * @param resource the resource the hit belongs to, or {@code null} when the extractor failed
     */
    public DroppedHit {
        Objects.requireNonNull(reason, "reason");
        detail = detail == null ? "" : detail;
    }

    @Override
    public String toString() {
        return "#" + rank + " " + (resource == null ? "?" : resource) + " " + reason + (detail.isEmpty() ? "" : " (" + detail + ")");
    }
}
