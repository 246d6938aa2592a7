package dev.keel.rag.knowledge;

import dev.keel.rag.chunk.Chunker;
import dev.keel.rag.chunk.Chunkers;
import java.util.Objects;

/**
 * How a strategy cuts documents into passages: docker-agent's {@code chunking} block
 * ({@code size}, {@code overlap}, {@code respect_word_boundaries}, {@code code_aware}), or Keel's markdown
 * section chunker, or any {@link Chunker}.
 *
 * <ul>
 *   <li>{@link #of(int, int)} — fixed windows of {@code size} characters sharing {@code overlap} characters
 *       (docker-agent's chunking; its defaults are {@code size 1000}, {@code overlap 75});
 *       {@link #respectWordBoundaries(boolean)} ends windows at whitespace.</li>
 *   <li>{@link #markdown(int)} (the default, 1000 characters) — markdown files by section, heading path
 *       kept, code fences never split; other files split recursively at paragraphs, lines, sentences,
 *       words.</li>
 *   <li>{@link #codeAware(boolean)} — source files are split at blank lines and closing braces first
 *       (a language-neutral stand-in for docker-agent's tree-sitter chunking, which covers Go only).</li>
 * </ul>
 *
 * @param size                  the size limit in characters
 * @param overlap               characters shared by consecutive windows (fixed windows only)
 * @param respectWordBoundaries end fixed windows at whitespace instead of mid-word
 * @param codeAware             split source code at declaration-like boundaries
 * @param markdownSections      cut markdown files at headings (the default mode)
 * @param custom                a chunker of your own, used for every file (null unless {@link #custom(Chunker)})
 */
public record Chunking(int size, int overlap, boolean respectWordBoundaries, boolean codeAware,
                       boolean markdownSections, Chunker custom) {
    /**
     * Validates size and overlap.
     *
     * @param codeAware split source code at declaration-like boundaries
     * @param custom a chunker of your own, used for every file (null unless {@link #custom(Chunker)})
     * @param markdownSections cut markdown files at headings (the default mode)
     * @param overlap characters shared by consecutive windows (fixed windows only)
     * @param respectWordBoundaries end fixed windows at whitespace instead of mid-word
     * @param size the size limit in characters
     */
    public Chunking {
        if (size < 1) {
            throw new IllegalArgumentException("chunking size must be at least 1, got " + size);
        }
        if (overlap < 0 || overlap >= size) {
            throw new IllegalArgumentException("chunking overlap must be in [0, size), got " + overlap);
        }
    }

    /**
     * Keel's default: markdown by section (at most 1000 characters), other text recursively.
     *
     * @return keel's default: markdown by section
     */
    public static Chunking defaults() {
        return markdown(1000);
    }

    /**
     * Markdown files by section, other files recursively, at most {@code size} characters.
     *
     * @param size the largest chunk, in characters
     * @return the chunking
     */
    public static Chunking markdown(int size) {
        return new Chunking(size, 0, true, false, true, null);
    }

    /**
     * docker-agent's fixed windows: {@code size} characters, consecutive windows sharing {@code overlap}.
     *
     * @param size the window size, in characters
     * @param overlap the units shared by consecutive windows
     * @return the chunking
     */
    public static Chunking of(int size, int overlap) {
        return new Chunking(size, overlap, false, false, false, null);
    }

    /**
     * Every file through {@code chunker}.
     *
     * @param chunker the chunker
     * @return every file through {@code chunker}
     */
    public static Chunking custom(Chunker chunker) {
        return new Chunking(Integer.MAX_VALUE - 1, 0, true, false, false, Objects.requireNonNull(chunker, "chunker"));
    }

    /**
     * A copy that ends fixed windows at whitespace (docker-agent's {@code respect_word_boundaries}).
     *
     * @param respect whether to end windows at whitespace
     * @return a copy that ends fixed windows at whitespace
     */
    public Chunking respectWordBoundaries(boolean respect) {
        return new Chunking(size, overlap, respect, codeAware, markdownSections, custom);
    }

    /**
     * A copy that splits source files at code boundaries (docker-agent's {@code code_aware}).
     *
     * @param aware whether to split source files at code boundaries
     * @return a copy that splits source files at code boundaries
     */
    public Chunking codeAware(boolean aware) {
        return new Chunking(size, overlap, respectWordBoundaries, aware, markdownSections, custom);
    }

    /**
     * The chunker for a file or document named {@code sourceId}.
     *
     * @param sourceId the file's or document's name
     * @return the chunker for a file or document named {@code sourceId}
     */
    public Chunker chunkerFor(String sourceId) {
        if (custom != null) {
            return custom;
        }
        String name = sourceId.toLowerCase(java.util.Locale.ROOT);
        if (markdownSections && (name.endsWith(".md") || name.endsWith(".markdown"))) {
            return Chunkers.markdownSections(size);
        }
        if (codeAware && !name.endsWith(".md") && !name.endsWith(".txt")) {
            return Chunkers.recursive(size, dev.keel.rag.chunk.Tokenizers.characters(),
                    java.util.List.of("\n\n", "\n}\n", "\n", " "));
        }
        if (markdownSections) {
            return Chunkers.recursive(size);
        }
        return Chunkers.fixedSize(size, overlap, dev.keel.rag.chunk.Tokenizers.characters(), respectWordBoundaries);
    }

    /**
     * A stable description (part of the index fingerprint: changing it re-chunks).
     *
     * @return a stable description
     */
    public String fingerprint() {
        return custom != null ? "custom:" + custom : "size=" + size + ",overlap=" + overlap + ",words="
                + respectWordBoundaries + ",code=" + codeAware + ",markdown=" + markdownSections;
    }

    @Override
    public String toString() {
        return "Chunking[" + fingerprint() + "]";
    }
}
