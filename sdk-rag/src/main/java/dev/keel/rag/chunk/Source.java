package dev.keel.rag.chunk;

import java.util.Map;
import java.util.Objects;

/**
 * A text to be chunked, with an id that every chunk carries (for citations) and metadata that every
 * chunk inherits.
 *
 * @param id       non-blank identifier, for example a file name or URL
 * @param text     the whole text; must not be empty
 * @param metadata copied into every chunk's metadata (chunker keys win on collision)
 */
public record Source(String id, String text, Map<String, String> metadata) {
    /**
     * Creates the value, checking its components.
     *
     * @param id non-blank identifier, for example a file name or URL
     * @param text the whole text; must not be empty
     * @param metadata copied into every chunk's metadata (chunker keys win on collision)
     */
    public Source {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(text, "text");
        if (id.isBlank()) {
            throw new IllegalArgumentException("source id must not be blank");
        }
        if (text.isEmpty()) {
            throw new IllegalArgumentException("source '" + id + "' has empty text; nothing to chunk");
        }
        metadata = Map.copyOf(Objects.requireNonNull(metadata, "metadata"));
    }

    /**
     * A source without metadata.
     *
     * @param id the source's id, named in citations
     * @param text the text
     * @return a source without metadata
     */
    public static Source of(String id, String text) {
        return new Source(id, text, Map.of());
    }

    @Override
    public String toString() {
        return "Source[id=" + id + ", chars=" + text.length() + ", metadata=" + metadata + "]";
    }
}
