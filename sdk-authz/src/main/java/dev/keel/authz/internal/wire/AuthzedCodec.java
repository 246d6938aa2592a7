package dev.keel.authz.internal.wire;

import dev.keel.authz.BulkCheckResult;
import dev.keel.authz.Caveat;
import dev.keel.authz.Check;
import dev.keel.authz.CheckResult;
import dev.keel.authz.Consistency;
import dev.keel.authz.LookupResult;
import dev.keel.authz.ObjectRef;
import dev.keel.authz.PermissionTree;
import dev.keel.authz.Relationship;
import dev.keel.authz.RelationshipFilter;
import dev.keel.authz.RelationshipUpdate;
import dev.keel.authz.SubjectRef;
import dev.keel.authz.ZedToken;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Encodes Keel's types as {@code authzed.api.v1} protobuf messages and decodes the responses.
 * Field numbers follow the authzed API protos ({@code authzed/api/v1/*.proto}). Only the fields
 * Keel uses are written; unknown response fields are skipped, as protobuf requires. Stateless.
 */
public final class AuthzedCodec {
    private AuthzedCodec() {
    }

    // ---- requests ---------------------------------------------------------------------------

    /** WriteSchemaRequest. */
    public static byte[] writeSchema(String schema) {
        return new ProtoWriter().string(1, schema).toByteArray();
    }

    /** ReadSchemaRequest (empty). */
    public static byte[] readSchema() {
        return new byte[0];
    }

    /** WriteRelationshipsRequest. */
    public static byte[] writeRelationships(List<RelationshipUpdate> updates) {
        ProtoWriter w = new ProtoWriter();
        for (RelationshipUpdate u : updates) {
            int op = switch (u.operation()) {
                case CREATE -> 1;
                case TOUCH -> 2;
                case DELETE -> 3;
            };
            w.message(1, new ProtoWriter().varint(1, op).message(2, relationship(u.relationship())));
        }
        return w.toByteArray();
    }

    /** DeleteRelationshipsRequest. */
    public static byte[] deleteRelationships(RelationshipFilter filter) {
        return new ProtoWriter().message(1, filter(filter)).toByteArray();
    }

    /** ReadRelationshipsRequest. */
    public static byte[] readRelationships(RelationshipFilter filter, Consistency consistency) {
        return new ProtoWriter().message(1, consistency(consistency)).message(2, filter(filter)).toByteArray();
    }

    /** CheckPermissionRequest. */
    public static byte[] checkPermission(Check check, Consistency consistency) {
        ProtoWriter w = new ProtoWriter()
                .message(1, consistency(consistency))
                .message(2, object(check.resource()))
                .string(3, check.permission())
                .message(4, subject(check.subject()));
        if (!check.context().isEmpty()) {
            w.message(5, StructCodec.struct(check.context()));
        }
        return w.toByteArray();
    }

    /** CheckBulkPermissionsRequest. */
    public static byte[] checkBulkPermissions(List<Check> checks, Consistency consistency) {
        ProtoWriter w = new ProtoWriter().message(1, consistency(consistency));
        for (Check c : checks) {
            ProtoWriter item = new ProtoWriter()
                    .message(1, object(c.resource()))
                    .string(2, c.permission())
                    .message(3, subject(c.subject()));
            if (!c.context().isEmpty()) {
                item.message(4, StructCodec.struct(c.context()));
            }
            w.message(2, item);
        }
        return w.toByteArray();
    }

    /** ExpandPermissionTreeRequest. */
    public static byte[] expandPermissionTree(ObjectRef resource, String permission, Consistency consistency) {
        return new ProtoWriter()
                .message(1, consistency(consistency))
                .message(2, object(resource))
                .string(3, permission)
                .toByteArray();
    }

    /** LookupResourcesRequest. */
    public static byte[] lookupResources(String resourceType, String permission, SubjectRef subject,
                                         Consistency consistency) {
        return new ProtoWriter()
                .message(1, consistency(consistency))
                .string(2, resourceType)
                .string(3, permission)
                .message(4, subject(subject))
                .toByteArray();
    }

    private static ProtoWriter object(ObjectRef ref) {
        return new ProtoWriter().string(1, ref.type()).string(2, ref.id());
    }

    private static ProtoWriter subject(SubjectRef ref) {
        return new ProtoWriter().message(1, object(ref.object())).string(2, ref.relation());
    }

    private static ProtoWriter relationship(Relationship r) {
        ProtoWriter w = new ProtoWriter()
                .message(1, object(r.resource()))
                .string(2, r.relation())
                .message(3, subject(r.subject()));
        if (r.caveat() != null) {
            ProtoWriter caveat = new ProtoWriter().string(1, r.caveat().name());
            if (!r.caveat().context().isEmpty()) {
                caveat.message(2, StructCodec.struct(r.caveat().context()));
            }
            w.message(4, caveat);
        }
        return w;
    }

    private static ProtoWriter consistency(Consistency c) {
        ProtoWriter w = new ProtoWriter();
        if (c instanceof Consistency.AtLeastAsFresh fresh) {
            w.message(2, new ProtoWriter().string(1, fresh.token().value()));
        } else if (c instanceof Consistency.FullyConsistent) {
            w.bool(4, true);
        } else {
            w.bool(1, true);
        }
        return w;
    }

    private static ProtoWriter filter(RelationshipFilter f) {
        ProtoWriter w = new ProtoWriter()
                .string(1, f.resourceType())
                .string(2, f.resourceId())
                .string(3, f.relation());
        if (!f.subjectType().isEmpty()) {
            ProtoWriter s = new ProtoWriter().string(1, f.subjectType()).string(2, f.subjectId());
            if (!f.subjectRelation().isEmpty()) {
                s.message(3, new ProtoWriter().string(1, f.subjectRelation()));
            }
            w.message(4, s);
        }
        return w;
    }

    // ---- responses --------------------------------------------------------------------------

    /** The ZedToken in field {@code field} of a response (written_at, deleted_at, ...). */
    public static ZedToken token(byte[] response, int field) {
        ProtoReader r = new ProtoReader(response);
        while (r.next()) {
            if (r.field() == field) {
                return zedToken(r.message());
            }
        }
        throw new WireFormatException("response has no revision token (field " + field + ")");
    }

    /** ReadSchemaResponse → schema text. */
    public static String schemaText(byte[] response) {
        ProtoReader r = new ProtoReader(response);
        String text = "";
        while (r.next()) {
            if (r.field() == 1) {
                text = r.string();
            }
        }
        return text;
    }

    /** CheckPermissionResponse → result. */
    public static CheckResult checkResult(byte[] response) {
        ProtoReader r = new ProtoReader(response);
        long permissionship = 0;
        while (r.next()) {
            if (r.field() == 2) {
                permissionship = r.varint();
            }
        }
        return permissionship(permissionship);
    }

    /**
     * CheckBulkPermissionsResponse → one result per check, in the order of {@code checks}. Pairs are
     * matched to checks by their echoed request, so the answer cannot be attributed to the wrong item;
     * a check with no matching pair is reported as an error (and so denied by filters).
     */
    public static List<BulkCheckResult> bulkResults(byte[] response, List<Check> checks) {
        // pairs as answered; the echoed request carries no context, so compare without it
        List<BulkCheckResult> pairs = new ArrayList<>();
        ProtoReader r = new ProtoReader(response);
        while (r.next()) {
            if (r.field() == 2) {
                ProtoReader pair = r.message();
                Check request = null;
                CheckResult result = null;
                String error = null;
                while (pair.next()) {
                    switch (pair.field()) {
                        case 1 -> request = bulkItem(pair.message());
                        case 2 -> {
                            ProtoReader item = pair.message();
                            long p = 0;
                            while (item.next()) {
                                if (item.field() == 1) {
                                    p = item.varint();
                                }
                            }
                            result = permissionship(p);
                        }
                        case 3 -> error = status(pair.message());
                        default -> pair.skip();
                    }
                }
                if (request != null) {
                    pairs.add(error != null || result == null
                            ? new BulkCheckResult(request, null, error != null ? error : "no answer for item")
                            : new BulkCheckResult(request, result, null));
                }
            }
        }
        // SpiceDB answers in request order; trust a pair only if it echoes the question at its position,
        // otherwise look for an echo of the question elsewhere (without context, it is then unambiguous
        // only if the question appears once), else report the item as unanswered.
        Map<Check, BulkCheckResult> byCheck = new HashMap<>();
        pairs.forEach(p -> byCheck.putIfAbsent(p.check(), p));
        List<BulkCheckResult> out = new ArrayList<>(checks.size());
        for (int i = 0; i < checks.size(); i++) {
            Check c = checks.get(i);
            Check bare = new Check(c.resource(), c.permission(), c.subject());
            BulkCheckResult found = i < pairs.size() && pairs.get(i).check().equals(bare) ? pairs.get(i)
                    : c.context().isEmpty() ? byCheck.get(bare) : null;
            out.add(found == null ? new BulkCheckResult(c, null, "SpiceDB returned no answer for this item")
                    : new BulkCheckResult(c, found.result(), found.error()));
        }
        return out;
    }

    /** LookupResourcesResponse → result. */
    public static LookupResult lookupResult(byte[] response) {
        ProtoReader r = new ProtoReader(response);
        ZedToken token = null;
        String id = null;
        long permissionship = 0;
        while (r.next()) {
            switch (r.field()) {
                case 1 -> token = zedToken(r.message());
                case 2 -> id = r.string();
                case 3 -> permissionship = r.varint();
                default -> r.skip();
            }
        }
        if (id == null) {
            throw new WireFormatException("lookup result without a resource id");
        }
        CheckResult result = permissionship == 1 ? CheckResult.HAS_PERMISSION : CheckResult.CONDITIONAL;
        return new LookupResult(id, result, token);
    }

    /** ReadRelationshipsResponse → relationship. */
    public static Relationship readRelationship(byte[] response) {
        ProtoReader r = new ProtoReader(response);
        while (r.next()) {
            if (r.field() == 2) {
                return relationship(r.message());
            }
        }
        throw new WireFormatException("read result without a relationship");
    }

    /** ExpandPermissionTreeResponse → tree. */
    public static PermissionTree expandTree(byte[] response) {
        ProtoReader r = new ProtoReader(response);
        while (r.next()) {
            if (r.field() == 2) {
                return tree(r.message());
            }
        }
        throw new WireFormatException("expand result without a tree");
    }

    private static PermissionTree tree(ProtoReader r) {
        ObjectRef object = null;
        String relation = "";
        PermissionTree.Operation op = null;
        List<PermissionTree> children = new ArrayList<>();
        List<SubjectRef> subjects = null;
        while (r.next()) {
            switch (r.field()) {
                case 1 -> {
                    ProtoReader set = r.message();
                    while (set.next()) {
                        switch (set.field()) {
                            case 1 -> op = switch ((int) set.varint()) {
                                case 2 -> PermissionTree.Operation.INTERSECTION;
                                case 3 -> PermissionTree.Operation.EXCLUSION;
                                default -> PermissionTree.Operation.UNION;
                            };
                            case 2 -> children.add(tree(set.message()));
                            default -> set.skip();
                        }
                    }
                    if (op == null) {
                        op = PermissionTree.Operation.UNION;
                    }
                }
                case 2 -> {
                    subjects = new ArrayList<>();
                    ProtoReader leaf = r.message();
                    while (leaf.next()) {
                        if (leaf.field() == 1) {
                            subjects.add(subject(leaf.message()));
                        }
                    }
                }
                case 3 -> object = object(r.message());
                case 4 -> relation = r.string();
                default -> r.skip();
            }
        }
        if (op != null) {
            return new PermissionTree.Node(object, relation, op, children);
        }
        return new PermissionTree.Leaf(object, relation, subjects == null ? List.of() : subjects);
    }

    private static Check bulkItem(ProtoReader r) {
        ObjectRef resource = null;
        String permission = "";
        SubjectRef subject = null;
        while (r.next()) {
            switch (r.field()) {
                case 1 -> resource = object(r.message());
                case 2 -> permission = r.string();
                case 3 -> subject = subject(r.message());
                default -> r.skip();
            }
        }
        if (resource == null || subject == null) {
            return null;
        }
        return new Check(resource, permission, subject);
    }

    private static String status(ProtoReader r) {
        long code = 0;
        String message = "";
        while (r.next()) {
            switch (r.field()) {
                case 1 -> code = r.varint();
                case 2 -> message = r.string();
                default -> r.skip();
            }
        }
        return "status " + code + ": " + message;
    }

    private static Relationship relationship(ProtoReader r) {
        ObjectRef resource = null;
        String relation = "";
        SubjectRef subject = null;
        Caveat caveat = null;
        while (r.next()) {
            switch (r.field()) {
                case 1 -> resource = object(r.message());
                case 2 -> relation = r.string();
                case 3 -> subject = subject(r.message());
                case 4 -> caveat = caveat(r.message());
                default -> r.skip();
            }
        }
        if (resource == null || subject == null) {
            throw new WireFormatException("incomplete relationship");
        }
        return new Relationship(resource, relation, subject, caveat);
    }

    private static Caveat caveat(ProtoReader r) {
        String name = "";
        Map<String, Object> context = Map.of();
        while (r.next()) {
            switch (r.field()) {
                case 1 -> name = r.string();
                case 2 -> context = StructCodec.readStruct(r.message());
                default -> r.skip();
            }
        }
        return name.isEmpty() ? null : new Caveat(name, context);
    }

    private static SubjectRef subject(ProtoReader r) {
        ObjectRef object = null;
        String relation = "";
        while (r.next()) {
            switch (r.field()) {
                case 1 -> object = object(r.message());
                case 2 -> relation = r.string();
                default -> r.skip();
            }
        }
        if (object == null) {
            throw new WireFormatException("subject without an object");
        }
        return new SubjectRef(object, relation);
    }

    private static ObjectRef object(ProtoReader r) {
        String type = "";
        String id = "";
        while (r.next()) {
            switch (r.field()) {
                case 1 -> type = r.string();
                case 2 -> id = r.string();
                default -> r.skip();
            }
        }
        return new ObjectRef(type, id);
    }

    private static ZedToken zedToken(ProtoReader r) {
        String token = "";
        while (r.next()) {
            if (r.field() == 1) {
                token = r.string();
            }
        }
        if (token.isEmpty()) {
            throw new WireFormatException("empty revision token");
        }
        return new ZedToken(token);
    }

    private static CheckResult permissionship(long value) {
        return switch ((int) value) {
            case 2 -> CheckResult.HAS_PERMISSION;
            case 3 -> CheckResult.CONDITIONAL;
            case 1 -> CheckResult.NO_PERMISSION;
            default -> throw new WireFormatException("unknown permissionship " + value);
        };
    }
}
