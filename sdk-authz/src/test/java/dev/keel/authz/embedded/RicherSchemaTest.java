package dev.keel.authz.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.authz.Check;
import dev.keel.authz.CheckResult;
import dev.keel.authz.Consistency;
import dev.keel.authz.LookupResult;
import dev.keel.authz.ObjectRef;
import dev.keel.authz.Relationship;
import dev.keel.authz.RelationshipUpdate;
import dev.keel.authz.Spice;
import dev.keel.authz.SubjectRef;
import dev.keel.authz.ZedToken;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Groups with nested membership, folder inheritance, exclusion, intersection, wildcards, revocation. */
class RicherSchemaTest {
    static final String SCHEMA = """
            definition user {}

            definition group {
                relation member: user | group#member
            }

            definition folder {
                relation parent: folder
                relation viewer: user | group#member
                permission read = viewer + parent->read
            }

            definition document {
                relation parent: folder
                relation viewer: user | user:* | group#member
                relation banned: user
                relation clearance: user | group#member
                relation restricted: document
                permission read = (viewer + parent->read) - banned
                permission read_secret = read & clearance
            }
            """;

    static final String RELATIONSHIPS = """
            # nested groups: staff ⊃ eng ⊃ platform
            group:eng#member@group:platform#member
            group:staff#member@group:eng#member
            group:platform#member@user:pia
            group:eng#member@user:erik
            group:staff#member@user:sam

            # folders: root > projects > secret-project
            folder:projects#parent@folder:root
            folder:secretproject#parent@folder:projects
            folder:root#viewer@group:staff#member
            folder:secretproject#viewer@user:olga

            document:plan#parent@folder:secretproject
            document:handbook#parent@folder:root
            document:handbook#banned@user:sam
            document:faq#viewer@user:*
            document:payroll#viewer@group:eng#member
            document:payroll#clearance@user:pia
            """;

    static EmbeddedSpiceDb db;

    @BeforeAll
    static void start() {
        db = Spice.start(SCHEMA, RELATIONSHIPS);
    }

    @AfterAll
    static void stop() {
        if (db != null) {
            db.close();
        }
    }

    @ParameterizedTest(name = "{1} {2} {0} -> {3}")
    @CsvSource({
            // nested groups through folder inheritance (root viewer = staff, staff ⊃ eng ⊃ platform)
            "plan,      read, pia,     true",
            "plan,      read, erik,    true",
            "plan,      read, sam,     true",
            "plan,      read, olga,    true",
            "plan,      read, nobody,  false",
            // exclusion: sam is staff but banned from the handbook
            "handbook,  read, sam,     false",
            "handbook,  read, pia,     true",
            "handbook,  read, olga,    false",
            // wildcard: anyone reads the FAQ
            "faq,       read, nobody,  true",
            "faq,       read, pia,     true",
            // intersection: payroll secrets need eng membership AND clearance
            "payroll,   read_secret, pia,  true",
            "payroll,   read_secret, erik, false",
            "payroll,   read,        erik, true",
            "payroll,   read,        sam,  false",
    })
    void permissionsFollowTheSchema(String doc, String permission, String user, boolean allowed) {
        CheckResult result = db.check(ObjectRef.of("document", doc), permission, SubjectRef.of("user", user));
        assertThat(result.allowed()).isEqualTo(allowed);
    }

    @Test
    void lookupAgreesWithChecksAcrossInheritance() {
        try (Stream<LookupResult> found = db.lookupResources("document", "read", SubjectRef.of("user", "olga"),
                Consistency.fullyConsistent())) {
            assertThat(found.map(LookupResult::resourceId)).containsExactlyInAnyOrder("plan", "faq");
        }
    }

    @Test
    void revocationIsSeenByACheckAtLeastAsFreshAsItsToken() {
        try (EmbeddedSpiceDb own = Spice.start(SCHEMA, RELATIONSHIPS)) {
            ObjectRef plan = ObjectRef.of("document", "plan");
            SubjectRef olga = SubjectRef.of("user", "olga");
            assertThat(own.check(Check.of(plan, "read", olga), Consistency.fullyConsistent()))
                    .isEqualTo(CheckResult.HAS_PERMISSION);
            ZedToken revoked = own.write(List.of(RelationshipUpdate.delete(
                    Relationship.parse("folder:secretproject#viewer@user:olga"))));
            assertThat(own.check(Check.of(plan, "read", olga), Consistency.atLeastAsFresh(revoked)))
                    .isEqualTo(CheckResult.NO_PERMISSION);
            // revoking a nested group edge cuts everyone below it
            ZedToken cut = own.write(List.of(RelationshipUpdate.delete(
                    Relationship.parse("group:staff#member@group:eng#member"))));
            assertThat(own.check(Check.of(plan, "read", SubjectRef.of("user", "pia")), Consistency.atLeastAsFresh(cut)))
                    .isEqualTo(CheckResult.NO_PERMISSION);
            assertThat(own.check(Check.of(plan, "read", SubjectRef.of("user", "sam")), Consistency.atLeastAsFresh(cut)))
                    .isEqualTo(CheckResult.HAS_PERMISSION);
        }
    }
}
