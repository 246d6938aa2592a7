package dev.keel.authz;

import java.util.Objects;

/**
 * A relationship tuple {@code resource#relation@subject}, for example
 * {@code document:doc1#owner@user:emilia} or {@code folder:f1#viewer@group:eng#member}.
 *
 * @param resource the resource object
 * @param relation the relation on the resource
 * @param subject  the subject
 */
public record Relationship(ObjectRef resource, String relation, SubjectRef subject) {

    /** Validates the parts. */
    public Relationship {
        Objects.requireNonNull(resource, "resource");
        Objects.requireNonNull(relation, "relation");
        Objects.requireNonNull(subject, "subject");
        if (!SubjectRef.RELATION.matcher(relation).matches()) {
            throw new IllegalArgumentException("invalid relation '" + relation + "'");
        }
    }

    /** Creates {@code resource#relation@subject}. */
    public static Relationship of(ObjectRef resource, String relation, SubjectRef subject) {
        return new Relationship(resource, relation, subject);
    }

    /**
     * Parses one relationship in SpiceDB's text form, {@code document:doc1#owner@user:emilia}.
     *
     * @throws RelationshipSyntaxException naming what is wrong
     */
    public static Relationship parse(String text) {
        return RelationshipText.parseLine(text.strip(), 0);
    }

    @Override
    public String toString() {
        return resource + "#" + relation + "@" + subject;
    }
}
