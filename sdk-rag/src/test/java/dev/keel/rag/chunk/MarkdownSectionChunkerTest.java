package dev.keel.rag.chunk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MarkdownSectionChunkerTest {

    private static final String DOC = """
            # Guide
            Intro text.

            ## Install
            KEYWORDS: setup, maven
            Add the dependency.

            ```xml
            <dependency>

            # not a heading inside a fence
            </dependency>
            ```

            ## Use
            | name | value |
            |------|-------|
            | a    | 1     |

            ### Deep
            Details here.
            """;

    @Test
    void sectionsCarryHeadingPathAndKeywords() {
        List<Chunk> chunks = Chunkers.markdownSections(1000, Tokenizers.characters(), 0)
                .split(new Source("guide.md", DOC, Map.of("lang", "en")));
        ChunkAssertions.assertCovers(DOC, chunks);
        assertThat(chunks).extracting(c -> c.metadata().get(Chunk.HEADING_PATH))
                .containsExactly("# Guide", "# Guide > ## Install", "# Guide > ## Use", "# Guide > ## Use > ### Deep");
        Chunk install = chunks.get(1);
        assertThat(install.metadata()).containsEntry(Chunk.KEYWORDS, "setup, maven")
                .containsEntry(Chunk.SOURCE, "guide.md").containsEntry("lang", "en");
        assertThat(install.text()).contains("# not a heading inside a fence").startsWith("## Install");
        assertThat(chunks.get(0).metadata()).doesNotContainKey(Chunk.KEYWORDS);
    }

    @Test
    void neverSplitsFenceOrTableAndFlagsOversizedOnes() {
        List<Chunk> chunks = Chunkers.markdownSections(30, Tokenizers.characters(), 0)
                .split(Source.of("guide.md", DOC));
        ChunkAssertions.assertCovers(DOC, chunks);
        Chunk fence = chunks.stream().filter(c -> c.text().startsWith("```xml")).findFirst().orElseThrow();
        assertThat(fence.text()).endsWith("```\n\n").contains("</dependency>");
        assertThat(fence.oversized()).isTrue();
        Chunk table = chunks.stream().filter(c -> c.text().startsWith("| name")).findFirst().orElseThrow();
        assertThat(table.text()).contains("| a    | 1     |");
        assertThat(table.oversized()).isTrue();
        chunks.stream().filter(c -> !c.oversized()).forEach(c -> assertThat(c.length()).isLessThanOrEqualTo(30));
    }

    @Test
    void longSectionsSplitAtSentencesThenWords() {
        String text = "# T\n" + "First sentence is here. Second one follows! Third? ".repeat(5)
                + "x".repeat(10) + " " + "supercalifragilistic ".repeat(3);
        List<Chunk> chunks = Chunkers.markdownSections(40, Tokenizers.characters(), 0).split(Source.of("t", text));
        ChunkAssertions.assertCovers(text, chunks);
        ChunkAssertions.assertWithinLimit(text, chunks, 40, Tokenizers.characters());
        assertThat(chunks).allSatisfy(c -> assertThat(c.metadata()).containsEntry(Chunk.HEADING_PATH, "# T"));
        assertThat(chunks.get(0).text()).startsWith("# T\nFirst sentence is here. ");
        assertThat(chunks.get(1).text()).startsWith("Second one follows!");
    }

    @Test
    void tinySectionsMergeIntoTheNext() {
        String text = "# Parent\n## Child\nBody of the child section that is long enough.\n";
        List<Chunk> merged = Chunkers.markdownSections(200, Tokenizers.characters(), 20).split(Source.of("m", text));
        assertThat(merged).hasSize(1);
        assertThat(merged.get(0).metadata()).containsEntry(Chunk.HEADING_PATH, "# Parent > ## Child");
        List<Chunk> unmerged = Chunkers.markdownSections(200, Tokenizers.characters(), 0).split(Source.of("m", text));
        assertThat(unmerged).hasSize(2);
    }

    @Test
    void neverSplitsASurrogatePair() {
        String text = "😀".repeat(10);
        List<Chunk> chunks = Chunkers.markdownSections(3).split(Source.of("e", text));
        ChunkAssertions.assertCovers(text, chunks);
        assertThat(chunks).allSatisfy(c -> assertThat(c.length()).isEqualTo(2));
        List<Chunk> tiny = Chunkers.recursive(1).split(Source.of("e", "a😀b"));
        assertThat(tiny).extracting(Chunk::text).containsExactly("a", "😀", "b");
        assertThat(tiny.get(1).oversized()).isTrue();
    }

    @Test
    void badInputIsRejectedClearly() {
        assertThatThrownBy(() -> Source.of("x", "")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("empty text");
        assertThatThrownBy(() -> Source.of("x", null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("text");
        assertThatThrownBy(() -> Chunkers.markdownSections(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxSize");
        assertThatThrownBy(() -> Chunkers.fixedSize(10, 10)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("overlap (10) must be smaller than the chunk size (10)");
        assertThatThrownBy(() -> Chunkers.fixedSize(10, -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Chunkers.recursive(5).split(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> Chunkers.recursive(5, Tokenizers.characters(), List.of(""))).isInstanceOf(
                IllegalArgumentException.class);
    }

    @Test
    void jtokkitCountsRealTokens() {
        Tokenizer cl100k = Tokenizers.jtokkit("cl100k_base");
        assertThat(cl100k.count("hello world")).isEqualTo(2);
        String text = "Tokens are not characters. ".repeat(40);
        List<Chunk> chunks = Chunkers.recursive(20, cl100k).split(Source.of("t", text));
        ChunkAssertions.assertCovers(text, chunks);
        ChunkAssertions.assertWithinLimit(text, chunks, 20, cl100k);
        assertThat(chunks.get(0).length()).isGreaterThan(40);
        assertThatThrownBy(() -> Tokenizers.jtokkit("nope")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown jtokkit encoding 'nope'");
    }
}
