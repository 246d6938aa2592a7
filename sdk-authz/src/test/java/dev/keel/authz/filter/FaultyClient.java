package dev.keel.authz.filter;

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
import dev.keel.authz.ZedToken;
import dev.keel.authz.SubjectRef;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.stream.Stream;

/**
 * Wraps a real client and replaces bulk checks / lookups with an injected behaviour (errors, timeouts,
 * conditional answers), to prove the filter fails closed. Counts bulk calls.
 */
final class FaultyClient implements PermissionsClient {
    final PermissionsClient real;
    final BiFunction<PermissionsClient, List<Check>, List<BulkCheckResult>> bulk;
    final AtomicInteger bulkCalls = new AtomicInteger();
    final AtomicInteger lookups = new AtomicInteger();
    /** The consistency of every bulk check and lookup, in call order. */
    final List<Consistency> consistencies = new java.util.concurrent.CopyOnWriteArrayList<>();
    RuntimeException lookupFailure;

    FaultyClient(PermissionsClient real, BiFunction<PermissionsClient, List<Check>, List<BulkCheckResult>> bulk) {
        this.real = real;
        this.bulk = bulk;
    }

    /** Passes everything through, counting calls. */
    static FaultyClient counting(PermissionsClient real) {
        return new FaultyClient(real, (c, checks) -> c.checkBulk(checks));
    }

    @Override
    public List<BulkCheckResult> checkBulk(List<Check> checks, Consistency consistency) {
        bulkCalls.incrementAndGet();
        consistencies.add(consistency);
        return bulk.apply(real, checks);
    }

    @Override
    public Stream<LookupResult> lookupResources(String type, String permission, SubjectRef subject, Consistency c) {
        lookups.incrementAndGet();
        consistencies.add(c);
        if (lookupFailure != null) {
            throw lookupFailure;
        }
        return real.lookupResources(type, permission, subject, c);
    }

    @Override public ZedToken writeSchema(String schema) { return real.writeSchema(schema); }
    @Override public String readSchema() { return real.readSchema(); }
    @Override public ZedToken write(List<RelationshipUpdate> updates) { return real.write(updates); }
    @Override public ZedToken deleteRelationships(RelationshipFilter filter) { return real.deleteRelationships(filter); }
    @Override public CheckResult check(Check check, Consistency consistency) { return real.check(check, consistency); }
    @Override public Stream<Relationship> readRelationships(RelationshipFilter f, Consistency c) { return real.readRelationships(f, c); }
    @Override public PermissionTree expand(ObjectRef r, String p, Consistency c) { return real.expand(r, p, c); }
    @Override public Consistency defaultConsistency() { return real.defaultConsistency(); }
    @Override public void close() { }
}
