package dev.keel.rag.store;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Vectors with ids, text and metadata, searchable by similarity. The dimension and {@link Metric} are
 * fixed per store. Scores are "higher is closer" for every metric.
 *
 * <p>Vectors are validated on the way in: a wrong dimension, NaN or infinity is rejected with an
 * {@link IllegalArgumentException} naming the entry, and nothing of that call is stored.
 *
 * <p>Implementations state their thread safety; {@link InMemoryVectorStore} is safe for concurrent use.
 */
public interface VectorStore extends AutoCloseable {

    /**
     * Length of every vector in this store.
     *
     * @return the dimension
     */
    int dimension();

    /**
     * How scores are computed.
     *
     * @return the metric
     */
    Metric metric();

    /**
     * Number of entries.
     *
     * @return number of entries
     */
    int size();

    /**
     * Inserts or replaces entries by id, all or nothing.
     *
     * @param entries the entries
     */
    void upsertAll(Collection<Entry> entries);

    /**
     * Inserts or replaces one entry.
     *
     * @param entry the entry
     */
    default void upsert(Entry entry) {
        upsertAll(List.of(entry));
    }

    /**
     * Removes the entry with this id; returns whether there was one.
     *
     * @param id the entry's id
     * @return true when an entry was removed
     */
    boolean delete(String id);

    /**
     * The entry with this id (for cosine stores, the vector is the stored unit vector).
     *
     * @param id the entry's id
     * @return the entry with this id
     */
    Optional<Entry> get(String id);

    /**
     * The {@code k} entries closest to {@code query} whose score is at least {@code minScore} and whose
     * metadata passes {@code filter}, best first.
     *
     * @param query the query vector
     * @param k the most hits
     * @param minScore the lowest score kept
     * @param filter the metadata condition
     * @return the {@code k} entries closest to {@code query} whose score is at least {@code minScore} and whose
     *     metadata passes {@code filter}
     * @throws IllegalArgumentException for a wrong dimension, NaN/infinite component or {@code k < 1}
     */
    List<Hit> search(float[] query, int k, double minScore, MetadataFilter filter);

    /**
     * The {@code k} closest entries, best first.
     *
     * @param query the query vector
     * @param k the most hits
     * @return the {@code k} closest entries
     */
    default List<Hit> search(float[] query, int k) {
        return search(query, k, Double.NEGATIVE_INFINITY, MetadataFilter.all());
    }

    /**
     * Answers several queries; the i-th list belongs to the i-th query. Stores may answer them in one pass
     * over the data (the in-memory store reads each vector once per four queries).
     *
     * @param queries the query vectors
     * @param k the most hits
     * @param minScore the lowest score kept
     * @param filter the metadata condition
     * @return one list of hits per query, in order
     */
    default List<List<Hit>> searchAll(List<float[]> queries, int k, double minScore, MetadataFilter filter) {
        List<List<Hit>> results = new ArrayList<>(queries.size());
        for (float[] query : queries) {
            results.add(search(query, k, minScore, filter));
        }
        return results;
    }

    /** Releases resources; closing twice is harmless. The default does nothing. */
    @Override
    default void close() {
    }

    /**
     * An empty in-memory cosine store for vectors of this dimension.
     *
     * @param dimension the vectors' length
     * @return an empty in-memory cosine store for vectors of this dimension
     */
    static InMemoryVectorStore inMemory(int dimension) {
        return InMemoryVectorStore.builder(dimension).build();
    }
}
