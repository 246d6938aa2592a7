package dev.keel.authz;

import java.util.List;

/**
 * The expansion of a permission ({@link PermissionsClient#expand}): a tree of set operations whose
 * leaves are the subjects directly related.
 */
public sealed interface PermissionTree {

    /**
     * The object whose relation or permission this node expands.
     *
     * @return the object whose relation or permission this node expands
     */
    ObjectRef object();

    /**
     * The relation or permission this node expands.
     *
     * @return the relation or permission this node expands
     */
    String relation();

    /**
     * Subjects directly in the set.
     *
     * @param object   expanded object
     * @param relation expanded relation
     * @param subjects the subjects
     */
    record Leaf(ObjectRef object, String relation, List<SubjectRef> subjects) implements PermissionTree {
        /**
         * Copies the list.
         *
         * @param object expanded object
         * @param relation expanded relation
         * @param subjects the subjects
         */
        public Leaf {
            subjects = List.copyOf(subjects);
        }
    }

    /**
     * A set operation over child trees.
     *
     * @param object    expanded object
     * @param relation  expanded relation
     * @param operation union, intersection or exclusion
     * @param children  the operands, in schema order
     */
    record Node(ObjectRef object, String relation, Operation operation, List<PermissionTree> children)
            implements PermissionTree {
        /**
         * Copies the list.
         *
         * @param children the operands, in schema order
         * @param object expanded object
         * @param operation union, intersection or exclusion
         * @param relation expanded relation
         */
        public Node {
            children = List.copyOf(children);
        }
    }

    /** Set operations of a {@link Node}. */
    enum Operation {
        /** {@code +} */
        UNION,
        /** {@code &} */
        INTERSECTION,
        /** {@code -} */
        EXCLUSION
    }
}
