package dev.keel.agents.recording;

import java.util.Objects;

/**
 * One resource a permission filter checked, and its outcome. Never the resource's content.
 *
 * @param resource the resource, for example {@code document:roadmap}
 * @param allowed  whether the subject may have it
 * @param reason   why it was withheld (for example {@code DENIED}, {@code CONDITIONAL}, {@code ERROR}), empty
 *                 when allowed
 */
public record CheckedResource(String resource, boolean allowed, String reason) {
    /**
     * Checks the values are present.
     *
     * @param allowed whether the subject may have it
     * @param reason why it was withheld (for example {@code DENIED}, {@code CONDITIONAL}, {@code ERROR}), empty when
     *     allowed
     * @param resource the resource, for example {@code document:roadmap}
     */
    public CheckedResource {
        Objects.requireNonNull(resource, "resource");
        Objects.requireNonNull(reason, "reason");
    }

    /**
     * An allowed resource.
     *
     * @param resource the resource, for example {@code document:roadmap}
     * @return an allowed resource
     */
    public static CheckedResource allowed(String resource) {
        return new CheckedResource(resource, true, "");
    }

    /**
     * A withheld resource.
     *
     * @param reason why it was withheld (for example {@code DENIED}, {@code CONDITIONAL}, {@code ERROR}), empty when
     *     allowed
     * @param resource the resource, for example {@code document:roadmap}
     * @return a withheld resource
     */
    public static CheckedResource withheld(String resource, String reason) {
        return new CheckedResource(resource, false, reason);
    }
}
