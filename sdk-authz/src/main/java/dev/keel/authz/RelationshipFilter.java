package dev.keel.authz;

import java.util.Objects;

/**
 * Selects relationships for reading or deleting: a resource type and optionally a resource id,
 * relation, and subject (type, id, relation). Empty strings mean "any". Build it fluently:
 * {@code RelationshipFilter.resourceType("document").resourceId("doc1").subject(SubjectRef.of("user", "emilia"))}.
 *
 * @param resourceType    required resource type
 * @param resourceId      resource id, or empty for any
 * @param relation        relation, or empty for any
 * @param subjectType     subject type, or empty for no subject filter
 * @param subjectId       subject id, or empty for any (needs a subject type)
 * @param subjectRelation subject relation, or empty for any (needs a subject type)
 */
public record RelationshipFilter(String resourceType, String resourceId, String relation,
                                 String subjectType, String subjectId, String subjectRelation) {

    /**
     * Normalises nulls to empty strings and checks that subject parts come with a subject type.
     *
     * @param relation relation, or empty for any
     * @param resourceId resource id, or empty for any
     * @param resourceType required resource type
     * @param subjectId subject id, or empty for any (needs a subject type)
     * @param subjectRelation subject relation, or empty for any (needs a subject type)
     * @param subjectType subject type, or empty for no subject filter
     */
    public RelationshipFilter {
        Objects.requireNonNull(resourceType, "resourceType");
        if (resourceType.isEmpty()) {
            throw new IllegalArgumentException("a relationship filter needs a resource type");
        }
        resourceId = resourceId == null ? "" : resourceId;
        relation = relation == null ? "" : relation;
        subjectType = subjectType == null ? "" : subjectType;
        subjectId = subjectId == null ? "" : subjectId;
        subjectRelation = subjectRelation == null ? "" : subjectRelation;
        if (subjectType.isEmpty() && (!subjectId.isEmpty() || !subjectRelation.isEmpty())) {
            throw new IllegalArgumentException("a subject id or relation in a filter needs a subject type");
        }
    }

    /**
     * All relationships on resources of {@code type}.
     *
     * @param type the resource type
     * @return all relationships on resources of {@code type}
     */
    public static RelationshipFilter resourceType(String type) {
        return new RelationshipFilter(type, "", "", "", "", "");
    }

    /**
     * Narrows to one resource id.
     *
     * @param id the resource id
     * @return a narrower filter
     */
    public RelationshipFilter resourceId(String id) {
        return new RelationshipFilter(resourceType, id, relation, subjectType, subjectId, subjectRelation);
    }

    /**
     * Narrows to one relation.
     *
     * @param name the relation name
     * @return a narrower filter
     */
    public RelationshipFilter relation(String name) {
        return new RelationshipFilter(resourceType, resourceId, name, subjectType, subjectId, subjectRelation);
    }

    /**
     * Narrows to one subject (its type, id and relation).
     *
     * @param subject the subject
     * @return a narrower filter
     */
    public RelationshipFilter subject(SubjectRef subject) {
        return new RelationshipFilter(resourceType, resourceId, relation,
                subject.object().type(), subject.object().id(), subject.relation());
    }

    /**
     * Narrows to subjects of one type.
     *
     * @param type the subject type
     * @return a narrower filter
     */
    public RelationshipFilter subjectType(String type) {
        return new RelationshipFilter(resourceType, resourceId, relation, type, subjectId, subjectRelation);
    }
}
