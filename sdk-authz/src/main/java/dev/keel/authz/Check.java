package dev.keel.authz;

import java.util.Map;
import java.util.Objects;

/**
 * One permission question: does {@code subject} have {@code permission} on {@code resource}?
 * Optional caveat context supplies the values caveats need at check time; without it a caveated
 * path answers {@link CheckResult#CONDITIONAL}.
 *
 * @param resource   the resource
 * @param permission a permission or relation name from the schema
 * @param subject    the subject
 * @param context    caveat context (JSON-like values), possibly empty
 */
public record Check(ObjectRef resource, String permission, SubjectRef subject, Map<String, Object> context) {

    /**
     * A check without caveat context.
     *
     * @param resource the resource
     * @param permission the permission or relation to check
     * @param subject the subject asking
     */
    public Check(ObjectRef resource, String permission, SubjectRef subject) {
        this(resource, permission, subject, Map.of());
    }

    /**
     * Requires all parts; copies the context.
     *
     * @param context caveat context (JSON-like values), possibly empty
     * @param permission a permission or relation name from the schema
     * @param resource the resource
     * @param subject the subject
     */
    public Check {
        context = context == null ? Map.of() : Map.copyOf(context);
        Objects.requireNonNull(resource, "resource");
        Objects.requireNonNull(permission, "permission");
        Objects.requireNonNull(subject, "subject");
        if (!SubjectRef.RELATION.matcher(permission).matches()) {
            throw new IllegalArgumentException("invalid permission name '" + permission + "'");
        }
    }

    /**
     * Creates a check.
     *
     * @param resource the resource
     * @param permission the permission or relation to check
     * @param subject the subject asking
     * @return the check
     */
    public static Check of(ObjectRef resource, String permission, SubjectRef subject) {
        return new Check(resource, permission, subject);
    }

    /**
     * The same check with caveat {@code context}.
     *
     * @param context the caveat context, merged with any stored on the relationship
     * @return the same check with caveat {@code context}
     */
    public Check withContext(Map<String, Object> context) {
        return new Check(resource, permission, subject, context);
    }

    @Override
    public String toString() {
        return resource + "#" + permission + "@" + subject + (context.isEmpty() ? "" : " with context " + context.keySet());
    }
}
