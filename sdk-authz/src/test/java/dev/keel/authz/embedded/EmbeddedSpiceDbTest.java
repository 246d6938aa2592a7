package dev.keel.authz.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.authz.BulkCheckResult;
import dev.keel.authz.Check;
import dev.keel.authz.CheckResult;
import dev.keel.authz.Consistency;
import dev.keel.authz.LookupResult;
import dev.keel.authz.ObjectRef;
import dev.keel.authz.PermissionTree;
import dev.keel.authz.PermissionsException;
import dev.keel.authz.Relationship;
import dev.keel.authz.RelationshipFilter;
import dev.keel.authz.RelationshipUpdate;
import dev.keel.authz.Spice;
import dev.keel.authz.SubjectRef;
import dev.keel.authz.ZedToken;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedSpiceDbTest {
    static EmbeddedSpiceDb db;
    static final SubjectRef EMILIA = SubjectRef.of("user", "emilia");
    static final SubjectRef BEATRICE = SubjectRef.of("user", "beatrice");
    static final SubjectRef CHARLIE = SubjectRef.of("user", "charlie");

    @BeforeAll
    static void start() {
        db = Spice.start(Spice.DOCS_SCHEMA, Spice.DOCS_RELATIONSHIPS);
    }

    @AfterAll
    static void stop() {
        if (db != null) {
            db.close();
        }
    }

    static ObjectRef doc(String id) {
        return ObjectRef.of("document", id);
    }

    @Test
    void schemaRoundTrips() {
        assertThat(db.readSchema()).contains("definition document").contains("permission read = owner + viewer");
    }

    @Test
    void checksFollowTheSeedScenario() {
        assertThat(db.check(doc("doc1"), "read", EMILIA)).isEqualTo(CheckResult.HAS_PERMISSION);
        assertThat(db.check(doc("doc1"), "read", BEATRICE)).isEqualTo(CheckResult.NO_PERMISSION);
        assertThat(db.check(doc("doc2"), "read", BEATRICE)).isEqualTo(CheckResult.HAS_PERMISSION);
        assertThat(db.check(doc("doc2"), "edit", BEATRICE)).isEqualTo(CheckResult.NO_PERMISSION);
        assertThat(db.check(doc("doc3"), "read", CHARLIE)).isEqualTo(CheckResult.HAS_PERMISSION);
        assertThat(db.check(doc("doc1"), "edit", EMILIA)).isEqualTo(CheckResult.HAS_PERMISSION);
    }

    @Test
    void bulkCheckAnswersInRequestOrder() {
        List<Check> checks = List.of(
                Check.of(doc("doc3"), "read", CHARLIE),
                Check.of(doc("doc1"), "read", CHARLIE),
                Check.of(doc("doc2"), "read", BEATRICE),
                Check.of(doc("doc2"), "read", EMILIA),
                Check.of(doc("doc3"), "read", CHARLIE));
        List<BulkCheckResult> results = db.checkBulk(checks);
        assertThat(results).extracting(BulkCheckResult::check).containsExactlyElementsOf(checks);
        assertThat(results).extracting(BulkCheckResult::allowed).containsExactly(true, false, true, false, true);
    }

    @Test
    void bulkCheckOfUnknownPermissionIsAnItemErrorOrCallError() {
        List<Check> checks = List.of(Check.of(doc("doc3"), "nonexistent", CHARLIE));
        try {
            List<BulkCheckResult> results = db.checkBulk(checks);
            assertThat(results).singleElement().satisfies(r -> {
                assertThat(r.allowed()).isFalse();
                assertThat(r.error()).isNotBlank();
            });
        } catch (PermissionsException e) {
            assertThat(e.status()).isEqualTo("FAILED_PRECONDITION");
        }
    }

    @Test
    void lookupResourcesStreamsOverTheSocket() {
        try (Stream<LookupResult> found = db.lookupResources("document", "read", BEATRICE, Consistency.fullyConsistent())) {
            assertThat(found.map(LookupResult::resourceId)).containsExactlyInAnyOrder("doc2", "doc3");
        }
        try (Stream<LookupResult> found = db.lookupResources("document", "read", EMILIA, Consistency.fullyConsistent())) {
            List<LookupResult> all = found.toList();
            assertThat(all).extracting(LookupResult::resourceId).containsExactlyInAnyOrder("doc1", "doc3");
            assertThat(all).allSatisfy(r -> {
                assertThat(r.permissionship()).isEqualTo(CheckResult.HAS_PERMISSION);
                assertThat(r.lookedUpAt()).isNotNull();
            });
        }
    }

    @Test
    void readRelationshipsByFilter() {
        try (Stream<Relationship> rels = db.readRelationships(
                RelationshipFilter.resourceType("document").resourceId("doc3"), Consistency.fullyConsistent())) {
            assertThat(rels.map(Relationship::toString)).containsExactlyInAnyOrder(
                    "document:doc3#viewer@user:emilia", "document:doc3#viewer@user:beatrice",
                    "document:doc3#viewer@user:charlie");
        }
    }

    @Test
    void expandShowsTheUnionOfOwnerAndViewer() {
        PermissionTree tree = db.expand(doc("doc3"), "read", Consistency.fullyConsistent());
        assertThat(tree).isInstanceOf(PermissionTree.Node.class);
        PermissionTree.Node node = (PermissionTree.Node) tree;
        assertThat(node.operation()).isEqualTo(PermissionTree.Operation.UNION);
        assertThat(node.object()).isEqualTo(doc("doc3"));
        List<SubjectRef> leaves = node.children().stream()
                .filter(PermissionTree.Leaf.class::isInstance)
                .flatMap(c -> ((PermissionTree.Leaf) c).subjects().stream()).toList();
        assertThat(leaves).containsExactlyInAnyOrder(EMILIA, BEATRICE, CHARLIE);
    }

    @Test
    void writesReturnTokensAndDeletesByFilter() {
        try (EmbeddedSpiceDb own = Spice.start(Spice.DOCS_SCHEMA, Spice.DOCS_RELATIONSHIPS)) {
            Relationship r = Relationship.parse("document:doc9#viewer@user:charlie");
            ZedToken written = own.write(List.of(RelationshipUpdate.create(r)));
            assertThat(written.value()).isNotBlank();
            assertThat(own.check(Check.of(doc("doc9"), "read", CHARLIE), Consistency.atLeastAsFresh(written)))
                    .isEqualTo(CheckResult.HAS_PERMISSION);
            // create of an existing relationship fails with a typed error
            assertThatThrownBy(() -> own.write(List.of(RelationshipUpdate.create(r))))
                    .isInstanceOf(PermissionsException.class)
                    .satisfies(e -> assertThat(((PermissionsException) e).status()).isEqualTo("ALREADY_EXISTS"));
            ZedToken deleted = own.deleteRelationships(RelationshipFilter.resourceType("document").subject(CHARLIE));
            assertThat(own.check(Check.of(doc("doc9"), "read", CHARLIE), Consistency.atLeastAsFresh(deleted)))
                    .isEqualTo(CheckResult.NO_PERMISSION);
            assertThat(own.check(Check.of(doc("doc3"), "read", CHARLIE), Consistency.atLeastAsFresh(deleted)))
                    .isEqualTo(CheckResult.NO_PERMISSION);
            assertThat(own.check(Check.of(doc("doc3"), "read", EMILIA), Consistency.atLeastAsFresh(deleted)))
                    .isEqualTo(CheckResult.HAS_PERMISSION);
        }
    }

    @Test
    void invalidSchemaIsATypedError() {
        try (EmbeddedSpiceDb own = Spice.start()) {
            assertThatThrownBy(() -> own.writeSchema("definition document {\n relation owner: nosuchtype\n}\n"))
                    .isInstanceOf(PermissionsException.class)
                    .hasMessageContaining("WriteSchema")
                    .hasMessageContaining("nosuchtype")
                    .satisfies(e -> assertThat(((PermissionsException) e).status()).isEqualTo("FAILED_PRECONDITION"));
        }
    }

    @Test
    void twoInstancesAreIsolated() {
        try (EmbeddedSpiceDb a = Spice.start(Spice.DOCS_SCHEMA, "document:x1#owner@user:emilia");
             EmbeddedSpiceDb b = Spice.start(Spice.DOCS_SCHEMA, "")) {
            assertThat(a.streamingSocket()).isNotEqualTo(b.streamingSocket());
            assertThat(a.check(doc("x1"), "read", EMILIA)).isEqualTo(CheckResult.HAS_PERMISSION);
            assertThat(b.check(doc("x1"), "read", EMILIA)).isEqualTo(CheckResult.NO_PERMISSION);
            try (Stream<Relationship> rels = b.readRelationships(RelationshipFilter.resourceType("document"),
                    Consistency.fullyConsistent())) {
                assertThat(rels).isEmpty();
            }
        }
    }

    @Test
    void closeDisposesRemovesTheSocketAndIsIdempotent() {
        EmbeddedSpiceDb own = Spice.start(Spice.DOCS_SCHEMA, "");
        Path socket = own.streamingSocket();
        assertThat(socket).exists();
        own.close();
        own.close();
        assertThat(socket).doesNotExist();
        assertThatThrownBy(() -> own.check(doc("doc1"), "read", EMILIA)).isInstanceOf(IllegalStateException.class);
        assertThat(own.toString()).contains("EmbeddedSpiceDb[handle=");
    }

    @Test
    void staleSocketsOfDeadProcessesAreRemovedOnStart() throws Exception {
        // a pid that cannot be alive (above the kernel's pid_max default)
        Path stale = Path.of(System.getenv().getOrDefault("TMPDIR", "/tmp"), "spicedb-streaming-99999999-1.sock");
        Files.writeString(stale, "");
        Path live = Path.of(System.getenv().getOrDefault("TMPDIR", "/tmp"),
                "spicedb-streaming-" + ProcessHandle.current().pid() + "-424242.sock");
        Files.writeString(live, "");
        try {
            Spice.start().close();
            assertThat(stale).doesNotExist();
            assertThat(live).exists();
        } finally {
            Files.deleteIfExists(stale);
            Files.deleteIfExists(live);
        }
    }

    @Test
    void missingLibraryIsATypedErrorSayingHowToGetIt(@TempDir Path dir) {
        assertThatThrownBy(() -> EmbeddedSpiceDb.builder().library(dir.resolve("libspicedb.so")).start())
                .isInstanceOf(SpiceDbLibraryNotFoundException.class)
                .hasMessageContaining("scripts/setup/spicedb.sh")
                .hasMessageContaining(EmbeddedSpiceDb.LIBRARY_PROPERTY)
                .hasMessageContaining(EmbeddedSpiceDb.LIBRARY_ENV);
    }

    @Test
    void notALibraryIsATypedError(@TempDir Path dir) throws Exception {
        Path bogus = Files.writeString(dir.resolve("libspicedb.so"), "not an ELF file");
        assertThatThrownBy(() -> EmbeddedSpiceDb.builder().library(bogus).start())
                .isInstanceOf(SpiceDbLibraryNotFoundException.class)
                .hasMessageContaining("cannot load");
    }

    @Test
    void badDatastoreIsATypedStartError() {
        Spice.start().close(); // skip/fail consistently when the library is missing
        assertThatThrownBy(() -> EmbeddedSpiceDb.builder().datastore("bogus", null).start())
                .isInstanceOf(SpiceDbStartException.class)
                .hasMessageContaining("bogus");
    }
}
