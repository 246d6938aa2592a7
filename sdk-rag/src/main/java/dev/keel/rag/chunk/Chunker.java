package dev.keel.rag.chunk;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits texts into {@link Chunk}s. Implementations from {@link Chunkers} are immutable and thread-safe.
 */
@FunctionalInterface
public interface Chunker {

    /**
     * Splits one source. The chunks are in text order, numbered from 0, and cover the whole text.
     *
     * @param source the source
     * @return its chunks, in order
     * @throws NullPointerException when {@code source} is null
     */
    List<Chunk> split(Source source);

    /**
     * Splits several sources, concatenating their chunks in order.
     *
     * @param sources the sources
     * @return their chunks, in order
     */
    default List<Chunk> splitAll(List<Source> sources) {
        List<Chunk> all = new ArrayList<>();
        for (Source source : sources) {
            all.addAll(split(source));
        }
        return all;
    }
}
