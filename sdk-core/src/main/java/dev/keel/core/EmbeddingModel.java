package dev.keel.core;

import java.util.List;

/**
 * Turns texts into vectors of a fixed {@link #dimension()}. Thread-safe; share one instance. A model that
 * holds a resource releases it in {@link #close()}; closing twice is harmless.
 */
public interface EmbeddingModel extends AutoCloseable {

    /**
     * Embeds a batch of texts; the i-th vector belongs to the i-th text.
     *
     * @param texts the texts
     * @return one vector per text, in order
     * @throws ModelException when the call fails
     */
    List<float[]> embedAll(List<String> texts);

    /**
     * Embeds one text.
     *
     * @param text the text
     * @return its vector
     */
    default float[] embed(String text) {
        return embedAll(List.of(text)).get(0);
    }

    /**
     * Length of every vector this model returns.
     *
     * @return the dimension
     */
    int dimension();

    /**
     * A short description for logs. Never contains a key.
     *
     * @return a short description for logs
     */
    default String id() {
        return getClass().getSimpleName();
    }

    /** Releases what this model holds. The default holds nothing. Idempotent. */
    @Override
    default void close() {}
}
