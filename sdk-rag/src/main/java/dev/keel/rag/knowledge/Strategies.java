package dev.keel.rag.knowledge;

import dev.keel.core.ChatModel;
import dev.keel.core.EmbeddingModel;

/** Factories of {@link Strategy}s with docker-agent's defaults. */
public final class Strategies {
    private Strategies() {
    }

    /**
     * {@code chunked-embeddings} with {@code model}: threshold 0.5, limit 5, batches of 50, 3 in flight.
     *
     * @param model embeds the chunks and the questions
     * @return the strategy
     */
    public static Strategy.ChunkedEmbeddings embeddings(EmbeddingModel model) {
        return new Strategy.ChunkedEmbeddings(Strategy.Common.defaults(0.5), model, 0, 50, 3);
    }

    /**
     * {@code bm25}: k1 1.5, b 0.75, threshold 0, limit 5, standard analyzer.
     *
     * @return the strategy
     */
    public static Strategy.Bm25 bm25() {
        return new Strategy.Bm25(Strategy.Common.defaults(0), 1.5, 0.75, false);
    }

    /**
     * {@code bm25} with the code-aware analyzer (identifiers whole and split at {@code _} and camel case).
     *
     * @return the strategy
     */
    public static Strategy.Bm25 bm25Code() {
        return bm25().withCodeAware(true);
    }

    /**
     * {@code semantic-embeddings}: {@code chatModel} describes each chunk, {@code model} embeds the descriptions.
     *
     * @param model embeds the descriptions and the questions
     * @param chatModel writes the chunks' descriptions
     * @return the strategy
     */
    public static Strategy.SemanticEmbeddings semantic(EmbeddingModel model, ChatModel chatModel) {
        return new Strategy.SemanticEmbeddings(Strategy.Common.defaults(0.5), model, chatModel, null, 50, 3);
    }
}
