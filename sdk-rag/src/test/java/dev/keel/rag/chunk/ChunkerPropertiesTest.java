package dev.keel.rag.chunk;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

class ChunkerPropertiesTest {

    /** Text made of markdown-ish pieces: headings, words, sentences, fences, tables, emoji, blank lines. */
    @Provide
    Arbitrary<String> markdownish() {
        Arbitrary<String> piece = Arbitraries.oneOf(
                Arbitraries.of("# Title\n", "## Sub\n", "### Deep\n", "KEYWORDS: java, list\n", "\n", "\n\n",
                        "```java\nint x = 1;\n\nint y = 2;\n```\n", "| a | b |\n|---|---|\n| 1 | 2 |\n",
                        "Sentence one. Sentence two! ", "word ", "😀", "e\u0301", "\t", "~~~\nunclosed fence\n"),
                Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(40),
                Arbitraries.strings().all().ofMinLength(1).ofMaxLength(8));
        return piece.list().ofMinSize(1).ofMaxSize(60).map(list -> String.join("", list));
    }

    @Property(tries = 300)
    void markdownChunksCoverTextAndRespectLimit(@ForAll("markdownish") String text,
                                                @ForAll @IntRange(min = 1, max = 300) int limit) {
        List<Chunk> chunks = Chunkers.markdownSections(limit).split(Source.of("doc", text));
        ChunkAssertions.assertCovers(text, chunks);
        ChunkAssertions.assertWithinLimit(text, chunks, limit, Tokenizers.characters());
    }

    @Property(tries = 300)
    void recursiveChunksCoverTextAndRespectLimit(@ForAll("markdownish") String text,
                                                 @ForAll @IntRange(min = 1, max = 300) int limit) {
        List<Chunk> chunks = Chunkers.recursive(limit).split(Source.of("doc", text));
        ChunkAssertions.assertCovers(text, chunks);
        ChunkAssertions.assertWithinLimit(text, chunks, limit, Tokenizers.characters());
        // only a lone code point wider than the limit may be oversized
        chunks.stream().filter(Chunk::oversized).forEach(c ->
                assertThat(c.text().codePointCount(0, c.length())).isEqualTo(1));
    }

    @Property(tries = 300)
    void fixedChunksCoverTextWithOverlap(@ForAll("markdownish") String text,
                                         @ForAll @IntRange(min = 2, max = 200) int size,
                                         @ForAll @IntRange(min = 0, max = 199) int overlapSeed) {
        int overlap = overlapSeed % size;
        List<Chunk> chunks = Chunkers.fixedSize(size, overlap).split(Source.of("doc", text));
        ChunkAssertions.assertCovers(text, chunks);
        ChunkAssertions.assertWithinLimit(text, chunks, size, Tokenizers.characters());
        for (int i = 1; i < chunks.size(); i++) {
            assertThat(chunks.get(i - 1).end() - chunks.get(i).start()).isLessThanOrEqualTo(overlap);
        }
    }

    @Property(tries = 300)
    void fixedChunksAtWordsCoverTextAdvanceAndEndAtWhitespaceWhenTheyCan(@ForAll("markdownish") String text,
                                         @ForAll @IntRange(min = 2, max = 200) int size,
                                         @ForAll @IntRange(min = 0, max = 199) int overlapSeed) {
        int overlap = overlapSeed % size;
        List<Chunk> chunks = Chunkers.fixedSize(size, overlap, Tokenizers.characters(), true).split(Source.of("doc", text));
        ChunkAssertions.assertCovers(text, chunks);
        ChunkAssertions.assertWithinLimit(text, chunks, size, Tokenizers.characters());
        for (int i = 1; i < chunks.size(); i++) {
            Chunk previous = chunks.get(i - 1);
            assertThat(chunks.get(i).end()).isGreaterThan(previous.end());
            assertThat(previous.end() - chunks.get(i).start()).isLessThanOrEqualTo(overlap);
        }
    }

    @Property(tries = 100)
    void tokenSizedChunksRespectTokenLimit(@ForAll("markdownish") String text,
                                           @ForAll @IntRange(min = 1, max = 80) int limit) {
        Tokenizer tokens = Tokenizers.approximate();
        List<Chunk> chunks = Chunkers.markdownSections(limit, tokens, 0).split(Source.of("doc", text));
        ChunkAssertions.assertCovers(text, chunks);
        ChunkAssertions.assertWithinLimit(text, chunks, limit, tokens);
    }
}
