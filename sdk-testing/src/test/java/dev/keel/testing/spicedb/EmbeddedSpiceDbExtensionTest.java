package dev.keel.testing.spicedb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.authz.CheckResult;
import dev.keel.authz.Consistency;
import dev.keel.authz.LookupResult;
import dev.keel.authz.ObjectRef;
import dev.keel.authz.PermissionsClient;
import dev.keel.authz.Relationship;
import dev.keel.authz.SubjectRef;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

class EmbeddedSpiceDbExtensionTest {

    @Nested
    @EmbeddedSpiceDb(schema = "schema.zed", relationships = "relationships.txt")
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    class PerClass {
        static Path socketOfFirstTest;

        @Test
        @Order(1)
        void injectsAClientLoadedFromTheFiles(PermissionsClient spicedb, dev.keel.authz.embedded.EmbeddedSpiceDb same) {
            assertThat(spicedb).isSameAs(same);
            socketOfFirstTest = same.streamingSocket();
            assertThat(spicedb.check(ObjectRef.of("document", "doc1"), "read", SubjectRef.of("user", "emilia")))
                    .isEqualTo(CheckResult.HAS_PERMISSION);
            assertThat(spicedb.check(ObjectRef.of("document", "doc1"), "read", SubjectRef.of("user", "charlie")))
                    .isEqualTo(CheckResult.NO_PERMISSION);
            try (Stream<LookupResult> found = spicedb.lookupResources("document", "read", SubjectRef.of("user", "beatrice"),
                    Consistency.fullyConsistent())) {
                assertThat(found.map(LookupResult::resourceId)).containsExactlyInAnyOrder("doc2", "doc3");
            }
            spicedb.touch(java.util.List.of(Relationship.parse("document:doc4#viewer@user:charlie")));
        }

        @Test
        @Order(2)
        void sharesOneInstanceAcrossTheClass(dev.keel.authz.embedded.EmbeddedSpiceDb spicedb) {
            assertThat(spicedb.streamingSocket()).isEqualTo(socketOfFirstTest);
            assertThat(spicedb.check(ObjectRef.of("document", "doc4"), "read", SubjectRef.of("user", "charlie")))
                    .isEqualTo(CheckResult.HAS_PERMISSION);
        }
    }

    @Nested
    @EmbeddedSpiceDb(schema = "/dev/keel/testing/spicedb/schema.zed",
            relationshipsText = "document:docx#viewer@user:*",
            lifecycle = EmbeddedSpiceDb.Lifecycle.PER_METHOD)
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    class PerMethod {
        static Path previous;

        @Test
        @Order(1)
        void firstInstanceGetsAWrite(PermissionsClient spicedb, dev.keel.authz.embedded.EmbeddedSpiceDb db) {
            previous = db.streamingSocket();
            assertThat(spicedb.check(ObjectRef.of("document", "docx"), "read", SubjectRef.of("user", "anyone")))
                    .isEqualTo(CheckResult.HAS_PERMISSION);
            spicedb.touch(java.util.List.of(Relationship.parse("document:doc9#owner@user:emilia")));
        }

        @Test
        @Order(2)
        void secondInstanceIsFreshAndThePreviousWasDisposed(PermissionsClient spicedb, dev.keel.authz.embedded.EmbeddedSpiceDb db) {
            assertThat(db.streamingSocket()).isNotEqualTo(previous);
            assertThat(previous).doesNotExist();
            assertThat(spicedb.check(ObjectRef.of("document", "doc9"), "read", SubjectRef.of("user", "emilia")))
                    .isEqualTo(CheckResult.NO_PERMISSION);
        }
    }
}
