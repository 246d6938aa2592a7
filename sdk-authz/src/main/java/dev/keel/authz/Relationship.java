package dev.keel.authz;

import java.util.Objects;

/**
 * A relationship tuple {@code resource#relation@subject}, optionally caveated, for example
 * {@code document:doc1#owner@user:emilia}, {@code folder:f1#viewer@group:eng#member} or
 * {@code document:doc2#viewer@user:beatrice[on_shift]}.
 *
 * @param resource the resource object
 * @param relation the relation on the resource
 * @param subject  the subject
 * @param caveat   the caveat, or {@code null} for an unconditional relationship
 */
public record Relationship(ObjectRef resource, String relation, SubjectRef subject, Caveat caveat) {

    /**
     * An unconditional relationship.
     *
     * @param resource the resource
     * @param relation the relation name
     * @param subject the subject related to the resource
     */
    public Relationship(ObjectRef resource, String relation, SubjectRef subject) {
        this(resource, relation, subject, null);
    }

    /**
     * Validates the parts.
     *
     * @param caveat the caveat, or {@code null} for an unconditional relationship
     * @param relation the relation on the resource
     * @param resource the resource object
     * @param subject the subject
     */
    public Relationship {
        Objects.requireNonNull(resource, "resource");
        Objects.requireNonNull(relation, "relation");
        Objects.requireNonNull(subject, "subject");
        if (!SubjectRef.RELATION.matcher(relation).matches()) {
            throw new IllegalArgumentException("invalid relation '" + relation + "'");
        }
    }

    /**
     * Creates {@code resource#relation@subject}.
     *
     * @param resource the resource
     * @param relation the relation name
     * @param subject the subject related to the resource
     * @return the relationship
     */
    public static Relationship of(ObjectRef resource, String relation, SubjectRef subject) {
        return new Relationship(resource, relation, subject);
    }

    /**
     * Parses one relationship in SpiceDB's text form, {@code document:doc1#owner@user:emilia}.
     *
     * @param text the text
     * @return the relationship
     * @throws RelationshipSyntaxException naming what is wrong
     */
    public static Relationship parse(String text) {
        return RelationshipText.parseLine(text.strip(), 0);
    }

    /**
     * The same relationship with {@code caveat}.
     *
     * @param caveat the caveat, or null for none
     * @return the same relationship with {@code caveat}
     */
    public Relationship withCaveat(Caveat caveat) {
        return new Relationship(resource, relation, subject, caveat);
    }

    @Override
    public String toString() {
        return resource + "#" + relation + "@" + subject + (caveat == null ? "" : "[" + caveat + "]");
    }
}
