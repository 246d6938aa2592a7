package dev.keel.authz.filter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.authz.BulkCheckResult;
import dev.keel.authz.CheckResult;
import dev.keel.authz.Consistency;
import dev.keel.authz.ObjectRef;
import dev.keel.authz.PermissionsException;
import dev.keel.authz.Relationship;
import dev.keel.authz.RelationshipUpdate;
import dev.keel.authz.Spice;
import dev.keel.authz.SubjectRef;
import dev.keel.authz.ZedToken;
import dev.keel.authz.embedded.EmbeddedSpiceDb;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** PostFilter against the real embedded SpiceDB, with the seeds' three users and documents. */
class PostFilterTest {
    /** A retrieved chunk: the document it came from and its text. */
    record Chunk(String docId, String text) {
    }

    /** The seeds' documents, chunked. */
    static final List<Chunk> CHUNKS = List.of(
            new Chunk("doc1", "Internal roadmap: Q3 launches the pricing engine, Q4 the partner portal."),
            new Chunk("doc1", "Internal roadmap: hiring plan and budget for the pricing engine team."),
            new Chunk("doc2", "Customer playbook: how to answer pricing questions from enterprise customers."),
            new Chunk("doc2", "Customer playbook: escalation paths and discount approval."),
            new Chunk("doc3", "Public FAQ: what is the pricing of the free tier?"),
            new Chunk("doc3", "Public FAQ: how do I reset my password?"));

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

    /** A tiny lexical retriever: ranks chunks by how many query words they contain. */
    static List<Chunk> retrieve(String query) {
        Set<String> words = Set.of(query.toLowerCase(Locale.ROOT).split("\\W+"));
        return CHUNKS.stream()
                .filter(c -> score(c, words) > 0)
                .sorted(Comparator.comparingLong((Chunk c) -> -score(c, words)))
                .toList();
    }

    static long score(Chunk c, Set<String> words) {
        return Arrays.stream(c.text().toLowerCase(Locale.ROOT).split("\\W+")).filter(words::contains).count();
    }

    static PostFilter<Chunk> readable(FilterStrategy strategy) {
        return PostFilter.<Chunk>builder(db, "read", c -> ObjectRef.of("document", c.docId())).strategy(strategy).build();
    }

    @ParameterizedTest
    @EnumSource(FilterStrategy.class)
    void eachUserSeesExactlyWhatTheyMayRead(FilterStrategy strategy) {
        List<Chunk> hits = retrieve("pricing roadmap playbook faq");
        assertThat(hits).extracting(Chunk::docId).contains("doc1", "doc2", "doc3");
        PostFilter<Chunk> filter = readable(strategy);

        assertThat(filter.keep(hits, EMILIA)).extracting(Chunk::docId).containsOnly("doc1", "doc3");
        assertThat(filter.keep(hits, BEATRICE)).extracting(Chunk::docId).containsOnly("doc2", "doc3");
        assertThat(filter.keep(hits, CHARLIE)).extracting(Chunk::docId).containsOnly("doc3");
        for (SubjectRef user : List.of(EMILIA, BEATRICE, CHARLIE)) {
            List<Chunk> kept = filter.keep(hits, user);
            // exactly the readable ones, in the retriever's order
            List<Chunk> expected = hits.stream()
                    .filter(h -> db.check(ObjectRef.of("document", h.docId()), "read", user).allowed()).toList();
            assertThat(kept).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void reportsWhatWasDroppedWithoutContent() {
        List<Chunk> hits = retrieve("pricing roadmap playbook faq");
        FilterResult<Chunk> result = readable(FilterStrategy.POST_FILTER).filter(hits, CHARLIE);
        assertThat(result.examined()).isEqualTo(hits.size());
        assertThat(result.kept().size() + result.dropped().size()).isEqualTo(hits.size());
        assertThat(result.dropped()).allSatisfy(d -> {
            assertThat(d.reason()).isEqualTo(DropReason.DENIED);
            assertThat(d.resource().id()).isIn("doc1", "doc2");
            assertThat(hits.get(d.rank()).docId()).isEqualTo(d.resource().id());
        });
        assertThat(result.failedClosed()).isFalse();
        assertThat(result.toString()).doesNotContain("roadmap").doesNotContain("playbook").contains("DENIED");
    }

    @Test
    void checksInBatchesAndEachResourceOnce() {
        List<Chunk> many = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            many.add(new Chunk("doc" + (i % 5 + 1), "chunk " + i)); // doc1..doc5, doc4/doc5 do not exist
        }
        FaultyClient counting = FaultyClient.counting(db);
        PostFilter<Chunk> filter = PostFilter.<Chunk>builder(counting, "read", c -> ObjectRef.of("document", c.docId()))
                .batchSize(2).build();
        List<Chunk> kept = filter.keep(many, BEATRICE);
        assertThat(counting.bulkCalls.get()).isEqualTo(3); // 5 distinct resources in batches of 2
        assertThat(kept).extracting(Chunk::text).containsExactlyElementsOf(
                IntStream.range(0, 25).filter(i -> i % 5 == 1 || i % 5 == 2).mapToObj(i -> "chunk " + i).toList());
    }

    @Test
    void topKOverFetchesUntilItHasKReadableHits() {
        // ranking: 10 unreadable chunks of doc1 first, then readable doc3 chunks
        List<Chunk> ranked = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            ranked.add(new Chunk("doc1", "secret " + i));
        }
        for (int i = 0; i < 10; i++) {
            ranked.add(new Chunk("doc3", "faq " + i));
        }
        List<int[]> fetches = new ArrayList<>();
        HitSource<Chunk> source = (offset, limit) -> {
            fetches.add(new int[] {offset, limit});
            return HitSource.of(ranked).fetch(offset, limit);
        };
        FilterResult<Chunk> top = readable(FilterStrategy.POST_FILTER).topK(source, 3, CHARLIE);
        assertThat(top.kept()).extracting(Chunk::text).containsExactly("faq 0", "faq 1", "faq 2");
        assertThat(fetches.size()).isGreaterThan(1);
        assertThat(fetches.get(0)).containsExactly(0, 6);
        assertThat(top.dropped()).hasSize(10).allSatisfy(d -> assertThat(d.reason()).isEqualTo(DropReason.DENIED));
        assertThat(top.dropped()).extracting(DroppedHit::rank).containsExactlyElementsOf(IntStream.range(0, 10).boxed().toList());
    }

    @Test
    void topKStopsWhenTheSourceIsExhausted() {
        FilterResult<Chunk> top = readable(FilterStrategy.POST_FILTER).topK(HitSource.of(CHUNKS), 5, CHARLIE);
        assertThat(top.kept()).extracting(Chunk::docId).containsExactly("doc3", "doc3");
        assertThat(top.examined()).isEqualTo(CHUNKS.size());
    }

    @Test
    void autoFallsBackToBulkChecksWhenTheSubjectCanReadTooMuch() {
        List<Chunk> hits = retrieve("pricing roadmap playbook faq");
        FaultyClient counting = FaultyClient.counting(db);
        FilterResult<Chunk> small = PostFilter.<Chunk>builder(counting, "read", c -> ObjectRef.of("document", c.docId()))
                .strategy(FilterStrategy.AUTO).preFilterLimit(10).build().filter(hits, BEATRICE);
        assertThat(small.strategy()).isEqualTo(FilterStrategy.PRE_FILTER);
        assertThat(counting.bulkCalls.get()).isZero();
        FilterResult<Chunk> large = PostFilter.<Chunk>builder(counting, "read", c -> ObjectRef.of("document", c.docId()))
                .strategy(FilterStrategy.AUTO).preFilterLimit(1).build().filter(hits, BEATRICE);
        assertThat(large.strategy()).isEqualTo(FilterStrategy.POST_FILTER);
        assertThat(counting.bulkCalls.get()).isEqualTo(1);
        assertThat(large.kept()).containsExactlyElementsOf(small.kept());
    }

    @Test
    void failsClosedOnErrors() {
        List<Chunk> hits = retrieve("pricing roadmap playbook faq");
        FaultyClient failing = new FaultyClient(db, (c, checks) -> {
            throw new PermissionsException("CheckBulkPermissions", "UNAVAILABLE", 4, "connection refused", null);
        });
        FilterResult<Chunk> result = PostFilter.<Chunk>builder(failing, "read", c -> ObjectRef.of("document", c.docId()))
                .build().filter(hits, EMILIA);
        assertThat(result.kept()).isEmpty();
        assertThat(result.dropped()).hasSize(hits.size())
                .allSatisfy(d -> assertThat(d.reason()).isEqualTo(DropReason.ERROR));
        assertThat(result.failedClosed()).isTrue();
    }

    @Test
    void failsClosedOnTimeouts() {
        List<Chunk> hits = retrieve("pricing roadmap playbook faq");
        FaultyClient deadline = new FaultyClient(db, (c, checks) -> {
            throw new PermissionsException("CheckBulkPermissions", "DEADLINE_EXCEEDED", 1, "deadline", null);
        });
        assertThat(PostFilter.<Chunk>builder(deadline, "read", c -> ObjectRef.of("document", c.docId())).build()
                .filter(hits, EMILIA).dropped()).allSatisfy(d -> assertThat(d.reason()).isEqualTo(DropReason.TIMEOUT));

        // a slow server: the first batch spends the budget, later batches are not even asked
        ManualClock clock = new ManualClock();
        FaultyClient slow = new FaultyClient(db, (c, checks) -> {
            clock.advance(Duration.ofMillis(150));
            return c.checkBulk(checks);
        });
        FilterResult<Chunk> result = PostFilter.<Chunk>builder(slow, "read", c -> ObjectRef.of("document", c.docId()))
                .batchSize(1).timeout(Duration.ofMillis(100)).clock(clock).build().filter(hits, EMILIA);
        assertThat(slow.bulkCalls.get()).isEqualTo(1);
        assertThat(result.dropped()).anySatisfy(d -> assertThat(d.reason()).isEqualTo(DropReason.TIMEOUT));
        assertThat(result.kept()).allSatisfy(h -> assertThat(h.docId()).isIn("doc1", "doc3"));
    }

    @Test
    void aBudgetNotYetSpentAsksEveryBatch() {
        List<Chunk> hits = retrieve("pricing roadmap playbook faq");
        ManualClock clock = new ManualClock();
        FaultyClient slowish = new FaultyClient(db, (c, checks) -> {
            clock.advance(Duration.ofMillis(30));
            return c.checkBulk(checks);
        });
        FilterResult<Chunk> result = PostFilter.<Chunk>builder(slowish, "read", c -> ObjectRef.of("document", c.docId()))
                .batchSize(1).timeout(Duration.ofMillis(100)).clock(clock).build().filter(hits, EMILIA);
        // three documents, 30 ms each on the filter's clock: 90 ms, inside the 100 ms budget
        assertThat(slowish.bulkCalls.get()).isEqualTo(3);
        assertThat(result.dropped()).noneSatisfy(d -> assertThat(d.reason()).isEqualTo(DropReason.TIMEOUT));
        assertThat(result.kept()).extracting(Chunk::docId).containsOnly("doc1", "doc3");
    }

    @Test
    void consistencyGivenPerCallReachesEveryCheckAndSeesTheNewWrite() {
        Relationship grant = Relationship.parse("document:doc1#viewer@user:charlie");
        FaultyClient counting = FaultyClient.counting(db);
        PostFilter<Chunk> readable = PostFilter.of(counting, "read", c -> ObjectRef.of("document", c.docId()));
        List<Chunk> hits = retrieve("pricing roadmap playbook faq");
        assertThat(readable.keep(hits, CHARLIE)).extracting(Chunk::docId).containsOnly("doc3");
        ZedToken token = db.write(List.of(RelationshipUpdate.touch(grant)));
        try {
            Consistency fresh = Consistency.atLeastAsFresh(token);
            assertThat(readable.keep(hits, CHARLIE, fresh)).extracting(Chunk::docId).containsOnly("doc1", "doc3");
            assertThat(readable.topK((offset, limit) -> hits.subList(Math.min(offset, hits.size()),
                    Math.min(offset + limit, hits.size())), 10, CHARLIE, fresh).kept())
                    .extracting(Chunk::docId).contains("doc1");
            int calls = counting.consistencies.size();
            assertThat(counting.consistencies.subList(calls - 2, calls)).containsOnly(fresh);
            // the filter itself is unchanged: a call without a consistency uses the builder's
            readable.keep(hits, CHARLIE);
            assertThat(counting.consistencies.get(counting.consistencies.size() - 1)).isEqualTo(db.defaultConsistency());
        } finally {
            db.write(List.of(RelationshipUpdate.delete(grant)));
        }
    }

    @Test
    void failsClosedOnConditionalAnswersItemErrorsAndMissingItems() {
        List<Chunk> hits = retrieve("pricing roadmap playbook faq");
        FaultyClient conditional = new FaultyClient(db, (c, checks) -> checks.stream()
                .map(ch -> new BulkCheckResult(ch, CheckResult.CONDITIONAL, null)).toList());
        FaultyClient itemErrors = new FaultyClient(db, (c, checks) -> checks.stream()
                .map(ch -> new BulkCheckResult(ch, null, "status 9: precondition")).toList());
        FaultyClient missing = new FaultyClient(db, (c, checks) -> c.checkBulk(checks.subList(0, checks.size() - 1)));
        for (FaultyClient client : List.of(conditional, itemErrors)) {
            FilterResult<Chunk> r = PostFilter.<Chunk>builder(client, "read", c -> ObjectRef.of("document", c.docId()))
                    .build().filter(hits, EMILIA);
            assertThat(r.kept()).isEmpty();
            assertThat(r.dropped()).hasSize(hits.size());
        }
        FilterResult<Chunk> r = PostFilter.<Chunk>builder(missing, "read", c -> ObjectRef.of("document", c.docId()))
                .build().filter(hits, EMILIA);
        assertThat(r.dropped()).anySatisfy(d -> assertThat(d.reason()).isEqualTo(DropReason.ERROR));
    }

    @Test
    void failsClosedWhenTheExtractorFailsOrTheLookupFails() {
        List<Chunk> hits = retrieve("pricing roadmap playbook faq");
        FilterResult<Chunk> r = PostFilter.<Chunk>builder(db, "read",
                c -> c.docId().equals("doc3") ? null : ObjectRef.of("document", c.docId())).build().filter(hits, CHARLIE);
        assertThat(r.kept()).isEmpty();
        assertThat(r.dropped()).anySatisfy(d -> assertThat(d.reason()).isEqualTo(DropReason.INVALID_RESOURCE));

        FaultyClient failingLookup = FaultyClient.counting(db);
        failingLookup.lookupFailure = new PermissionsException("LookupResources", "UNAVAILABLE", 1, "down", null);
        FilterResult<Chunk> pre = PostFilter.<Chunk>builder(failingLookup, "read", c -> ObjectRef.of("document", c.docId()))
                .strategy(FilterStrategy.PRE_FILTER).build().filter(hits, EMILIA);
        assertThat(pre.kept()).isEmpty();
        assertThat(pre.dropped()).allSatisfy(d -> assertThat(d.reason()).isEqualTo(DropReason.ERROR));
    }

    @Test
    void rejectsBadOptions() {
        assertThatThrownBy(() -> PostFilter.<Chunk>builder(db, "read", c -> null).batchSize(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("batchSize");
        assertThatThrownBy(() -> PostFilter.<Chunk>builder(db, "Read!", c -> null).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("permission");
        assertThatThrownBy(() -> readable(FilterStrategy.POST_FILTER).topK(HitSource.of(CHUNKS), 0, CHARLIE))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
