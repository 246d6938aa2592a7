package dev.keel.authz;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The subject of a relationship or check: an object, optionally with a relation (a subject set, such
 * as {@code group:eng#member}). Written {@code user:emilia} or {@code group:eng#member}.
 *
 * @param object   the subject object
 * @param relation the optional relation, empty for a plain object
 */
public record SubjectRef(ObjectRef object, String relation) {
    static final Pattern RELATION = Pattern.compile("[a-z][a-z0-9_]{1,62}[a-z0-9]");

    /**
     * Validates the relation name; {@code null} becomes empty.
     *
     * @param object the subject object
     * @param relation the optional relation, empty for a plain object
     */
    public SubjectRef {
        Objects.requireNonNull(object, "object");
        relation = relation == null ? "" : relation;
        if (!relation.isEmpty() && !RELATION.matcher(relation).matches()) {
            throw new IllegalArgumentException("invalid subject relation '" + relation + "'");
        }
    }

    /**
     * A plain subject {@code type:id}.
     *
     * @param type the object type
     * @param id the object id
     * @return a plain subject {@code type:id}
     */
    public static SubjectRef of(String type, String id) {
        return new SubjectRef(ObjectRef.of(type, id), "");
    }

    /**
     * A subject set {@code type:id#relation}.
     *
     * @param type the object type
     * @param id the object id
     * @param relation the relation of the subject set
     * @return a subject set {@code type:id#relation}
     */
    public static SubjectRef of(String type, String id, String relation) {
        return new SubjectRef(ObjectRef.of(type, id), relation);
    }

    /**
     * A plain subject for an existing object.
     *
     * @param object the object
     * @return a plain subject for an existing object
     */
    public static SubjectRef of(ObjectRef object) {
        return new SubjectRef(object, "");
    }

    /**
     * Parses {@code type:id} or {@code type:id#relation}.
     *
     * @param text the text
     * @return the subject
     * @throws IllegalArgumentException for an invalid type, id or relation, including an empty relation
     *         after {@code #} ({@code group:all#})
     */
    public static SubjectRef parse(String text) {
        int hash = text.indexOf('#');
        if (hash < 0) {
            return new SubjectRef(ObjectRef.parse(text), "");
        }
        if (hash == text.length() - 1) {
            // "group:all#" would otherwise read as the plain subject group:all: a different grant
            throw new IllegalArgumentException("subject '" + text + "' has '#' but no relation after it"
                    + " (write type:id for the object itself, or type:id#relation for a subject set)");
        }
        return new SubjectRef(ObjectRef.parse(text.substring(0, hash)), text.substring(hash + 1));
    }

    /**
     * True when this subject has a relation (a subject set).
     *
     * @return true when this subject has a relation
     */
    public boolean hasRelation() {
        return !relation.isEmpty();
    }

    @Override
    public String toString() {
        return relation.isEmpty() ? object.toString() : object + "#" + relation;
    }
}
