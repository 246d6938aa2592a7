package dev.keel.authz;

import java.util.Collection;
import java.util.List;
import java.util.stream.Stream;

/**
 * A client of a SpiceDB permissions system, in Keel's own types. Implementations:
 * {@link dev.keel.authz.embedded.EmbeddedSpiceDb} (the real SpiceDB in-process) and
 * {@link dev.keel.authz.remote.RemoteSpiceDb} (a SpiceDB server over gRPC).
 *
 * <p>Methods without a {@link Consistency} argument use the client's default consistency
 * ({@link Consistency#fullyConsistent()} unless configured otherwise). Every write returns the
 * {@link ZedToken} of the revision it produced. Failures throw {@link PermissionsException}.
 *
 * <p>Implementations are thread-safe. Closing releases the connection or the embedded instance;
 * closing twice is harmless; calls after close throw {@link IllegalStateException}.
 */
public interface PermissionsClient extends AutoCloseable {

    /**
     * Replaces the schema (SpiceDB schema language) and returns the revision it was written at.
     *
     * @param schema the schema text
     * @return the revision of the write
     */
    ZedToken writeSchema(String schema);

    /**
     * Returns the current schema text; a {@link PermissionsException} with status {@code NOT_FOUND} when none was
     * written.
     *
     * @return the current schema text; a {@link PermissionsException} with status {@code NOT_FOUND} when none was
     *     written
     */
    String readSchema();

    /**
     * Applies {@code updates} atomically and returns the revision they were written at.
     *
     * @param updates the writes
     * @return the revision of the write
     */
    ZedToken write(List<RelationshipUpdate> updates);

    /**
     * Touches (creates or keeps) every relationship in {@code relationships}, atomically.
     *
     * @param relationships the relationships
     * @return the revision of the write
     */
    default ZedToken touch(Collection<Relationship> relationships) {
        return write(relationships.stream().map(RelationshipUpdate::touch).toList());
    }

    /**
     * Deletes every relationship matching {@code filter} and returns the revision of the deletion.
     *
     * @param filter which relationships to delete
     * @return the revision of the deletion
     */
    ZedToken deleteRelationships(RelationshipFilter filter);

    /**
     * Checks one permission at {@code consistency}.
     *
     * @param check the check
     * @param consistency how fresh the data read must be
     * @return the answer
     */
    CheckResult check(Check check, Consistency consistency);

    /**
     * Checks one permission at the default consistency.
     *
     * @param resource the resource
     * @param permission the permission or relation name
     * @param subject the subject asking
     * @return the answer
     */
    default CheckResult check(ObjectRef resource, String permission, SubjectRef subject) {
        return check(Check.of(resource, permission, subject), defaultConsistency());
    }

    /**
     * Checks many permissions in one round trip. Results are in the order of {@code checks}; an item
     * SpiceDB could not answer carries its error instead of a result (the call as a whole succeeds).
     *
     * @param checks the checks, at most 1000
     * @param consistency how fresh the data read must be
     * @return one result per check, in order
     */
    List<BulkCheckResult> checkBulk(List<Check> checks, Consistency consistency);

    /**
     * {@link #checkBulk(List, Consistency)} at the default consistency.
     *
     * @param checks the checks, at most 1000
     * @return one result per check, in order
     */
    default List<BulkCheckResult> checkBulk(List<Check> checks) {
        return checkBulk(checks, defaultConsistency());
    }

    /**
     * Streams the ids of resources of {@code resourceType} on which {@code subject} has
     * {@code permission}. The stream holds a server call: close it (try-with-resources) when not
     * consumed to the end. Errors while streaming surface as {@link PermissionsException}.
     *
     * @param resourceType the resource type to list
     * @param permission the permission or relation name
     * @param subject the subject asking
     * @param consistency how fresh the data read must be
     * @return the readable resources; close the stream when not consumed to the end
     */
    Stream<LookupResult> lookupResources(String resourceType, String permission, SubjectRef subject,
                                         Consistency consistency);

    /**
     * Streams the relationships matching {@code filter}; close the stream when not consumed to the end.
     *
     * @param filter which relationships to read
     * @param consistency how fresh the data read must be
     * @return the matching relationships
     */
    Stream<Relationship> readRelationships(RelationshipFilter filter, Consistency consistency);

    /**
     * Expands {@code permission} on {@code resource} one level of indirection at a time, as SpiceDB does.
     *
     * @param resource the resource
     * @param permission the permission or relation name
     * @param consistency how fresh the data read must be
     * @return the expansion tree
     */
    PermissionTree expand(ObjectRef resource, String permission, Consistency consistency);

    /**
     * The consistency used by the overloads without one.
     *
     * @return the consistency used by the overloads without one
     */
    Consistency defaultConsistency();

    /** Releases the client's resources; closing twice is harmless. */
    @Override
    void close();
}
