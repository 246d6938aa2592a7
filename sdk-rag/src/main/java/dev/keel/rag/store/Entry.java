package dev.keel.rag.store;

import java.util.Arrays;
import java.util.Map;
import java.util.Objects;

/**
 * One stored item: an id, its vector, the text it was made from (may be empty) and metadata
 * (for citations and filtering). The vector is copied in and out, so an entry is immutable.
 *
 * @param id the id, unique in a store
 * @param vector the vector (copied)
 * @param text the text it was made from, or null for none
 * @param metadata metadata for citations and filtering
 */
public record Entry(String id, float[] vector, String text, Map<String, String> metadata) {
    /**
     * Creates the entry, copying the vector and the metadata.
     *
     * @param id the id, unique in a store
     * @param vector the vector (copied)
     * @param text the text it was made from, or null for none
     * @param metadata metadata for citations and filtering
     */
    public Entry {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(vector, "vector");
        if (id.isEmpty()) {
            throw new IllegalArgumentException("entry id must not be empty");
        }
        vector = vector.clone();
        text = text == null ? "" : text;
        metadata = Map.copyOf(Objects.requireNonNull(metadata, "metadata"));
    }

    /**
     * An entry without text or metadata.
     *
     * @param id the id, unique in a store
     * @param vector the vector (copied)
     * @return an entry without text or metadata
     */
    public static Entry of(String id, float[] vector) {
        return new Entry(id, vector, "", Map.of());
    }

    /**
     * The vector, a copy.
     *
     * @return the vector
     */
    @Override
    public float[] vector() {
        return vector.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Entry e && id.equals(e.id) && Arrays.equals(vector, e.vector) && text.equals(e.text)
                && metadata.equals(e.metadata);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, Arrays.hashCode(vector), text, metadata);
    }

    @Override
    public String toString() {
        return "Entry[id=" + id + ", dimension=" + vector.length + ", textChars=" + text.length() + ", metadata="
                + metadata + "]";
    }
}
