package dev.keel.rag.chunk;

/**
 * Counts the size of a text in some unit (characters, or tokens of a model's encoding). Chunkers and
 * the prompt assembler measure with it. Implementations must be thread-safe and additive enough that
 * a prefix never counts more than the whole.
 */
public interface Tokenizer {

    /** Size of {@code text[start, end)}. */
    int count(String text, int start, int end);

    /** Size of the whole text. */
    default int count(String text) {
        return count(text, 0, text.length());
    }

    /** Short name of the unit, for example {@code chars} or {@code cl100k_base}. */
    String unit();
}
