package dev.keel.rag.store;

import java.util.Map;
import java.util.Objects;

/**
 * A search result: the entry's id, its score under the store's {@link Metric} (higher is closer),
 * its text and metadata. {@link #sourceId()} names the source for citations.
 *
 * @param id the entry's id
 * @param score its score, higher is closer
 * @param text the entry's text
 * @param metadata the entry's metadata
 */
public record Hit(String id, double score, String text, Map<String, String> metadata) {
    /** Metadata key that names the source of an entry (the chunkers set it). */
    public static final String SOURCE = "source";

    /**
     * Creates the hit, copying the metadata.
     *
     * @param id the entry's id
     * @param score its score, higher is closer
     * @param text the entry's text
     * @param metadata the entry's metadata
     */
    public Hit {
        Objects.requireNonNull(id, "id");
        text = text == null ? "" : text;
        metadata = Map.copyOf(Objects.requireNonNull(metadata, "metadata"));
    }

    /**
     * The {@value #SOURCE} metadata value, or the id when there is none.
     *
     * @return the {@value #SOURCE} metadata value
     */
    public String sourceId() {
        return metadata.getOrDefault(SOURCE, id);
    }

    @Override
    public String toString() {
        return "Hit[id=" + id + ", score=" + String.format(java.util.Locale.ROOT, "%.4f", score) + ", source="
                + sourceId() + "]";
    }
}
