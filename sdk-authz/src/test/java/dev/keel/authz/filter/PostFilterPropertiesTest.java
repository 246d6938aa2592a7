package dev.keel.authz.filter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.authz.BulkCheckResult;
import dev.keel.authz.Check;
import dev.keel.authz.CheckResult;
import dev.keel.authz.ObjectRef;
import dev.keel.authz.PermissionsException;
import dev.keel.authz.Relationship;
import dev.keel.authz.RelationshipFilter;
import dev.keel.authz.Spice;
import dev.keel.authz.SubjectRef;
import dev.keel.authz.embedded.EmbeddedSpiceDb;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiFunction;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * For random relationship graphs and random ranked hits, the post-filtered list is exactly (so in
 * particular a subset of) what an independent reference evaluator allows, in rank order; and with
 * injected failures nothing is kept.
 */
@AddLifecycleHook(RequiresSpiceDb.class)
class PostFilterPropertiesTest {
    static final String SCHEMA = """
            definition user {}
            definition group {
                relation member: user
            }
            definition folder {
                relation viewer: user | group#member
                permission read = viewer
            }
            definition document {
                relation parent: folder
                relation viewer: user | group#member
                relation banned: user
                permission read = (viewer + parent->read) - banned
            }
            """;
    static final int USERS = 4;
    static final int GROUPS = 2;
    static final int FOLDERS = 2;
    static final int DOCS = 6;

    static EmbeddedSpiceDb db;

    @BeforeContainer
    static void start() {
        db = Spice.start();
        db.writeSchema(SCHEMA);
    }

    @AfterContainer
    static void stop() {
        if (db != null) {
            db.close();
        }
    }

    /** A hit: its rank in the retriever's list and the document it came from. */
    record Hit(int rank, int doc) {
    }

    /** The small reference evaluator of the schema above, over the same relationships. */
    static boolean oracleRead(Set<String> rels, int doc, int user) {
        String u = "user:u" + user;
        if (rels.contains("document:d" + doc + "#banned@" + u)) {
            return false;
        }
        if (rels.contains("document:d" + doc + "#viewer@" + u)) {
            return true;
        }
        for (int g = 0; g < GROUPS; g++) {
            if (rels.contains("document:d" + doc + "#viewer@group:g" + g + "#member") && rels.contains("group:g" + g + "#member@" + u)) {
                return true;
            }
        }
        for (int f = 0; f < FOLDERS; f++) {
            if (rels.contains("document:d" + doc + "#parent@folder:f" + f) && folderRead(rels, f, u)) {
                return true;
            }
        }
        return false;
    }

    static boolean folderRead(Set<String> rels, int f, String u) {
        if (rels.contains("folder:f" + f + "#viewer@" + u)) {
            return true;
        }
        for (int g = 0; g < GROUPS; g++) {
            if (rels.contains("folder:f" + f + "#viewer@group:g" + g + "#member") && rels.contains("group:g" + g + "#member@" + u)) {
                return true;
            }
        }
        return false;
    }

    static void load(Set<String> rels) {
        for (String type : List.of("document", "folder", "group")) {
            db.deleteRelationships(RelationshipFilter.resourceType(type));
        }
        if (!rels.isEmpty()) {
            db.touch(rels.stream().map(Relationship::parse).toList());
        }
    }

    static PostFilter<Hit> filter(dev.keel.authz.PermissionsClient client, int batchSize, FilterStrategy strategy) {
        return PostFilter.<Hit>builder(client, "read", h -> ObjectRef.of("document", "d" + h.doc()))
                .batchSize(batchSize).strategy(strategy).build();
    }

    @Property(tries = 200)
    void keepsExactlyWhatTheOracleAllowsInRankOrder(@ForAll("graphs") Set<String> rels,
                                                     @ForAll("hits") List<Hit> hits,
                                                     @ForAll("users") int user,
                                                     @ForAll("batchSizes") int batchSize,
                                                     @ForAll FilterStrategy strategy) {
        load(rels);
        FilterResult<Hit> result = filter(db, batchSize, strategy).filter(hits, SubjectRef.of("user", "u" + user));
        List<Hit> allowed = hits.stream().filter(h -> oracleRead(rels, h.doc(), user)).toList();
        assertThat(allowed).containsAll(result.kept());       // never more than the oracle allows
        assertThat(result.kept()).containsExactlyElementsOf(allowed); // and, SpiceDB being right, exactly that, in order
        assertThat(result.kept().size() + result.dropped().size()).isEqualTo(hits.size());
        assertThat(result.dropped()).allSatisfy(d -> {
            assertThat(d.reason()).isEqualTo(DropReason.DENIED);
            assertThat(oracleRead(rels, hits.get(d.rank()).doc(), user)).isFalse();
        });
    }

    @Property(tries = 100)
    void injectedFailuresKeepNothing(@ForAll("graphs") Set<String> rels,
                                     @ForAll("hits") List<Hit> hits,
                                     @ForAll("users") int user,
                                     @ForAll("batchSizes") int batchSize,
                                     @ForAll("failures") BiFunction<dev.keel.authz.PermissionsClient, List<Check>, List<BulkCheckResult>> failure) {
        load(rels);
        FaultyClient faulty = new FaultyClient(db, failure);
        FilterResult<Hit> result = filter(faulty, batchSize, FilterStrategy.POST_FILTER)
                .filter(hits, SubjectRef.of("user", "u" + user));
        assertThat(result.kept()).isEmpty();
        assertThat(result.dropped()).hasSize(hits.size());
        if (!hits.isEmpty()) {
            assertThat(result.failedClosed()).isTrue();
        }
    }

    @Provide
    Arbitrary<Set<String>> graphs() {
        List<String> all = new ArrayList<>();
        for (int d = 0; d < DOCS; d++) {
            for (int u = 0; u < USERS; u++) {
                all.add("document:d" + d + "#viewer@user:u" + u);
                all.add("document:d" + d + "#banned@user:u" + u);
            }
            for (int g = 0; g < GROUPS; g++) {
                all.add("document:d" + d + "#viewer@group:g" + g + "#member");
            }
            for (int f = 0; f < FOLDERS; f++) {
                all.add("document:d" + d + "#parent@folder:f" + f);
            }
        }
        for (int f = 0; f < FOLDERS; f++) {
            for (int u = 0; u < USERS; u++) {
                all.add("folder:f" + f + "#viewer@user:u" + u);
            }
            for (int g = 0; g < GROUPS; g++) {
                all.add("folder:f" + f + "#viewer@group:g" + g + "#member");
            }
        }
        for (int g = 0; g < GROUPS; g++) {
            for (int u = 0; u < USERS; u++) {
                all.add("group:g" + g + "#member@user:u" + u);
            }
        }
        return Arbitraries.subsetOf(all).map(HashSet::new);
    }

    @Provide
    Arbitrary<List<Hit>> hits() {
        return Arbitraries.integers().between(0, DOCS - 1).list().ofMaxSize(25)
                .map(docs -> {
                    List<Hit> out = new ArrayList<>();
                    for (int i = 0; i < docs.size(); i++) {
                        out.add(new Hit(i, docs.get(i)));
                    }
                    return out;
                });
    }

    @Provide
    Arbitrary<Integer> users() {
        return Arbitraries.integers().between(0, USERS - 1);
    }

    @Provide
    Arbitrary<Integer> batchSizes() {
        return Arbitraries.of(1, 2, 3, 100);
    }

    @Provide
    Arbitrary<BiFunction<dev.keel.authz.PermissionsClient, List<Check>, List<BulkCheckResult>>> failures() {
        BiFunction<dev.keel.authz.PermissionsClient, List<Check>, List<BulkCheckResult>> unavailable = (c, checks) -> {
            throw new PermissionsException("CheckBulkPermissions", "UNAVAILABLE", 4, "down", null);
        };
        BiFunction<dev.keel.authz.PermissionsClient, List<Check>, List<BulkCheckResult>> deadline = (c, checks) -> {
            throw new PermissionsException("CheckBulkPermissions", "DEADLINE_EXCEEDED", 1, "slow", null);
        };
        BiFunction<dev.keel.authz.PermissionsClient, List<Check>, List<BulkCheckResult>> bug = (c, checks) -> {
            throw new IllegalStateException("bug");
        };
        BiFunction<dev.keel.authz.PermissionsClient, List<Check>, List<BulkCheckResult>> conditional = (c, checks) ->
                checks.stream().map(ch -> new BulkCheckResult(ch, CheckResult.CONDITIONAL, null)).toList();
        BiFunction<dev.keel.authz.PermissionsClient, List<Check>, List<BulkCheckResult>> itemErrors = (c, checks) ->
                checks.stream().map(ch -> new BulkCheckResult(ch, null, "status 14: unavailable")).toList();
        BiFunction<dev.keel.authz.PermissionsClient, List<Check>, List<BulkCheckResult>> empty = (c, checks) -> List.of();
        BiFunction<dev.keel.authz.PermissionsClient, List<Check>, List<BulkCheckResult>> misattributed = (c, checks) ->
                // answers "yes" but for other subjects than asked: must not be trusted
                checks.stream().map(ch -> new BulkCheckResult(
                        Check.of(ch.resource(), ch.permission(), SubjectRef.of("user", "intruder")),
                        CheckResult.HAS_PERMISSION, null)).toList();
        return Combinators.combine(Arbitraries.of(unavailable, deadline, bug, conditional, itemErrors, empty, misattributed),
                Arbitraries.just(0)).as((f, ignored) -> f);
    }
}
