package dev.keel.rag.chunk;

/**
 * Counts the size of a text in some unit (characters, or tokens of a model's encoding). Chunkers and
 * the prompt assembler measure with it. Implementations must be thread-safe and additive enough that
 * a prefix never counts more than the whole.
 */
public interface Tokenizer {

    /**
     * Size of {@code text[start, end)}.
     *
     * @param text the text
     * @param start the start index
     * @param end the end index, exclusive
     * @return the size in this tokenizer's units
     */
    int count(String text, int start, int end);

    /**
     * Size of the whole text.
     *
     * @param text the text
     * @return the size in this tokenizer's units
     */
    default int count(String text) {
        return count(text, 0, text.length());
    }

    /**
     * Short name of the unit, for example {@code chars} or {@code cl100k_base}.
     *
     * @return the unit's name
     */
    String unit();
}
