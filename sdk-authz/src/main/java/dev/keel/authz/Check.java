package dev.keel.authz;

import java.util.Objects;

/**
 * One permission question: does {@code subject} have {@code permission} on {@code resource}?
 *
 * @param resource   the resource
 * @param permission a permission or relation name from the schema
 * @param subject    the subject
 */
public record Check(ObjectRef resource, String permission, SubjectRef subject) {
    /** Requires all parts. */
    public Check {
        Objects.requireNonNull(resource, "resource");
        Objects.requireNonNull(permission, "permission");
        Objects.requireNonNull(subject, "subject");
        if (!SubjectRef.RELATION.matcher(permission).matches()) {
            throw new IllegalArgumentException("invalid permission name '" + permission + "'");
        }
    }

    /** Creates a check. */
    public static Check of(ObjectRef resource, String permission, SubjectRef subject) {
        return new Check(resource, permission, subject);
    }

    @Override
    public String toString() {
        return resource + "#" + permission + "@" + subject;
    }
}
