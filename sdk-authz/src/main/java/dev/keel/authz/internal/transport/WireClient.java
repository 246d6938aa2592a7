package dev.keel.authz.internal.transport;

import dev.keel.authz.BulkCheckResult;
import dev.keel.authz.Check;
import dev.keel.authz.CheckResult;
import dev.keel.authz.Consistency;
import dev.keel.authz.LookupResult;
import dev.keel.authz.ObjectRef;
import dev.keel.authz.PermissionTree;
import dev.keel.authz.PermissionsClient;
import dev.keel.authz.Relationship;
import dev.keel.authz.RelationshipFilter;
import dev.keel.authz.RelationshipUpdate;
import dev.keel.authz.SubjectRef;
import dev.keel.authz.ZedToken;
import dev.keel.authz.internal.wire.AuthzedCodec;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/** {@link PermissionsClient} over any {@link Transport}: encodes requests, decodes responses. Thread-safe. */
public final class WireClient implements PermissionsClient {
    /** SpiceDB rejects larger bulk checks; callers batch (PostFilter does). */
    public static final int MAX_BULK_ITEMS = 1000;

    private final Transport transport;
    private final Consistency defaultConsistency;

    /** Wraps {@code transport} (owned: closed with this client). */
    public WireClient(Transport transport, Consistency defaultConsistency) {
        this.transport = Objects.requireNonNull(transport, "transport");
        this.defaultConsistency = Objects.requireNonNull(defaultConsistency, "defaultConsistency");
    }

    @Override
    public ZedToken writeSchema(String schema) {
        Objects.requireNonNull(schema, "schema");
        if (schema.isBlank()) {
            throw new IllegalArgumentException("empty schema");
        }
        return AuthzedCodec.token(transport.unary(Rpc.WRITE_SCHEMA, AuthzedCodec.writeSchema(schema)), 1);
    }

    @Override
    public String readSchema() {
        return AuthzedCodec.schemaText(transport.unary(Rpc.READ_SCHEMA, AuthzedCodec.readSchema()));
    }

    @Override
    public ZedToken write(List<RelationshipUpdate> updates) {
        if (updates.isEmpty()) {
            throw new IllegalArgumentException("no relationship updates to write");
        }
        return AuthzedCodec.token(transport.unary(Rpc.WRITE_RELATIONSHIPS, AuthzedCodec.writeRelationships(updates)), 1);
    }

    @Override
    public ZedToken deleteRelationships(RelationshipFilter filter) {
        return AuthzedCodec.token(transport.unary(Rpc.DELETE_RELATIONSHIPS, AuthzedCodec.deleteRelationships(filter)), 1);
    }

    @Override
    public CheckResult check(Check check, Consistency consistency) {
        return AuthzedCodec.checkResult(transport.unary(Rpc.CHECK_PERMISSION, AuthzedCodec.checkPermission(check, consistency)));
    }

    @Override
    public List<BulkCheckResult> checkBulk(List<Check> checks, Consistency consistency) {
        if (checks.isEmpty()) {
            return List.of();
        }
        if (checks.size() > MAX_BULK_ITEMS) {
            throw new IllegalArgumentException("a bulk check takes at most " + MAX_BULK_ITEMS + " items, got " + checks.size());
        }
        byte[] response = transport.unary(Rpc.CHECK_BULK_PERMISSIONS, AuthzedCodec.checkBulkPermissions(checks, consistency));
        return AuthzedCodec.bulkResults(response, checks);
    }

    @Override
    public Stream<LookupResult> lookupResources(String resourceType, String permission, SubjectRef subject,
                                                Consistency consistency) {
        byte[] request = AuthzedCodec.lookupResources(resourceType, permission, subject, consistency);
        return transport.serverStream(Rpc.LOOKUP_RESOURCES, request).map(AuthzedCodec::lookupResult);
    }

    @Override
    public Stream<Relationship> readRelationships(RelationshipFilter filter, Consistency consistency) {
        return transport.serverStream(Rpc.READ_RELATIONSHIPS, AuthzedCodec.readRelationships(filter, consistency))
                .map(AuthzedCodec::readRelationship);
    }

    @Override
    public PermissionTree expand(ObjectRef resource, String permission, Consistency consistency) {
        byte[] response = transport.unary(Rpc.EXPAND_PERMISSION_TREE,
                AuthzedCodec.expandPermissionTree(resource, permission, consistency));
        return AuthzedCodec.expandTree(response);
    }

    @Override
    public Consistency defaultConsistency() {
        return defaultConsistency;
    }

    @Override
    public void close() {
        transport.close();
    }

    @Override
    public String toString() {
        return "PermissionsClient[" + transport.describe() + ", default " + defaultConsistency + "]";
    }
}
