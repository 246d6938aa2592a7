package dev.keel.rag.chunk;

import dev.keel.rag.internal.chunk.JTokkitTokenizer;

/** Ready-made {@link Tokenizer}s. */
public final class Tokenizers {
    private static final Tokenizer CHARACTERS = new Tokenizer() {
        @Override
        public int count(String text, int start, int end) {
            return end - start;
        }

        @Override
        public String unit() {
            return "chars";
        }

        @Override
        public String toString() {
            return "Tokenizer[chars]";
        }
    };

    private static final Tokenizer APPROXIMATE = new Tokenizer() {
        @Override
        public int count(String text, int start, int end) {
            return (end - start + 3) / 4;
        }

        @Override
        public String unit() {
            return "approx-tokens";
        }

        @Override
        public String toString() {
            return "Tokenizer[approx-tokens: 4 chars per token]";
        }
    };

    private Tokenizers() {
    }

    /**
     * Counts UTF-16 characters.
     *
     * @return the tokenizer
     */
    public static Tokenizer characters() {
        return CHARACTERS;
    }

    /**
     * Estimates tokens as one per four characters, rounded up; no dependency, good for budgets.
     *
     * @return the tokenizer
     */
    public static Tokenizer approximate() {
        return APPROXIMATE;
    }

    /**
     * Exact token counts for an OpenAI encoding ({@code cl100k_base}, {@code o200k_base}, …) through
     * the jtokkit library, which must be on the class or module path ({@code com.knuddels:jtokkit}).
     *
     * @param encoding the encoding's name
     * @return the tokenizer
     * @throws IllegalArgumentException when the encoding name is unknown
     * @throws IllegalStateException    when jtokkit is not available
     */
    public static Tokenizer jtokkit(String encoding) {
        try {
            return JTokkitTokenizer.create(encoding);
        } catch (NoClassDefFoundError e) {
            throw new IllegalStateException("jtokkit is not on the class/module path; add com.knuddels:jtokkit", e);
        }
    }
}
