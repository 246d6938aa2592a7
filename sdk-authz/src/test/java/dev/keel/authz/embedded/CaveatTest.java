package dev.keel.authz.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.authz.BulkCheckResult;
import dev.keel.authz.Caveat;
import dev.keel.authz.Check;
import dev.keel.authz.CheckResult;
import dev.keel.authz.Consistency;
import dev.keel.authz.ObjectRef;
import dev.keel.authz.Relationship;
import dev.keel.authz.RelationshipFilter;
import dev.keel.authz.Spice;
import dev.keel.authz.SubjectRef;
import dev.keel.authz.filter.DropReason;
import dev.keel.authz.filter.FilterResult;
import dev.keel.authz.filter.FilterStrategy;
import dev.keel.authz.filter.PostFilter;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Caveats make SpiceDB answer "conditional" when context is missing: the filter must deny those. */
class CaveatTest {
    static final String SCHEMA = """
            caveat on_shift(shift string, current_shift string) {
                shift == current_shift
            }

            definition user {}

            definition document {
                relation viewer: user | user with on_shift
                permission read = viewer
            }
            """;
    static final String RELATIONSHIPS = """
            document:playbook#viewer@user:beatrice[on_shift:{"shift":"day"}]
            document:faq#viewer@user:beatrice
            """;
    static EmbeddedSpiceDb db;
    static final SubjectRef BEATRICE = SubjectRef.of("user", "beatrice");

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

    @Test
    void missingContextIsConditionalAndContextDecides() {
        Check check = Check.of(ObjectRef.of("document", "playbook"), "read", BEATRICE);
        assertThat(db.check(check, Consistency.fullyConsistent())).isEqualTo(CheckResult.CONDITIONAL);
        assertThat(db.check(check.withContext(Map.of("current_shift", "day")), Consistency.fullyConsistent()))
                .isEqualTo(CheckResult.HAS_PERMISSION);
        assertThat(db.check(check.withContext(Map.of("current_shift", "night")), Consistency.fullyConsistent()))
                .isEqualTo(CheckResult.NO_PERMISSION);
        List<BulkCheckResult> bulk = db.checkBulk(List.of(check, check.withContext(Map.of("current_shift", "day"))));
        assertThat(bulk).extracting(BulkCheckResult::result).containsExactly(CheckResult.CONDITIONAL, CheckResult.HAS_PERMISSION);
    }

    @Test
    void caveatsRoundTripThroughReads() {
        try (Stream<Relationship> rels = db.readRelationships(RelationshipFilter.resourceType("document").resourceId("playbook"),
                Consistency.fullyConsistent())) {
            assertThat(rels.toList()).singleElement().satisfies(r -> {
                assertThat(r.caveat()).isEqualTo(new Caveat("on_shift", Map.of("shift", "day")));
                assertThat(r.toString()).isEqualTo("document:playbook#viewer@user:beatrice[on_shift:{\"shift\":\"day\"}]");
            });
        }
    }

    @Test
    void filterDeniesConditionalAnswersUnlessContextIsGiven() {
        List<String> hits = List.of("playbook", "faq");
        for (FilterStrategy strategy : FilterStrategy.values()) {
            FilterResult<String> result = PostFilter.<String>builder(db, "read", id -> ObjectRef.of("document", id))
                    .strategy(strategy).build().filter(hits, BEATRICE);
            assertThat(result.kept()).as(strategy.name()).containsExactly("faq");
            if (strategy == FilterStrategy.POST_FILTER) {
                assertThat(result.dropped()).singleElement()
                        .satisfies(d -> assertThat(d.reason()).isEqualTo(DropReason.CONDITIONAL));
            }
        }
        List<String> withContext = PostFilter.<String>builder(db, "read", id -> ObjectRef.of("document", id))
                .context(Map.of("current_shift", "day")).build().keep(hits, BEATRICE);
        assertThat(withContext).containsExactly("playbook", "faq");
    }
}
