package dev.keel.rag.internal.knowledge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.keel.rag.knowledge.Fusion;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** Fusion and de-duplication against hand-computed rankings, and their invariants. */
class FuserTest {

    private static IndexedChunk chunk(String source, int start, int end) {
        return new IndexedChunk(source + "#" + start, source, start, start, end, "text " + source + " " + start + "-" + end,
                "", Map.of(), "h" + source + start);
    }

    private static final IndexedChunk A = chunk("a.md", 0, 100);
    private static final IndexedChunk B = chunk("b.md", 0, 100);
    private static final IndexedChunk C = chunk("c.md", 0, 100);
    private static final IndexedChunk D = chunk("d.md", 0, 100);

    private static LinkedHashMap<String, List<Fuser.Candidate>> lists() {
        LinkedHashMap<String, List<Fuser.Candidate>> lists = new LinkedHashMap<>();
        // embeddings: A 0.9, B 0.8, C 0.5      bm25: C 12, D 9, A 3
        lists.put("chunked-embeddings", List.of(new Fuser.Candidate(A, 0.9), new Fuser.Candidate(B, 0.8),
                new Fuser.Candidate(C, 0.5)));
        lists.put("bm25", List.of(new Fuser.Candidate(C, 12), new Fuser.Candidate(D, 9), new Fuser.Candidate(A, 3)));
        return lists;
    }

    @Test
    void reciprocalRankFusionByHand() {
        List<Fuser.Fused> fused = Fuser.fuse(Fusion.rrf(60), lists());
        // A: 1/61 + 1/63, C: 1/63 + 1/61 (tie; both best rank 1 → by source: a < c), B: 1/62, D: 1/62 (tie, best rank 2 → b < d)
        assertThat(fused).extracting(f -> f.chunk().source()).containsExactly("a.md", "c.md", "b.md", "d.md");
        assertThat(fused.get(0).fused()).isCloseTo(1.0 / 61 + 1.0 / 63, within(1e-12));
        assertThat(fused.get(2).fused()).isCloseTo(1.0 / 62, within(1e-12));
        assertThat(fused.get(0).scores()).containsEntry("chunked-embeddings", 0.9).containsEntry("bm25", 3.0);
        assertThat(fused.get(3).scores()).containsOnlyKeys("bm25");
        // a small k favours rank 1 more: with k = 1, A = 1/2 + 1/4, C = 1/4 + 1/2 — still tied
        assertThat(Fuser.fuse(Fusion.rrf(1), lists()).get(0).fused()).isCloseTo(0.75, within(1e-12));
    }

    @Test
    void weightedFusionByHand() {
        List<Fuser.Fused> fused = Fuser.fuse(Fusion.weighted(Map.of("chunked-embeddings", 0.7, "bm25", 0.3)), lists());
        // embeddings normalised over [0.5, 0.9]: A 1, B 0.75, C 0; bm25 over [3, 12]: C 1, D 2/3, A 0
        // A 0.7, B 0.525, C 0.3, D 0.2
        assertThat(fused).extracting(f -> f.chunk().source()).containsExactly("a.md", "b.md", "c.md", "d.md");
        double[] expected = {0.7, 0.525, 0.3, 0.2};
        for (int i = 0; i < expected.length; i++) {
            assertThat(fused.get(i).fused()).isCloseTo(expected[i], within(1e-9));
        }
        // weights flipped: C 0.7, A 0.3 + 0 ... D 0.7 * 2/3
        List<Fuser.Fused> flipped = Fuser.fuse(Fusion.weighted(Map.of("chunked-embeddings", 0.3, "bm25", 0.7)), lists());
        assertThat(flipped).extracting(f -> f.chunk().source()).containsExactly("c.md", "d.md", "a.md", "b.md");
    }

    @Test
    void maxFusionByHand() {
        List<Fuser.Fused> fused = Fuser.fuse(Fusion.max(), lists());
        assertThat(fused).extracting(f -> f.chunk().source()).containsExactly("c.md", "d.md", "a.md", "b.md");
        assertThat(fused).extracting(Fuser.Fused::fused).containsExactly(12.0, 9.0, 3.0, 0.8);
    }

    @Test
    void deduplicationDropsOverlappingWindowsAndRepeatedText() {
        IndexedChunk first = chunk("a.md", 0, 100);
        IndexedChunk overlapping = chunk("a.md", 40, 140);     // 60 of 100 shared: a duplicate
        IndexedChunk neighbour = chunk("a.md", 90, 190);       // 10 shared: a different passage
        IndexedChunk sameText = new IndexedChunk("b.md#0", "b.md", 0, 0, 100, "  " + first.text() + "\n", "",
                Map.of(), "x");
        List<Fuser.Fused> ranked = List.of(f(first, 4), f(overlapping, 3), f(neighbour, 2), f(sameText, 1));
        assertThat(Fuser.deduplicate(ranked)).extracting(x -> x.chunk()).containsExactly(first, neighbour);
    }

    private static Fuser.Fused f(IndexedChunk c, double score) {
        return new Fuser.Fused(c, score, Map.of("s", score), 1);
    }

    // ---- properties ----

    @Provide
    Arbitrary<List<Fuser.Candidate>> rankedList() {
        return Arbitraries.integers().between(0, 30).flatMap(n -> Arbitraries.doubles().between(-5, 50)
                .list().ofSize(n).map(scores -> {
                    scores.sort((x, y) -> Double.compare(y, x));
                    List<Fuser.Candidate> list = new ArrayList<>();
                    for (int i = 0; i < scores.size(); i++) {
                        list.add(new Fuser.Candidate(chunk("s" + i + ".md", i, i + 10), scores.get(i)));
                    }
                    return list;
                }));
    }

    @Provide
    Arbitrary<Fusion> fusion() {
        return Arbitraries.of(Fusion.rrf(), Fusion.rrf(1), Fusion.weighted(Map.of("only", 0.4)), Fusion.max());
    }

    @Property
    void fusingOneListGivesThatList(@ForAll("rankedList") List<Fuser.Candidate> list, @ForAll("fusion") Fusion fusion) {
        LinkedHashMap<String, List<Fuser.Candidate>> one = new LinkedHashMap<>();
        one.put("only", list);
        List<Fuser.Fused> fused = Fuser.fuse(fusion, one);
        assertThat(fused).extracting(Fuser.Fused::chunk).containsExactlyElementsOf(list.stream()
                .map(Fuser.Candidate::chunk).toList());
    }

    @Property
    void fusionKeepsEveryPassageOnceSortedAndOrderOfListsDoesNotMatter(
            @ForAll("rankedList") List<Fuser.Candidate> first, @ForAll("rankedList") List<Fuser.Candidate> second,
            @ForAll("fusion") Fusion fusion) {
        LinkedHashMap<String, List<Fuser.Candidate>> lists = new LinkedHashMap<>();
        lists.put("x", first);
        lists.put("only", second.subList(0, second.size() / 2)); // overlaps with x on some chunks
        LinkedHashMap<String, List<Fuser.Candidate>> swapped = new LinkedHashMap<>();
        swapped.put("only", lists.get("only"));
        swapped.put("x", first);
        List<Fuser.Fused> fused = Fuser.fuse(fusion, lists);
        Set<String> expected = new HashSet<>();
        lists.values().forEach(l -> l.forEach(c -> expected.add(c.chunk().key())));
        assertThat(fused).extracting(f -> f.chunk().key()).doesNotHaveDuplicates().hasSize(expected.size());
        for (int i = 1; i < fused.size(); i++) {
            assertThat(fused.get(i).fused()).isLessThanOrEqualTo(fused.get(i - 1).fused());
        }
        assertThat(Fuser.fuse(fusion, swapped)).extracting(f -> f.chunk().key())
                .containsExactlyElementsOf(fused.stream().map(f -> f.chunk().key()).toList());
    }

    @Property
    void aPassageBothStrategiesRankFirstWinsRrf(@ForAll("rankedList") List<Fuser.Candidate> list) {
        if (list.isEmpty()) {
            return;
        }
        LinkedHashMap<String, List<Fuser.Candidate>> lists = new LinkedHashMap<>();
        lists.put("a", list);
        List<Fuser.Candidate> reversed = new ArrayList<>(list.subList(1, list.size()));
        java.util.Collections.reverse(reversed);
        reversed.add(0, list.get(0));
        lists.put("b", reversed);
        assertThat(Fuser.fuse(Fusion.rrf(), lists).get(0).chunk()).isEqualTo(list.get(0).chunk());
    }

    @Property
    void deduplicationIsIdempotentAndKeepsOrder(@ForAll("rankedList") List<Fuser.Candidate> list) {
        List<Fuser.Fused> fused = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            // every second passage overlaps its predecessor in one source
            IndexedChunk c = i % 2 == 1 ? chunk("same.md", (i - 1) * 10 + 3, (i - 1) * 10 + 13) : chunk("same.md", i * 10, i * 10 + 10);
            fused.add(new Fuser.Fused(c, list.get(i).score(), Map.of(), i + 1));
        }
        List<Fuser.Fused> once = Fuser.deduplicate(fused);
        assertThat(Fuser.deduplicate(once)).isEqualTo(once);
        assertThat(fused).containsSubsequence(once);
        assertThat(once).hasSize((fused.size() + 1) / 2);
    }
}
