package dev.keel.authz;

import java.util.Objects;

/**
 * One change in a relationship write: create (fails if it exists), touch (create or keep) or delete.
 *
 * @param operation what to do
 * @param relationship the relationship
 */
public record RelationshipUpdate(Operation operation, Relationship relationship) {

    /** The kind of change. */
    public enum Operation {
        /** Create; the write fails if the relationship already exists. */
        CREATE,
        /** Create or keep (idempotent). */
        TOUCH,
        /** Delete if present. */
        DELETE
    }

    /**
     * Requires both parts.
     *
     * @param operation what to do
     * @param relationship the relationship
     */
    public RelationshipUpdate {
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(relationship, "relationship");
    }

    /**
     * An idempotent create-or-keep of {@code relationship}.
     *
     * @param relationship the relationship
     * @return an idempotent create-or-keep of {@code relationship}
     */
    public static RelationshipUpdate touch(Relationship relationship) {
        return new RelationshipUpdate(Operation.TOUCH, relationship);
    }

    /**
     * A create of {@code relationship} that fails if it already exists.
     *
     * @param relationship the relationship
     * @return a create of {@code relationship} that fails if it already exists
     */
    public static RelationshipUpdate create(Relationship relationship) {
        return new RelationshipUpdate(Operation.CREATE, relationship);
    }

    /**
     * A delete of {@code relationship}.
     *
     * @param relationship the relationship
     * @return a delete of {@code relationship}
     */
    public static RelationshipUpdate delete(Relationship relationship) {
        return new RelationshipUpdate(Operation.DELETE, relationship);
    }

    @Override
    public String toString() {
        return operation + " " + relationship;
    }
}
