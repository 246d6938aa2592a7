package dev.keel.rag.chunk;

import dev.keel.rag.internal.chunk.Boundaries;
import dev.keel.rag.internal.chunk.FixedSizeChunker;
import dev.keel.rag.internal.chunk.MarkdownSectionChunker;
import dev.keel.rag.internal.chunk.RecursiveChunker;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Factory of {@link Chunker}s. Every chunker returned is immutable and thread-safe; its chunks cover
 * the input and none exceeds the size limit unless flagged {@link Chunk#oversized()}. Sizes are in the
 * unit of a {@link Tokenizer} (UTF-16 characters unless you pass another one). Chunks never split a
 * surrogate pair.
 */
public final class Chunkers {
    private Chunkers() {
    }

    /**
     * Markdown sections of at most {@code maxChars} characters; sections under a tenth of the limit are
     * merged into the next one.
     *
     * @param maxChars the largest section, in characters
     * @return the chunker
     * @see #markdownSections(int, Tokenizer, int)
     */
    public static Chunker markdownSections(int maxChars) {
        return markdownSections(maxChars, Tokenizers.characters(), maxChars / 10);
    }

    /**
     * Splits markdown at ATX headings. Each chunk's metadata holds the heading path
     * ({@link Chunk#HEADING_PATH}, e.g. {@code # Guide > ## Install}) and the section's {@code KEYWORDS:}
     * line ({@link Chunk#KEYWORDS}). Code fences and pipe tables are never split (a fence or table larger
     * than the limit becomes one oversized chunk). Sections over the limit are split at paragraphs, then
     * lines, sentences and words; sections smaller than {@code mergeBelow} are merged into the following
     * section when the result fits (0 disables merging). Setext headings are treated as text.
     *
     * @param maxSize the largest chunk, in the tokenizer's units
     * @param tokenizer measures sizes
     * @param mergeBelow sections smaller than this are merged with the next one
     * @return the chunker
     * @throws IllegalArgumentException when {@code maxSize < 1} or {@code mergeBelow} is outside {@code [0, maxSize]}
     */
    public static Chunker markdownSections(int maxSize, Tokenizer tokenizer, int mergeBelow) {
        return new MarkdownSectionChunker(maxSize, tokenizer, mergeBelow);
    }

    /**
     * Recursive splitting at paragraphs, lines, sentences, words, then characters, in characters.
     *
     * @param maxChars the largest chunk, in characters
     * @return the chunker
     */
    public static Chunker recursive(int maxChars) {
        return recursive(maxChars, Tokenizers.characters());
    }

    /**
     * Recursive splitting at paragraphs, lines, sentences, words, then characters.
     *
     * @param maxSize the largest chunk, in the tokenizer's units
     * @param tokenizer measures sizes
     * @return the chunker
     */
    public static Chunker recursive(int maxSize, Tokenizer tokenizer) {
        return new RecursiveChunker(maxSize, tokenizer,
                List.of(Boundaries.paragraphs(), Boundaries.lines(), Boundaries.sentences(), Boundaries.words()),
                "paragraph > line > sentence > word");
    }

    /**
     * Recursive splitting at the given separators, tried in order (the separator stays at the end of the
     * piece before it), then between characters.
     *
     * @param maxSize the largest chunk, in the tokenizer's units
     * @param tokenizer measures sizes
     * @param separators the separators, coarsest first
     * @return the chunker
     * @throws IllegalArgumentException when a separator is empty or the list is empty
     */
    public static Chunker recursive(int maxSize, Tokenizer tokenizer, List<String> separators) {
        Objects.requireNonNull(separators, "separators");
        if (separators.isEmpty()) {
            throw new IllegalArgumentException("separators must not be empty");
        }
        List<Boundaries> levels = new ArrayList<>();
        for (String separator : separators) {
            levels.add(Boundaries.after(Objects.requireNonNull(separator, "separator")));
        }
        return new RecursiveChunker(maxSize, tokenizer, levels, "separators " + separators);
    }

    /**
     * Fixed windows of {@code size} characters, consecutive windows sharing {@code overlap} characters.
     *
     * @param size the window size, in characters
     * @param overlap characters shared by consecutive windows
     * @return the chunker
     */
    public static Chunker fixedSize(int size, int overlap) {
        return fixedSize(size, overlap, Tokenizers.characters());
    }

    /**
     * Fixed windows of at most {@code size} units; each window starts so that it shares at most
     * {@code overlap} units with the previous one.
     *
     * @param size the largest window, in the tokenizer's units
     * @param overlap the most units shared by consecutive windows
     * @param tokenizer measures sizes
     * @return the chunker
     * @throws IllegalArgumentException when {@code size < 1}, {@code overlap < 0} or {@code overlap >= size}
     */
    public static Chunker fixedSize(int size, int overlap, Tokenizer tokenizer) {
        return new FixedSizeChunker(size, overlap, tokenizer);
    }

    /**
     * Like {@link #fixedSize(int, int, Tokenizer)}; with {@code atWords}, a window that would end inside a
     * word ends after the last whitespace in its second half instead (docker-agent's
     * {@code respect_word_boundaries}). A window without such whitespace is cut at the limit.
     *
     * @param size the largest window, in the tokenizer's units
     * @param overlap the most units shared by consecutive windows
     * @param tokenizer measures sizes
     * @param atWords whether a window that would end inside a word ends at the last whitespace before it instead
     * @return the chunker
     */
    public static Chunker fixedSize(int size, int overlap, Tokenizer tokenizer, boolean atWords) {
        return new FixedSizeChunker(size, overlap, tokenizer, atWords);
    }
}
