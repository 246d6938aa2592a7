package dev.keel.agents.internal.lsp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Example;

/**
 * LSP text edits on random text made of ASCII, accented letters, astral characters (surrogate pairs in UTF-16) and all
 * three line breaks: any set of non-overlapping edits, in any order, gives what a reference implementation gives;
 * a set with an overlap is refused and the file is left byte for byte as it was.
 */
class TextEditsPropertyTest {
    private static final List<String> TOKENS = List.of("a", "b", "x", " ", "é", "ß", "\uD83D\uDE00", "\uD834\uDD1E",
            "\t", "\n", "\r\n", "\r", "漢");

    /** A text as tokens, edits as (first boundary, last boundary, new text) over distinct token boundaries. */
    record Case(List<String> tokens, List<int[]> ranges, List<String> texts, long seed) {
        String text() {
            return String.join("", tokens);
        }

        /** The UTF-16 offset of a token boundary (reference: sums token lengths). */
        int offset(int boundary) {
            int o = 0;
            for (int i = 0; i < boundary; i++) {
                o += tokens.get(i).length();
            }
            return o;
        }

        /** The LSP position of a token boundary (reference: counts line-break tokens). */
        int[] position(int boundary) {
            int line = 0;
            int character = 0;
            for (int i = 0; i < boundary; i++) {
                String t = tokens.get(i);
                if (t.equals("\n") || t.equals("\r\n") || t.equals("\r")) {
                    line++;
                    character = 0;
                } else {
                    character += t.length();
                }
            }
            return new int[] {line, character};
        }

        List<TextEdits.Edit> edits() {
            List<TextEdits.Edit> edits = new ArrayList<>();
            for (int i = 0; i < ranges.size(); i++) {
                int[] s = position(ranges.get(i)[0]);
                int[] e = position(ranges.get(i)[1]);
                edits.add(new TextEdits.Edit(s[0], s[1], e[0], e[1], texts.get(i)));
            }
            Collections.shuffle(edits, new Random(seed)); // the order of a set does not matter
            return edits;
        }

        /** The reference: offsets from the tokens, replaced from the last to the first. */
        String expected() {
            StringBuilder b = new StringBuilder(text());
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < ranges.size(); i++) {
                order.add(i);
            }
            order.sort(Comparator.comparingInt((Integer i) -> ranges.get(i)[0]).reversed());
            for (int i : order) {
                b.replace(offset(ranges.get(i)[0]), offset(ranges.get(i)[1]), texts.get(i));
            }
            return b.toString();
        }
    }

    @Provide
    Arbitrary<Case> cases() {
        // A "\r" token before a "\n" would join it into one line break: written as "\r\n" then.
        Arbitrary<List<String>> tokens = Arbitraries.of(TOKENS).list().ofMinSize(0).ofMaxSize(60).map(l -> {
            List<String> fixed = new ArrayList<>(l);
            for (int i = 0; i + 1 < fixed.size(); i++) {
                if (fixed.get(i).equals("\r") && fixed.get(i + 1).startsWith("\n")) {
                    fixed.set(i, "\r\n");
                }
            }
            return fixed;
        });
        Arbitrary<String> newTexts = Arbitraries.of(TOKENS).list().ofMaxSize(4).map(l -> String.join("", l));
        return tokens.flatMap(t -> {
            int boundaries = t.size() + 1;
            Arbitrary<TreeSet<Integer>> points = Arbitraries.integers().between(0, boundaries - 1).set()
                    .ofMaxSize(Math.min(boundaries, 12)).map(TreeSet::new);
            return Combinators.combine(points, newTexts.list().ofSize(12), Arbitraries.integers().list().ofSize(12),
                    Arbitraries.longs()).as((p, texts, kinds, seed) -> {
                        // Distinct sorted boundaries: each edit takes one (an insert) or two (a replacement).
                        List<Integer> sorted = new ArrayList<>(p);
                        List<int[]> ranges = new ArrayList<>();
                        List<String> chosen = new ArrayList<>();
                        int i = 0;
                        int k = 0;
                        while (i < sorted.size()) {
                            boolean insert = kinds.get(k) % 2 == 0 || i + 1 == sorted.size();
                            int start = sorted.get(i);
                            int end = insert ? start : sorted.get(i + 1);
                            ranges.add(new int[] {start, end});
                            chosen.add(texts.get(k));
                            i += insert ? 1 : 2;
                            k++;
                        }
                        return new Case(t, ranges, chosen, seed);
                    });
        });
    }

    @Property(tries = 300)
    void nonOverlappingEditsInAnyOrderMatchTheReference(@ForAll("cases") Case c) {
        assertThat(TextEdits.apply(c.text(), c.edits())).isEqualTo(c.expected());
    }

    @Property(tries = 200)
    void anOverlappingSetIsRefusedAndTheFileIsUntouched(@ForAll("cases") Case c) throws Exception {
        int[] widest = c.ranges().stream().filter(r -> r[1] > r[0]).findFirst().orElse(null);
        if (widest == null) {
            return; // only inserts: nothing to overlap with (another case covers it)
        }
        List<TextEdits.Edit> edits = new ArrayList<>(c.edits());
        int[] s = c.position(widest[0]);
        int[] e = c.position(widest[1]);
        if (widest[1] - widest[0] >= 2) { // an insert strictly inside the replaced range
            int[] mid = c.position(widest[0] + 1);
            edits.add(new Random(c.seed()).nextInt(edits.size() + 1), new TextEdits.Edit(mid[0], mid[1], mid[0],
                    mid[1], "!"));
        } else { // the same range replaced twice
            edits.add(new Random(c.seed()).nextInt(edits.size() + 1), new TextEdits.Edit(s[0], s[1], e[0], e[1], "?"));
        }
        Path dir = Files.createTempDirectory("keel-edits");
        Path file = dir.resolve("f.ts");
        byte[] before = c.text().getBytes(StandardCharsets.UTF_8);
        Files.write(file, before);
        try {
            assertThatThrownBy(() -> WorkspaceEdits.write(List.of(WorkspaceEdits.plan(file, json(edits),
                    new Unconfined()))))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("overlaps");
            assertThat(Files.readAllBytes(file)).isEqualTo(before);
            try (var listing = Files.list(dir)) {
                assertThat(listing.toList()).containsExactly(file);
            }
        } finally {
            Files.deleteIfExists(file);
            Files.delete(dir);
        }
    }

    @Property(tries = 100)
    void aWrittenFileHoldsExactlyTheEditedText(@ForAll("cases") Case c) throws Exception {
        Path dir = Files.createTempDirectory("keel-edits");
        Path file = dir.resolve("f.ts");
        Files.writeString(file, c.text());
        try {
            WorkspaceEdits.write(List.of(WorkspaceEdits.plan(file, json(c.edits()), new Unconfined())));
            assertThat(Files.readString(file)).isEqualTo(c.expected());
            try (var listing = Files.list(dir)) {
                assertThat(listing.toList()).as("no temporary file left").containsExactly(file);
            }
        } finally {
            Files.deleteIfExists(file);
            Files.delete(dir);
        }
    }

    @Example
    void positionsInsideASurrogatePairOrALineBreakOrPastTheEndAreRefused() {
        String text = "a\uD83D\uDE00b\r\nc";
        assertThatThrownBy(() -> TextEdits.apply(text, List.of(new TextEdits.Edit(0, 2, 0, 2, "x"))))
                .hasMessageContaining("splits a surrogate pair on line 1");
        assertThatThrownBy(() -> TextEdits.apply(text, List.of(new TextEdits.Edit(0, 5, 0, 5, "x"))))
                .hasMessageContaining("past the end of line 1 (4 UTF-16 code units)");
        assertThatThrownBy(() -> TextEdits.apply(text, List.of(new TextEdits.Edit(2, 0, 2, 0, "x"))))
                .hasMessageContaining("past the end of the text (2 lines)");
        assertThatThrownBy(() -> TextEdits.apply(text, List.of(new TextEdits.Edit(1, 1, 0, 1, "x"))))
                .hasMessageContaining("ends before it starts");
        assertThat(TextEdits.apply(text, List.of(new TextEdits.Edit(0, 1, 0, 3, "🙂"), new TextEdits.Edit(0, 4, 1, 0,
                "\n")))).isEqualTo("a🙂b\nc");
    }

    /** Inserts at one position keep the order the server gave them, before a replacement starting there. */
    @Example
    void insertsAtOnePositionKeepTheirOrder() {
        assertThat(TextEdits.apply("abc", List.of(new TextEdits.Edit(0, 1, 0, 2, "B"), new TextEdits.Edit(0, 1, 0, 1,
                "1"), new TextEdits.Edit(0, 1, 0, 1, "2")))).isEqualTo("a12Bc");
    }

    static JsonNode json(List<TextEdits.Edit> edits) {
        ArrayNode list = JsonNodeFactory.instance.arrayNode();
        for (TextEdits.Edit e : edits) {
            ObjectNode edit = list.addObject();
            ObjectNode range = edit.putObject("range");
            range.putObject("start").put("line", e.startLine()).put("character", e.startCharacter());
            range.putObject("end").put("line", e.endLine()).put("character", e.endCharacter());
            edit.put("newText", e.newText());
        }
        return list;
    }

    /** A workspace that confines nothing and was sent nothing: the pure applier. */
    private static final class Unconfined implements WorkspaceEdits.Workspace {
        @Override
        public Path confine(String uri) {
            return LspPaths.path(uri);
        }

        @Override
        public WorkspaceEdits.Seen seen(Path file) {
            return null;
        }
    }
}
